"""Tests of graph/viz/pyvis_view.py: views of query results, capping, escaping and assets.

Expected values come from the mini graph drawn in tests/fixtures/mini/README.md.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest

from graph.model import Subgraph
from graph.queries.common import common_connections
from graph.queries.neighbourhood import neighbourhood, subgraph_of
from graph.queries.paths import find_paths
from graph.store.base import GraphStore
from graph.viz import pyvis_view
from graph.viz.pyvis_view import (
    LABELS_MAX_EDGES,
    MAX_VIEW_NODES,
    SEED,
    cap_subgraph,
    common_view,
    network_view,
    path_view,
    render_fragment,
    script_json,
    static_files,
)
from graph.viz.styles import FADED_OPACITY, HIGHLIGHT, KIND_STYLES
from tests.factory import person, rel, source

HOSTILE = "</script><script>window.__pwned=1</script>"


def _whole(store: GraphStore) -> Subgraph:
    return subgraph_of(store, [e.id for e in store.iter_entities()])


def _star(n: int) -> Subgraph:
    """A hub with ``n`` spokes; spoke i also links to spoke i+1 when i is even."""
    nodes = [person("hub"), *(person(f"p{i:03d}") for i in range(n))]
    edges = [rel(f"r{i:03d}", "hub", "associate_of", f"p{i:03d}") for i in range(n)]
    edges += [rel(f"x{i:03d}", f"p{i:03d}", "met", f"p{i + 1:03d}") for i in range(0, n - 1, 2)]
    return Subgraph(nodes=nodes, edges=edges, sources={"s1": source("s1")})


# -- capping -------------------------------------------------------------------------------


def test_cap_keeps_small_subgraphs_as_they_are(store: GraphStore) -> None:
    sub = neighbourhood(store, "carol")
    assert cap_subgraph(sub, 5) is sub


def test_cap_keeps_the_best_connected_then_by_id(store: GraphStore) -> None:
    capped = cap_subgraph(_whole(store), 4)
    # degrees in the mini graph: acme 9, alice 4, carol 4, regulator 3 (then venture 3 by id)
    assert [n.id for n in capped.nodes] == ["acme", "alice", "carol", "regulator"]
    assert capped.truncated
    assert capped.cut_nodes == 8
    assert capped.note == "8 less connected entities are not drawn (the view shows at most 4)."


def test_cap_drops_relationships_to_entities_left_out(store: GraphStore) -> None:
    capped = cap_subgraph(_whole(store), 4)
    kept = {n.id for n in capped.nodes}
    assert {r.id for r in capped.edges} == {"r01", "r02", "r05", "r09", "r15"}
    assert all(r.source in kept and r.target in kept for r in capped.edges)
    assert set(capped.sources) <= {s for r in capped.edges for s in r.sources} | {
        s for n in capped.nodes for s in n.sources
    }


def test_cap_ranks_by_distance_before_degree(store: GraphStore) -> None:
    sub = neighbourhood(store, "bob", depth=2)
    # bob's neighbours (distance 1) are acme and carol; every other entity is at distance 2
    capped = cap_subgraph(sub, 3)
    assert [n.id for n in capped.nodes] == ["acme", "bob", "carol"]


def test_cap_always_keeps_the_centre_and_pinned_ids(store: GraphStore) -> None:
    sub = neighbourhood(store, "acme", depth=2)
    capped = cap_subgraph(sub, 3, keep=["coin", "lonely-not-there"])
    assert [n.id for n in capped.nodes] == ["acme", "alice", "coin"]
    assert [n.id for n in cap_subgraph(sub, 1, keep=["coin"]).nodes] == ["acme", "coin"]


def test_cap_adds_to_an_earlier_cut(store: GraphStore) -> None:
    sub = neighbourhood(store, "acme", max_nodes=6)
    capped = cap_subgraph(sub, 3)
    assert capped.cut_nodes == sub.cut_nodes + 3
    assert capped.note is not None and sub.note is not None
    assert capped.note.startswith(sub.note + "; ")


def test_cap_refuses_an_empty_view(store: GraphStore) -> None:
    with pytest.raises(ValueError, match="max_nodes"):
        cap_subgraph(_whole(store), 0)


def test_views_never_draw_more_than_the_maximum() -> None:
    view = network_view(_star(400))
    assert len(view.nodes) == MAX_VIEW_NODES
    assert view.truncated
    assert view.note == "101 less connected entities are not drawn (the view shows at most 300)."
    assert "hub" in {n["id"] for n in view.nodes}


# -- network views ---------------------------------------------------------------------------


def test_nodes_take_shape_and_colour_from_their_kind(store: GraphStore) -> None:
    view = network_view(_whole(store))
    by_id = {n["id"]: n for n in view.nodes}
    for node_id, kind in [
        ("alice", "person"),
        ("acme", "company"),
        ("regulator", "agency"),
        ("plea", "agreement"),
    ]:
        assert by_id[node_id]["shape"] == KIND_STYLES[kind].shape
        assert by_id[node_id]["color"]["background"] == KIND_STYLES[kind].colour
        assert by_id[node_id]["kind"] == kind


def test_edges_take_dashes_from_status_and_labels_from_verbs(store: GraphStore) -> None:
    view = network_view(_whole(store))
    by_id = {e["id"]: e for e in view.edges}
    assert (by_id["r01"]["dashes"], by_id["r01"]["label"]) == (False, "founded")
    assert (by_id["r03"]["dashes"], by_id["r03"]["label"]) == ([8, 5], "served as CEO of")
    assert (by_id["r12"]["dashes"], by_id["r12"]["status"]) == ([2, 5], "alleged")
    assert by_id["r06"]["label"] == "is a party to (defendant)"
    assert (by_id["r01"]["from"], by_id["r01"]["to"]) == ("alice", "acme")


def test_symmetric_relationships_have_no_arrow(store: GraphStore) -> None:
    view = network_view(_whole(store))
    arrows = {e["id"]: e["arrows"]["to"]["enabled"] for e in view.edges}
    assert arrows["r10"] is False  # family_of
    assert arrows["r15"] is False  # met
    assert arrows["r01"] is True


def test_parallel_relationships_get_their_own_curves(store: GraphStore) -> None:
    view = network_view(_whole(store))
    by_id = {e["id"]: e for e in view.edges}
    # alice founded (r01) and led (r02) acme: the second is curved so both stay visible
    assert "smooth" not in by_id["r01"]
    assert by_id["r02"]["smooth"]["type"] in ("curvedCW", "curvedCCW")


def test_tooltips_are_plain_text_with_role_dates_status_and_sources(store: GraphStore) -> None:
    view = network_view(_whole(store))
    r06 = next(e for e in view.edges if e["id"] == "r06")["title"]
    lines = r06.split("\n")
    assert (
        lines[0]
        == "Acme Exchange is a party to Acme plea agreement as defendant (since 2023-11-21; single source)."
    )
    assert "Status: confirmed (An official or primary document was seen.)" in lines
    assert "Role: defendant" in lines
    assert "Dates: 2023-11-21" in lines
    assert "Sources:" in lines
    assert any(
        line.endswith("Acme plea agreement, District Court, 2023-11-21, court filing") for line in lines
    )
    r15 = next(e for e in view.edges if e["id"] == "r15")["title"]
    assert "Denied by: Alice Example" in r15.split("\n")
    alice = next(n for n in view.nodes if n["id"] == "alice")["title"]
    assert alice.split("\n")[:3] == ["Alice Example", "Person", "Also known as: AE, 阿丽斯"]


def test_views_are_deterministic(store: GraphStore) -> None:
    first = network_view(neighbourhood(store, "acme", depth=2)).data()
    second = network_view(neighbourhood(store, "acme", depth=2)).data()
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert first["options"]["layout"]["randomSeed"] == SEED
    assert [n["id"] for n in first["nodes"]] == sorted(n["id"] for n in first["nodes"])


def test_physics_stabilises_before_drawing(store: GraphStore) -> None:
    physics = network_view(_whole(store)).options["physics"]
    assert physics["enabled"] is True
    assert physics["stabilization"]["enabled"] is True
    assert physics["stabilization"]["fit"] is True


@pytest.mark.parametrize(
    ("spokes", "improved", "iterations", "labels"),
    [(20, True, 1000, True), (120, False, 1000, False), (299, False, 600, False)],
)
def test_large_views_stay_quick_and_readable(
    spokes: int, improved: bool, iterations: int, labels: bool
) -> None:
    view = network_view(_star(spokes))
    assert view.options["layout"]["improvedLayout"] is improved
    assert view.options["physics"]["stabilization"]["iterations"] == iterations
    assert view.data()["labels"] is labels
    assert view.show_labels is (len(view.edges) <= LABELS_MAX_EDGES)
    assert view.options["interaction"]["hideEdgesOnDrag"] is (spokes + 1 > 150)


def test_the_centre_is_marked_and_listed_first(store: GraphStore) -> None:
    view = network_view(neighbourhood(store, "carol"))
    assert view.highlight == ["carol"]
    assert view.entities[0].id == "carol"
    assert view.entities[0].role_label == "starting point"
    carol = next(n for n in view.nodes if n["id"] == "carol")
    assert carol["size"] == 30.0
    assert "opacity" not in carol


def test_text_version_numbers_sources_in_order_of_citation(store: GraphStore) -> None:
    view = network_view(neighbourhood(store, "carol"))
    cited = [n for e in view.relations for n in e.sources] + [n for ent in view.entities for n in ent.sources]
    assert sorted(set(cited)) == list(range(1, len(view.footnotes) + 1))
    first_seen = list(dict.fromkeys(n for e in view.relations for n in e.sources))
    assert first_seen == sorted(first_seen)
    assert [e.id for e in view.relations] == ["r12", "r15", "r10", "r09"]


def test_path_view_highlights_the_path_in_its_context(store: GraphStore) -> None:
    result = find_paths(store, "alice", "regulator")
    context = neighbourhood(store, ["alice", "acme", "regulator"], depth=1)
    view = path_view(result, context)
    nodes = {n["id"]: n for n in view.nodes}
    edges = {e["id"]: e for e in view.edges}
    assert view.highlight == ["acme", "alice", "regulator"]
    assert nodes["alice"]["color"]["border"] == HIGHLIGHT
    assert nodes["bob"]["opacity"] == FADED_OPACITY
    assert "opacity" not in nodes["acme"]
    assert edges["r01"]["color"]["color"] == HIGHLIGHT
    assert edges["r05"]["color"]["color"] == HIGHLIGHT
    assert edges["r03"]["color"]["opacity"] == FADED_OPACITY
    assert [e.id for e in view.relations[:2]] == ["r01", "r05"]
    assert [e.highlighted for e in view.relations[:3]] == [True, True, False]
    assert {n.id: n.role for n in view.entities}["acme"] == "path"


def test_path_view_shares_the_results_footnote_numbers(store: GraphStore) -> None:
    result = find_paths(store, "bob", "coin", mode="k", k=2)
    context = neighbourhood(store, ["bob", "coin"], depth=1)
    view = path_view(result, context)
    assert [s.id for s in view.footnotes[: len(result.footnotes)]] == [s.id for s in result.footnotes]


def test_path_view_without_a_path_is_empty(store: GraphStore) -> None:
    view = path_view(find_paths(store, "alice", "lonely"))
    assert (view.nodes, view.edges) == ([], [])


def test_common_view_marks_queried_and_shared_entities(store: GraphStore) -> None:
    result = common_connections(store, ["bob", "regulator"])
    view = common_view(result, subgraph_of(store, ["bob", "regulator", "acme", "carol", "alice"]))
    roles = {n.id: n.role for n in view.entities}
    assert roles == {
        "bob": "center",
        "regulator": "center",
        "acme": "common",
        "carol": "common",
        "alice": "context",
    }
    faded = {n["id"] for n in view.nodes if n.get("opacity") == FADED_OPACITY}
    assert faded == {"alice"}


# -- HTML and JSON ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"a": "</script>"}, '{"a":"\\u003c/script\\u003e"}'),
        (["&amp;"], '["\\u0026amp;"]'),
        ("line\u2028sep", '"line\\u2028sep"'),
        ({"name": "Zhao 赵"}, '{"name":"Zhao 赵"}'),
    ],
)
def test_script_json_escapes_what_could_end_a_script(value: Any, expected: str) -> None:
    out = str(script_json(value))
    assert out == expected
    assert json.loads(out) == value


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.text: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(dict(attrs))
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.hrefs.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _hostile_subgraph() -> Subgraph:
    bad = person("xss", HOSTILE, description=HOSTILE, aliases=[HOSTILE])
    other = person("other", "Other <b>bold</b>")
    link = rel("r1", "xss", "associate_of", "other", role=HOSTILE, notes=HOSTILE)
    src = source("s1", title=f"Title {HOSTILE}", publisher="<i>pub</i>")
    return Subgraph(nodes=[bad, other], edges=[link], sources={"s1": src}, center=["xss"])


def test_fragment_escapes_names_and_properties() -> None:
    html = str(render_fragment(network_view(_hostile_subgraph())))
    parser = _Tags()
    parser.feed(html)
    assert parser.scripts == [{"type": "application/json", "class": "ckg-data"}]
    assert "<script>window" not in html
    assert "<b>bold</b>" not in html
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert HOSTILE in "".join(parser.text)  # the name is shown, as text


def test_fragment_data_round_trips_the_names() -> None:
    html = str(render_fragment(network_view(_hostile_subgraph())))
    raw = re.search(r'<script type="application/json" class="ckg-data">(.*?)</script>', html, re.S)
    assert raw is not None
    assert "<" not in raw.group(1)
    data = json.loads(raw.group(1))
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    assert labels["other"] == "Other <b>bold</b>"
    assert data["nodes"][1]["title"].startswith(HOSTILE)


def test_fragment_links_only_to_its_own_pages_and_the_sources() -> None:
    html = str(render_fragment(network_view(_hostile_subgraph()), entity_url="/entity/"))
    parser = _Tags()
    parser.feed(html)
    outside = [h for h in parser.hrefs if not h.startswith(("/", "#"))]
    assert outside == ["https://example.org/s1"]
    assert 'rel="noopener noreferrer nofollow"' in html


def test_fragment_switches_and_urls(store: GraphStore) -> None:
    view = network_view(neighbourhood(store, "carol"))
    html = str(
        render_fragment(
            view,
            dom_id="net2",
            panel_url="/ui/panel/",
            expand_url="/ui/expand/",
            expand_query="min_status=reported&category=legal",
            downloads=[("JSON", "/export/entity/carol?format=json")],
            show_legend=False,
            link_target="_top",
        )
    )
    assert 'id="net2"' in html
    assert 'data-panel-url="/ui/panel/"' in html
    assert 'data-expand-query="min_status=reported&amp;category=legal"' in html
    assert 'href="/export/entity/carol?format=json" download' in html
    assert "ckg-legend" not in html
    assert 'href="/entity/alice" target="_top"' in html
    assert "5 entities, 4 relationships" in html
    bare = str(render_fragment(view, show_controls=False))
    assert "ckg-toolbar" not in bare
    assert "ckg-legend-kinds" in bare


def test_fragment_legend_lists_only_kinds_present(store: GraphStore) -> None:
    html = str(render_fragment(network_view(neighbourhood(store, "carol"))))
    legend = html[html.index("ckg-legend-kinds") : html.index("ckg-legend-statuses")]
    assert re.findall(r"</svg> (\w+)</li>", legend) == ["Person", "Company", "Agency"]


@pytest.mark.parametrize("dom_id", ["", "1abc", 'x" onclick="y', "a b"])
def test_fragment_refuses_bad_dom_ids(store: GraphStore, dom_id: str) -> None:
    with pytest.raises(ValueError, match="dom_id"):
        render_fragment(network_view(neighbourhood(store, "carol")), dom_id=dom_id)


def test_static_files_are_local_copies() -> None:
    files = static_files()
    assert {"vis/vis-network.min.js", "vis/vis-network.css", "viz/network.js", "viz/network.css"} <= set(
        files
    )
    assert all(p.is_file() for p in files.values())
    assert "vis-network" in files["vis/vis-network.min.js"].read_text(encoding="utf-8")[:200]


def test_client_assets_name_no_other_host() -> None:
    for name in ("viz/network.js", "viz/network.css"):
        text = static_files()[name].read_text(encoding="utf-8")
        # The SVG download declares the SVG namespace: a name for the vocabulary, never fetched.
        text = text.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert not re.search(r"https?://|//cdn|node_modules", text), name


def test_the_template_is_our_own() -> None:
    template = (pyvis_view._HERE / "templates" / "network.html").read_text(encoding="utf-8")
    assert "cdn" not in template.lower()
    assert "node_modules" not in template
    assert "|safe" not in template


def test_path_relationships_keep_their_labels_in_large_views(store: GraphStore) -> None:
    result = find_paths(store, "alice", "regulator")
    data = path_view(result, _whole(store)).data()
    assert data["highlight_edges"] == ["r01", "r05"]


def test_hubs_keep_their_labels_in_large_views() -> None:
    small = network_view(_star(30))
    assert all("scaling" not in n for n in small.nodes)
    big = network_view(_star(200))
    marked = [n["id"] for n in big.nodes if n.get("scaling", {}).get("label", {}).get("drawThreshold") == 1]
    # the hub, then the best-connected spokes (even spokes also meet their neighbour), by id
    assert marked[0] == "hub"
    assert len(marked) == pyvis_view.LANDMARKS
    assert next(n for n in big.nodes if n["id"] == "hub")["font"]["size"] == 30
