"""Health, stats, schema and the OpenAPI document (``api/routes/meta.py``, ``api/main.py``)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from graph.export import FORMATS
from graph.vocabulary import REL_TYPES, EntityKind, SourceKind, Status


def test_health(client: TestClient) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    version = client.get("/api/v1/stats").json()["version"]
    assert body == {
        "status": "ok",
        "backend": "embedded",
        "store": "in-memory graph",
        "version": version,
        "entities": 12,
        "relationships": 16,
    }
    assert "etag" not in r.headers


def test_stats(client: TestClient) -> None:
    body = client.get("/api/v1/stats").json()
    assert body["entities"] == 12 and body["relationships"] == 16 and body["sources"] == 3
    assert body["entities_by_kind"] == {
        "agency": 1,
        "agreement": 1,
        "asset": 1,
        "company": 3,
        "court": 1,
        "event": 1,
        "person": 4,
    }
    assert body["relationships_by_status"] == {"alleged": 1, "confirmed": 6, "reported": 9}
    assert body["relationships_by_type"]["ceo_of"] == 2
    assert body["relationships_without_source"] == 0
    assert body["backend"] == "embedded"


def test_schema_is_generated_from_the_model(client: TestClient) -> None:
    body = client.get("/api/v1/schema").json()
    assert [k["name"] for k in body["entity_kinds"]] == [k.value for k in EntityKind]
    assert body["entity_kinds"][0] == {
        "name": "person",
        "description": "A natural person.",
        "label": "Person",
    }
    assert [t["name"] for t in body["relationship_types"]] == list(REL_TYPES)
    founded = next(t for t in body["relationship_types"] if t["name"] == "founded")
    assert founded == {
        "name": "founded",
        "description": "Founder of an organisation or venture.",
        "category": "professional",
        "verb": "founded",
        "reverse_verb": "was founded by",
        "symmetric": False,
        "power": None,
        "tie": False,
        "neo4j_type": "FOUNDED",
    }
    assert [(s["name"], s["rank"]) for s in body["statuses"]] == [
        (s.value, r) for s, r in zip(Status, (3, 2, 1, 0), strict=True)
    ]
    assert [k["name"] for k in body["source_kinds"]] == [k.value for k in SourceKind]
    fields = {f["name"]: f for f in body["records"]["relationship"]}
    assert fields["sources"] == {
        "name": "sources",
        "type": "list[str]",
        "required": True,
        "description": None,
    }
    assert fields["amount"]["type"] == "float" and not fields["amount"]["required"]
    assert [f["name"] for f in body["export_formats"]] == list(FORMATS)


def test_every_route_is_documented_for_api_users(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ops = [(path, method, op) for path, item in spec["paths"].items() for method, op in item.items()]
    # 35, plus the dataset list, one dataset, import and drop, plus history, diff, changes,
    # changes.atom and proposals (list, propose, approve, reject)
    assert len(ops) == 47
    for path, method, op in ops:
        assert op.get("summary"), (method, path)
        assert op.get("description"), (method, path)
        for status, resp in op["responses"].items():
            if status[0] in "45":
                assert list(resp["content"]) == ["application/problem+json"], (method, path, status)


def test_docs_list_every_endpoint(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    assert "/openapi.json" in r.text
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/search",
        "/api/v1/entities",
        "/api/v1/entities/{id}",
        "/api/v1/entities/{id}/neighbours",
        "/api/v1/paths",
        "/api/v1/common",
        "/api/v1/timeline",
        "/api/v1/analytics/rankings",
        "/api/v1/analytics/communities",
        "/api/v1/analytics/brokers",
        "/api/v1/conflicts",
        "/api/v1/relationships",
        "/api/v1/relationships/{id}",
        "/api/v1/sources",
        "/api/v1/sources/{id}",
        "/api/v1/sources/{id}/citations",
        "/api/v1/stats",
        "/api/v1/schema",
        "/api/v1/export",
        "/api/v1/entities/{id}/neighbours/export",
        "/api/v1/paths/export",
        "/api/v1/ingest",
        "/health",
    ):
        assert path in paths


def test_write_bodies_are_documented_from_the_model(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["EntityCreate"]["required"] == ["id", "kind", "name", "sources"]
    assert "id" not in schemas["RelationshipCreate"]["required"]
    assert "required" not in schemas["SourcePatch"]
    assert schemas["EntityKind"]["enum"] == [k.value for k in EntityKind]
