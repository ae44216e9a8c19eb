"""`cryptokg sync` and the CLI against each Bolt server: FalkorDB and Neo4j 5 (graph/store/sync.py, graph/cli.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.cli import app
from graph.store.memory import MemoryStore
from tests.bolt_fixtures import BOLT_KINDS, AnyServer, start_server
from tests.conftest import MINI

pytestmark = pytest.mark.bolt
runner = CliRunner()


@pytest.fixture(scope="module", params=BOLT_KINDS)
def server(request: pytest.FixtureRequest) -> Iterator[AnyServer]:
    """A server of this module's own (a test stops and restarts it)."""
    srv = start_server(str(request.param))
    yield srv
    srv.stop()


@pytest.fixture()
def env(server: AnyServer, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CRYPTOKG_NEO4J_USER", server.user)
    monkeypatch.setenv("CRYPTOKG_NEO4J_PASSWORD", server.password or "")
    return server.uri


def cli(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def _snapshot(store: MemoryStore) -> tuple[list[str], list[str], list[str], str]:
    return (
        [e.model_dump_json() for e in store.iter_entities()],
        [r.model_dump_json() for r in store.iter_relationships()],
        [s.model_dump_json() for s in store.iter_sources()],
        store.version,
    )


def test_ingest_query_and_sync_round_trip(env: str, tmp_path: Path) -> None:
    code, _, err = cli("ingest", str(MINI), "--store", env)
    assert code == 0, err
    stats = json.loads(cli("stats", "--store", env, "--json")[1])
    assert (stats["entities"], stats["relationships"], stats["sources"]) == (12, 16, 3)
    code, out, err = cli("path", "alice", "regulator", "--mode", "all", "--store", env, "--json")
    assert code == 0, err
    assert [[n["id"] for n in p["nodes"]] for p in json.loads(out)["paths"]] == [
        ["alice", "acme", "regulator"],
        ["alice", "carol", "regulator"],
    ]

    back = tmp_path / "back"
    code, _, err = cli("sync", "--from", env, "--to", "embedded", "--workspace", str(back))
    assert code == 0, err
    fresh = tmp_path / "fresh"
    assert cli("ingest", str(MINI), "--workspace", str(fresh))[0] == 0
    assert _snapshot(MemoryStore(back)) == _snapshot(MemoryStore(fresh))


def test_sync_embedded_to_bolt(env: str, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert cli("ingest", str(MINI), "--workspace", str(ws))[0] == 0
    cli("ingest", str(MINI), "--store", env)  # something else there first: it is replaced
    code, out, err = cli("sync", "--from", "embedded", "--to", env, "--workspace", str(ws), "--json")
    assert code == 0, err
    copied = json.loads(out)
    assert copied["entities"] == 12 and copied["version"] == MemoryStore(ws).version


def test_server_down_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRYPTOKG_NEO4J_PASSWORD", "s3cret-pw")
    code, _, err = cli("stats", "--store", "bolt://127.0.0.1:9")
    assert code == 2
    assert "bolt://127.0.0.1:9" in err
    assert "s3cret-pw" not in err


def _get(url: str) -> tuple[int, dict[str, object]]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=15) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_serve_over_bolt_and_health_follows_the_server(server: AnyServer, env: str, tmp_path: Path) -> None:
    """`cryptokg serve --store bolt://...` answers the API; /health is 503 while the server is down."""
    import os
    import socket
    import subprocess
    import sys
    import time

    assert cli("ingest", str(MINI), "--store", env)[0] == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "graph", "serve", "--store", env, "--port", str(port)],
        env={**os.environ, "CRYPTOKG_QUERY_TIMEOUT": "5"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if _get(f"{base}/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        code, body = _get(f"{base}/api/v1/paths?source=alice&target=regulator&mode=all")
        assert code == 200
        assert [[n["id"] for n in p["nodes"]] for p in body["paths"]] == [  # type: ignore[attr-defined]
            ["alice", "acme", "regulator"],
            ["alice", "carol", "regulator"],
        ]
        server._terminate()  # the Bolt server goes away
        code, body = _get(f"{base}/health")
        assert code == 503 and body["status"] == 503
        assert env in str(body["detail"])
        server.start()  # and comes back (empty: load it again)
        assert cli("ingest", str(MINI), "--store", env)[0] == 0
        for _ in range(50):
            code, body = _get(f"{base}/health")
            if code == 200:
                break
            time.sleep(0.2)
        assert code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
