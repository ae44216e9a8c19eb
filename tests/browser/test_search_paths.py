"""Search order, names several entities share, and picking out one of k paths (headless Chromium)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.conftest import Tab

pytestmark = pytest.mark.browser


def test_trump_suggests_the_person_before_the_coin(server: str, tab: Tab) -> None:
    tab.goto(server + "/")
    tab.page.locator("#q").press_sequentially("Trump", delay=30)
    options = tab.page.locator("#q ~ ul.suggest [role=option]")
    options.first.wait_for()
    tab.page.wait_for_function("document.querySelectorAll('#q ~ ul.suggest [role=option]').length >= 3")
    texts = options.all_inner_texts()
    assert texts[0].startswith("Donald J. Trump")
    assert texts[1].startswith("$TRUMP")
    # the search page lists the same order and, the name being shared, does not jump to one
    tab.goto(server + "/search?q=Trump")
    assert urlparse(tab.page.url).path == "/search"
    results = tab.page.locator("ol.results li a").all_inner_texts()
    assert results[:2] == ["Donald J. Trump", "$TRUMP"]
    tab.assert_clean()


def test_an_ambiguous_path_target_offers_choices(server: str, tab: Tab) -> None:
    tab.goto(server + "/path?source=changpeng-zhao&target=Trump&mode=k&k=3")
    error = tab.page.locator(".path-error")
    assert "could be several entities" in error.inner_text()
    # no path was drawn for a guessed entity
    assert tab.page.locator("article.narrative").count() == 0
    choices = error.locator("ul.choices a")
    assert choices.all_inner_texts()[:2] == ["Donald J. Trump", "$TRUMP"]
    choices.first.click()
    tab.page.wait_for_url("**/path?**")
    query = parse_qs(urlparse(tab.page.url).query)
    assert query["target"] == ["donald-trump"]
    assert query["source"] == ["changpeng-zhao"]
    assert query["k"] == ["3"]
    assert tab.page.locator("h1").inner_text() == "Changpeng Zhao → Donald J. Trump"
    assert tab.page.locator("article.narrative").count() == 3
    tab.assert_clean()


def test_did_you_mean_items_are_links(server: str, tab: Tab) -> None:
    tab.goto(server + "/path?source=Changpeng%20Zaho&target=donald-trump")
    first = tab.page.locator(".path-error ul.choices a").first
    assert first.inner_text() == "Changpeng Zhao"
    first.click()
    tab.page.wait_for_url("**source=changpeng-zhao**")
    assert tab.page.locator("article.narrative").count() == 1
    tab.assert_clean()
    tab.goto(server + "/entity/Binanse")
    link = tab.page.locator("main ul li a", has_text="Binance Holdings Ltd.")
    assert link.get_attribute("href") == "/entity/binance"
    # the page itself answers 404, which Chromium logs; nothing else went wrong
    assert [e for e in tab.errors if "404" not in e] == []
    assert tab.foreign_requests() == []


def _looks(tab: Tab) -> dict[str, object]:
    return dict(
        tab.page.evaluate(
            """() => {
                const e = window.cryptokg.networks.network;
                const nodes = {}, edges = {};
                e.nodes.forEach(n => { nodes[n.id] = n.opacity === undefined ? 1 : n.opacity; });
                e.edges.forEach(x => { edges[x.id] = x.color.color; });
                return {nodes, edges};
            }"""
        )
    )


def test_each_of_k_paths_can_be_shown_alone(server: str, tab: Tab) -> None:
    tab.goto(server + "/path?source=changpeng-zhao&target=donald-trump&mode=k&k=5")
    tab.wait_network()
    before = _looks(tab)
    buttons = tab.page.locator("button[data-ckg-path]")
    assert buttons.count() == tab.page.locator("article.narrative").count() == 5
    second = buttons.nth(1)
    path_nodes = second.get_attribute("data-nodes").split()
    path_edges = second.get_attribute("data-edges").split()
    every = {n for i in range(buttons.count()) for n in buttons.nth(i).get_attribute("data-nodes").split()}
    other = every - set(path_nodes)
    assert other, "the other paths go through other entities"
    second.click()
    assert second.get_attribute("aria-pressed") == "true"
    now = _looks(tab)
    nodes, edges = now["nodes"], now["edges"]
    assert isinstance(nodes, dict) and isinstance(edges, dict)
    assert all(nodes[n] == 1 for n in path_nodes)
    assert all(nodes[n] < 0.5 for n in other)
    assert all(edges[e] == "#d62728" for e in path_edges)
    assert all(c != "#d62728" for e, c in edges.items() if e not in path_edges)
    # another path's button takes over; pressing it again shows every path as at first
    first = buttons.nth(0)
    first.click()
    assert second.get_attribute("aria-pressed") == "false"
    first.click()
    assert first.get_attribute("aria-pressed") == "false"
    assert _looks(tab) == before
    tab.screenshot("path-one-of-k")
    tab.assert_clean()


def test_paths_joining_different_periods_are_flagged(server: str, tab: Tab) -> None:
    tab.goto(server + "/path?source=changpeng-zhao&target=donald-trump&mode=k&k=5")
    notes = tab.page.locator("article.narrative .periods")
    assert notes.count() >= 1
    text = notes.first.inner_text()
    assert "These facts are from different periods:" in text
    assert " and " in text
    tab.assert_clean()
