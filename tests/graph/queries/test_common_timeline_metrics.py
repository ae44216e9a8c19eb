"""Common connections, timelines and analytics — runs against every store."""

from __future__ import annotations

import pytest

from graph.errors import InvalidParameter
from graph.queries.common import common_connections
from graph.queries.metrics import brokers, communities, rank
from graph.queries.timeline import timeline
from graph.store.base import GraphStore


def test_common_one_hop(store: GraphStore) -> None:
    res = common_connections(store, ["bob", "regulator"])
    assert [(c.entity.id, c.score, c.distance) for c in res.connections] == [
        ("acme", 2.0, {"bob": 1, "regulator": 1}),
        ("carol", 2.0, {"bob": 1, "regulator": 1}),
    ]
    assert res.connections[0].via == {"bob": ["r03"], "regulator": ["r05"]}


def test_common_two_hops(store: GraphStore) -> None:
    res = common_connections(store, ["alice", "venture"], max_hops=2)
    # meeting is 3 hops from venture, so it is not shared
    assert [c.entity.id for c in res.connections] == [
        "acme",
        "carol",
        "coin",
        "regulator",
        "bob",
        "plea",
        "acme-us",
        "court",
    ]
    assert [c.score for c in res.connections][:4] == [2.0, 2.0, 1.5, 1.0]


def test_common_of_three(store: GraphStore) -> None:
    res = common_connections(store, ["alice", "bob", "venture"])
    assert [c.entity.id for c in res.connections] == ["acme", "carol"]


@pytest.mark.parametrize(
    ("refs", "kwargs", "param"),
    [
        (["alice"], {}, "entities"),
        (["alice", "alice"], {}, "entities"),
        (["alice", "bob"], {"max_hops": 3}, "max_hops"),
    ],
)
def test_common_bad_parameters(
    store: GraphStore, refs: list[str], kwargs: dict[str, int], param: str
) -> None:
    with pytest.raises(InvalidParameter) as info:
        common_connections(store, refs, **kwargs)
    assert info.value.parameter == param


WHOLE = ["r01", "r02", "r09", "r05", "r06", "r07", "r03", "r08", "r15", "meeting", "r11", "r16", "r13", "r14"]


def _ids(items: list) -> list[str]:  # type: ignore[type-arg]
    return [i.relationship.id if i.relationship else i.entity.id for i in items]


def test_timeline_whole_graph(store: GraphStore) -> None:
    items = timeline(store)
    assert _ids(items) == WHOLE
    assert items[0].sentence == "Alice Example founded Acme Exchange (2017; single source)."
    assert [s.id for s in items[0].sources] == ["s1"]


def test_timeline_bounds(store: GraphStore) -> None:
    assert _ids(timeline(store, start="2024")) == WHOLE[7:]
    assert _ids(timeline(store, end="2023-11-21")) == WHOLE[:6]


def test_timeline_of_entities(store: GraphStore) -> None:
    assert _ids(timeline(store, ["alice"])) == ["r01", "r02", "r15", "meeting", "r16"]
    assert _ids(timeline(store, ["bob", "venture"])) == ["r03", "r11", "r14"]


@pytest.mark.parametrize(
    ("kwargs", "param"), [({"start": "2024-13"}, "start"), ({"end": "soon"}, "end"), ({"limit": 0}, "limit")]
)
def test_timeline_bad_parameters(store: GraphStore, kwargs: dict[str, object], param: str) -> None:
    with pytest.raises(InvalidParameter) as info:
        timeline(store, **kwargs)  # type: ignore[arg-type]
    assert info.value.parameter == param


def test_rank_degree(store: GraphStore) -> None:
    assert [(r.entity.id, r.score) for r in rank(store, top=5)] == [
        ("acme", 8.0),
        ("carol", 4.0),
        ("alice", 3.0),
        ("regulator", 3.0),
        ("venture", 3.0),
    ]
    assert [r.entity.id for r in rank(store, top=2, kind="person")] == ["carol", "alice"]


@pytest.mark.parametrize("metric", ["betweenness", "pagerank"])
def test_rank_hub_first(store: GraphStore, metric: str) -> None:
    top = rank(store, metric=metric, top=3)
    assert top[0].entity.id == "acme"
    assert top[0].score > top[1].score >= top[2].score


def test_rank_with_status_filter(store: GraphStore) -> None:
    # confirmed only: acme-alice, acme-regulator, acme-plea, regulator-plea, carol-regulator
    assert [(r.entity.id, r.score) for r in rank(store, top=3, min_status="confirmed")] == [
        ("acme", 3.0),
        ("regulator", 3.0),
        ("plea", 2.0),
    ]


def test_communities_are_deterministic(store: GraphStore) -> None:
    first = communities(store, seed=1)
    assert first == communities(store, seed=1)
    members = sorted(m.id for c in first for m in c.members)
    assert members == sorted(
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
        ]
    )
    assert [c.size for c in first] == sorted((c.size for c in first), reverse=True)


def test_brokers(store: GraphStore) -> None:
    res = brokers(store, ["bob"], ["regulator"])
    assert [(r.entity.id, r.score) for r in res.brokers] == [("acme", 0.5), ("carol", 0.5)]
    res = brokers(store, ["meeting", "bob"], ["court"])
    # meeting-alice-acme-court (1 path) and bob-acme-court (1 path)
    assert [(r.entity.id, r.score) for r in res.brokers] == [("acme", 2.0), ("alice", 1.0)]


def test_bad_metric(store: GraphStore) -> None:
    with pytest.raises(InvalidParameter):
        rank(store, metric="fame")
