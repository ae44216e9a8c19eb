"""HTTP-level tests of the web UI (the api.ui package), without a browser.

They run on the mini graph (tests/fixtures/mini) through the real app factory, and check
what the browser tests cannot see cheaply: headers, redirects, escaping in the HTML source,
the asset whitelist and the downloads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.model import Entity, Relationship, Source
from graph.settings import get_settings
from graph.store.base import GraphStore
from graph.store.memory import MemoryStore
from tests.browser.conftest import HOSTILE
from tests.factory import person, rel, source

PAGES = [
    "/",
    "/search?q=acme",
    "/entity/acme",
    "/entity/acme?depth=2&category=legal&min_status=reported&as_of=2024-01-01",
    "/path",
    "/path?source=alice&target=regulator&mode=k&k=3",
    "/path?source=alice&target=lonely",
    "/common?entity=bob&entity=regulator",
    "/timeline",
    "/timeline?entity=bob&start=2020",
    "/graph?max_nodes=5&kind=person&kind=company",
]
EMBEDS = [
    "/embed/entity/acme",
    "/embed/path?source=alice&target=regulator",
    "/embed/common?entity=bob&entity=regulator",
    "/embed/graph?legend=0&controls=0&search=1",
]


@pytest.fixture(scope="module")
def client(store: GraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(get_settings(), store=store), base_url="http://127.0.0.1:8000") as c:
        yield c


@pytest.fixture(scope="module")
def hostile_client() -> Iterator[TestClient]:
    store = MemoryStore(None)
    bad = person("xss", HOSTILE, description=HOSTILE, aliases=[HOSTILE], country="<b>c</b>")
    other = Entity.model_validate(
        {"id": "firm", "kind": "company", "name": "Firm <i>x</i>", "sources": ["s1"]}
    )
    link: Relationship = rel("r1", "xss", "role_at", "firm", role=HOSTILE, notes=HOSTILE)
    src: Source = source("s1", title=HOSTILE, publisher="<b>p</b>")
    store.upsert(sources=[src], entities=[bad, other], relationships=[link])
    with TestClient(create_app(get_settings(), store=store), base_url="http://127.0.0.1:8000") as c:
        yield c


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(dict(attrs))
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append(data)


@pytest.mark.parametrize("url", PAGES + EMBEDS)
def test_pages_render(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "<title>" in r.text


@pytest.mark.parametrize("url", PAGES + EMBEDS)
def test_pages_load_only_their_own_assets(client: TestClient, url: str) -> None:
    html = client.get(url).text
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert assets
    assert all(a.startswith("/static/") for a in assets), assets
    parser = _Scripts()
    parser.feed(html)
    # no inline code: the only inline scripts carry JSON data
    assert all(s.get("type") == "application/json" or s.get("src") for s in parser.scripts)


@pytest.mark.parametrize("url", PAGES)
def test_pages_forbid_other_hosts_and_framing(client: TestClient, url: str) -> None:
    csp = client.get(url).headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert "connect-src 'self'" in csp
    assert "frame-ancestors 'self'" in csp


@pytest.mark.parametrize("url", EMBEDS)
def test_embeds_may_be_framed_anywhere(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert "frame-ancestors" not in r.headers["content-security-policy"]
    assert "x-frame-options" not in r.headers
    assert 'class="site"' not in r.text  # no site header or footer


def test_embed_switches(client: TestClient) -> None:
    full = client.get("/embed/entity/acme").text
    bare = client.get("/embed/entity/acme?legend=0&controls=0&search=1").text
    assert "ckg-legend-kinds" in full and "ckg-legend-kinds" not in bare
    assert "ckg-toolbar" in full and "ckg-toolbar" not in bare
    assert 'id="site-q"' not in full and 'id="site-q"' in bare


def test_search_goes_straight_to_a_single_exact_match(client: TestClient) -> None:
    r = client.get("/search?q=Bobby", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/entity/bob")
    r = client.get("/search?q=acm", follow_redirects=False)
    assert r.status_code == 200
    assert 'href="/entity/acme"' in r.text


def test_entity_names_redirect_to_the_permalink(client: TestClient) -> None:
    r = client.get("/entity/Bobby?depth=2", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (308, "/entity/bob?depth=2")


def test_unknown_entity_is_a_404_page_with_suggestions(client: TestClient) -> None:
    r = client.get("/entity/alise")
    assert r.status_code == 404
    assert 'href="/entity/alice"' in r.text


def test_path_page_cites_each_hop(client: TestClient) -> None:
    html = client.get("/path?source=alice&target=regulator").text
    hops = re.findall(r"<li>(.*?)</li>", html[html.index('class="narrative"') :], re.S)[:2]
    assert "Alice Example founded Acme Exchange (2017; single source)." in hops[0]
    assert 'href="#fn-1"' in hops[0]
    assert 'id="fn-1"' in html


def test_permalinks_and_snippet_carry_the_parameters(client: TestClient) -> None:
    html = client.get("/entity/acme?depth=2&min_status=reported").text
    assert 'value="http://127.0.0.1:8000/entity/acme?min_status=reported&amp;depth=2"' in html
    assert (
        "&lt;iframe src=&#34;http://127.0.0.1:8000/embed/entity/acme?min_status=reported&amp;amp;depth=2&#34;"
        in html
    )


def test_export_links_download_the_view(client: TestClient) -> None:
    r = client.get("/export/entity/acme?format=graphml")
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="acme-neighbourhood.graphml"'
    assert r.text.startswith("<?xml")
    r = client.get("/export/path?source=alice&target=regulator&format=json")
    assert [n["id"] for n in r.json()["nodes"]] == ["acme", "alice", "regulator"]
    r = client.get("/export/graph?format=csv&max_nodes=3")
    assert r.headers["content-type"] == "application/zip"
    assert client.get("/export/graph?format=nope").status_code == 422


def test_panel_and_expand_fragments(client: TestClient) -> None:
    panel = client.get("/ui/panel/acme?expand=1&target=_top")
    assert panel.status_code == 200
    assert "<h3>Acme Exchange</h3>" in panel.text
    assert 'data-ckg="expand" data-id="acme"' in panel.text
    assert 'href="/entity/acme" target="_top"' in panel.text
    data = client.get("/ui/expand/carol?min_status=reported").json()
    assert sorted(n["id"] for n in data["nodes"]) == ["alice", "bob", "carol", "regulator"]
    assert {e["id"] for e in data["edges"]} == {"r09", "r10", "r15"}


@pytest.mark.parametrize(
    "name",
    [
        "ui/ui.css",
        "ui/ui.js",
        "ui/favicon.svg",
        "vis/vis-network.min.js",
        "vis/vis-network.css",
        "viz/network.js",
    ],
)
def test_assets_are_served(client: TestClient, name: str) -> None:
    r = client.get(f"/static/{name}")
    assert r.status_code == 200
    assert "max-age" in r.headers["cache-control"]


@pytest.mark.parametrize(
    "name",
    ["../main.py", "ui/../../main.py", "ui/", "routes/ui.py", "vis/../network.py", "%2e%2e/api/main.py"],
)
def test_only_listed_assets_are_served(client: TestClient, name: str) -> None:
    assert client.get(f"/static/{name}").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/entity/xss",
        "/entity/firm",
        "/search?q=script",
        "/graph",
        "/timeline",
        "/embed/entity/xss",
        "/ui/panel/xss",
        "/path?source=xss&target=firm",
    ],
)
def test_hostile_text_is_escaped(hostile_client: TestClient, url: str) -> None:
    html = hostile_client.get(url).text
    assert "<script>window" not in html
    assert "<b>" not in html and "<i>x</i>" not in html
    parser = _Scripts()
    parser.feed(html)
    for data in parser.inline:
        assert "<" not in data
