"""Relationships and sources by id, lists and citations (``relationships.py``, ``sources.py``)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.api_support import RELS, SOURCES, ref, rel, source


def test_relationship_detail(client: TestClient) -> None:
    r = client.get("/api/v1/relationships/r15")
    assert r.status_code == 200
    assert r.json() == {
        "relationship": rel("r15"),
        "source": ref("alice"),
        "target": ref("carol"),
        "denied_by": [ref("alice")],
        "sentence": "Alice Example met Carol Official (2024-12; reported; denied by Alice Example; single source).",
        "sources": [source("s3")],
    }


def test_unknown_relationship_is_404(client: TestClient) -> None:
    r = client.get("/api/v1/relationships/r99")
    assert r.status_code == 404
    assert r.json()["detail"] == "no relationship 'r99'"


def test_list_relationships(client: TestClient) -> None:
    r = client.get("/api/v1/relationships", params={"limit": 2, "offset": 1})
    assert r.json() == {"items": [rel("r02"), rel("r03")], "total": len(RELS), "offset": 1, "limit": 2}


@pytest.mark.parametrize(
    ("params", "ids"),
    [
        ({"type": "ceo_of"}, ["r02", "r03"]),
        ({"status": "alleged"}, ["r12"]),
        ({"entity": "bob"}, ["r03", "r10"]),
        ({"entity": "carol", "status": "confirmed"}, ["r09"]),
        ({"entity": "nobody"}, []),
    ],
)
def test_list_relationships_filtered(client: TestClient, params: dict[str, str], ids: list[str]) -> None:
    body = client.get("/api/v1/relationships", params=params).json()
    assert [i["id"] for i in body["items"]] == ids
    assert body["total"] == len(ids)


def test_list_relationships_unknown_type_is_422(client: TestClient) -> None:
    r = client.get("/api/v1/relationships", params={"type": "befriended"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["name"] == "type"


def test_sources(client: TestClient) -> None:
    assert client.get("/api/v1/sources").json() == {
        "items": [source(s) for s in sorted(SOURCES)],
        "total": 3,
        "offset": 0,
        "limit": 50,
    }
    assert client.get("/api/v1/sources", params={"kind": "news_report"}).json()["total"] == 2
    assert client.get("/api/v1/sources/s2").json() == source("s2")
    assert client.get("/api/v1/sources/s9").status_code == 404


def test_citations_of_a_source(client: TestClient) -> None:
    # s3 documents carol and lonely, and r09, r10, r12, r15, r16.
    r = client.get("/api/v1/sources/s3/citations")
    assert r.json() == {
        "source": source("s3"),
        "entities": [ref("carol"), ref("lonely")],
        "relationships": [rel(i) for i in ("r09", "r10", "r12", "r15", "r16")],
        "entities_total": 2,
        "relationships_total": 5,
        "offset": 0,
        "limit": 50,
    }


def test_citations_are_paged(client: TestClient) -> None:
    body = client.get("/api/v1/sources/s3/citations", params={"offset": 1, "limit": 2}).json()
    assert [e["id"] for e in body["entities"]] == ["lonely"]
    assert [r["id"] for r in body["relationships"]] == ["r10", "r12"]
    assert (body["entities_total"], body["relationships_total"]) == (2, 5)
