"""The as-of slider: what held at the end of a year, with every entity kept in its place."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Tab

pytestmark = pytest.mark.browser

STATE = """() => {
    const e = window.cryptokg.networks.network;
    const pos = e.network.getPositions();
    const nodes = {};
    e.nodes.forEach(n => { if (!n.hidden) nodes[n.id] = [pos[n.id].x, pos[n.id].y]; });
    const edges = e.edges.get().filter(x => !x.hidden).map(x => x.id);
    return {nodes, edges, asOf: e.section.getAttribute('data-as-of')};
}"""


def _at(tab: Tab, year: int | None) -> dict[str, Any]:
    slider = tab.page.locator("#network .ckg-asof")
    value = year if year is not None else int(slider.get_attribute("max") or 0)
    slider.fill(str(value))
    want = f"{year}-12-31" if year is not None else ""
    tab.page.wait_for_function(
        "(want) => window.cryptokg.networks.network.section.getAttribute('data-as-of') === want", arg=want
    )
    return dict(tab.page.evaluate(STATE))


@pytest.mark.parametrize(
    "url",
    ["/entity/changpeng-zhao", "/path?source=changpeng-zhao&target=donald-trump&mode=k&k=3"],
)
def test_positions_stay_put_across_two_dates(server: str, tab: Tab, url: str) -> None:
    tab.goto(server + url)
    tab.wait_network()
    everything = dict(tab.page.evaluate(STATE))
    early = _at(tab, 2022)
    late = _at(tab, 2025)
    assert set(early["nodes"]) != set(late["nodes"]) or set(early["edges"]) != set(late["edges"])
    assert len(early["edges"]) < len(everything["edges"])
    both = set(early["nodes"]) & set(late["nodes"])
    assert both
    for node in both:
        assert early["nodes"][node] == pytest.approx(late["nodes"][node])
        assert everything["nodes"][node] == pytest.approx(late["nodes"][node])
    # what shows at the end of 2022 held then, by the API's own as-of filter
    api = tab.page.request.get(server + "/api/v1/entities/changpeng-zhao/neighbours?as_of=2022-12-31").json()
    if url.startswith("/entity/"):
        assert set(early["edges"]) == {e["id"] for e in api["edges"]}
    back = _at(tab, None)
    assert set(back["edges"]) == set(everything["edges"])
    tab.screenshot("slider" + url.replace("/", "-").split("?")[0])
    tab.assert_clean()


def test_two_dates_side_by_side_keep_the_same_places(server: str, tab: Tab) -> None:
    tab.goto(server + "/entity/changpeng-zhao")
    tab.page.locator("a", has_text="Compare two dates side by side").click()
    tab.page.wait_for_url("**/compare/entity/changpeng-zhao**")
    tab.page.locator("#year-a").fill("2022")
    tab.page.locator("#year-b").fill("2025")
    tab.page.locator(".compare-form button[type=submit]").click()
    tab.page.wait_for_url("**a=2022**")
    tab.page.wait_for_selector("[data-compare][data-compared=true]", timeout=30_000)
    for dom, day in (("compare-a", "2022-12-31"), ("compare-b", "2025-12-31")):
        tab.page.wait_for_function(
            "([d, want]) => window.cryptokg.networks[d].section.getAttribute('data-as-of') === want",
            arg=[dom, day],
        )
    got = tab.page.evaluate(
        """() => {
            const out = {};
            for (const d of ['compare-a', 'compare-b']) {
                const e = window.cryptokg.networks[d];
                const pos = e.network.getPositions();
                out[d] = {};
                e.nodes.forEach(n => { if (!n.hidden) out[d][n.id] = [pos[n.id].x, pos[n.id].y]; });
            }
            return out;
        }"""
    )
    a, b = got["compare-a"], got["compare-b"]
    assert set(a) != set(b)
    both = set(a) & set(b)
    assert both
    for node in both:
        assert a[node] == pytest.approx(b[node])
    assert tab.page.locator("h1").inner_text().endswith("2022 and 2025")
    tab.screenshot("compare-two-dates")
    tab.assert_clean()
