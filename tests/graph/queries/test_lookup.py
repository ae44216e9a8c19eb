"""Search, resolve and profiles (graph/queries/lookup.py) — runs against every store."""

from __future__ import annotations

import pytest

from graph.errors import EntityNotFound, InvalidParameter
from graph.queries.lookup import normalize, profile, resolve, search
from graph.store.base import GraphStore


@pytest.mark.parametrize(
    ("q", "kwargs", "expected"),
    [
        ("Alice Example", {}, [("alice", "exact")]),
        ("alice example", {}, [("alice", "exact")]),
        ("ALICE  EXAMPLE!", {}, [("alice", "exact")]),
        ("Bob Muller", {}, [("bob", "exact")]),  # accents ignored
        ("Bobby", {}, [("bob", "alias")]),
        ("阿丽斯", {}, [("alice", "alias")]),  # alias in another script
        ("fedreg", {}, [("regulator", "alias")]),
        ("Alise Exampel", {}, [("alice", "fuzzy")]),  # typos
        ("Lonely", {}, [("lonely", "prefix")]),
        (
            "acme",
            {"limit": 4},
            [("acme", "alias"), ("acme-us", "prefix"), ("plea", "prefix"), ("coin", "prefix")],
        ),
        ("acme", {"kind": "company", "limit": 5}, [("acme", "alias"), ("acme-us", "prefix")]),
        ("acme", {"kind": "agency"}, []),
    ],
)
def test_search(
    store: GraphStore, q: str, kwargs: dict[str, object], expected: list[tuple[str, str]]
) -> None:
    hits = search(store, q, **kwargs)  # type: ignore[arg-type]
    assert [(h.id, h.match) for h in hits][: len(expected) or None] == expected


def test_search_ranks_actors_first_then_ties_by_degree(store: GraphStore) -> None:
    # acme-us (a company, one relationship) is a prefix of "acme" like the agreement plea and
    # the asset coin (two each): the company comes first, the other two by degree, then name.
    hits = search(store, "acme", limit=4)
    assert [(h.id, h.kind, h.degree) for h in hits] == [
        ("acme", "company", 9),
        ("acme-us", "company", 1),
        ("plea", "agreement", 2),
        ("coin", "asset", 2),
    ]


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"q": ""}, "q"),
        ({"q": "  "}, "q"),
        ({"q": "!!"}, "q"),
        ({"q": "a", "limit": 0}, "limit"),
        ({"q": "a", "limit": 101}, "limit"),
        ({"q": "a", "kind": "politician"}, "kind"),
    ],
)
def test_search_bad_parameters(store: GraphStore, kwargs: dict[str, object], param: str) -> None:
    with pytest.raises(InvalidParameter) as info:
        search(store, **kwargs)  # type: ignore[arg-type]
    assert info.value.parameter == param


def test_normalize() -> None:
    assert normalize("  Zhào, Chángpéng ") == "zhao changpeng"


@pytest.mark.parametrize(
    ("ref", "eid"), [("acme-us", "acme-us"), ("Acme US", "acme-us"), ("ACME", "acme"), ("bob müller", "bob")]
)
def test_resolve(store: GraphStore, ref: str, eid: str) -> None:
    assert resolve(store, ref) == eid


def test_unknown_entity_has_suggestions(store: GraphStore) -> None:
    with pytest.raises(EntityNotFound) as info:
        resolve(store, "Alise")
    assert info.value.suggestions[0] == {"id": "alice", "name": "Alice Example"}
    assert "did you mean: Alice Example (alice)" in info.value.detail
    assert info.value.status == 404


def test_profile_groups_and_cites(store: GraphStore) -> None:
    p = profile(store, "alice")
    assert p.degree == 4
    assert {c: sorted(t) for c, t in p.groups.items()} == {
        "personal": ["met"],
        "professional": ["ceo_of", "founded", "participated_in"],
    }
    met = p.groups["personal"]["met"][0]
    assert (
        met.sentence
        == "Alice Example met Carol Official (2024-12; reported; denied by Alice Example; single source)."
    )
    assert met.other.id == "carol" and met.forward is True
    assert [s.url for s in met.sources] == ["https://example.org/news/regulator"]
    assert [s.id for s in p.sources] == ["s1"]


def test_profile_reads_reverse_relationships(store: GraphStore) -> None:
    p = profile(store, "regulator")
    legal = p.groups["legal"]
    assert legal["pleaded_guilty"][0].sentence == (
        "Federal Regulator obtained a guilty plea from Acme Exchange (2023-11-21; single source)."
    )
    assert (
        legal["party_to"][0].sentence
        == "Federal Regulator is a party to Acme plea agreement as prosecutor (since 2023-11-21; single source)."
    )
