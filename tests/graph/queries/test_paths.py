"""Paths with citations (graph/queries/paths.py) — runs against every store."""

from __future__ import annotations

import pytest

from graph.errors import EntityNotFound, InvalidParameter
from graph.queries.paths import find_paths, shortest_link
from graph.store.base import GraphStore

CASES = [
    ("alice", "regulator", {}, [["alice", "acme", "regulator"]]),
    (
        "alice",
        "regulator",
        {"mode": "all"},
        [["alice", "acme", "regulator"], ["alice", "carol", "regulator"]],
    ),
    (
        "alice",
        "regulator",
        {"mode": "all", "directed": True},
        [["alice", "acme", "regulator"], ["alice", "carol", "regulator"]],
    ),
    ("regulator", "alice", {"directed": True}, []),
    ("alice", "regulator", {"min_status": "confirmed", "mode": "all"}, [["alice", "acme", "regulator"]]),
    ("alice", "regulator", {"avoid": ["acme"], "mode": "all"}, [["alice", "carol", "regulator"]]),
    ("alice", "regulator", {"types": ["met", "holds_office"]}, [["alice", "carol", "regulator"]]),
    ("alice", "regulator", {"categories": ["personal", "political"]}, [["alice", "carol", "regulator"]]),
    ("alice", "regulator", {"as_of": "2020-01-01"}, []),
    (
        "alice",
        "regulator",
        {"as_of": "2025-01-01", "mode": "all"},
        [["alice", "acme", "regulator"], ["alice", "carol", "regulator"]],
    ),
    (
        "alice",
        "coin",
        {"mode": "k", "k": 3},
        [
            ["alice", "acme", "coin"],
            ["alice", "acme", "venture", "coin"],
            ["alice", "carol", "venture", "coin"],
        ],
    ),
    ("alice", "coin", {"mode": "k", "k": 3, "max_hops": 2}, [["alice", "acme", "coin"]]),
    ("meeting", "court", {"max_hops": 3}, [["meeting", "alice", "acme", "court"]]),
    ("meeting", "court", {"max_hops": 2}, []),
    ("bob", "coin", {"kinds": ["person"]}, []),  # every route passes a company
    (
        "bob",
        "venture",
        {"kinds": ["person"], "mode": "all"},
        [["bob", "carol", "venture"]],
    ),  # endpoints of any kind
    (
        "acme",
        "regulator",
        {"kinds": ["person"]},
        [["acme", "regulator"]],
    ),  # a direct link needs no intermediate
    ("alice", "lonely", {"max_hops": 6}, []),
    ("alice", "alice", {}, [["alice"]]),
]


@pytest.mark.parametrize(("src", "dst", "kwargs", "expected"), CASES)
def test_paths(
    store: GraphStore, src: str, dst: str, kwargs: dict[str, object], expected: list[list[str]]
) -> None:
    res = find_paths(store, src, dst, **kwargs)  # type: ignore[arg-type]
    assert [p.node_ids for p in res.paths] == expected
    for p in res.paths:
        assert len(p.hops) == len(p.nodes) - 1
        assert all(h.citations for h in p.hops)
    assert (res.message is None) == bool(expected)


def test_sentences_and_footnotes(store: GraphStore) -> None:
    res = find_paths(store, "Alice Example", "Federal Regulator", mode="all")
    assert [[h.sentence for h in p.hops] for p in res.paths] == [
        [
            "Alice Example founded Acme Exchange (2017; single source) [1].",
            "Acme Exchange pleaded guilty to charges brought by Federal Regulator (2023-11-21; single source) [1].",
        ],
        [
            "Alice Example met Carol Official (2024-12; reported; denied by Alice Example; single source) [2].",
            "Carol Official held office at Federal Regulator as Director (since 2021; single source) [2].",
        ],
    ]
    assert [s.id for s in res.footnotes] == ["s1", "s3"]
    assert res.source.id == "alice" and res.target.id == "regulator"


def test_reverse_hops_read_naturally(store: GraphStore) -> None:
    res = find_paths(store, "coin", "bob")
    assert [h.sentence for h in res.paths[0].hops] == [
        "AcmeCoin was listed by Acme Exchange (2025-05; reported; single source) [1].",
        "Acme Exchange was led by Bob Müller (since 2023-11-22; reported; single source) [1].",
    ]
    assert [h.forward for h in res.paths[0].hops] == [False, False]


def test_weighted_prefers_confirmed(store: GraphStore) -> None:
    res = find_paths(store, "alice", "regulator", weighted=True, mode="k", k=2)
    assert [(p.node_ids, p.cost) for p in res.paths] == [
        (["alice", "acme", "regulator"], 2.0),
        (["alice", "carol", "regulator"], 2.5),
    ]
    # bob -> venture: via carol costs reported 1.5 + alleged 3 = 4.5, via acme 1.5 + 1.5 = 3
    res = find_paths(store, "bob", "venture", weighted=True)
    assert [(p.node_ids, p.cost) for p in res.paths] == [(["bob", "acme", "venture"], 3.0)]


def test_no_path_message(store: GraphStore) -> None:
    res = find_paths(store, "alice", "lonely")
    assert res.paths == []
    assert res.message == "No path between Alice Example and Lonely Person within 4 hops."
    res = find_paths(store, "alice", "regulator", as_of="2020-01-01")
    assert (
        res.message == "No path between Alice Example and Federal Regulator within 4 hops with these filters."
    )


def test_shortest_link(store: GraphStore) -> None:
    path = shortest_link(store, "bob", "coin")
    assert path is not None and path.node_ids == ["bob", "acme", "coin"]
    assert shortest_link(store, "bob", "lonely") is None


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"max_hops": 0}, "max_hops"),
        ({"max_hops": 7}, "max_hops"),
        ({"k": 0}, "k"),
        ({"k": 21}, "k"),
        ({"mode": "fastest"}, "mode"),
        ({"avoid": ["alice"]}, "avoid"),
        ({"min_status": "x"}, "min_status"),
    ],
)
def test_bad_parameters(store: GraphStore, kwargs: dict[str, object], param: str) -> None:
    with pytest.raises(InvalidParameter) as info:
        find_paths(store, "alice", "bob", **kwargs)  # type: ignore[arg-type]
    assert info.value.parameter == param


def test_unknown_endpoint(store: GraphStore) -> None:
    with pytest.raises(EntityNotFound) as info:
        find_paths(store, "alice", "Bobb Muller")
    assert info.value.suggestions[0]["id"] == "bob"
