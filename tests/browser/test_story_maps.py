"""Story maps in the browser: made from a path, captioned, saved, reloaded, embedded, exported, imported."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from PIL import Image

from tests.browser.conftest import API_KEY, Tab

pytestmark = pytest.mark.browser


def _make_map(server: str, tab: Tab) -> str:
    """Make a map from the path finder's answer, as a journalist would; return its URL."""
    tab.goto(server + "/path?source=changpeng-zhao&target=donald-trump&mode=k&k=2")
    tab.page.locator("a", has_text="Make a story map from this view").click()
    tab.page.wait_for_url("**/maps/new?**")
    tab.wait_network()
    tab.page.locator("#map-title").fill("How CZ reached Trump")
    tab.page.locator("#map-description").fill("Two routes from the founder of Binance to the president.")
    node = tab.page.locator(".map-items[data-kind=nodes] li[data-id='changpeng-zhao']")
    node.locator("[data-caption]").fill("Founder of Binance; pleaded guilty in 2023.")
    first_edge = tab.page.locator(".map-items[data-kind=edges] li").first
    first_edge.locator("[data-caption]").fill("The pardon closes the story.")
    # hide one entity the story does not need
    hidden = tab.page.locator(
        ".map-items[data-kind=nodes] li:not([data-id='changpeng-zhao']):not([data-id='donald-trump'])"
    ).first
    hidden_id = hidden.get_attribute("data-id")
    # move one entity by dragging it on the canvas
    canvas = tab.page.locator("#network .ckg-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    at = tab.page.evaluate(
        "() => { const n = window.cryptokg.networks.network.network; return n.canvasToDOM(n.getPosition('donald-trump')); }"
    )
    tab.page.mouse.move(box["x"] + at["x"], box["y"] + at["y"])
    tab.page.mouse.down()
    tab.page.mouse.move(box["x"] + at["x"] + 60, box["y"] + at["y"] + 40, steps=6)
    tab.page.mouse.up()
    tab.page.locator("[data-step-add]").click()
    step = tab.page.locator(".map-steps li").last
    step.locator("[data-step-title]").fill("The pardon")
    step.locator("[data-step-text]").fill("In October 2025 the president pardoned him.")
    step.locator("[data-step-nodes]").fill("changpeng-zhao donald-trump")
    assert hidden_id not in ("changpeng-zhao", "donald-trump")
    tab.page.locator("#map-key").fill(API_KEY)
    # hide the entity and one relationship touching it goes with it on save
    hidden.locator("[data-hide]").check()
    tab.page.locator("[data-map-save]").click()
    tab.page.wait_for_url("**/maps/how-cz-reached-trump*")
    return tab.page.url


def test_a_story_map_is_made_saved_and_reloaded(server: str, tab: Tab) -> None:
    url = _make_map(server, tab)
    tab.wait_network()
    assert tab.page.locator("h1").inner_text() == "How CZ reached Trump"
    drawn = tab.page.evaluate(
        "() => { const e = window.cryptokg.networks.network; return e.nodes.get().filter(n => !n.hidden).map(n => n.id); }"
    )
    assert "changpeng-zhao" in drawn and "donald-trump" in drawn
    saved = json.loads(tab.page.request.get(url + ".json").text())
    hidden = [n["id"] for n in saved["nodes"] if n["hidden"]]
    assert len(hidden) == 1 and hidden[0] not in drawn
    # the arrangement is kept: the entities are drawn where they were saved
    pos = tab.page.evaluate("() => window.cryptokg.networks.network.network.getPositions()")
    for n in saved["nodes"]:
        if not n["hidden"]:
            assert pos[n["id"]]["x"] == pytest.approx(n["x"], abs=0.2)
            assert pos[n["id"]]["y"] == pytest.approx(n["y"], abs=0.2)
    # captions, cited facts with numbered footnotes that link to the sources, a credit line
    assert "Founder of Binance; pleaded guilty in 2023." in tab.page.locator(".map-captions").inner_text()
    assert "The pardon closes the story." in tab.page.locator(".map-facts").inner_text()
    fn = tab.page.locator(".map-facts a.fn").first.get_attribute("href")
    assert fn and tab.page.locator(f"{fn} a[href^='http']").count() == 1
    assert "graph version" in tab.page.locator("p.credit").inner_text()
    assert tab.page.locator(".ckg-legend").count() == 1
    assert tab.page.locator(".stale").count() == 0
    # steps highlight their entities
    tab.page.locator("button[data-ckg-path='step-1']").click()
    faded = tab.page.evaluate(
        "() => window.cryptokg.networks.network.nodes.get().filter(n => !n.hidden && n.opacity < 0.5).map(n => n.id)"
    )
    assert "donald-trump" not in faded and faded
    # the step names two entities: the relationships between them are drawn strongly
    strong = tab.page.evaluate(
        "() => window.cryptokg.networks.network.edges.get().filter(e => e.color.color === '#d62728').map(e => [e.from, e.to])"
    )
    assert strong and all(set(pair) == {"changpeng-zhao", "donald-trump"} for pair in strong)
    # reloading shows the same map; it is listed at /maps
    tab.page.reload()
    tab.wait_network()
    # every relationship drawn is told as a fact (those of the hidden entity are not drawn)
    drawn_edges = tab.page.evaluate("() => window.cryptokg.networks.network.edges.length")
    assert 0 < drawn_edges < len(saved["edges"])
    assert tab.page.locator(".map-facts li").count() == drawn_edges
    tab.goto(server + "/maps")
    assert tab.page.locator(".map-list a", has_text="How CZ reached Trump").count() >= 1
    tab.screenshot("story-map-list")
    tab.goto(url)
    tab.wait_network()
    tab.screenshot("story-map")
    tab.assert_clean()


def test_a_story_map_embeds_with_its_captions_and_footnotes(
    server: str, tab: Tab, other_site: Callable[[str], str]
) -> None:
    url = _make_map(server, tab)
    tab.wait_network()
    tab.page.locator("details.share summary").click()
    code = tab.page.locator("#embed-code").input_value()
    assert "/embed/maps/how-cz-reached-trump" in code
    tab.goto(other_site(f"<!doctype html><link rel=icon href=data:,><title>A story</title>{code}"))
    frame = tab.page.frame_locator("iframe")
    frame.locator("[data-ckg-network][data-ready=true]").wait_for(timeout=30_000)
    assert "Founder of Binance; pleaded guilty in 2023." in frame.locator(".map-captions").inner_text()
    assert "The pardon closes the story." in frame.locator(".map-facts").inner_text()
    link = frame.locator(".footnotes li a[href^='http']").first
    assert link.get_attribute("target") == "_blank"
    assert frame.locator(".map-facts a.fn").count() >= 1
    assert "graph version" in frame.locator("p.credit").inner_text()
    assert frame.locator(".ckg-legend").count() == 1
    assert url.split("?")[0] in frame.locator("p.credit a").get_attribute("href")
    tab.assert_clean()


def test_a_story_map_exports_and_imports(
    server: str, tab: Tab, tmp_path_factory: pytest.TempPathFactory
) -> None:
    url = _make_map(server, tab)
    with tab.page.expect_download() as info:
        tab.page.locator("a", has_text="Export as JSON").click()
    exported = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert exported["title"] == "How CZ reached Trump"
    assert exported["facts"], "the map remembers the facts it was made from"
    # import it as a copy under another name
    exported["title"] = "Imported copy"
    exported["id"] = "imported-copy"
    path = tmp_path_factory.mktemp("maps") / "map.json"
    path.write_text(json.dumps(exported), encoding="utf-8")
    tab.goto(server + "/maps")
    tab.page.locator("#import-file").set_input_files(str(path))
    tab.page.locator("#map-key").fill(API_KEY)
    tab.page.locator("[data-map-import]").click()
    tab.page.wait_for_url("**/maps/imported-copy")
    assert tab.page.locator("h1").inner_text() == "Imported copy"
    # a wrong key is refused with a clear message, and nothing is saved
    tab.goto(server + "/maps")
    tab.page.locator("#import-file").set_input_files(str(path))
    tab.page.locator("#map-key").fill("wrong")
    tab.page.locator("[data-map-import]").click()
    tab.page.locator(".map-status", has_text="Not imported: wrong API key").wait_for()
    assert url
    assert [e for e in tab.errors if "401" not in e] == []


def test_the_png_carries_title_legend_and_credit(server: str, tab: Tab) -> None:
    tab.goto(server + "/entity/binance")
    tab.wait_network()
    size = tab.page.evaluate(
        "() => { const c = document.querySelector('#network canvas'); return [c.width, c.height]; }"
    )
    with tab.page.expect_download() as info:
        tab.page.locator("button[data-ckg=png]").click()
    img = Image.open(io.BytesIO(open(info.value.path(), "rb").read())).convert("L")
    assert img.width == size[0]
    assert img.height > size[1]
    ratio = size[0] / tab.page.evaluate("document.querySelector('#network canvas').clientWidth")
    title = img.crop((0, 0, img.width, int(36 * ratio)))
    below = img.crop((0, size[1] + int(36 * ratio), img.width, img.height))
    # dark pixels: text was drawn above (the title) and below (legend and credit) the picture
    assert min(title.tobytes()) < 100
    assert sum(1 for p in below.tobytes() if p < 120) > 200
    tab.assert_clean()


def test_the_svg_carries_title_legend_credit_and_every_drawn_entity(server: str, tab: Tab) -> None:
    tab.goto(server + "/path?source=changpeng-zhao&target=donald-trump&mode=k&k=3")
    tab.wait_network()
    drawn = tab.page.evaluate(
        "() => window.cryptokg.networks.network.nodes.get().filter(n => !n.hidden).map(n => n.id)"
    )
    with tab.page.expect_download() as info:
        tab.page.locator("button[data-ckg=svg]").click()
    assert info.value.suggested_filename.endswith(".svg")
    root = ET.fromstring(open(info.value.path(), encoding="utf-8").read())
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.find("s:title", ns).text == "Paths from Changpeng Zhao to Donald J. Trump"
    nodes = {g.get("data-id") for g in root.iterfind(".//s:g[@class='ckg-svg-node']", ns)}
    assert nodes == set(drawn)
    labels = [t.text for t in root.iterfind(".//s:g[@class='ckg-svg-node']/s:text", ns)]
    assert "Donald J. Trump" in labels
    legend = [t.text for t in root.iterfind(".//s:g[@class='ckg-svg-legend']/s:text", ns)]
    assert "Person" in legend and "reported" in legend
    credit = [t.text for t in root.iterfind(".//s:text[@class='ckg-svg-credit']", ns)]
    assert any("cryptokg" in c for c in credit) and any(server in c for c in credit)
    assert len(list(root.iterfind(".//s:g[@class='ckg-svg-edges']/s:line", ns))) > 0
    tab.assert_clean()
