"""Every page at 390 CSS pixels wide, as a phone shows it: no sideways scrolling, readable layouts."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import API_KEY, Tab

pytestmark = pytest.mark.browser

PAGES = [
    ("home", "/"),
    ("search", "/search?q=binance"),
    ("entity-binance", "/entity/binance"),
    ("entity-changpeng-zhao", "/entity/changpeng-zhao"),
    ("path-empty", "/path"),
    ("path", "/path?source=changpeng-zhao&target=donald-trump&mode=k&k=3"),
    ("path-ambiguous", "/path?source=changpeng-zhao&target=Trump"),
    ("common", "/common?entity=binance&entity=world-liberty-financial"),
    ("timeline", "/timeline?entity=binance&entity=doj"),
    ("graph", "/graph"),
    ("embed-entity", "/embed/entity/changpeng-zhao"),
    ("embed-path", "/embed/path?source=changpeng-zhao&target=donald-trump"),
    ("docs", "/docs"),
    ("maps", "/maps"),
    ("map-editor", "/maps/new?from=path&source=changpeng-zhao&target=donald-trump&mode=k&k=2"),
    ("compare", "/compare/entity/changpeng-zhao?a=2022&b=2025"),
]

OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        // inside a box that scrolls sideways on its own (a code block, a wide table) is fine
        let p = el.parentElement, scrolls = false;
        while (p && p !== document.body) {
            const s = getComputedStyle(p);
            if (s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowX === 'hidden') { scrolls = true; break; }
            p = p.parentElement;
        }
        // (content pushed off to the left, like a skip link, cannot be scrolled to)
        if (!scrolls && r.right > width + 1) wide.push(el.tagName + '.' + el.className + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
    }
    return {width, scroll: document.documentElement.scrollWidth, wide: wide.slice(0, 8)};
}"""


@pytest.mark.parametrize(("name", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_no_sideways_scrolling_at_390px(server: str, phone: Tab, name: str, url: str) -> None:
    phone.goto(server + url)
    if phone.page.locator("[data-ckg-network]").count():
        phone.wait_network()
    if name == "docs":
        phone.page.locator(".opblock").first.wait_for()
    got = phone.page.evaluate(OVERFLOW)
    assert got["width"] == 390
    assert got["scroll"] <= got["width"], got["wide"]
    assert got["wide"] == []
    phone.screenshot(f"phone-{name}")
    assert phone.foreign_requests() == []
    assert [e for e in phone.errors if "404" not in e] == []


def test_relationship_tables_become_cards(server: str, phone: Tab) -> None:
    phone.goto(server + "/entity/binance")
    row = phone.page.locator(".rel-table tbody tr").first
    cells = row.locator("td")
    assert cells.count() >= 3
    boxes = [cells.nth(i).bounding_box() for i in range(cells.count())]
    visible = [b for b in boxes if b and b["height"] > 0]
    # stacked: each cell is on its own line, as wide as the card
    tops = [b["y"] for b in visible]
    assert tops == sorted(tops) and len(set(round(t) for t in tops)) == len(tops)
    assert all(b["width"] > 250 for b in visible)
    # each cell says what it is, since the header row is not shown
    assert phone.page.locator(".rel-table thead").first.is_hidden()
    assert cells.first.get_attribute("data-label")
    phone.assert_clean()


def test_the_path_answer_comes_before_the_form(server: str, phone: Tab) -> None:
    phone.goto(server + "/path?source=changpeng-zhao&target=donald-trump&mode=k&k=3")
    answer = phone.page.locator("article.narrative").first.bounding_box()
    form = phone.page.locator("form.path-form").bounding_box()
    assert answer and form
    assert answer["y"] < form["y"]
    assert answer["y"] < 844, "the answer starts on the first screen"
    # the question can still be changed from the top
    phone.page.locator("a[href='#path-form']").click()
    assert phone.page.locator("form.path-form").is_visible()
    phone.assert_clean()


def test_a_story_map_on_a_phone(server: str, phone: Tab) -> None:
    body = {
        "title": "On a phone",
        "nodes": [
            {
                "id": "changpeng-zhao",
                "caption": "A caption long enough to wrap over several lines on a phone.",
            },
            {"id": "binance"},
        ],
        "edges": [],
    }
    r = phone.page.request.post(
        server + "/maps",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-API-Key": API_KEY},
    )
    assert r.status == 201
    url = r.json()["url"]
    for page in (url, url.replace("/maps/", "/embed/maps/")):
        phone.goto(server + page)
        phone.wait_network()
        got = phone.page.evaluate(OVERFLOW)
        assert got["scroll"] <= got["width"], got["wide"]
        assert got["wide"] == []
    phone.screenshot("phone-story-map-embed")
    phone.assert_clean()
