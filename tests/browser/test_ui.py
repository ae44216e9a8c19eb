"""Browser tests of the web UI (headless Chromium): what a journalist does, offline.

Every test ends with ``tab.assert_clean()``: no request left 127.0.0.1 and the console
showed no error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import HOSTILE, Tab

pytestmark = pytest.mark.browser


def test_search_suggestion_leads_to_the_entity_page(server: str, tab: Tab) -> None:
    tab.goto(server + "/")
    assert "entities" in tab.page.locator(".stat-list").inner_text()
    tab.page.locator("#q").press_sequentially("CZ", delay=30)
    option = tab.page.locator("#q ~ ul.suggest [role=option]").first
    option.wait_for()
    assert option.inner_text().startswith("Changpeng Zhao")
    tab.page.keyboard.press("ArrowDown")
    tab.page.keyboard.press("Enter")
    tab.page.wait_for_url(server + "/entity/changpeng-zhao")
    assert tab.page.locator("h1").inner_text() == "Changpeng Zhao"
    tab.wait_network()
    tab.assert_clean()


def test_search_form_without_javascript_choices(server: str, tab: Tab) -> None:
    tab.goto(server + "/")
    tab.page.locator("#q").fill("CZ")
    tab.page.locator(".big-search button[type=submit]").click()
    tab.page.wait_for_url(server + "/entity/changpeng-zhao")
    tab.goto(server + "/search?q=trump")
    results = tab.page.locator("ol.results li")
    assert results.count() >= 3
    assert "Donald J. Trump" in results.all_inner_texts()[0] + results.all_inner_texts()[1]
    tab.assert_clean()


def test_entity_network_matches_the_api_neighbourhood(server: str, tab: Tab) -> None:
    tab.goto(server + "/entity/binance")
    tab.wait_network()
    api = tab.page.request.get(server + "/api/v1/entities/binance/neighbours?depth=1").json()
    assert tab.node_count() == len(api["nodes"])
    assert tab.edge_count() == len(api["edges"])
    drawn = tab.page.evaluate("window.cryptokg.networks.network.nodes.getIds()")
    assert sorted(drawn) == sorted(n["id"] for n in api["nodes"])
    # physics is off once the layout settled
    assert tab.page.evaluate("window.cryptokg.networks.network.network.physics.options.enabled") is False
    # the text version lists the same entities, and the page cites its sources
    assert tab.page.locator("#network-text li[data-node]").count() == len(api["nodes"])
    assert tab.page.locator(".rel-table .cites a.fn").count() > 20
    first = tab.page.locator(".rel-table .cites a.fn").first.get_attribute("href")
    assert first is not None
    assert tab.page.locator(f"{first} a[href^='http']").count() == 1
    tab.assert_clean()


def test_entity_filters_are_in_the_url(server: str, tab: Tab) -> None:
    tab.goto(server + "/entity/binance")
    tab.wait_network()
    everything = tab.node_count()
    for category in ("personal", "professional", "financial", "political", "mention"):
        tab.page.locator(f"form.controls input[name=category][value={category}]").uncheck()
    tab.page.locator("form.controls select[name=depth]").select_option("2")
    tab.page.locator("form.controls button[type=submit]").click()
    tab.page.wait_for_url("**/entity/binance?**")
    query = parse_qs(urlparse(tab.page.url).query)
    assert query["category"] == ["legal"]
    assert query["depth"] == ["2"]
    tab.wait_network()
    api = tab.page.request.get(server + "/api/v1/entities/binance/neighbours?depth=2&categories=legal").json()
    assert tab.node_count() == len(api["nodes"])
    assert tab.node_count() != everything
    tab.assert_clean()


def test_clicking_a_node_opens_its_panel_and_expands_in_place(server: str, tab: Tab) -> None:
    tab.goto(server + "/entity/binance")
    tab.wait_network()
    before = tab.node_count()
    tab.click_node("changpeng-zhao")
    panel = tab.page.locator("#network-panel")
    panel.wait_for(state="visible")
    assert panel.locator("h3").inner_text() == "Changpeng Zhao"
    assert panel.locator("a[href='/entity/changpeng-zhao']").count() == 1
    panel.locator("button[data-ckg=expand]").click()
    tab.page.wait_for_selector("#network[data-expanded='1']")
    assert tab.node_count() > before
    added = tab.page.locator("#network-text li[data-node='donald-trump']")
    assert added.count() == 1
    tab.page.keyboard.press("Escape")
    panel.wait_for(state="hidden")
    tab.assert_clean()


def test_keyboard_users_reach_nodes_through_the_text_version(server: str, tab: Tab) -> None:
    tab.goto(server + "/entity/binance")
    tab.wait_network()
    summary = tab.page.locator("#network-text summary")
    summary.focus()
    tab.page.keyboard.press("Enter")
    show = tab.page.locator("#network-text button[data-ckg-show='doj']")
    show.focus()
    tab.page.keyboard.press("Enter")
    panel = tab.page.locator("#network-panel")
    panel.wait_for(state="visible")
    assert panel.locator("h3").inner_text() == "U.S. Department of Justice"
    assert tab.page.evaluate("document.activeElement.tagName") == "H3"
    assert tab.page.evaluate("window.cryptokg.networks.network.network.getSelectedNodes()") == ["doj"]
    tab.assert_clean()


def _pick(tab: Tab, selector: str, text: str, expected_id: str) -> None:
    field = tab.page.locator(selector)
    field.fill("")
    field.press_sequentially(text, delay=20)
    option = tab.page.locator(f"{selector} ~ ul.suggest [role=option]").first
    option.wait_for()
    option.click()
    assert field.input_value() == expected_id


def test_path_finder_shows_a_cited_narrative(server: str, tab: Tab) -> None:
    tab.goto(server + "/path")
    _pick(tab, "#source", "Changpeng", "changpeng-zhao")
    _pick(tab, "#target", "Donald J", "donald-trump")
    tab.page.locator("#mode").select_option("k")
    tab.page.locator("form.path-form button[type=submit]").click()
    tab.page.wait_for_url("**/path?**")
    assert tab.page.locator("h1").inner_text() == "Changpeng Zhao → Donald J. Trump"
    narratives = tab.page.locator("article.narrative")
    assert narratives.count() == 3
    first = narratives.first.locator("li").first
    assert "Changpeng Zhao" in first.inner_text()
    assert "Donald J. Trump" in narratives.first.inner_text()
    note = first.locator("a.fn").first
    href = note.get_attribute("href")
    assert href == "#fn-1"
    assert tab.page.locator("#fn-1 a").get_attribute("href", timeout=1000).startswith("http")
    tab.wait_network()
    highlight = tab.page.evaluate("window.cryptokg.networks.network.nodes.get('donald-trump').color.border")
    assert highlight == "#d62728"
    tab.assert_clean()


def test_embed_renders_alone_and_its_snippet_copies(
    server: str, tab: Tab, other_site: Callable[[str], str]
) -> None:
    tab.goto(server + "/entity/changpeng-zhao")
    tab.wait_network()
    tab.page.locator("details.share summary").click()
    tab.page.locator("details.share input[data-embed-opt=legend]").uncheck()
    code = tab.page.locator("#embed-code").input_value()
    assert code.startswith(f'<iframe src="{server}/embed/entity/changpeng-zhao?legend=0"')
    tab.page.locator("button[data-copy=embed-code]").click()
    tab.page.locator(".copy-status", has_text="Copied.").wait_for()
    assert tab.page.evaluate("navigator.clipboard.readText()") == code
    src = code.split('"')[1].replace("&amp;", "&")

    tab.goto(src)
    tab.wait_network()
    assert tab.page.locator("header.site, footer.site, .ckg-legend").count() == 0
    assert tab.page.locator(".ckg-toolbar").count() == 1
    assert tab.node_count() > 10
    assert tab.page.locator("a.open-full").get_attribute("target") == "_top"

    # in a page of another site (another origin: another port), as a reader would see it
    tab.goto(
        other_site(f"<!doctype html><link rel=icon href=data:,><title>A story</title><h1>A story</h1>{code}")
    )
    frame = tab.page.frame_locator("iframe")
    frame.locator("[data-ckg-network][data-ready=true]").wait_for(timeout=30_000)
    tab.assert_clean()


def test_path_and_graph_embeds_with_switches(server: str, tab: Tab) -> None:
    tab.goto(server + "/embed/path?source=changpeng-zhao&target=donald-trump&controls=0&search=1")
    tab.wait_network()
    assert tab.page.locator(".ckg-toolbar").count() == 0
    assert tab.page.locator("#site-q").count() == 1
    assert tab.page.locator(".ckg-legend").count() == 1
    tab.goto(server + "/embed/graph?legend=0")
    tab.wait_network()
    assert 100 < tab.node_count() <= 300
    tab.assert_clean()


def test_png_and_data_downloads(server: str, tab: Tab) -> None:
    tab.goto(server + "/entity/binance")
    tab.wait_network()
    with tab.page.expect_download() as info:
        tab.page.locator("button[data-ckg=png]").click()
    png = info.value
    assert png.suggested_filename.endswith(".png")
    with open(png.path(), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    with tab.page.expect_download() as info:
        tab.page.locator(".ckg-downloads a", has_text="JSON").click()
    data = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert len(data["nodes"]) == tab.node_count()
    tab.assert_clean()


def test_timeline_and_whole_graph_pages(server: str, tab: Tab) -> None:
    tab.goto(server + "/timeline?entity=binance&entity=doj")
    items = tab.page.locator("ol.timeline li")
    assert items.count() > 10
    years = tab.page.locator("section.year h2").all_inner_texts()
    assert years == sorted(years)
    tab.goto(server + "/graph?max_nodes=50")
    tab.wait_network()
    assert tab.node_count() == 50
    assert "not drawn" in tab.page.locator(".ckg-note").inner_text()
    tab.goto(server + "/common?entity=binance&entity=world-liberty-financial")
    tab.wait_network()
    assert tab.page.locator("ol.results li").count() >= 1
    tab.assert_clean()


def test_hostile_names_render_as_text(xss_server: str, tab: Tab) -> None:
    pages = [
        "/",
        "/entity/xss",
        "/entity/firm",
        "/search?q=script",
        "/path?source=xss&target=agency",
        "/timeline",
        "/graph",
        "/embed/entity/xss?search=1",
        "/common?entity=xss&entity=agency",
        "/maps/new?ids=xss&ids=firm&ids=agency",
        "/compare/entity/xss",
    ]
    for url in pages:
        tab.goto(xss_server + url)
        if tab.page.locator("[data-ckg-network]").count():
            tab.wait_network()
        assert tab.page.evaluate("typeof window.__pwned") == "undefined", url
    tab.goto(xss_server + "/entity/xss")
    tab.wait_network()
    assert tab.page.locator("h1").inner_text() == HOSTILE
    assert HOSTILE in tab.page.locator("p.description").inner_text()
    # tooltips and the side panel show the same text, never markup
    tab.click_node("xss")
    panel = tab.page.locator("#network-panel")
    panel.wait_for(state="visible")
    assert panel.locator("h3").inner_text() == HOSTILE
    box = tab.page.locator("#network .ckg-canvas").bounding_box()
    tab.page.mouse.move(box["x"] + 5, box["y"] + 5)
    tab.click_node("firm")
    expect(panel.locator("h3")).to_have_text('Firm "quoted" & <i>italic</i>')
    assert tab.page.evaluate("typeof window.__pwned") == "undefined"
    tab.assert_clean()
