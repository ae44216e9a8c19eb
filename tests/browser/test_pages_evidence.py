"""The web UI shows evidence kinds, copies, last-checked dates and the primary-records filter (no browser)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.settings import get_settings
from graph.store.memory import MemoryStore
from tests.factory import company, person, rel, source


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    store = MemoryStore(None)
    store.upsert(
        sources=[
            source(
                "court", title="Court order", kind="court_filing", copy_of="Order of 2023-12-18 (Scribd copy)"
            ),
            source("news", title="Press story", kind="news_report"),
            source("news2", title="Second story", kind="news_report"),
        ],
        entities=[
            person("zed", sources=["court"]),
            company("firm", sources=["court"]),
            company("venture", sources=["court"]),
        ],
        relationships=[
            rel(
                "r1",
                "zed",
                "ceo_of",
                "firm",
                start="2020-01",
                sources=["news", "news2"],
                last_checked="2025-09",
            ),
            rel(
                "r2",
                "zed",
                "pleaded_guilty",
                "firm",
                start="2023-11-21",
                status="confirmed",
                sources=["court"],
            ),
            rel(
                "r3",
                "venture",
                "in_talks_with",
                "firm",
                start="2025-03",
                denied_by=["venture"],
                sources=["news"],
                notes="No official confirmation from either side.",
            ),
        ],
    )
    with TestClient(create_app(get_settings(), store=store), base_url="http://127.0.0.1:8000") as c:
        yield c


def test_entity_page_badges_sources_and_shows_when_facts_were_checked(client: TestClient) -> None:
    html = client.get("/entity/zed").text
    assert 'class="source-kind badge badge-primary" data-kind="court_filing"' in html
    assert "court filing · copy of Order of 2023-12-18 (Scribd copy)" in html
    assert 'class="source-kind badge" data-kind="news_report"' in html
    assert "since 2020-01, last checked 2025-09" in html
    assert "single source" in html  # r2 rests on the court order alone
    assert 'name="evidence" value="primary"' in html


def test_primary_records_only_filter_on_the_entity_page(client: TestClient) -> None:
    html = client.get("/entity/zed", params={"evidence": "primary"}).text
    assert 'name="evidence" value="primary" checked' in html
    assert "Court order" in html
    assert "Press story" not in html  # r1 rests on the press only, so its row and sources are gone
    tl = client.get("/timeline", params={"entity": "zed", "evidence": "primary"}).text
    assert "pleaded guilty" in tl and "served as CEO of" not in tl
    # the network view and its tables keep only the relationship citing the court filing
    every = client.get("/api/v1/entities/zed/neighbours").json()
    primary = client.get("/api/v1/entities/zed/neighbours", params={"evidence": "primary"}).json()
    assert [e["id"] for e in every["edges"]] == ["r1", "r2"]
    assert [e["id"] for e in primary["edges"]] == ["r2"]


def test_path_narrative_marks_unconfirmed_talks_with_denials_and_the_record(client: TestClient) -> None:
    html = client.get("/path", params={"source": "venture", "target": "firm"}).text
    assert "held talks with" in html
    assert "reported, unconfirmed; denied by Venture; single source" in html
    assert "No official confirmation from either side." in html
