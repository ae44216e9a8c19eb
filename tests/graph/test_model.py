"""Model validation: good and bad records (graph/model.py)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from graph.model import Entity, Relationship, Source

BASE_REL: dict[str, Any] = {
    "id": "r1",
    "source": "a",
    "target": "b",
    "type": "founded",
    "status": "reported",
    "sources": ["s1"],
}
BASE_ENT: dict[str, Any] = {"id": "a", "kind": "person", "name": "A", "sources": ["s1"]}


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"start": "2017"},
        {"start": "2023-11"},
        {"start": "2023-11-21", "end": "2024-01"},
        {"start": "2023-11", "end": "2023-11-05"},  # same month: the intervals overlap
        {"amount": "4300000000", "currency": "USD"},
        {"role": "CEO", "denied_by": ["a"], "notes": "x"},
        {"status": "denied"},
    ],
)
def test_good_relationships(changes: dict[str, Any]) -> None:
    rel = Relationship.model_validate({**BASE_REL, **changes})
    assert rel.id == "r1"


@pytest.mark.parametrize(
    ("changes", "field", "needle"),
    [
        ({"type": "bribed"}, "type", "unknown relationship type"),
        ({"status": "rumoured"}, "status", "Input should be"),
        ({"start": "2023-02-30"}, "start", "impossible date"),
        ({"start": "2023-13"}, "start", "impossible date"),
        ({"start": "21/11/2023"}, "start", "bad date"),
        ({"start": "2024", "end": "2023-06"}, "end", "is before start"),
        ({"sources": []}, "sources", "at least 1"),
        ({"amount": -5}, "amount", "negative"),
        ({"amount": "nan"}, "amount", "finite number"),
        ({"amount": "inf"}, "amount", "finite number"),
        ({"target": "a"}, "target", "two different entities"),
        ({"id": "Bad Id"}, "id", "bad id"),
        ({"colour": "red"}, "colour", "Extra inputs"),
    ],
)
def test_bad_relationships(changes: dict[str, Any], field: str | None, needle: str) -> None:
    with pytest.raises(ValidationError) as info:
        Relationship.model_validate({**BASE_REL, **changes})
    errors = info.value.errors()
    assert any(needle in e["msg"] for e in errors), errors
    if field is not None:
        assert any(e["loc"] and e["loc"][0] == field for e in errors)


@pytest.mark.parametrize(
    "changes",
    [
        {"aliases": ["CZ", "赵长鹏"]},
        {"founded": "2017-07", "website": "https://www.binance.com"},
        {"identifiers": {"lei": "5493001KJTIIGC8Y1R12", "wallet": ["0xabc", "0xdef"]}},
        {"attributes": {"born": "1977"}},
        {"kind": "document"},
    ],
)
def test_good_entities(changes: dict[str, Any]) -> None:
    assert Entity.model_validate({**BASE_ENT, **changes}).id == "a"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "politician"}, "kind"),
        ({"name": ""}, "name"),
        ({"sources": []}, "sources"),
        ({"website": "binance.com"}, "website"),
        ({"founded": "July 2017"}, "founded"),
    ],
)
def test_bad_entities(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        Entity.model_validate({**BASE_ENT, **changes})
    assert info.value.errors()[0]["loc"][0] == field


def test_aliases_are_trimmed_and_deduplicated() -> None:
    ent = Entity.model_validate({**BASE_ENT, "aliases": [" CZ ", "CZ", "", "赵长鹏"]})
    assert ent.aliases == ["CZ", "赵长鹏"]


@pytest.mark.parametrize("url", ["ftp://x.org/a", "https://", "not a url", "https://exa mple.org"])
def test_bad_source_urls(url: str) -> None:
    with pytest.raises(ValidationError):
        Source.model_validate({"id": "s", "title": "T", "url": url})


def test_source_without_url_is_allowed() -> None:
    assert Source.model_validate({"id": "s", "title": "T"}).url is None
