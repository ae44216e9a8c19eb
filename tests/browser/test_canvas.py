"""The canvas and its side panel: expansion without overlap, source links, tooltips, keyboard."""

from __future__ import annotations

import math

import pytest

from tests.browser.conftest import Tab

pytestmark = pytest.mark.browser


def test_expanded_neighbours_do_not_land_on_other_nodes(server: str, tab: Tab) -> None:
    tab.goto(server + "/entity/binance")
    tab.wait_network()
    before = set(tab.page.evaluate("window.cryptokg.networks.network.nodes.getIds()"))
    summary = tab.page.locator("#network-text summary")
    assert summary.inner_text().startswith(f"Text version: {len(before)} entities")
    tab.click_node("changpeng-zhao")
    panel = tab.page.locator("#network-panel")
    panel.locator("button[data-ckg=expand]").click()
    tab.page.wait_for_selector("#network[data-expanded='1']")
    nodes = tab.page.evaluate(
        """() => {
            const e = window.cryptokg.networks.network;
            const pos = e.network.getPositions();
            return e.nodes.get().map(n => ({id: n.id, x: pos[n.id].x, y: pos[n.id].y, r: n.size}));
        }"""
    )
    added = [n for n in nodes if n["id"] not in before]
    assert added
    for n in added:
        for o in nodes:
            if o["id"] == n["id"]:
                continue
            gap = math.dist((n["x"], n["y"]), (o["x"], o["y"]))
            assert gap >= n["r"] + o["r"], (n["id"], o["id"], gap)
    # the text version lists the added entities, and its summary counts them
    assert tab.page.locator("#network-text li[data-node]").count() == len(nodes)
    assert summary.inner_text().startswith(f"Text version: {len(nodes)} entities")
    tab.assert_clean()


def test_the_panel_lists_its_sources_as_links(server: str, tab: Tab) -> None:
    tab.goto(server + "/entity/binance")
    tab.wait_network()
    tab.click_node("changpeng-zhao")
    panel = tab.page.locator("#network-panel")
    panel.wait_for(state="visible")
    items = panel.locator("ol.ckg-panel-sources li")
    assert items.count() >= 3
    first = items.first
    link = first.locator("a[href^='http']")
    assert link.count() == 1
    assert link.get_attribute("target") == "_blank"
    text = first.inner_text()
    href = link.get_attribute("href")
    assert href in text  # the address itself is shown
    assert ", " in text  # title, publisher, date
    # the relationship lines point to those numbers
    marker = panel.locator("ul li a.ckg-fn").first
    target = marker.get_attribute("href")
    assert target and panel.locator(target).count() == 1
    tab.assert_clean()


def test_tooltips_stay_off_the_open_panel(server: str, tab: Tab) -> None:
    tab.goto(server + "/entity/binance")
    tab.wait_network()
    tab.click_node("changpeng-zhao")
    panel = tab.page.locator("#network-panel")
    panel.wait_for(state="visible")
    # hover a node drawn close to the panel, so its tooltip would open over it
    canvas = tab.page.locator("#network .ckg-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    pbox = panel.bounding_box()
    target = tab.page.evaluate(
        """(edge) => {
            const n = window.cryptokg.networks.network.network;
            const pos = n.getPositions();
            let best = null;
            for (const [id, p] of Object.entries(pos)) {
                const d = n.canvasToDOM(p);
                if (d.x < edge - 10 && d.x > 0 && d.y > 40 && d.y < 560 && (!best || d.x > best.x)) best = {id, x: d.x, y: d.y};
            }
            return best;
        }""",
        pbox["x"] - box["x"],
    )
    assert target
    tab.page.mouse.move(box["x"] + target["x"] - 30, box["y"] + target["y"])
    tab.page.mouse.move(box["x"] + target["x"], box["y"] + target["y"], steps=3)
    tip = tab.page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    tab.page.wait_for_timeout(200)
    t = tip.bounding_box()
    p = panel.bounding_box()
    assert t and p
    assert t["x"] + t["width"] <= p["x"] + 0.5 or t["y"] >= p["y"] + p["height"]
    tab.assert_clean()


def test_the_canvas_pans_and_zooms_from_the_keyboard(server: str, tab: Tab) -> None:
    tab.goto(server + "/entity/binance")
    tab.wait_network()
    # the first tab stop after the toolbar and the as-of slider is the canvas
    tab.page.locator("#network .ckg-asof").focus()
    tab.page.keyboard.press("Tab")
    assert tab.page.evaluate("document.activeElement.classList.contains('ckg-canvas')")
    view = "() => { const n = window.cryptokg.networks.network.network; return {...n.getViewPosition(), s: n.getScale()}; }"
    start = tab.page.evaluate(view)
    tab.page.keyboard.press("ArrowRight")
    right = tab.page.evaluate(view)
    assert right["x"] > start["x"] and right["y"] == pytest.approx(start["y"])
    tab.page.keyboard.press("ArrowDown")
    assert tab.page.evaluate(view)["y"] > right["y"]
    tab.page.keyboard.press("+")
    assert tab.page.evaluate(view)["s"] > start["s"]
    tab.page.keyboard.press("-")
    tab.page.keyboard.press("-")
    assert tab.page.evaluate(view)["s"] < start["s"]
    tab.page.keyboard.press("0")
    assert tab.page.evaluate(view)["s"] == pytest.approx(start["s"], rel=0.05)
    tab.assert_clean()
