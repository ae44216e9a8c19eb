"""News text: the review file of proposed facts, and ingesting it once reviewed (``graph/importers/text.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from graph.errors import InvalidRecord
from graph.importers.text import find_mentions, ingest_review, propose
from graph.store.base import GraphStore
from tests.graph.importers.conftest import FIXTURES
from tests.graph.importers.support import edges, ents

ARTICLE = FIXTURES / "text" / "article.txt"
TITLE = "Binance founder pardoned, fixture report says"


def _propose(store: GraphStore, review: Path) -> dict[str, object]:
    return propose(
        store,
        ARTICLE,
        review,
        url="https://news.example.com/cz-pardon",
        title=TITLE,
        publisher="Fixture News",
        date="2025-10-23",
        dataset="news-cz",
    )


def test_review_file_lists_mentions_with_offsets_and_sentences(target: GraphStore, tmp_path: Path) -> None:
    before = target.version
    review = tmp_path / "article.review.yaml"
    res = _propose(target, review)
    assert target.version == before  # nothing from the text went into the graph
    assert res == {"review": str(review), "dataset": "news-cz", "mentions": 6, "unmatched": 2}
    doc = yaml.safe_load(review.read_text(encoding="utf-8"))
    text = ARTICLE.read_text(encoding="utf-8")
    found = {
        m["entity"]: [(o["matched"], o["start"], o["end"]) for o in m["occurrences"]] for m in doc["mentions"]
    }
    assert found == {
        "binance": [("Binance", 0, 7), ("Binance Holdings Ltd.", 75, 96), ("Binance", 330, 337)],
        "changpeng-zhao": [("Changpeng Zhao", 47, 61), ("CZ", 209, 211), ("CHANGPENG ZHAO", 497, 511)],
        "donald-trump": [("Donald J. Trump", 124, 139)],
        "elizabeth-warren": [("Elizabeth Warren", 266, 282)],
        "world-liberty-financial": [("World Liberty Financial", 342, 365)],
        "binance-us": [("Binance.US", 386, 396)],
    }
    for m in doc["mentions"]:
        assert m["accept"] is True
        for o in m["occurrences"]:
            assert text[o["start"] : o["end"]] == o["matched"]
    cz = next(m for m in doc["mentions"] if m["entity"] == "changpeng-zhao")
    assert [o["sentence"] for o in cz["occurrences"]] == [
        "Changpeng Zhao, who founded Binance Holdings Ltd., was pardoned by President Donald J. Trump, "
        "according to a fixture report.",
        "CZ had pleaded guilty in 2023.",
        "CHANGPENG ZHAO trended on social media.",
    ]
    assert [
        (u["name"], u["accept"], u["kind"], [o["start"] for o in u["occurrences"]]) for u in doc["unmatched"]
    ] == [
        ("Richard Fixture", False, None, [434]),
        ("Fixture Advisory Group", False, None, [453]),
    ]
    assert doc["unmatched"][0]["occurrences"][0]["sentence"].startswith("A spokesperson for Binance.US said")
    assert doc["article"]["title"] == TITLE and len(doc["article"]["sha256"]) == 64


def test_ingesting_the_reviewed_file_writes_only_what_was_accepted(
    target: GraphStore, tmp_path: Path
) -> None:
    review = tmp_path / "article.review.yaml"
    _propose(target, review)
    doc = yaml.safe_load(review.read_text(encoding="utf-8"))
    for m in doc["mentions"]:
        m["accept"] = m["entity"] in ("changpeng-zhao", "donald-trump")
    doc["unmatched"][1].update(accept=True, kind="company")
    review.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    ingest_review(target, review)
    docid = "news-cz.article-document"
    assert {i: (e["kind"], e["name"]) for i, e in ents(target, "news-cz").items()} == {
        docid: ("document", TITLE),
        "news-cz.fixture-advisory-group": ("company", "Fixture Advisory Group"),
    }
    assert edges(target, "news-cz") == {
        (docid, "mentions", "changpeng-zhao", None, None, None, None, None, "reported"),
        (docid, "mentions", "donald-trump", None, None, None, None, None, "reported"),
        (docid, "mentions", "news-cz.fixture-advisory-group", None, None, None, None, None, "reported"),
    }
    src = target.get_source("news-cz.article")
    assert src is not None and (src.kind, src.url, src.date) == (
        "news_report",
        "https://news.example.com/cz-pardon",
        "2025-10-23",
    )
    rel = next(
        r for r in target.iter_relationships() if r.target == "changpeng-zhao" and r.dataset == "news-cz"
    )
    assert rel.attributes["offsets"] == "47-61; 209-211; 497-511"
    assert rel.sources == ["dataset-news-cz", "news-cz.article"]


def test_an_accepted_name_without_a_kind_is_an_error(target: GraphStore, tmp_path: Path) -> None:
    review = tmp_path / "r.yaml"
    _propose(target, review)
    doc = yaml.safe_load(review.read_text(encoding="utf-8"))
    doc["unmatched"][0]["accept"] = True
    review.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    before = target.version
    with pytest.raises(InvalidRecord) as exc:
        ingest_review(target, review)
    assert [(p.record, p.field) for p in exc.value.problems] == [("unmatched[0]", "kind")]
    assert target.version == before


def test_mentions_are_whole_words_accent_and_case_aware() -> None:
    names = [("a", "Ana Núñez", "Ana Núñez"), ("b", "Bit", "Bit"), ("c", "CZ", "CZ")]
    got = find_mentions("ANA NUNEZ met Bitcoin fans; a bit later, Bit and cz and CZ.", names)
    assert [(m["entity"], m["matched"]) for m in got] == [
        ("a", "ANA NUNEZ"),
        ("b", "bit"),
        ("b", "Bit"),
        ("c", "CZ"),
    ]
