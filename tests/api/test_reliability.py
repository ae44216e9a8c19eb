"""Reliability defects of the API, each reproduced: a stalled server, reversed ranges, NUL in
parameters, parser bombs in request bodies, and a full queue answered with 429."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import graph.queries.metrics as metrics
from api.main import create_app
from graph.ingest.validate import Dataset
from graph.settings import Settings
from graph.store.memory import MemoryStore
from tests.api.api_support import API_KEY, PROBLEM, mini_app
from tests.factory import person, rel, source


def big_store(n: int = 3000, m: int = 9000, seed: int = 3) -> MemoryStore:
    """A random graph on which exact betweenness takes far longer than a short budget."""
    rng = random.Random(seed)
    ents = {f"p{i}": person(f"p{i}") for i in range(n)}
    rels = {}
    while len(rels) < m:
        a, b = rng.randrange(n), rng.randrange(n)
        if a != b:
            rid = f"r{len(rels)}"
            rels[rid] = rel(rid, f"p{a}", "associate_of", f"p{b}")
    store = MemoryStore(None)
    store.replace_all(Dataset(sources={"s1": source()}, entities=ents, relationships=rels))
    return store


@pytest.fixture(scope="module")
def big() -> MemoryStore:
    return big_store()


def test_betweenness_too_big_for_the_budget_is_refused_at_once(tmp_path: Path, big: MemoryStore) -> None:
    app = create_app(Settings(workspace=tmp_path / "ws", query_timeout=2.0), store=big)
    with TestClient(app) as c:
        r = c.get("/api/v1/analytics/rankings", params={"metric": "betweenness", "top": 10})
        assert r.status_code == 422
        assert r.headers["content-type"] == PROBLEM
        assert "more than the time budget of 2 s" in r.json()["detail"]


def test_a_stalled_betweenness_is_stopped_and_writes_go_through(
    tmp_path: Path, big: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Make the estimate wrong on purpose, so the computation really starts and must be stopped.
    monkeypatch.setattr(metrics, "BETWEENNESS_RATE", 1e15)
    settings = Settings(workspace=tmp_path / "ws", query_timeout=1.0, api_key=API_KEY)
    app = create_app(settings, store=big)
    before = threading.active_count()
    with TestClient(app) as c:
        for _ in range(3):
            r = c.get("/api/v1/analytics/rankings", params={"metric": "betweenness", "top": 10})
            assert r.status_code == 504, r.text
            assert "was stopped" in r.json()["detail"]
        runner = app.state.service._runner
        # Nothing runs on after the 504s: the lock is free and no query thread is busy.
        assert runner.lock.acquire_write(0)
        runner.lock.release_write()
        assert runner.busy_threads == 0
        w = c.post(
            "/api/v1/entities",
            json={"id": "newcomer", "kind": "person", "name": "Newcomer", "sources": ["s1"]},
            headers={"X-API-Key": API_KEY, "X-Change-Reason": "test write"},
        )
        assert w.status_code == 201, w.text
        assert c.get("/api/v1/entities/newcomer").status_code == 200
        # Degree on the same graph is quick and cached per version.
        assert c.get("/api/v1/analytics/rankings", params={"metric": "degree"}).status_code == 200
    # Three stopped queries left no threads behind beyond the pool's own.
    assert threading.active_count() <= before + settings.query_threads + 2


def test_reversed_timeline_range_is_422(tmp_path: Path) -> None:
    with TestClient(mini_app(tmp_path)) as c:
        r = c.get("/api/v1/timeline", params={"start": "2025", "end": "2024"})
        assert r.status_code == 422
        assert r.json()["errors"][0]["name"] == "end"
        assert "before start 2025" in r.json()["detail"]
        assert c.get("/api/v1/timeline", params={"start": "2024", "end": "2024"}).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/search?q=ac%00me",
        "/api/v1/entities/acme/neighbours?as_of=2024%0A",
        "/api/v1/paths?source=acme&target=bo%01b",
        "/api/v1/entities/ac%00me",
    ],
)
def test_control_characters_in_parameters_are_422(tmp_path: Path, url: str) -> None:
    with TestClient(mini_app(tmp_path)) as c:
        r = c.get(url)
        assert r.status_code == 422
        assert r.headers["content-type"] == PROBLEM
        assert "control character" in r.text


def _post(c: TestClient, body: bytes, ctype: str = "application/json") -> tuple[int, dict[str, object]]:
    r = c.post(
        "/api/v1/ingest",
        content=body,
        headers={"X-API-Key": API_KEY, "X-Change-Reason": "test write", "Content-Type": ctype},
    )
    return r.status_code, r.json()


def test_deep_json_bodies_are_a_located_problem_not_a_500(tmp_path: Path) -> None:
    app = mini_app(tmp_path, api_key=API_KEY)
    with TestClient(app, raise_server_exceptions=False) as c:
        for depth in (100, 100_000):
            status, body = _post(c, b"[" * depth + b"]" * depth)
            assert status == 400, body
            assert "nested deeper than 64 levels" in str(body["detail"])
        status, body = _post(c, b'{"entities": [], "entities": []}')
        assert status == 400
        assert "appears twice" in str(body["detail"])
        for path in ("/api/v1/entities", "/api/v1/relationships"):
            r = c.post(
                path, content=b"[" * 50_000, headers={"X-API-Key": API_KEY, "X-Change-Reason": "test write"}
            )
            assert r.status_code == 400


def test_relationship_without_id_and_a_list_role_is_422(tmp_path: Path) -> None:
    with TestClient(mini_app(tmp_path, api_key=API_KEY), raise_server_exceptions=False) as c:
        body = {"source": "acme", "type": "founded", "target": "bob", "role": ["a", 1]}
        body |= {"status": "reported", "sources": ["s1"]}
        r = c.post(
            "/api/v1/relationships",
            json=body,
            headers={"X-API-Key": API_KEY, "X-Change-Reason": "test write"},
        )
        assert r.status_code == 422, r.text
        assert any(e["field"] == "role" for e in r.json()["errors"])
        doc = {"relationships": [body]}
        r = c.post(
            "/api/v1/ingest", json=doc, headers={"X-API-Key": API_KEY, "X-Change-Reason": "test write"}
        )
        assert r.status_code == 422, r.text


def test_billion_laughs_zip_is_refused_quickly(tmp_path: Path) -> None:
    import io
    import zipfile

    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join(f"*a{i - 1}" for _ in range(9))
        lines.append(f"a{i}: &a{i} [{refs}]")
    bomb = "\n".join(lines) + "\nentities: [*a9]\n"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("entities.yaml", bomb)
    with TestClient(mini_app(tmp_path, api_key=API_KEY), raise_server_exceptions=False) as c:
        status, body = _post(c, buf.getvalue(), "application/zip")
        assert status == 422, body
        assert "alias" in str(body["errors"])
