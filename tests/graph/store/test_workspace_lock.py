"""One writer, one truth: the workspace lock across processes, reload before a write, temp files
that belong to their process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.errors import StoreBusy
from graph.ingest.pipeline import load_dataset
from graph.settings import Settings
from graph.store.memory import DB_NAME, MemoryStore
from graph.store.workspace_lock import WorkspaceLock, remove_orphans
from graph.testing import MINI_DIR
from tests.factory import person

ROOT = Path(__file__).resolve().parents[3]


def test_opening_a_workspace_keeps_a_running_writers_temp_file(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    MemoryStore(ws).replace_all(load_dataset(MINI_DIR))
    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = ws / f"{DB_NAME}.tmp-{writer.pid}"
        live.write_bytes(b"half-written by an ingest that is still running")
        MemoryStore(ws).stats()  # what `cryptokg stats` does
        assert live.exists()
    finally:
        writer.kill()
        writer.wait()
    # Once its process is gone, the file is an orphan and the next opener removes it.
    assert remove_orphans(ws / DB_NAME) == [live]
    assert not live.exists()


def test_a_write_after_another_process_replaced_the_graph_applies_to_the_new_graph(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    server = MemoryStore(ws)
    server.replace_all(load_dataset(MINI_DIR))
    assert server.stats().entities == 12
    ingest = MemoryStore(ws)  # another process running `cryptokg ingest`
    ingest.upsert(entities=[person("extra-1"), person("extra-2")])
    server.upsert(entities=[person("from-api")])
    disk = MemoryStore(ws)
    assert disk.version == server.version
    assert {e.id for e in disk.iter_entities()} == {e.id for e in server.iter_entities()}
    assert {"extra-1", "extra-2", "from-api"} <= {e.id for e in server.iter_entities()}


def test_a_writer_waits_for_the_lock_and_gives_up_with_store_busy(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    store = MemoryStore(ws)
    store.replace_all(load_dataset(MINI_DIR))
    holder = WorkspaceLock(ws / (DB_NAME + ".lock"))  # another process's hold (flock is per open file)
    holder.acquire(1.0)
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    store._wlock = WorkspaceLock(ws / (DB_NAME + ".lock"), clock=lambda: now[0], sleep=sleep)
    try:
        with pytest.raises(StoreBusy, match="locked for 5 s"):
            store.exclusive(5.0).__enter__()
        version = store.version
        store.lock_timeout = 2.0
        with pytest.raises(StoreBusy):
            store.upsert(entities=[person("blocked")])
        assert store.version == version
        assert "blocked" not in {e.id for e in MemoryStore(ws).iter_entities()}
    finally:
        holder.release()
    store.upsert(entities=[person("after")])
    assert "after" in {e.id for e in MemoryStore(ws).iter_entities()}


RACER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from graph.ingest.pipeline import load_dataset
    from graph.store.memory import MemoryStore
    from graph.testing import MINI_DIR
    from tests.factory import person
    ws = Path(sys.argv[1])
    base = load_dataset(MINI_DIR)
    for i in range(int(sys.argv[2])):
        ds = load_dataset(MINI_DIR)
        for k in range(i % 3):
            ds.entities[f"ingested-{i}-{k}"] = person(f"ingested-{i}-{k}")
        MemoryStore(ws).replace_all(ds)
    """
)


def test_ingest_in_another_process_while_the_api_writes(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    MemoryStore(ws).replace_all(load_dataset(MINI_DIR))
    key = "k" * 32
    app = create_app(Settings(workspace=ws, api_key=key))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with TestClient(app) as c:
        racer = subprocess.Popen([sys.executable, "-c", RACER, str(ws), "8"], cwd=ROOT, env=env)
        acked = []
        i = 0
        while racer.poll() is None or i < 8:
            r = c.post(
                "/api/v1/entities",
                json={"id": f"api-{i}", "kind": "person", "name": f"Api {i}", "sources": ["s1"]},
                headers={"X-API-Key": key, "X-Change-Reason": "test write"},
            )
            assert r.status_code in (201, 503), r.text
            if r.status_code == 201:
                acked.append(f"api-{i}")
            i += 1
        assert racer.wait() == 0
        served = c.get("/api/v1/stats").json()
        disk = MemoryStore(ws)
        # The server answers from what the workspace holds, under the same version string.
        assert served["entities"] == disk.stats().entities
        assert served["version"] == disk.version
        last = c.post(
            "/api/v1/entities",
            json={"id": "final", "kind": "person", "name": "Final", "sources": ["s1"]},
            headers={"X-API-Key": key, "X-Change-Reason": "test write"},
        )
        assert last.status_code == 201
        disk = MemoryStore(ws)
        assert c.get("/api/v1/stats").json()["entities"] == disk.stats().entities
        assert "final" in {e.id for e in disk.iter_entities()}
