"""Proposals: contributors propose, editors approve (applied atomically, logged with both names)
or reject (nothing changes); contributors can never apply one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.api_support import mini_app, mini_memory_store
from tests.api.test_api_history import CONTRIB, EDITOR, KEYS

FACT: dict[str, Any] = {
    "action": "add",
    "sources": [
        {
            "id": "doj-plea",
            "kind": "court_filing",
            "title": "Plea agreement",
            "publisher": "Department of Justice",
            "url": "https://example.org/doj/plea",
            "date": "2023-11-21",
        }
    ],
    "relationships": [
        {"source": "bob", "type": "advised", "target": "coin", "status": "reported", "sources": ["doj-plea"]}
    ],
}


@pytest.fixture
def c(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(mini_app(tmp_path, store=mini_memory_store(tmp_path / "ws"), api_keys=KEYS)) as client:
        yield client


def _as(key: str, reason: str) -> dict[str, str]:
    return {"X-API-Key": key, "X-Change-Reason": reason}


def _graph(c: TestClient) -> tuple[str, int, int]:
    s = c.get("/api/v1/stats").json()
    return s["version"], s["relationships"], s["sources"]


def test_a_proposed_fact_is_listed_with_its_diff_and_applied_atomically_by_an_editor(c: TestClient) -> None:
    before = _graph(c)
    r = c.post("/api/v1/proposals", json=FACT, headers=_as(CONTRIB, "seen in the plea"))
    assert r.status_code == 201, r.text
    p = r.json()
    assert (p["status"], p["proposer"], p["reason"]) == ("open", "Con Tributor", "seen in the plea")
    assert [(ch["kind"], ch["op"]) for ch in p["changes"]] == [("source", "added"), ("relationship", "added")]
    assert _graph(c) == before  # proposing changes nothing

    queue = c.get("/api/v1/proposals").json()["proposals"]
    assert [q["id"] for q in queue] == [p["id"]]
    assert queue[0]["changes"] == p["changes"]

    # A contributor key cannot apply it, nor reject it.
    for verb in ("approve", "reject"):
        denied = c.post(f"/api/v1/proposals/{p['id']}/{verb}", headers=_as(CONTRIB, "mine"))
        assert denied.status_code == 403
    assert _graph(c) == before

    ok = c.post(f"/api/v1/proposals/{p['id']}/approve", headers=_as(EDITOR, "checked the filing"))
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "approved"
    version, rels, srcs = _graph(c)
    assert (rels, srcs) == (before[1] + 1, before[2] + 1)
    assert ok.json()["version_applied"] == version
    # One log entry, with both names and both reasons, holding both records.
    e = c.get("/api/v1/history", params={"limit": 1}).json()["entries"][0]
    assert e["who"] == "Ed Itor"
    assert (
        e["reason"]
        == f"proposal #{p['id']} by Con Tributor: seen in the plea; approved by Ed Itor: checked the filing"
    )
    assert sorted(r["id"] for r in e["records"]) == sorted(["doj-plea", p["changes"][1]["id"]])
    assert (e["version_before"], e["version_after"]) == (before[0], version)
    # It cannot be approved twice.
    assert c.post(f"/api/v1/proposals/{p['id']}/approve", headers=_as(EDITOR, "again")).status_code == 409
    assert c.get("/api/v1/proposals").json()["proposals"] == []


def test_a_rejected_proposal_changes_nothing(c: TestClient) -> None:
    before = _graph(c)
    log_before = c.get("/api/v1/history").json()["total"]
    p = c.post(
        "/api/v1/proposals",
        json={"action": "change", "kind": "entity", "id": "alice", "changes": {"name": "Alice Wrong"}},
        headers=_as(CONTRIB, "typo?"),
    ).json()
    assert p["changes"][0]["fields"] == {"name": {"old": "Alice Example", "new": "Alice Wrong"}}
    r = c.post(f"/api/v1/proposals/{p['id']}/reject", headers=_as(EDITOR, "not a typo"))
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["reviewer"], r.json()["review_reason"]) == (
        "rejected",
        "Ed Itor",
        "not a typo",
    )
    assert _graph(c) == before
    assert c.get("/api/v1/history").json()["total"] == log_before
    assert c.get("/api/v1/entities/alice").json()["entity"]["name"] == "Alice Example"
    assert (
        c.post(f"/api/v1/proposals/{p['id']}/approve", headers=_as(EDITOR, "changed my mind")).status_code
        == 409
    )
    assert [
        q["id"] for q in c.get("/api/v1/proposals", params={"status": "rejected"}).json()["proposals"]
    ] == [p["id"]]


def test_a_proposed_deletion_is_applied_on_approval(c: TestClient) -> None:
    p = c.post(
        "/api/v1/proposals",
        json={"action": "delete", "kind": "relationship", "id": "r04"},
        headers=_as(CONTRIB, "wrong"),
    ).json()
    assert p["changes"][0]["op"] == "removed"
    assert c.get("/api/v1/relationships/r04").status_code == 200
    assert c.post(f"/api/v1/proposals/{p['id']}/approve", headers=_as(EDITOR, "agreed")).status_code == 200
    assert c.get("/api/v1/relationships/r04").status_code == 404


def test_invalid_proposals_are_refused_naming_the_field(c: TestClient) -> None:
    bad = {**FACT, "relationships": [{**FACT["relationships"][0], "target": "nobody"}]}
    r = c.post("/api/v1/proposals", json=bad, headers=_as(CONTRIB, "x"))
    assert r.status_code == 422
    assert any(e["field"] == "target" and "nobody" in e["message"] for e in r.json()["errors"])
    r = c.post("/api/v1/proposals", json={"action": "rename"}, headers=_as(CONTRIB, "x"))
    assert r.status_code == 422
    assert "action" in r.json()["detail"]
    r = c.post("/api/v1/proposals", json=FACT, headers={"X-API-Key": CONTRIB})
    assert r.status_code == 400  # no reason
    r = c.post("/api/v1/proposals", json=FACT, headers=_as("wrong-key", "x"))
    assert r.status_code == 401
    assert c.get("/api/v1/proposals").json()["proposals"] == []


def test_an_approval_that_no_longer_validates_changes_nothing(c: TestClient) -> None:
    p = c.post("/api/v1/proposals", json=FACT, headers=_as(CONTRIB, "fact")).json()
    # Meanwhile an editor removes the entity the fact points at.
    assert c.delete("/api/v1/entities/coin", headers=_as(EDITOR, "gone")).status_code == 200
    before = _graph(c)
    r = c.post(f"/api/v1/proposals/{p['id']}/approve", headers=_as(EDITOR, "ok"))
    assert r.status_code == 422
    assert any(e["field"] == "target" for e in r.json()["errors"])
    assert _graph(c) == before
    queued = c.get("/api/v1/proposals").json()["proposals"]
    assert queued[0]["status"] == "open"
    assert "coin" in queued[0]["problem"]
