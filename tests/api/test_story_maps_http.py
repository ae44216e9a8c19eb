"""Story maps over HTTP (``api/ui/maps.py`` and ``graph/storymaps.py``): writes behind the key,
problems named by field, all-or-nothing files, and a map that notices its facts changed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph.errors import InvalidRecord
from graph.storymaps import MapStore, changes
from tests.api.api_support import API_KEY, mini_app, mini_memory_store

MAP: dict[str, Any] = {
    "title": "Alice and Acme",
    "description": "How the founder left.",
    "nodes": [
        {"id": "alice", "x": 0, "y": 0, "caption": "The founder <script>alert(1)</script>"},
        {"id": "acme", "x": 120.5, "y": -40},
    ],
    "edges": [{"id": "r01", "caption": "She founded it."}, {"id": "r02"}],
    "steps": [{"title": "The start", "text": "2017.", "nodes": ["alice"], "edges": ["r01"]}],
}


@pytest.fixture
def app_store(tmp_path: Path) -> Any:
    return mini_memory_store(tmp_path / "ws")


@pytest.fixture
def writer(tmp_path: Path, app_store: Any) -> Any:
    with TestClient(mini_app(tmp_path, store=app_store, api_key=API_KEY)) as c:
        c.headers["X-API-Key"] = API_KEY
        c.headers["X-Change-Reason"] = "test write"
        yield c


def test_writes_need_the_key(tmp_path: Path) -> None:
    with TestClient(mini_app(tmp_path)) as open_app:
        r = open_app.post("/maps", json=MAP)
        assert r.status_code == 403
        assert r.headers["content-type"].startswith("application/problem+json")
    with TestClient(mini_app(tmp_path, api_key=API_KEY)) as keyed:
        assert keyed.post("/maps", json=MAP).status_code == 401
        assert keyed.post("/maps", json=MAP, headers={"X-API-Key": "nope"}).status_code == 401
        assert keyed.get("/maps").status_code == 200
    assert not (tmp_path / "ws" / "maps").exists() or not list((tmp_path / "ws" / "maps").glob("*.json"))


def test_save_read_replace_export_delete(writer: TestClient, tmp_path: Path) -> None:
    r = writer.post("/maps", json=MAP)
    assert r.status_code == 201
    assert r.headers["location"] == "/maps/alice-and-acme"
    saved = r.json()["map"]
    assert saved["facts"].keys() == {"r01", "r02"}
    assert (tmp_path / "ws" / "maps" / "alice-and-acme.json").is_file()
    page = writer.get("/maps/alice-and-acme")
    assert page.status_code == 200
    # captions are text, never markup
    assert "The founder &lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert(1)" not in page.text
    assert "She founded it." in page.text
    assert 'href="#map-fn-1"' in page.text and 'id="map-fn-1"' in page.text
    assert "graph version" in page.text
    embed = writer.get("/embed/maps/alice-and-acme")
    assert embed.status_code == 200 and "She founded it." in embed.text
    assert "frame-ancestors" not in embed.headers["content-security-policy"]
    # a second map of the same title gets its own id
    assert writer.post("/maps", json=MAP).json()["id"] == "alice-and-acme-2"
    changed = {**MAP, "title": "Renamed", "edges": [{"id": "r01"}]}
    r = writer.put("/maps/alice-and-acme", json=changed)
    assert r.status_code == 200 and r.json()["map"]["title"] == "Renamed"
    assert r.json()["map"]["created"] == saved["created"]
    exported = writer.get("/maps/alice-and-acme.json")
    assert exported.headers["content-disposition"] == 'attachment; filename="alice-and-acme.json"'
    assert exported.json()["facts"].keys() == {"r01"}
    # importing an export keeps its id when free
    imported = {**exported.json(), "id": "copied"}
    assert writer.post("/maps", json=imported).json()["id"] == "copied"
    assert writer.delete("/maps/copied").status_code == 204
    assert writer.get("/maps/copied").status_code == 404
    assert writer.delete("/maps/copied").status_code == 404
    assert writer.put("/maps/nothing-here", json=MAP).status_code == 404
    listed = writer.get("/maps").text
    assert "Renamed" in listed and "Alice and Acme" in listed


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "title", "at least 1 character"),
        ({"nodes": [{"id": "alice"}, {"id": "ghost"}]}, "nodes[1].id", "no entity 'ghost'"),
        ({"edges": [{"id": "r99"}]}, "edges[0].id", "no relationship 'r99'"),
        ({"nodes": [{"id": "alice"}], "steps": []}, "edges[0].id", "both of its entities must be on the map"),
        ({"steps": [{"title": "x", "nodes": ["bob"]}]}, "steps[0].nodes", "'bob' is not on the map"),
        ({"nodes": [{"id": "alice"}, {"id": "alice"}, {"id": "acme"}]}, "nodes[1].id", "listed twice"),
        ({"colour": "red"}, "colour", "unknown field"),
    ],
)
def test_bad_maps_are_refused_naming_the_field(
    writer: TestClient, tmp_path: Path, change: dict[str, Any], field: str, message: str
) -> None:
    r = writer.post("/maps", json={**MAP, **change})
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert any(e["field"] == field and message in e["message"] for e in errors), errors
    assert not (tmp_path / "ws" / "maps").exists() or not list((tmp_path / "ws" / "maps").glob("*.json"))


def test_malformed_bodies(writer: TestClient) -> None:
    assert (
        writer.post("/maps", content=b"{nope", headers={"Content-Type": "application/json"}).status_code
        == 400
    )
    assert writer.post("/maps", content=b"x", headers={"Content-Type": "text/plain"}).status_code == 415
    assert writer.post("/maps", json=[1, 2]).status_code == 422


def test_a_map_says_when_its_facts_changed(writer: TestClient, app_store: Any, tmp_path: Path) -> None:
    writer.post("/maps", json=MAP)
    assert "Facts changed since this map was saved" not in writer.get("/maps/alice-and-acme").text
    r = writer.patch("/api/v1/relationships/r02", json={"status": "reported"})
    assert r.status_code == 200, r.text
    page = writer.get("/maps/alice-and-acme").text
    assert "Facts changed since this map was saved" in page
    assert "<code>r02</code> (changed)" in page
    assert "r01</code>" not in page
    # the store agrees without HTTP
    m = MapStore(tmp_path / "ws").get("alice-and-acme")
    assert changes(app_store, m) == [("r02", "changed")]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("from=path&source=alice&target=regulator", {"alice", "acme", "regulator"}),
        ("from=entity&id=carol", {"carol", "alice", "bob", "regulator", "venture"}),
        ("from=common&entity=bob&entity=regulator", {"bob", "regulator", "acme", "carol"}),
        ("ids=alice&ids=acme", {"alice", "acme"}),
        ("ids=alice&ids=acme&ids=Bobby", {"alice", "acme", "bob"}),
    ],
)
def test_the_editor_starts_from_any_view(writer: TestClient, query: str, expected: set[str]) -> None:
    r = writer.get("/maps/new?" + query)
    assert r.status_code == 200
    listed = set(
        re.findall(r'<ul class="map-items" data-kind="nodes">(.*?)</ul>', r.text, re.S)[0].split('data-id="')[
            1:
        ]
    )
    assert {x.split('"')[0] for x in listed} >= expected


def test_the_editor_names_an_unknown_entity(writer: TestClient) -> None:
    r = writer.get("/maps/new?ids=alice&ids=nobody-at-all")
    assert r.status_code == 404
    assert "nobody-at-all" in r.text


def test_map_files_are_never_half_written(writer: TestClient, tmp_path: Path, app_store: Any) -> None:
    maps = MapStore(tmp_path / "ws")
    first = maps.save(app_store, MAP)
    # a failed replacement keeps the old file whole, and leaves no temporary file behind
    with pytest.raises(InvalidRecord):
        maps.save(app_store, {**MAP, "nodes": []}, first.id, create=False)
    assert maps.get(first.id) == first
    assert sorted(p.name for p in maps.dir.iterdir()) == [f"{first.id}.json"]
    # a damaged file is reported with its path, not as a server error
    (maps.dir / "broken.json").write_text('{"title": 3}', encoding="utf-8")
    with pytest.raises(InvalidRecord) as err:
        maps.get("broken")
    assert "broken.json" in str(err.value)
    assert [m.id for m in maps.list()] == [first.id]
    assert writer.get("/maps/broken").status_code == 422
