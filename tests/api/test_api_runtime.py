"""Runtime behaviour: reload after another process re-ingests, the lock, the runner's budget."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import anyio
import pytest
from fastapi.testclient import TestClient

import api.deps
from api.main import create_app
from api.runner import GraphRunner, RWLock
from graph.errors import QueryTimeout
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


def test_rwlock_waiting_writer_holds_back_new_readers() -> None:
    lock = RWLock()
    assert lock.acquire_read(0.1)
    got: list[bool] = []
    writer = threading.Thread(target=lambda: got.append(lock.acquire_write(1.0)))
    writer.start()
    time.sleep(0.05)
    assert not lock.acquire_read(0.05)  # the writer is waiting
    lock.release_read()
    writer.join()
    assert got == [True]
    lock.release_write()


def test_runner_budget_and_lock() -> None:
    store = MemoryStore(None)
    runner = GraphRunner(store, timeout=0.1)

    def slow(s: GraphStore) -> int:
        time.sleep(0.3)
        return 1

    async def main() -> None:
        assert await runner.read(lambda s: s.backend) == "embedded"
        with pytest.raises(QueryTimeout, match="time budget of 0.1 s"):
            await runner.read(slow)
        assert runner.lock.acquire_write(1.0)  # the abandoned query finishes and lets go
        runner.lock.release_write()
        assert runner.lock.acquire_write(0.1)
        try:
            with pytest.raises(QueryTimeout, match="busy"):
                await runner.read(lambda s: 1)
            with pytest.raises(QueryTimeout, match="the write was not made"):
                await runner.write(lambda s: 1)
        finally:
            runner.lock.release_write()
        assert await runner.write(lambda s: 2) == 2

    anyio.run(main)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_runner_runs_at_most_its_threads_at_once(threads: int) -> None:
    runner = GraphRunner(MemoryStore(None), timeout=5.0, threads=threads)
    running = 0
    most = 0
    guard = threading.Lock()

    def query(s: GraphStore) -> int:
        nonlocal running, most
        with guard:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with guard:
            running -= 1
        return 1

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            for _ in range(6):
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
