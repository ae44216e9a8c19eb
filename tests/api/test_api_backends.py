"""The same read answers over every store backend (embedded and Bolt), through the API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.settings import Settings
from graph.store.base import GraphStore
from tests.api.api_support import entity, ref, rel, source


@pytest.fixture
def over(store: GraphStore, tmp_path: Path) -> Iterator[TestClient]:
    """A client over the shared, read-only mini graph of the backend under test."""
    with TestClient(create_app(Settings(workspace=tmp_path), store=store)) as c:
        yield c


def test_reads_agree_across_backends(over: TestClient) -> None:
    assert over.get("/api/v1/search", params={"q": "Bobby"}).json()["results"][0]["id"] == "bob"
    assert over.get("/api/v1/entities", params={"limit": 1}).json() == {
        "items": [entity("acme")],
        "total": 12,
        "offset": 0,
        "limit": 1,
    }
    body = over.get("/api/v1/entities/carol/neighbours").json()
    assert body["nodes"] == [entity(i) for i in ("alice", "bob", "carol", "regulator", "venture")]
    assert body["edges"] == [rel(i) for i in ("r09", "r10", "r12", "r15")]
    assert body["sources"] == {"s3": source("s3")}
    path = over.get("/api/v1/paths", params={"source": "alice", "target": "regulator"}).json()
    assert [h["sentence"] for h in path["paths"][0]["hops"]] == [
        "Alice Example founded Acme Exchange (2017; single source) [1].",
        "Acme Exchange pleaded guilty to charges brought by Federal Regulator (2023-11-21; single source) [1].",
    ]
    assert path["source"] == ref("alice")
    assert over.get("/api/v1/relationships/r15").json()["denied_by"] == [ref("alice")]
    stats = over.get("/api/v1/stats").json()
    assert (stats["entities"], stats["relationships"], stats["sources"]) == (12, 16, 3)


def test_etags_and_health_across_backends(over: TestClient, store: GraphStore) -> None:
    health = over.get("/health").json()
    assert (health["status"], health["backend"], health["version"]) == ("ok", store.backend, store.version)
    tag = over.get("/api/v1/entities/acme").headers["etag"]
    assert over.get("/api/v1/entities/acme", headers={"If-None-Match": tag}).status_code == 304
