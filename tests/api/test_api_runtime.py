"""Runtime behaviour: reload after another process re-ingests, the lock, the runner's budget."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import anyio
import pytest
from fastapi.testclient import TestClient

import api.deps
from api.main import create_app
from api.runner import REQUEST_DEADLINE, GraphRunner, RWLock
from graph.errors import QueryTimeout, ServerBusy
from graph.ingest.pipeline import load_dataset
from graph.model import Entity
from graph.settings import Settings
from graph.store.base import GraphStore
from graph.store.memory import MemoryStore
from graph.testing import MINI_DIR


def test_serves_a_workspace_and_reloads_when_another_process_rewrites_it(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    MemoryStore(ws).replace_all(load_dataset(MINI_DIR))
    with TestClient(create_app(Settings(workspace=ws))) as c:
        assert c.get("/api/v1/stats").json()["entities"] == 12
        tag = c.get("/api/v1/entities/acme").headers["etag"]
        # `cryptokg ingest` in another process: a second store over the same workspace.
        other = MemoryStore(ws)
        other.upsert(entities=[Entity(id="dave", kind="person", name="Dave", sources=["s1"])])
        assert c.get("/api/v1/stats").json()["entities"] == 13
        assert c.get("/api/v1/entities/acme", headers={"If-None-Match": tag}).status_code == 200
        other.replace_all(load_dataset(MINI_DIR))
        assert c.get("/health").json()["entities"] == 12


def test_the_app_state_holds_the_open_store(tmp_path: Path) -> None:
    app = create_app(Settings(workspace=tmp_path / "ws"))
    with TestClient(app):
        assert isinstance(app.state.store, MemoryStore)
    assert app.state.store is None


def test_a_store_that_failed_to_open_is_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api.deps, "REOPEN_AFTER", 0.0)
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "graph.sqlite").write_bytes(b"garbage" * 100)
    with TestClient(create_app(Settings(workspace=ws))) as c:
        assert c.get("/api/v1/stats").status_code == 503
        (ws / "graph.sqlite").unlink()
        MemoryStore(ws).replace_all(load_dataset(MINI_DIR))
        assert c.get("/api/v1/stats").json()["entities"] == 12


def test_rwlock_readers_share_writers_wait() -> None:
    lock = RWLock()
    assert lock.acquire_read(0.1) and lock.acquire_read(0.1)
    assert not lock.acquire_write(0.05)
    lock.release_read()
    lock.release_read()
    assert lock.acquire_write(0.05)
    assert not lock.acquire_read(0.05)
    lock.release_write()
    assert lock.acquire_read(0.05)
    lock.release_read()


def _until(cond: Callable[[], bool], limit: float = 30.0) -> None:
    """Wait for ``cond`` (the limit only ends a broken test; it never decides a pass)."""
    end = time.monotonic() + limit
    while not cond():
        assert time.monotonic() < end, "condition never came true"
        time.sleep(0.001)


def test_rwlock_waiting_writer_holds_back_new_readers() -> None:
    lock = RWLock()
    assert lock.acquire_read(0.1)
    got: list[bool] = []
    writer = threading.Thread(target=lambda: got.append(lock.acquire_write(60.0)))
    writer.start()
    _until(lambda: lock._writers_waiting == 1)
    assert not lock.acquire_read(0)  # the writer is waiting
    lock.release_read()
    writer.join()
    assert got == [True]
    lock.release_write()


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_runner_stops_a_query_at_its_deadline_and_frees_the_lock() -> None:
    clock = Clock()
    runner = GraphRunner(MemoryStore(None), timeout=10.0, clock=clock)
    stopped = threading.Event()

    def slow(s: GraphStore) -> int:
        clock.now += 11.0  # the budget runs out while the query runs
        try:
            while True:
                time.sleep(0.001)
        finally:
            stopped.set()

    async def main() -> None:
        assert await runner.read(lambda s: s.backend) == "embedded"
        with pytest.raises(QueryTimeout, match="time budget of 10 s and was stopped"):
            await runner.read(slow)
        assert stopped.is_set()  # stopped before the 504, not abandoned
        assert runner.lock.acquire_write(0)  # and it let go of the lock
        try:
            with pytest.raises(QueryTimeout, match="busy"):
                await runner.read(lambda s: 1)
            with pytest.raises(QueryTimeout, match="the write was not made"):
                await runner.write(lambda s: 1)
        finally:
            runner.lock.release_write()
        assert await runner.write(lambda s: 2) == 2

    anyio.run(main)


def test_a_stopped_query_leaves_no_exception_behind_in_its_thread() -> None:
    clock = Clock()
    runner = GraphRunner(MemoryStore(None), timeout=1.0, threads=1, clock=clock)

    def slow(s: GraphStore) -> int:
        clock.now += 2.0
        while True:
            time.sleep(0.001)

    def quick(s: GraphStore) -> int:
        total = 0
        for i in range(200_000):  # long enough for a stray exception to land in it
            total += i
        return total

    async def main() -> None:
        for _ in range(5):
            with pytest.raises(QueryTimeout):
                await runner.read(slow)
            assert await runner.read(quick) == sum(range(200_000))

    anyio.run(main)


def test_a_shielded_load_is_not_torn_and_the_query_stops_after_it() -> None:
    from graph.cancel import shielded

    clock = Clock()
    runner = GraphRunner(MemoryStore(None), timeout=1.0, clock=clock)
    steps: list[str] = []

    def loads_then_spins(s: GraphStore) -> int:
        with shielded():
            clock.now += 2.0
            for _ in range(50):
                time.sleep(0.002)  # the watchdog sees the deadline pass in here
            steps.append("loaded")
        steps.append("after")  # never reached: the deadline is acted on as the shield ends
        return 1

    async def main() -> None:
        with pytest.raises(QueryTimeout):
            await runner.read(loads_then_spins)

    anyio.run(main)
    assert steps == ["loaded"]


def test_a_full_queue_is_429_with_retry_after() -> None:
    runner = GraphRunner(MemoryStore(None), timeout=30.0, threads=1, queue=2)
    release = threading.Event()
    outcomes: list[str] = []

    def blocked(s: GraphStore) -> int:
        release.wait(60)
        return 1

    async def one() -> None:
        try:
            await runner.read(blocked)
            outcomes.append("ok")
        except ServerBusy as exc:
            assert exc.status == 429 and exc.retry_after >= 1
            outcomes.append("busy")

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            for _ in range(3):  # one runs, two wait
                tg.start_soon(one)
            while runner._waiting < 2:
                await anyio.sleep(0.001)
            await one()  # the queue is full
            assert outcomes == ["busy"]
            release.set()

    anyio.run(main)
    assert sorted(outcomes) == ["busy", "ok", "ok", "ok"]


def test_a_wait_longer_than_the_budget_allows_is_429_at_once() -> None:
    clock = Clock()
    runner = GraphRunner(MemoryStore(None), timeout=10.0, threads=1, queue=100, clock=clock)
    release = threading.Event()

    def slow(s: GraphStore) -> int:
        clock.now += 3.0  # each query holds the thread for 3 s of the 10 s budget
        return 1

    def blocked(s: GraphStore) -> int:
        release.wait(60)
        return 1

    async def main() -> None:
        for _ in range(12):
            await runner.read(slow)
        assert runner.service_time > 2.5
        async with anyio.create_task_group() as tg:
            tg.start_soon(runner.read, blocked)
            while runner._limiter().available_tokens:
                await anyio.sleep(0.001)
            tg.start_soon(runner.read, lambda s: 1)  # one waits: 2 x 3 s of work ahead, admitted
            while runner._waiting < 1:
                await anyio.sleep(0.001)
            try:
                with pytest.raises(ServerBusy, match=r"about 1\d\.\d s of work") as info:
                    await runner.read(lambda s: 1)  # the next: 2 x 2 x 3 s, past the budget: refused
                assert info.value.retry_after >= 10
            finally:
                release.set()

    anyio.run(main)


def test_writes_do_not_queue_behind_reads() -> None:
    runner = GraphRunner(MemoryStore(None), timeout=30.0, threads=1, queue=5)
    release = threading.Event()
    order: list[str] = []

    def blocked(s: GraphStore) -> int:
        release.wait(60)
        return 1

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(runner.read, blocked)  # holds the only query thread (and a read lock)
            while runner._limiter().available_tokens:
                await anyio.sleep(0.001)

            async def write() -> None:
                await runner.write(lambda s: order.append("write"))

            tg.start_soon(write)
            while not runner.lock._writers_waiting:
                await anyio.sleep(0.001)
            # The write got its own thread at once and waits only for the reader's lock.
            assert runner._waiting == 0
            release.set()
        assert order == ["write"]

    anyio.run(main)


def test_a_request_deadline_covers_the_wait_for_a_thread() -> None:
    clock = Clock()
    runner = GraphRunner(MemoryStore(None), timeout=10.0, threads=1, clock=clock)
    release = threading.Event()

    def blocked(s: GraphStore) -> int:
        release.wait(60)
        return 1

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(runner.read, blocked)
            while runner._limiter().available_tokens:
                await anyio.sleep(0.001)
            token = REQUEST_DEADLINE.set(clock.now + 0.5)  # admitted, but the thread stays busy
            try:
                with pytest.raises(QueryTimeout, match="waited for a query thread"):
                    await runner.read(lambda s: 1)
            finally:
                REQUEST_DEADLINE.reset(token)
                release.set()

    anyio.run(main)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_runner_runs_at_most_its_threads_at_once(threads: int) -> None:
    runner = GraphRunner(MemoryStore(None), timeout=60.0, threads=threads)
    running = 0
    most = 0
    guard = threading.Lock()
    full = threading.Event()

    def query(s: GraphStore) -> int:
        nonlocal running, most
        with guard:
            running += 1
            most = max(most, running)
            if running == threads:
                full.set()
        full.wait(30)  # hold the thread until all of them are busy at once
        with guard:
            running -= 1
        return 1

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            for _ in range(2 * threads + 2):
                tg.start_soon(runner.read, query)

    anyio.run(main)
    assert most == threads


def test_the_app_runs_queries_on_the_configured_threads(tmp_path: Path) -> None:
    from tests.api.api_support import mini_app

    app = mini_app(tmp_path, query_threads=3)
    with TestClient(app) as c:
        assert c.get("/api/v1/search?q=acme").status_code == 200
        runner = app.state.service._runner
        assert runner is not None and runner.threads == 3


def test_cors_origins_are_configurable(tmp_path: Path) -> None:
    from tests.api.api_support import mini_app

    with TestClient(mini_app(tmp_path, cors_origins=["https://viewer.example.org"])) as c:
        pre = c.options(
            "/api/v1/search",
            headers={
                "Origin": "https://viewer.example.org",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "If-None-Match",
            },
        )
        assert pre.status_code == 200
        assert pre.headers["access-control-allow-origin"] == "https://viewer.example.org"
        r = c.get("/api/v1/search?q=acme", headers={"Origin": "https://viewer.example.org"})
        assert r.headers["access-control-allow-origin"] == "https://viewer.example.org"
        assert r.headers["access-control-expose-headers"] == "ETag"
        other = c.get("/api/v1/search?q=acme", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
    with TestClient(mini_app(tmp_path)) as c:
        r = c.get("/api/v1/search?q=acme", headers={"Origin": "https://viewer.example.org"})
        assert "access-control-allow-origin" not in r.headers
