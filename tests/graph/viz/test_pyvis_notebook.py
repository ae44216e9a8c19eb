"""Tests of the offline pages and notebook views of graph/viz/html.py (also importable from graph/viz/pyvis_view.py).

``standalone_html`` inlines every asset; ``notebook_html`` / ``NotebookView`` put that page in a
sandboxed ``<iframe srcdoc>``. Expected values come from the mini graph drawn in
tests/fixtures/mini/README.md; the browser test draws the views in headless Chromium with
every request outside the page refused.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from graph.model import Subgraph
from graph.queries.neighbourhood import neighbourhood
from graph.queries.paths import find_paths
from graph.store.base import GraphStore
from graph.testing import mini_store
from graph.viz.pyvis_view import (
    NOTEBOOK_HEIGHT,
    NotebookView,
    network_view,
    notebook_html,
    standalone_html,
    static_files,
)
from tests.factory import person, rel, source

HOSTILE = "</script><script>window.__pwned=1</script>"


@pytest.fixture
def mini() -> GraphStore:
    """The mini graph in memory (views do not depend on the backend; tests/graph/store covers that)."""
    return mini_store()


class _Page(HTMLParser):
    """Counts what a page loads and holds: elements with src/href, scripts, styles, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def of(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


def _srcdoc(fragment: str) -> str:
    (frame,) = _parse(fragment).of("iframe")
    assert frame["srcdoc"] is not None
    return frame["srcdoc"]


def test_standalone_page_inlines_every_asset(mini: GraphStore) -> None:
    text = standalone_html(neighbourhood(mini, "carol"), title="Carol's neighbours")
    page = _parse(text)
    assert text.startswith("<!DOCTYPE html>")
    assert "<title>Carol&#39;s neighbours</title>" in text
    scripts = page.of("script")
    assert [s.get("type") for s in scripts] == ["application/json", None]  # the view's data, the code
    assert all("src" not in s for s in scripts)
    assert page.of("link") == [] and page.of("img") == []
    assert len(page.of("style")) == 1
    # the vis-network copy and the client script are in the page itself
    vis = static_files()["vis/vis-network.min.js"].read_text(encoding="utf-8")
    assert vis[:2000] in text
    assert "window.cryptokg.networks = registry" in text
    assert "ckg-h-fill" in text  # the canvas fills the frame


def test_standalone_page_has_no_panel_or_server_links(mini: GraphStore) -> None:
    text = standalone_html(neighbourhood(mini, "carol"))
    (section,) = _parse(text).of("section")
    assert "data-ckg-network" in section
    assert "data-panel-url" not in section and "data-expand-url" not in section
    hrefs = [a["href"] for a in _parse(text).of("a") if a.get("href")]
    assert "#carol" in hrefs
    assert [h for h in hrefs if h and not h.startswith("#")] == ["https://example.org/news/regulator"]


def test_entity_links_go_to_a_running_server_when_given(mini: GraphStore) -> None:
    text = standalone_html(neighbourhood(mini, "carol"), entity_url="http://127.0.0.1:8000/entity/")
    assert '<a href="http://127.0.0.1:8000/entity/carol" target="_blank">Carol Official</a>' in text


def test_inline_code_cannot_close_its_element() -> None:
    from graph.viz.html import _inline

    assert _inline("a</script>b</SCRIPT x", "script") == "a<\\/script>b<\\/SCRIPT x"
    assert _inline("p{}</style>", "style") == "p{}<\\/style>"
    assert _inline("x</b>", "script") == "x</b>"


def _hostile() -> Subgraph:
    bad = person("xss", HOSTILE, description=HOSTILE, aliases=[HOSTILE])
    other = person("other", 'Other "quoted" <b>bold</b>')
    link = rel("r1", "xss", "associate_of", "other", role=HOSTILE, notes=HOSTILE)
    return Subgraph(nodes=[bad, other], edges=[link], sources={"s1": source("s1")}, center=["xss"])


def test_hostile_names_stay_text_in_the_page_and_the_frame() -> None:
    page = standalone_html(_hostile(), title=HOSTILE)
    assert "<script>window.__pwned" not in page
    assert [s.get("type") for s in _parse(page).of("script")] == ["application/json", None]
    frame = notebook_html(_hostile(), title=HOSTILE)
    outer = _parse(frame)
    assert outer.of("script") == []
    assert [t for t, _ in outer.tags] == ["div", "p", "iframe"]
    assert _srcdoc(frame) == page


def test_notebook_html_frames_the_offline_page(mini: GraphStore) -> None:
    result = find_paths(mini, "alice", "regulator", mode="all")
    frame = notebook_html(result, title="Alice to the regulator", height=500)
    (div,) = _parse(frame).of("div")
    (iframe,) = _parse(frame).of("iframe")
    assert iframe["title"] == "Alice to the regulator"
    assert iframe["sandbox"] == "allow-scripts allow-popups allow-popups-to-escape-sandbox allow-downloads"
    assert "height:500px" in (iframe["style"] or "") and "height:500px" in (div["style"] or "")
    assert _srcdoc(frame) == standalone_html(result, title="Alice to the regulator")
    # a PathResult is drawn with its paths highlighted
    assert re.search(r'"highlight":\["acme","alice","carol","regulator"\]', _srcdoc(frame))


@pytest.mark.parametrize("height", [99, 5001])
def test_notebook_height_is_bounded(mini: GraphStore, height: int) -> None:
    with pytest.raises(ValueError, match="height"):
        notebook_html(neighbourhood(mini, "carol"), height=height)


def test_notebook_view_displays_itself_and_saves_the_page(mini: GraphStore, tmp_path: Path) -> None:
    sub = neighbourhood(mini, "carol")
    shown = NotebookView(sub, title="Carol")
    assert shown.height == NOTEBOOK_HEIGHT
    assert shown._repr_html_() == notebook_html(sub, title="Carol")
    view = network_view(sub)
    assert NotebookView(view, title="Carol").html() == standalone_html(sub, title="Carol")
    out = shown.save(tmp_path / "carol.html")
    assert out.read_text(encoding="utf-8") == standalone_html(sub, title="Carol")


def test_notebook_view_text_form_is_short(mini: GraphStore) -> None:
    # notebooks store the plain-text form beside the HTML: a summary, never the whole graph
    sub = neighbourhood(mini, "carol")
    assert repr(NotebookView(sub, title="Carol")) == "<NotebookView 'Carol': 5 entities, 4 relationships>"
    assert repr(NotebookView(network_view(sub))) == (
        "<NotebookView 'cryptokg network': 5 entities, 4 relationships>"
    )
    paths = find_paths(mini, "alice", "regulator", mode="all")
    assert repr(NotebookView(paths, title="P")) == (
        "<NotebookView 'P': 2 path(s) from Alice Example to Federal Regulator>"
    )


# -- in a browser ----------------------------------------------------------------------------


@pytest.mark.browser
def test_frames_draw_offline_in_chromium(mini: GraphStore, tmp_path: Path, browser: Any) -> None:
    # Two views in one "notebook", as a notebook front end shows cell outputs.
    doc = tmp_path / "notebook.html"
    doc.write_text(
        "<!DOCTYPE html><html><body>"
        + notebook_html(neighbourhood(mini, "carol"), title="Carol")
        + notebook_html(find_paths(mini, "alice", "regulator", mode="all"), title="Paths", height=480)
        + notebook_html(_hostile(), title="Hostile", height=300)
        + "</body></html>",
        encoding="utf-8",
    )
    outside: list[str] = []
    problems: list[str] = []
    page = browser.new_page()
    try:

        def refuse(route: object) -> None:
            url = route.request.url  # type: ignore[attr-defined]
            if url.startswith(("file:", "about:", "data:", "blob:")):
                route.continue_()  # type: ignore[attr-defined]
            else:
                outside.append(url)
                route.abort()  # type: ignore[attr-defined]

        page.route("**/*", refuse)
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        page.goto(doc.as_uri())
        frames = [f for f in page.frames if f is not page.main_frame]
        assert len(frames) == 3
        counts = []
        for frame in frames:
            frame.wait_for_selector("[data-ckg-network][data-ready=true]", state="attached", timeout=30_000)
            counts.append(frame.evaluate("[window.cryptokg.networks.network.nodes.length, window.__pwned]"))
        assert counts == [[5, None], [4, None], [2, None]]
    finally:
        page.close()
    assert outside == []
    assert problems == []
