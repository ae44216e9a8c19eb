"""Legible networks: label sizes and overlaps measured on the canvas vis-network draws."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Tab

pytestmark = pytest.mark.browser

#: The smallest node label a reader should meet on screen, in CSS pixels.
MIN_PX = 12

MEASURE = """async () => {
    const e = window.cryptokg.networks.network;
    const net = e.network;
    await new Promise(r => setTimeout(r, 150));
    net.redraw();
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    const scale = net.getScale();
    const labels = [];
    const w = e.canvas.clientWidth, h = e.canvas.clientHeight;
    for (const id of e.nodes.getIds()) {
        const lm = net.body.nodes[id].labelModule;
        if (!lm.elementOptions.label) continue;
        // vis-network lays out the labels it draws: those of nodes in view
        const at = net.canvasToDOM(net.getPosition(id));
        if (at.x < 0 || at.y < 0 || at.x > w || at.y > h) continue;
        const s = lm.size;
        labels.push({id, px: lm.fontOptions.size * scale, l: s.left, t: s.top, r: s.left + s.width, b: s.top + s.height});
    }
    return {scale, labels, nodes: e.nodes.length};
}"""


def _measure(tab: Tab) -> dict[str, Any]:
    return dict(tab.page.evaluate(MEASURE))


def _overlaps(labels: list[dict[str, Any]]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            if a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]:
                out.append((a["id"], b["id"]))
    return out


@pytest.mark.parametrize(
    ("url", "must_show"),
    [
        ("/entity/binance", "binance"),
        ("/entity/changpeng-zhao", "changpeng-zhao"),
        ("/path?source=changpeng-zhao&target=donald-trump&mode=k&k=3", "donald-trump"),
    ],
)
def test_labels_are_readable_and_apart_at_the_first_zoom(
    server: str, tab: Tab, url: str, must_show: str
) -> None:
    tab.goto(server + url)
    tab.wait_network()
    got = _measure(tab)
    labels = got["labels"]
    shown = {x["id"] for x in labels}
    assert must_show in shown
    assert len(labels) >= min(8, got["nodes"])
    small = [(x["id"], round(x["px"], 1)) for x in labels if x["px"] < MIN_PX - 0.01]
    assert small == []
    assert _overlaps(labels) == []
    # zoomed in, more labels fit, still readable and apart
    tab.page.evaluate(
        "() => { const n = window.cryptokg.networks.network.network; n.moveTo({scale: n.getScale() * 2.5}); }"
    )
    tab.page.locator("#network button[data-ckg=zoom-in]").click()
    closer = _measure(tab)
    assert _overlaps(closer["labels"]) == []
    assert all(x["px"] >= MIN_PX - 0.01 for x in closer["labels"])
    tab.screenshot("labels" + url.replace("/", "-").split("?")[0])
    tab.assert_clean()


def test_a_hidden_label_shows_its_full_name_on_hover(server: str, tab: Tab) -> None:
    tab.goto(server + "/entity/binance")
    tab.wait_network()
    got = _measure(tab)
    shown = {x["id"] for x in got["labels"]}
    hidden = tab.page.evaluate(
        "(shown) => window.cryptokg.networks.network.nodes.getIds().filter(id => !shown.includes(id))",
        sorted(shown),
    )
    assert hidden, "at the first zoom some labels give way"
    node = hidden[0]
    canvas = tab.page.locator("#network .ckg-canvas")
    canvas.scroll_into_view_if_needed()
    point = tab.page.evaluate(
        "(id) => { const n = window.cryptokg.networks.network.network; return n.canvasToDOM(n.getPosition(id)); }",
        node,
    )
    box = canvas.bounding_box()
    tab.page.mouse.move(box["x"] + point["x"] - 40, box["y"] + point["y"] - 40)
    tab.page.mouse.move(box["x"] + point["x"], box["y"] + point["y"], steps=4)
    tab.page.wait_for_function(
        "(id) => window.cryptokg.networks.network.nodes.get(id).label !== ''", arg=node, timeout=5000
    )
    label = tab.page.evaluate("(id) => window.cryptokg.networks.network.nodes.get(id).label", node)
    name = tab.page.evaluate("(id) => window.cryptokg.networks.network.nodes.get(id).name", node)
    assert label == name
    after = _measure(tab)
    assert _overlaps(after["labels"]) == []
    tab.assert_clean()


def test_the_whole_graph_starts_folded_by_community_and_opens(server: str, tab: Tab) -> None:
    tab.goto(server + "/graph")
    tab.wait_network()
    state = """() => {
        const e = window.cryptokg.networks.network, n = e.network;
        const clusters = (e.section.getAttribute('data-clusters') || '').split(' ').filter(Boolean);
        const loose = e.nodes.getIds().filter(id => n.findNode(id).length === 1);
        return {clusters, loose: loose.length, all: e.nodes.length};
    }"""
    folded = tab.page.evaluate(state)
    assert len(folded["clusters"]) >= 3
    # a few labelled clusters and the entities outside them: far fewer shapes than entities
    assert folded["loose"] + len(folded["clusters"]) < folded["all"] / 2
    got = _measure(tab)
    assert _overlaps(got["labels"]) == []
    # clicking a cluster opens it where it was
    first = folded["clusters"][0]
    point = tab.page.evaluate(
        "(id) => { const n = window.cryptokg.networks.network.network; return n.canvasToDOM(n.getPosition(id)); }",
        first,
    )
    canvas = tab.page.locator("#network .ckg-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    tab.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    tab.page.wait_for_function(
        "(id) => !window.cryptokg.networks.network.section.getAttribute('data-clusters').split(' ').includes(id)",
        arg=first,
        timeout=5000,
    )
    opened = tab.page.evaluate(state)
    assert opened["loose"] > folded["loose"]
    tab.page.locator("button[data-ckg=clusters]").click()
    everything = tab.page.evaluate(state)
    assert everything["clusters"] == [] and everything["loose"] == everything["all"]
    tab.screenshot("graph-opened")
    # ?clusters=0 starts with every entity
    tab.goto(server + "/graph?clusters=0")
    tab.wait_network()
    assert tab.page.locator("button[data-ckg=clusters]").count() == 0
    tab.assert_clean()
