"""The bundled dataset in data/ validates and every fact is sourced."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlparse

from graph.ingest.validate import Dataset
from graph.vocabulary import Status


def test_size(bundled_dataset: Dataset) -> None:
    assert len(bundled_dataset.entities) >= 60
    assert len(bundled_dataset.relationships) >= 120


def test_every_relationship_has_a_source_with_a_well_formed_url(bundled_dataset: Dataset) -> None:
    for rel in bundled_dataset.relationships.values():
        urls = [bundled_dataset.sources[s].url for s in rel.sources]
        good = [u for u in urls if u and urlparse(u).scheme in ("http", "https") and urlparse(u).netloc]
        assert good, rel.id


def test_statuses_are_honest(bundled_dataset: Dataset) -> None:
    statuses = Counter(r.status for r in bundled_dataset.relationships.values())
    # confirmed is reserved for facts backed by a primary document; the press stays reported
    assert statuses[Status.REPORTED] > statuses[Status.CONFIRMED]
    for rel in bundled_dataset.relationships.values():
        if rel.status == Status.CONFIRMED:
            # a court filing, agency or legislative release, the party's own statement, or a labelled copy
            assert any(bundled_dataset.sources[s].is_primary for s in rel.sources), rel.id


def test_reported_talks_and_denials(bundled_dataset: Dataset) -> None:
    talks = [r for r in bundled_dataset.relationships.values() if r.type == "in_talks_with"]
    assert talks and all(r.status == Status.REPORTED for r in talks)
    denied = {r.id: set(r.denied_by) for r in bundled_dataset.relationships.values() if r.denied_by}
    assert denied["rel-117"] == {"changpeng-zhao", "world-liberty-financial"}


def test_story_entities_are_present(bundled_dataset: Dataset) -> None:
    ids = set(bundled_dataset.entities)
    for eid in [
        "changpeng-zhao",
        "binance",
        "binance-us",
        "doj",
        "treasury",
        "fincen",
        "ofac",
        "cftc",
        "sec",
        "world-liberty-financial",
        "usd1",
        "donald-trump",
        "mgx",
        "justin-sun",
        "forensic-risk-alliance",
        "court-wdwa",
    ]:
        assert eid in ids, eid
    assert "赵长鹏" in bundled_dataset.entities["changpeng-zhao"].aliases


def test_seed_article_is_a_source_without_copied_text(bundled_dataset: Dataset) -> None:
    seed = bundled_dataset.sources["seed-article"]
    assert seed.title == "Binance Eyes Reduced U.S. Oversight in Deal with Trump-Backed Crypto Venture"
    assert seed.url is None
    cited = [r for r in bundled_dataset.relationships.values() if "seed-article" in r.sources]
    assert cited
    # it has no URL, so it is never the only source of a claim
    for r in cited:
        assert len(r.sources) > 1, r.id
