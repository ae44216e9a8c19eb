"""Write endpoints and bulk ingest (``api/routes/writes.py`` over ``graph/writes.py``)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from graph.store.memory import MemoryStore
from tests.api.api_support import entity, rel

DAVE = {"id": "dave", "kind": "person", "name": "Dave Donor", "sources": ["s2"]}


def counts(c: TestClient) -> tuple[int, int, int]:
    s = c.get("/api/v1/stats").json()
    return s["sources"], s["entities"], s["relationships"]


def test_create_entity(writer: TestClient, tmp_path: Path) -> None:
    r = writer.post("/api/v1/entities", json=DAVE)
    assert r.status_code == 201
    assert r.headers["location"] == "/api/v1/entities/dave"
    assert r.json() == {
        "id": "dave",
        "kind": "person",
        "name": "Dave Donor",
        "aliases": [],
        "description": None,
        "country": None,
        "jurisdiction": None,
        "founded": None,
        "website": None,
        "identifiers": {},
        "attributes": {},
        "sources": ["s2"],
        "dataset": None,
    }
    assert writer.get("/api/v1/entities/dave").json()["degree"] == 0
    # Written through to the workspace: another process opening it sees Dave.
    assert MemoryStore(tmp_path / "ws").get_entity("dave") is not None


def test_create_existing_id_is_409(writer: TestClient) -> None:
    r = writer.post("/api/v1/entities", json={**DAVE, "id": "alice"})
    assert r.status_code == 409
    assert r.json()["detail"] == "entity 'alice' already exists; use PUT or PATCH to change it"


def test_create_checks_references_against_the_store(writer: TestClient) -> None:
    r = writer.post("/api/v1/entities", json={**DAVE, "sources": ["s2", "s9"]})
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {
            "file": "request body",
            "line": None,
            "record": "dave",
            "field": "sources",
            "message": "unknown source 's9'",
        }
    ]
    assert counts(writer) == (3, 12, 16)


def test_create_relationship_derives_its_id(writer: TestClient) -> None:
    assert writer.post("/api/v1/entities", json=DAVE).status_code == 201
    body = {"source": "dave", "type": "funded", "target": "venture", "start": "2025-01", "status": "reported"}
    r = writer.post(
        "/api/v1/relationships", json={**body, "amount": 5e6, "currency": "USD", "sources": ["s2"]}
    )
    assert r.status_code == 201
    assert r.json()["id"] == "r-dave-funded-venture-2025-01"
    assert r.json()["category"] == "financial"
    path = writer.get("/api/v1/paths", params={"source": "dave", "target": "acme"}).json()
    assert [h["sentence"] for h in path["paths"][0]["hops"]] == [
        "Dave Donor funded Venture Fund (2025-01; USD 5,000,000; reported; single source) [1].",
        "Venture Fund invested in Acme Exchange (2025-03; USD 2,000,000,000; reported; single source) [1].",
    ]


def test_relationship_endpoints_must_exist(writer: TestClient) -> None:
    r = writer.post(
        "/api/v1/relationships",
        json={
            "source": "alice",
            "type": "met",
            "target": "nobody",
            "status": "reported",
            "denied_by": ["ghost"],
            "sources": ["s1"],
        },
    )
    assert r.status_code == 422
    assert [(e["field"], e["message"]) for e in r.json()["errors"]] == [
        ("target", "unknown entity 'nobody'"),
        ("denied_by", "unknown entity 'ghost'"),
    ]


def test_replace_entity(writer: TestClient) -> None:
    r = writer.put(
        "/api/v1/entities/bob", json={"kind": "person", "name": "Robert Müller", "sources": ["s2"]}
    )
    assert r.status_code == 200
    assert r.json() == {**entity("bob"), "name": "Robert Müller", "aliases": []}
    # Relationships stay: bob still leads acme.
    assert writer.get("/api/v1/entities/bob").json()["degree"] == 2


def test_replace_with_a_different_id_is_422(writer: TestClient) -> None:
    r = writer.put(
        "/api/v1/entities/bob", json={"id": "robert", "kind": "person", "name": "R", "sources": ["s2"]}
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "id"


def test_replace_unknown_is_404(writer: TestClient) -> None:
    assert writer.put("/api/v1/sources/s9", json={"title": "x"}).status_code == 404


def test_patch_changes_some_fields_and_null_removes(writer: TestClient) -> None:
    r = writer.patch("/api/v1/entities/alice", json={"country": "France", "aliases": None})
    assert r.json() == {**entity("alice"), "country": "France", "aliases": []}
    r = writer.patch("/api/v1/relationships/r12", json={"status": "confirmed", "sources": ["s3", "s1"]})
    assert r.json() == {**rel("r12"), "status": "confirmed", "sources": ["s3", "s1"]}
    r = writer.patch("/api/v1/sources/s1", json={"summary": None, "date_note": "filed"})
    assert (r.json()["summary"], r.json()["date_note"]) == (None, "filed")


def test_patch_is_validated_as_a_whole(writer: TestClient) -> None:
    r = writer.patch("/api/v1/relationships/r02", json={"end": "2016"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"] == "end 2016 is before start 2017-07"
    assert writer.get("/api/v1/relationships/r02").json()["relationship"]["end"] == "2023-11-21"


def test_delete_relationship(writer: TestClient) -> None:
    r = writer.delete("/api/v1/relationships/r16")
    assert r.status_code == 200
    body = r.json()
    assert (body["sources"], body["entities"], body["relationships"]) == ([], [], ["r16"])
    assert body["version"] == writer.get("/api/v1/stats").json()["version"]
    assert writer.get("/api/v1/relationships/r16").status_code == 404


def test_delete_entity_removes_its_relationships(writer: TestClient) -> None:
    body = writer.delete("/api/v1/entities/bob").json()
    assert (body["entities"], body["relationships"]) == (["bob"], ["r03", "r10"])
    assert counts(writer) == (3, 11, 14)


def test_delete_entity_named_in_a_denial_is_409(writer: TestClient) -> None:
    denial = {
        "source": "bob",
        "type": "met",
        "target": "carol",
        "status": "denied",
        "denied_by": ["lonely"],
        "sources": ["s3"],
    }
    assert writer.post("/api/v1/relationships", json=denial).status_code == 201
    r = writer.delete("/api/v1/entities/lonely")
    assert r.status_code == 409
    assert (
        r.json()["detail"] == "entity 'lonely' is named in denied_by of r-bob-met-carol; change those first"
    )


def test_delete_cited_source_is_409_unused_source_goes(writer: TestClient) -> None:
    r = writer.delete("/api/v1/sources/s2")
    assert r.status_code == 409
    assert r.json()["detail"].startswith("source 's2' is cited by 5 entities and 7 relationships")
    assert writer.post("/api/v1/sources", json={"id": "s9", "title": "Spare"}).status_code == 201
    assert writer.delete("/api/v1/sources/s9").json()["sources"] == ["s9"]


BULK: dict[str, Any] = {
    "sources": [{"id": "s4", "kind": "news_report", "title": "Dave's donations", "date": "2025-06"}],
    "entities": [{**DAVE, "sources": ["s4"]}],
    "relationships": [
        {"source": "dave", "type": "funded", "target": "carol", "status": "reported", "sources": ["s4"]}
    ],
}


def test_bulk_ingest_merges(writer: TestClient) -> None:
    before = writer.get("/api/v1/stats").json()["version"]
    r = writer.post("/api/v1/ingest", json=BULK)
    assert r.status_code == 200
    body = r.json()
    assert (body["mode"], body["sources"], body["entities"], body["relationships"]) == ("merge", 1, 1, 1)
    assert body["version"] != before
    assert counts(writer) == (4, 13, 17)
    assert writer.get("/api/v1/relationships/r-dave-funded-carol").status_code == 200


def test_bulk_ingest_is_all_or_nothing(writer: TestClient) -> None:
    version = writer.get("/api/v1/stats").json()["version"]
    bad = {
        **BULK,
        "relationships": [*BULK["relationships"], {"source": "dave", "type": "hugged", "target": "bob"}],
    }
    r = writer.post("/api/v1/ingest", json=bad)
    assert r.status_code == 422
    assert [(e["file"], e["field"]) for e in r.json()["errors"]] == [
        ("request body relationships[1]", "type"),
        ("request body relationships[1]", "status"),
        ("request body relationships[1]", "sources"),
    ]
    assert writer.get("/api/v1/stats").json()["version"] == version
    assert counts(writer) == (3, 12, 16)


def test_bulk_replace_needs_a_complete_upload(writer: TestClient) -> None:
    r = writer.post("/api/v1/ingest", params={"mode": "replace"}, json={"entities": [DAVE]})
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"] == "unknown source 's2'"
    r = writer.post("/api/v1/ingest", params={"mode": "replace"}, json=BULK)
    assert r.json()["errors"][0]["message"] == "unknown entity 'carol'"
    erin = {"id": "erin", "kind": "organization", "name": "Erin PAC", "sources": ["s4"]}
    complete = {**BULK, "entities": [*BULK["entities"], erin]}
    complete["relationships"] = [{**BULK["relationships"][0], "target": "erin"}]
    r = writer.post("/api/v1/ingest", params={"mode": "replace"}, json=complete)
    assert r.status_code == 200
    assert counts(writer) == (1, 2, 1)
    assert writer.get("/api/v1/entities/alice").status_code == 404


def test_bulk_ingest_zip(writer: TestClient) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("data/sources.csv", "id,kind,title\ns4,news_report,Dave's donations\n")
        zf.writestr(
            "data/entities/people.yaml", "- id: dave\n  kind: person\n  name: Dave Donor\n  sources: [s4]\n"
        )
        zf.writestr(
            "data/relationships.csv", "source,type,target,status,sources\ndave,funded,carol,reported,s4\n"
        )
    r = writer.post("/api/v1/ingest", content=buf.getvalue(), headers={"Content-Type": "application/zip"})
    assert r.status_code == 200
    assert (r.json()["sources"], r.json()["entities"], r.json()["relationships"]) == (1, 1, 1)
    assert counts(writer) == (4, 13, 17)


def test_bulk_ingest_zip_problems_name_the_file_inside(writer: TestClient) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("relationships.csv", "source,type,target,status,sources\ndave,funded,carol,reported,s4\n")
    r = writer.post("/api/v1/ingest", content=buf.getvalue(), headers={"Content-Type": "application/zip"})
    assert r.status_code == 422
    assert [(e["file"], e["line"], e["field"], e["message"]) for e in r.json()["errors"]] == [
        ("upload.zip/relationships.csv", 2, "source", "unknown entity 'dave'"),
        ("upload.zip/relationships.csv", 2, "sources", "unknown source 's4'"),
    ]


def test_bulk_ingest_refuses_unsafe_zips(writer: TestClient) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../etc/sources.csv", "id,title\nx,y\n")
    r = writer.post("/api/v1/ingest", content=buf.getvalue(), headers={"Content-Type": "application/zip"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"] == "unsafe file name"
    r = writer.post("/api/v1/ingest", content=b"PK not really", headers={"Content-Type": "application/zip"})
    assert r.json()["errors"][0]["message"] == "not a zip archive"


def test_malformed_and_wrongly_typed_bodies(writer: TestClient) -> None:
    r = writer.post("/api/v1/entities", content=b'{"id": ', headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["detail"].startswith("malformed JSON")
    assert (
        writer.post("/api/v1/entities", content=b"", headers={"Content-Type": "application/json"}).status_code
        == 400
    )
    assert (
        writer.post("/api/v1/entities", json=[DAVE]).json()["errors"][0]["message"]
        == "expected a JSON object"
    )
    assert (
        writer.post("/api/v1/ingest", content=b"a,b", headers={"Content-Type": "text/csv"}).status_code == 415
    )
