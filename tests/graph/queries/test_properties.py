"""Property tests: paths and neighbourhoods agree with brute force on random small graphs."""

from __future__ import annotations

from itertools import pairwise

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.filters import EdgeFilter, make_filter
from graph.ingest.validate import Dataset
from graph.queries.neighbourhood import neighbourhood
from graph.queries.paths import find_paths
from graph.store.memory import MemoryStore
from tests.factory import person, rel, source

TYPES = ["met", "founded", "invested_in", "sued"]
STATUSES = ["confirmed", "reported", "alleged", "denied"]
DATES = [None, "2019", "2020-06", "2021-03-15", "2022"]
DAYS = ["2018-01-01", "2020-06-30", "2021-12-31", "2023-01-01"]


@st.composite
def graphs(draw: st.DrawFn) -> Dataset:
    n = draw(st.integers(2, 8))
    ids = [f"n{i}" for i in range(n)]
    edges = draw(
        st.lists(
            st.tuples(
                st.sampled_from(ids),
                st.sampled_from(ids),
                st.sampled_from(TYPES),
                st.sampled_from(STATUSES),
                st.sampled_from(DATES),
                st.sampled_from(DATES),
            ),
            max_size=16,
        )
    )
    rels = {}
    for i, (a, b, t, s, start, end) in enumerate(edges):
        if a == b:
            continue
        if start and end and end < start:
            start, end = end, start
        rels[f"e{i}"] = rel(f"e{i}", a, t, b, status=s, start=start, end=end)
    return Dataset({"s1": source()}, {i: person(i) for i in ids}, rels)


@st.composite
def filters(draw: st.DrawFn) -> EdgeFilter:
    return make_filter(
        types=draw(st.one_of(st.none(), st.lists(st.sampled_from(TYPES), min_size=1, unique=True))),
        min_status=draw(st.one_of(st.none(), st.sampled_from(STATUSES))),
        as_of=draw(st.one_of(st.none(), st.sampled_from(DAYS))),
        unknown_dates=draw(st.sampled_from(["include", "exclude"])),
    )


def brute(ds: Dataset, flt: EdgeFilter, directed: bool) -> nx.Graph:
    g: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    g.add_nodes_from(ds.entities)
    for r in ds.relationships.values():
        if flt.accepts(r.model_dump(mode="json")):
            g.add_edge(r.source, r.target)
    return g


def store_of(ds: Dataset) -> MemoryStore:
    st_ = MemoryStore(None)
    st_.replace_all(ds)
    return st_


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(graphs(), filters(), st.booleans(), st.integers(1, 4), st.data())
def test_all_shortest_paths_match_brute_force(
    ds: Dataset, flt: EdgeFilter, directed: bool, max_hops: int, data: st.DataObject
) -> None:
    ids = sorted(ds.entities)
    s = data.draw(st.sampled_from(ids))
    t = data.draw(st.sampled_from([i for i in ids if i != s]))
    res = find_paths(store_of(ds), s, t, mode="all", directed=directed, max_hops=max_hops, flt=flt)
    g = brute(ds, flt, directed)
    try:
        expected = sorted(p for p in nx.all_shortest_paths(g, s, t) if len(p) - 1 <= max_hops)
    except nx.NetworkXNoPath:
        expected = []
    assert [p.node_ids for p in res.paths] == expected
    for p in res.paths:  # every hop uses a relationship that passes the filter, in a legal direction
        for (a, b), hop in zip(pairwise(p.node_ids), p.hops, strict=True):
            r = hop.relationship
            assert flt.accepts(r.model_dump(mode="json"))
            assert (r.source, r.target) == ((a, b) if hop.forward else (b, a))
            assert hop.forward or not directed


@SETTINGS
@given(graphs(), filters(), st.integers(1, 3), st.data())
def test_k_shortest_lengths_match_brute_force(
    ds: Dataset, flt: EdgeFilter, k: int, data: st.DataObject
) -> None:
    ids = sorted(ds.entities)
    s = data.draw(st.sampled_from(ids))
    t = data.draw(st.sampled_from([i for i in ids if i != s]))
    res = find_paths(store_of(ds), s, t, mode="k", k=k, max_hops=4, flt=flt)
    g = brute(ds, flt, False)
    every = sorted(len(p) - 1 for p in nx.all_simple_paths(g, s, t, cutoff=4))
    got = [p.length for p in res.paths]
    assert got == every[:k]
    assert len({tuple(p.node_ids) for p in res.paths}) == len(res.paths)
    for p in res.paths:
        assert len(set(p.node_ids)) == len(p.node_ids)


@SETTINGS
@given(graphs(), filters(), st.integers(1, 3), st.sampled_from(["both", "out", "in"]), st.data())
def test_neighbourhood_matches_brute_force(
    ds: Dataset, flt: EdgeFilter, depth: int, direction: str, data: st.DataObject
) -> None:
    center = data.draw(st.sampled_from(sorted(ds.entities)))
    sub = neighbourhood(store_of(ds), center, depth=depth, direction=direction, max_nodes=2000, flt=flt)
    g = brute(ds, flt, direction != "both")
    if direction == "in":
        g = g.reverse()
    reach = nx.single_source_shortest_path_length(g, center, cutoff=depth)
    assert sub.depth == dict(sorted(reach.items()))
    inside = set(reach)
    expected_edges = sorted(
        r.id
        for r in ds.relationships.values()
        if r.source in inside and r.target in inside and flt.accepts(r.model_dump(mode="json"))
    )
    assert [e.id for e in sub.edges] == expected_edges


@SETTINGS
@given(graphs(), st.integers(1, 6), st.data())
def test_cap_keeps_closest_and_best_connected(ds: Dataset, cap: int, data: st.DataObject) -> None:
    center = data.draw(st.sampled_from(sorted(ds.entities)))
    store = store_of(ds)
    sub = neighbourhood(store, center, depth=3, max_nodes=cap)
    full = neighbourhood(store, center, depth=3, max_nodes=2000)
    kept = set(sub.depth)
    assert len(kept) <= cap
    assert kept <= set(full.depth)
    if not sub.truncated:
        assert sub.depth == full.depth
        return
    # every entity left out is farther, or as far but not better connected (then id order)
    deg = store.degrees(full.depth)
    worst_kept = max((full.depth[n], -deg[n], n) for n in kept)
    for n in set(full.depth) - kept:
        assert (full.depth[n], -deg[n], n) > worst_kept
