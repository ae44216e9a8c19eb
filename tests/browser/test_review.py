"""Proposals in the browser: a contributor proposes a sourced fact from an entity page, an editor
approves it in the review queue, and the entity's history tab and an old-version permalink show
what changed and what was there before."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator

import pytest

from tests.browser.conftest import DATA, Tab, _ingest, _serve

CONTRIB, EDITOR = "contributor-browser-key", "editor-browser-key"


@pytest.fixture(scope="module")
def review_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of its own (its graph gets changed), with a contributor and an editor key."""
    root = tmp_path_factory.mktemp("review")
    shutil.copytree(DATA, root / "data")
    _ingest(root / "data", root / "workspace")
    keys = [
        {
            "name": "Cora Contributor",
            "role": "contributor",
            "sha256": hashlib.sha256(CONTRIB.encode()).hexdigest(),
        },
        {"name": "Eddie Editor", "role": "editor", "sha256": hashlib.sha256(EDITOR.encode()).hexdigest()},
    ]
    yield from _serve(root / "workspace", root / "server.log", {"CRYPTOKG_API_KEYS": json.dumps(keys)})


def _stats(tab: Tab, server: str) -> dict[str, object]:
    r = tab.page.request.get(server + "/api/v1/stats")
    data: dict[str, object] = r.json()
    return data


def test_propose_in_the_browser_approve_in_the_queue_then_see_history(review_server: str, tab: Tab) -> None:
    server = review_server
    before = _stats(tab, server)
    tab.goto(server + "/entity/binance")
    page = tab.page
    page.locator("#propose summary").click()
    page.locator("#p-type").select_option("advised")
    page.locator("#p-other").fill("changpeng-zhao")
    page.locator("#p-status").select_option("reported")
    page.locator("#p-start").fill("2019-03")
    page.locator("#p-url").fill("https://example.org/story/advice")
    page.locator("#p-title").fill("Who advised whom")
    page.locator("#p-publisher").fill("Example Gazette")
    page.locator("#p-date").fill("2024-02-03")
    page.locator("#p-reason").fill("seen in the Gazette")
    page.locator("#p-key").fill(CONTRIB)
    # First with a wrong field: the form reports the problem by field, and nothing is queued.
    page.locator("#p-other").fill("no-such-entity")
    page.locator(".propose-form button[type=submit]").click()
    status = page.locator(".propose-status")
    status.filter(has_text="Not sent").wait_for()
    assert "target" in status.inner_text() and "no-such-entity" in status.inner_text()
    page.locator("#p-other").fill("changpeng-zhao")
    page.locator(".propose-form button[type=submit]").click()
    status.filter(has_text="sent for review").wait_for()
    pid = status.get_attribute("data-proposal")
    assert pid
    assert _stats(tab, server) == before  # proposing changes nothing

    # The editor's queue shows it in words; a contributor key cannot approve it.
    tab.goto(server + "/review")
    item = page.locator(f'[data-proposal="{pid}"]')
    assert "Cora Contributor" in item.inner_text()
    assert "seen in the Gazette" in item.inner_text()
    assert "added as reported" in item.inner_text()
    page.locator("#r-key").fill(CONTRIB)
    page.locator("#r-reason").fill("approving my own")
    item.locator("[data-decide=approve]").click()
    page.locator(".review-status").filter(has_text="Not done").wait_for()
    assert "contributor" in page.locator(".review-status").inner_text()
    assert _stats(tab, server) == before
    page.locator("#r-key").fill(EDITOR)
    page.locator("#r-reason").fill("checked the article")
    item.locator("[data-decide=approve]").click()
    page.locator(".review-status").filter(has_text="approved").wait_for()
    after = _stats(tab, server)
    assert after["relationships"] == before["relationships"] + 1  # type: ignore[operator]
    assert after["sources"] == before["sources"] + 1  # type: ignore[operator]

    # The history tab names both people; the old version's permalink shows the graph without it.
    tab.goto(server + "/entity/binance#history")
    hist = page.locator("#history").inner_text()
    assert "Eddie Editor" in hist
    assert "by Cora Contributor: seen in the Gazette; approved by Eddie Editor: checked the article" in hist
    assert "added as reported" in hist
    old = page.locator("#history a", has_text="Before it").first.get_attribute("href")
    assert old and f"version={before['version']}" in old
    tab.goto(server + old)
    assert "as it was at version" in page.locator(".as-of").inner_text()
    assert page.locator("#propose").count() == 0  # no proposals against a past version
    assert "Who advised whom" not in page.locator("article.entity").inner_text()
    tab.goto(server + "/entity/binance")
    assert "Who advised whom" in page.locator("article.entity").inner_text()
    assert tab.foreign_requests() == []
    # The only console errors are the two refusals this test provoked (bad target, contributor key).
    assert len(tab.errors) == 2
    assert "422" in tab.errors[0] and "403" in tab.errors[1]
