"""Neighbourhoods with filters and caps (graph/queries/neighbourhood.py) — every store."""

from __future__ import annotations

import pytest

from graph.errors import EntityNotFound, InvalidParameter
from graph.queries.neighbourhood import neighbourhood
from graph.store.base import GraphStore

CASES = [
    ("carol", {}, ["alice", "bob", "carol", "regulator", "venture"], ["r09", "r10", "r12", "r15"]),
    ("carol", {"categories": ["political"]}, ["carol", "regulator"], ["r09"]),
    (
        "acme",
        {"min_status": "confirmed"},
        ["acme", "alice", "plea", "regulator"],
        ["r01", "r02", "r05", "r06", "r07"],
    ),
    ("acme", {"as_of": "2022-01-01"}, ["acme", "acme-us", "alice"], ["r01", "r02", "r04"]),
    ("acme", {"as_of": "2022-01-01", "unknown_dates": "exclude"}, ["acme", "alice"], ["r01", "r02"]),
    ("acme", {"direction": "out"}, ["acme", "coin", "plea", "regulator"], ["r05", "r06", "r07", "r13"]),
    ("acme", {"direction": "in", "types": ["ceo_of"]}, ["acme", "alice", "bob"], ["r02", "r03"]),
    ("bob", {"depth": 2, "kinds": ["person"]}, ["alice", "bob", "carol"], ["r10", "r15"]),
    ("alice", {"exclude_types": ["ceo_of", "founded"]}, ["alice", "carol", "meeting"], ["r15", "r16"]),
    ("alice", {"exclude_categories": ["professional"]}, ["alice", "carol"], ["r15"]),
    ("lonely", {"depth": 3}, ["lonely"], []),
    (
        "court",
        {"depth": 3, "max_nodes": 2000},
        [
            "acme",
            "acme-us",
            "alice",
            "bob",
            "carol",
            "coin",
            "court",
            "meeting",
            "plea",
            "regulator",
            "venture",
        ],
        [
            "r01",
            "r02",
            "r03",
            "r04",
            "r05",
            "r06",
            "r07",
            "r08",
            "r09",
            "r10",
            "r11",
            "r12",
            "r13",
            "r14",
            "r15",
            "r16",
        ],
    ),
]


@pytest.mark.parametrize(("ref", "kwargs", "nodes", "edges"), CASES)
def test_neighbourhood(
    store: GraphStore, ref: str, kwargs: dict[str, object], nodes: list[str], edges: list[str]
) -> None:
    sub = neighbourhood(store, ref, **kwargs)  # type: ignore[arg-type]
    assert [n.id for n in sub.nodes] == nodes
    assert [e.id for e in sub.edges] == edges
    assert not sub.truncated
    cited = {s for e in sub.edges for s in e.sources}
    assert set(sub.sources) == cited


def test_depths_are_reported(store: GraphStore) -> None:
    sub = neighbourhood(store, "bob", depth=2)
    assert sub.depth == {
        "acme": 1,
        "acme-us": 2,
        "alice": 2,
        "bob": 0,
        "carol": 1,
        "coin": 2,
        "court": 2,
        "plea": 2,
        "regulator": 2,
        "venture": 2,
    }


def test_cap_keeps_closest_then_best_connected(store: GraphStore) -> None:
    sub = neighbourhood(store, "acme", max_nodes=4)
    assert [n.id for n in sub.nodes] == ["acme", "alice", "regulator", "venture"]
    assert [e.id for e in sub.edges] == ["r01", "r02", "r05", "r11"]
    assert (sub.truncated, sub.cut_nodes) == (True, 5)
    assert sub.note == "5 more entities at distance 1 were left out by the cap of 4"


def test_cap_at_second_layer(store: GraphStore) -> None:
    # bob: layer 1 = acme, carol; layer 2 has 7 entities; room for 2: alice (4), then
    # regulator and venture (3 each) tie and the id decides -> regulator; layer 3 is never walked
    sub = neighbourhood(store, "bob", depth=3, max_nodes=5)
    assert [n.id for n in sub.nodes] == ["acme", "alice", "bob", "carol", "regulator"]
    assert sub.cut_nodes == 5
    assert sub.depth["regulator"] == 2


def test_several_centres(store: GraphStore) -> None:
    sub = neighbourhood(store, ["meeting", "court"])
    assert sub.center == ["court", "meeting"]
    assert [n.id for n in sub.nodes] == ["acme", "alice", "court", "meeting"]


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"depth": 0}, "depth"),
        ({"depth": 4}, "depth"),
        ({"max_nodes": 0}, "max_nodes"),
        ({"direction": "up"}, "direction"),
        ({"min_status": "rumour"}, "min_status"),
        ({"as_of": "2022"}, "as_of"),
        ({"as_of": "2022-02-30"}, "as_of"),
        ({"types": ["bribed"]}, "types"),
        ({"categories": ["gossip"]}, "categories"),
        ({"kinds": ["alien"]}, "kinds"),
    ],
)
def test_bad_parameters(store: GraphStore, kwargs: dict[str, object], param: str) -> None:
    with pytest.raises(InvalidParameter) as info:
        neighbourhood(store, "acme", **kwargs)  # type: ignore[arg-type]
    assert info.value.parameter == param


def test_unknown_entity(store: GraphStore) -> None:
    with pytest.raises(EntityNotFound):
        neighbourhood(store, "nobody-here")
