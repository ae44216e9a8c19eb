"""History over HTTP: writes logged under the key's name, history paging, diffs, the Atom feed,
``version=`` answering as the graph was, and named editor/contributor keys."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient

from tests.api.api_support import mini_app, mini_memory_store

EDITOR, CONTRIB = "editor-key-123", "contrib-key-456"
KEYS = [
    {"name": "Ed Itor", "role": "editor", "sha256": hashlib.sha256(EDITOR.encode()).hexdigest()},
    {"name": "Con Tributor", "role": "contributor", "sha256": hashlib.sha256(CONTRIB.encode()).hexdigest()},
]


@pytest.fixture
def app_client(tmp_path: Path) -> Iterator[TestClient]:
    store = mini_memory_store(tmp_path / "ws")
    with TestClient(mini_app(tmp_path, store=store, api_keys=KEYS)) as c:
        yield c


def _as(key: str, reason: str) -> dict[str, str]:
    return {"X-API-Key": key, "X-Change-Reason": reason}


def test_api_write_is_logged_under_the_key_name_with_its_reason_and_diff(app_client: TestClient) -> None:
    c = app_client
    before = c.get("/api/v1/stats").json()["version"]
    r = c.patch("/api/v1/relationships/r03", json={"status": "confirmed"}, headers=_as(EDITOR, "plea filed"))
    assert r.status_code == 200, r.text
    after = c.get("/api/v1/stats").json()["version"]
    page = c.get("/api/v1/history", params={"entity": "r03"}).json()
    e = page["entries"][0]
    assert (e["who"], e["reason"], e["action"]) == ("Ed Itor", "plea filed", "upsert")
    assert (e["version_before"], e["version_after"]) == (before, after)
    assert e["records"][0]["fields"] == {"status": {"old": "reported", "new": "confirmed"}}
    assert e["sentences"] == [
        f"relationship r03: status changed from reported to confirmed on {e['at'][:10]}"
    ]
    # The relationship's ends see it too; an unrelated entity does not.
    assert c.get("/api/v1/history", params={"entity": "bob"}).json()["entries"][0]["seq"] == e["seq"]
    assert all(
        x["seq"] != e["seq"] for x in c.get("/api/v1/history", params={"entity": "coin"}).json()["entries"]
    )

    d = c.get("/api/v1/diff", params={"from": before, "to": after}).json()
    assert d["relationships"]["changed"][0]["id"] == "r03"
    assert d["entities"] == {"added": [], "removed": [], "changed": []}


def test_history_pages_and_filters_by_time(app_client: TestClient) -> None:
    c = app_client
    for n in range(3):
        r = c.post(
            "/api/v1/entities",
            json={"id": f"p{n}", "kind": "person", "name": f"Person {n}", "sources": ["s1"]},
            headers=_as(EDITOR, f"add p{n}"),
        )
        assert r.status_code == 201
    page = c.get("/api/v1/history", params={"limit": 2}).json()
    assert page["total"] == 4  # the first ingest of the mini graph, then the three writes
    assert [e["reason"] for e in page["entries"]] == ["add p2", "add p1"]
    rest = c.get("/api/v1/history", params={"limit": 2, "offset": 2}).json()
    assert [e["reason"] for e in rest["entries"]] == ["add p0", ""]
    assert rest["entries"][1]["action"] == "ingest"
    assert c.get("/api/v1/history", params={"until": "2000-01-01"}).json()["total"] == 0
    assert c.get("/api/v1/history", params={"since": "2000-01-01"}).json()["total"] == 4
    bad = c.get("/api/v1/history", params={"since": "yesterday"})
    assert bad.status_code == 422
    assert "since" in bad.text


def test_write_without_reason_is_refused_and_logs_nothing(app_client: TestClient) -> None:
    r = app_client.post(
        "/api/v1/entities",
        json={"id": "x1", "kind": "person", "name": "X", "sources": ["s1"]},
        headers={"X-API-Key": EDITOR},
    )
    assert r.status_code == 400
    assert "reason" in r.json()["detail"]
    assert app_client.get("/api/v1/history").json()["total"] == 1  # the first ingest only


def test_contributor_key_cannot_write_directly(app_client: TestClient) -> None:
    r = app_client.patch("/api/v1/entities/alice", json={"name": "Eve"}, headers=_as(CONTRIB, "rename"))
    assert r.status_code == 403
    assert "contributor" in r.json()["detail"]
    assert app_client.get("/api/v1/entities/alice").json()["entity"]["name"] == "Alice Example"
    assert app_client.get("/api/v1/history").json()["total"] == 1  # the first ingest only


def test_change_feed_is_valid_atom(app_client: TestClient) -> None:
    c = app_client
    c.patch("/api/v1/relationships/r03", json={"status": "confirmed"}, headers=_as(EDITOR, "plea filed"))
    c.delete("/api/v1/relationships/r04", headers=_as(EDITOR, "retracted"))
    r = c.get("/api/v1/changes.atom")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert [e.author for e in feed.entries][:2] == ["Ed Itor", "Ed Itor"]
    assert "retracted" in feed.entries[0].title
    assert "relationship r04 removed" in feed.entries[0].content[0].value
    assert "status changed from reported to confirmed" in feed.entries[1].content[0].value
    assert any("/api/v1/diff?from=" in link.href for link in feed.entries[1].links)
    js = c.get("/api/v1/changes").json()
    assert [e["reason"] for e in js["entries"]][:2] == ["retracted", "plea filed"]


def test_version_parameter_answers_as_the_graph_was(app_client: TestClient) -> None:
    c = app_client
    c.post(
        "/api/v1/entities",
        json={"id": "p0", "kind": "person", "name": "P", "sources": ["s1"]},
        headers=_as(EDITOR, "add"),
    )
    v1 = c.get("/api/v1/stats").json()["version"]
    stored = {
        "alice": c.get("/api/v1/entities/alice").json(),
        "r03": c.get("/api/v1/relationships/r03").json(),
        "stats": c.get("/api/v1/stats").json(),
    }
    c.patch("/api/v1/entities/alice", json={"name": "Alice Renamed"}, headers=_as(EDITOR, "rename"))
    c.patch("/api/v1/relationships/r03", json={"status": "confirmed"}, headers=_as(EDITOR, "confirm"))
    c.delete("/api/v1/entities/p0", headers=_as(EDITOR, "remove"))
    assert c.get("/api/v1/entities/alice").json()["entity"]["name"] == "Alice Renamed"
    q = {"version": v1}
    assert c.get("/api/v1/entities/alice", params=q).json() == stored["alice"]
    assert c.get("/api/v1/relationships/r03", params=q).json() == stored["r03"]
    assert c.get("/api/v1/stats", params=q).json() == stored["stats"]
    assert c.get("/api/v1/entities/p0", params=q).status_code == 200
    assert c.get("/api/v1/entities/p0").status_code == 404
    bad = c.get("/api/v1/entities/alice", params={"version": "0000"})
    assert bad.status_code == 422
    assert "version" in bad.text
    w = c.patch("/api/v1/entities/alice", params=q, json={"name": "Z"}, headers=_as(EDITOR, "old"))
    assert w.status_code == 422


def test_entity_page_history_tab_and_version_permalink(app_client: TestClient) -> None:
    c = app_client
    v1 = c.get("/api/v1/stats").json()["version"]
    c.patch("/api/v1/entities/alice", json={"name": "Alice Renamed"}, headers=_as(EDITOR, "typo fixed"))
    page = c.get("/entity/alice").text
    hist = page[page.index('id="history"') :]
    assert 'by <strong class="who">Ed Itor</strong>' in hist
    assert "typo fixed" in hist
    assert "entity alice: name changed from Alice Example to Alice Renamed" in hist
    assert f"/entity/alice?version={v1}" in hist
    old = c.get("/entity/alice", params={"version": v1}).text
    assert "<h1>Alice Example</h1>" in old
    assert "as it was at version" in old
    assert "<h1>Alice Renamed</h1>" in c.get("/entity/alice").text
    bad = c.get("/entity/alice", params={"version": "zz9"})
    assert bad.status_code == 422
    assert "no graph version" in bad.text
