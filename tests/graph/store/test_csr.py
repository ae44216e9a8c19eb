"""The CSR side index answers exactly like the generic walks (graph/store/csr.py).

``Generic`` is the embedded store with every native hook switched off, so the query engine
falls back to ``GraphStore``'s defaults and ``_walk``'s searches over ``adjacent_many``. Each
test runs the same query on both and compares the whole result.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from itertools import permutations
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.filters import EdgeFilter, make_filter
from graph.ingest.validate import Dataset
from graph.queries._walk import Adjacency, all_shortest
from graph.queries.neighbourhood import neighbourhood, subgraph_of
from graph.queries.paths import find_paths
from graph.store import memory
from graph.store.base import Adj, GraphStore, PathSearcher
from graph.store.csr import CsrIndex
from graph.store.memory import MemoryStore
from tests.factory import company, person, rel, source


class Generic(MemoryStore):
    """The embedded store without its native walks."""

    def path_searcher(
        self, *, directed: bool, flt: EdgeFilter | None, exempt: frozenset[str] = frozenset()
    ) -> PathSearcher | None:
        return None

    def capped_layers(
        self,
        centers: list[str],
        *,
        depth: int,
        direction: str = "both",
        flt: EdgeFilter | None = None,
        max_nodes: int,
    ) -> tuple[dict[str, int], bool, int]:
        return GraphStore.capped_layers(
            self, centers, depth=depth, direction=direction, flt=flt, max_nodes=max_nodes
        )

    def edges_among(self, ids: Iterable[str], *, flt: EdgeFilter | None = None) -> list[str]:
        return GraphStore.edges_among(self, ids, flt=flt)

    def edges_between(
        self, source: str, target: str, *, direction: str = "both", flt: EdgeFilter | None = None
    ) -> list[Adj]:
        return GraphStore.edges_between(self, source, target, direction=direction, flt=flt)

    def degrees(self, ids: Iterable[str]) -> dict[str, int]:
        self._csr = None
        return super().degrees(ids)


TYPES = ["met", "founded", "invested_in", "sued", "owns", "role_at"]
STATUSES = ["confirmed", "reported", "alleged", "denied"]
DATES = [None, "2019", "2020-06", "2021-03-15", "2022"]
DAYS = ["2018-01-01", "2020-06-30", "2021-12-31", "2023-01-01"]
KINDS = ["person", "company"]


@st.composite
def graphs(draw: st.DrawFn) -> Dataset:
    n = draw(st.integers(2, 14))
    ids = [f"n{i:02d}" for i in range(n)]
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=n, max_size=n))
    # Few distinct endpoints and many relationships: parallel edges, ties between paths.
    edge = st.tuples(
        st.sampled_from(ids),
        st.sampled_from(ids),
        st.sampled_from(TYPES),
        st.sampled_from(STATUSES),
        st.sampled_from(DATES),
        st.sampled_from(DATES),
    )
    rels = {}
    for i, (a, b, t, s, start, end) in enumerate(draw(st.lists(edge, max_size=40))):
        if a == b:
            continue
        if start and end and end < start:
            start, end = end, start
        rels[f"e{i:02d}"] = rel(f"e{i:02d}", a, t, b, status=s, start=start, end=end)
    ents = {i: (person(i) if k == "person" else company(i)) for i, k in zip(ids, kinds, strict=True)}
    return Dataset({"s1": source()}, ents, rels)


@st.composite
def filters(draw: st.DrawFn, ids: list[str] | None = None) -> EdgeFilter:
    return make_filter(
        types=draw(st.one_of(st.none(), st.lists(st.sampled_from(TYPES), min_size=1, unique=True))),
        exclude_types=draw(st.one_of(st.none(), st.lists(st.sampled_from(TYPES), max_size=2, unique=True))),
        categories=draw(st.one_of(st.none(), st.just(["professional", "financial"]))),
        kinds=draw(st.one_of(st.none(), st.lists(st.sampled_from(KINDS), min_size=1, unique=True))),
        min_status=draw(st.one_of(st.none(), st.sampled_from(STATUSES))),
        as_of=draw(st.one_of(st.none(), st.sampled_from(DAYS))),
        unknown_dates=draw(st.sampled_from(["include", "exclude"])),
        avoid=draw(st.lists(st.sampled_from(ids), max_size=2, unique=True)) if ids else None,
    )


def pair(ds: Dataset) -> tuple[MemoryStore, Generic]:
    fast, slow = MemoryStore(None), Generic(None)
    fast.replace_all(ds)
    slow.replace_all(ds)
    return fast, slow


def dumped(value: Any) -> Any:
    return value.model_dump(mode="json")


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(graphs(), st.data())
def test_all_shortest_with_bans_and_limits(ds: Dataset, data: st.DataObject) -> None:
    ids = sorted(ds.entities)
    fast, slow = pair(ds)
    s, t = data.draw(st.sampled_from(ids)), data.draw(st.sampled_from(ids))
    flt = data.draw(filters())
    directed = data.draw(st.booleans())
    kw = {
        "max_hops": data.draw(st.integers(1, 6)),
        "limit": data.draw(st.sampled_from([None, 1, 2, 3, 100])),
        "banned_nodes": frozenset(
            data.draw(st.lists(st.sampled_from([i for i in ids if i not in (s, t)] or ["x"]), max_size=3))
        ),
        "banned_edges": frozenset(
            data.draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=4))
        ),
    }
    exempt = frozenset({s, t})
    got = all_shortest(Adjacency(fast, flt, directed, exempt=exempt), s, t, **kw)  # type: ignore[arg-type]
    want = all_shortest(Adjacency(slow, flt, directed, exempt=exempt), s, t, **kw)  # type: ignore[arg-type]
    assert got == want


@SETTINGS
@given(graphs(), st.data())
def test_find_paths_in_every_mode(ds: Dataset, data: st.DataObject) -> None:
    ids = sorted(ds.entities)
    fast, slow = pair(ds)
    s = data.draw(st.sampled_from(ids))
    t = data.draw(st.sampled_from([i for i in ids if i != s]))
    flt = data.draw(filters([i for i in ids if i not in (s, t)]))
    kw = {
        "mode": data.draw(st.sampled_from(["shortest", "all", "k"])),
        "k": data.draw(st.integers(1, 6)),
        "max_hops": data.draw(st.integers(1, 6)),
        "directed": data.draw(st.booleans()),
        "weighted": data.draw(st.booleans()),
    }
    assert dumped(find_paths(fast, s, t, flt=flt, **kw)) == dumped(find_paths(slow, s, t, flt=flt, **kw))


@SETTINGS
@given(graphs(), st.data())
def test_neighbourhood_cap_and_filters(ds: Dataset, data: st.DataObject) -> None:
    ids = sorted(ds.entities)
    fast, slow = pair(ds)
    centers = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
    kw = {
        "depth": data.draw(st.integers(1, 3)),
        "direction": data.draw(st.sampled_from(["both", "out", "in"])),
        "max_nodes": data.draw(st.integers(len(centers), 12)),
        "flt": data.draw(filters([i for i in ids if i not in centers])),
    }
    assert dumped(neighbourhood(fast, centers, **kw)) == dumped(neighbourhood(slow, centers, **kw))


@SETTINGS
@given(graphs(), st.data())
def test_subgraph_and_degrees(ds: Dataset, data: st.DataObject) -> None:
    ids = sorted(ds.entities)
    fast, slow = pair(ds)
    some = data.draw(st.lists(st.sampled_from(ids), unique=True))
    flt = data.draw(filters(ids))
    assert dumped(subgraph_of(fast, some, flt=flt)) == dumped(subgraph_of(slow, some, flt=flt))
    assert fast.degrees(ids) == slow.degrees(ids)


def _hub_graph() -> Dataset:
    """A hub with 320 relationships out to 160 leaves (parallel ones, every type and status)."""
    leaves = [f"leaf{i:03d}" for i in range(160)]
    ents = {n: person(n) for n in ("mhub", "x", "y")} | {n: company(n) for n in leaves}
    rels = {}
    for i in range(320):
        rels[f"h{i:03d}"] = rel(
            f"h{i:03d}",
            "mhub",
            TYPES[i % len(TYPES)],
            leaves[(i * 7) % 160],
            status=STATUSES[i % 4],
            start=DATES[i % len(DATES)],
        )
    rels |= {
        "x1": rel("x1", "x", "owns", "mhub"),
        "x2": rel("x2", leaves[5], "met", "mhub"),
        "x3": rel("x3", leaves[5], "sued", leaves[6]),
        "x4": rel("x4", "y", "met", leaves[7]),
    }
    return Dataset({"s1": source()}, ents, rels)


HUB = _hub_graph()


@SETTINGS
@given(st.data())
def test_relationships_among_a_few_entities_and_a_hub(data: st.DataObject) -> None:
    """With a hub among them, its row is looked up (it has over 16 times as many entries)."""
    fast, slow = pair(HUB)
    ids = sorted(HUB.entities)
    some = ["mhub", *data.draw(st.lists(st.sampled_from(ids), max_size=8, unique=True))]
    flt = data.draw(filters(ids))
    assert dumped(subgraph_of(fast, some, flt=flt)) == dumped(subgraph_of(slow, some, flt=flt))


def test_every_pair_of_the_mini_graph(mini_dataset: Dataset) -> None:
    fast, slow = pair(mini_dataset)
    ids = sorted(mini_dataset.entities)
    for s, t in permutations(ids, 2):
        for mode in ("shortest", "all", "k"):
            for directed in (False, True):
                kw: dict[str, Any] = {"mode": mode, "k": 4, "max_hops": 6, "directed": directed}
                assert dumped(find_paths(fast, s, t, **kw)) == dumped(find_paths(slow, s, t, **kw))
    for c in ids:
        for depth in (1, 2, 3):
            for cap in (1, 3, 12):
                kw = {"depth": depth, "max_nodes": cap}
                assert dumped(neighbourhood(fast, c, **kw)) == dumped(neighbourhood(slow, c, **kw))


def test_the_index_follows_writes(mini_dataset: Dataset) -> None:
    store = MemoryStore(None)
    store.replace_all(mini_dataset)
    assert find_paths(store, "lonely", "alice").paths == []
    store.upsert(relationships=[rel("r99", "lonely", "met", "alice")])
    assert [p.node_ids for p in find_paths(store, "lonely", "acme").paths] == [["lonely", "alice", "acme"]]
    store.delete(relationships=["r99"])
    assert find_paths(store, "lonely", "alice").paths == []


@pytest.mark.parametrize("mode", ["shortest", "all"])
def test_big_fan_in_and_out(mode: str) -> None:
    """A hub between two layers: many equal shortest paths, listed in order and cut at 100."""
    ents = {"a": person("a"), "z": person("z")} | {f"m{i:03d}": company(f"m{i:03d}") for i in range(150)}
    rels = {}
    for i in range(150):
        rels[f"x{i:03d}"] = rel(f"x{i:03d}", "a", "owns", f"m{i:03d}")
        rels[f"y{i:03d}"] = rel(f"y{i:03d}", f"m{i:03d}", "owns", "z")
    fast, slow = pair(Dataset({"s1": source()}, ents, rels))
    got, want = find_paths(fast, "a", "z", mode=mode), find_paths(slow, "a", "z", mode=mode)
    assert dumped(got) == dumped(want)
    assert [p.node_ids[1] for p in got.paths][:3] == ["m000", "m001", "m002"][: len(got.paths)]


@pytest.mark.parametrize(
    "edges",
    [
        # y reaches the next layer twice, once through a relationship the filter drops.
        [
            ("s", "x", "owns"),
            ("s", "y", "owns"),
            ("x", "w1", "owns"),
            ("y", "w1", "sued"),
            ("y", "w2", "owns"),
            ("w1", "t", "owns"),
            ("w2", "t", "owns"),
        ],
        # The same near the target.
        [
            ("s", "w1", "owns"),
            ("s", "w2", "owns"),
            ("w1", "x", "owns"),
            ("w1", "y", "sued"),
            ("w2", "y", "owns"),
            ("x", "t", "owns"),
            ("y", "t", "owns"),
        ],
    ],
)
def test_a_dropped_relationship_is_never_walked(edges: list[tuple[str, str, str]]) -> None:
    names = sorted({n for a, b, _ in edges for n in (a, b)})
    rels = {f"e{i}": rel(f"e{i}", a, t, b) for i, (a, b, t) in enumerate(edges)}
    fast, slow = pair(Dataset({"s1": source()}, {n: person(n) for n in names}, rels))
    for directed in (False, True):
        got = find_paths(fast, "s", "t", mode="all", types=["owns"], directed=directed)
        assert dumped(got) == dumped(
            find_paths(slow, "s", "t", mode="all", types=["owns"], directed=directed)
        )
        assert len(got.paths) == 2


def test_the_index_is_stored_with_the_graph_and_dropped_by_writes(
    tmp_path: Path, mini_dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memory, "EAGER_INDEX", 1)
    MemoryStore(tmp_path).replace_all(mini_dataset)
    stored = {r[0] for r in sqlite3.connect(tmp_path / memory.DB_NAME).execute("SELECT name FROM side_index")}
    assert stored == set(CsrIndex.ARRAYS)
    again = MemoryStore(tmp_path)
    again.stats()
    assert again._csr is not None and again._csr.version == again.version  # read back, not rebuilt
    slow = Generic(None)
    slow.replace_all(mini_dataset)
    for s, t in permutations(sorted(mini_dataset.entities), 2):
        assert dumped(find_paths(again, s, t, mode="all")) == dumped(find_paths(slow, s, t, mode="all"))
    again.upsert(relationships=[rel("r99", "lonely", "met", "alice")])
    tables = {
        r[0] for r in sqlite3.connect(tmp_path / memory.DB_NAME).execute("SELECT name FROM sqlite_master")
    }
    assert "side_index" not in tables
    third = MemoryStore(tmp_path)
    assert [p.node_ids for p in find_paths(third, "lonely", "acme").paths] == [["lonely", "alice", "acme"]]


@pytest.mark.parametrize("types", [None, ["owns"], ["sued"]])
@pytest.mark.parametrize("directed", [False, True])
def test_a_hub_on_the_path_is_looked_up_not_read(types: list[str] | None, directed: bool) -> None:
    """Steps out of a hub are found by looking the next layer up in its row (parallel edges too)."""
    ents = {n: person(n) for n in ("s", "t", "x", "hub")} | {
        f"leaf{i:03d}": company(f"leaf{i:03d}") for i in range(300)
    }
    rels = {
        "e1": rel("e1", "s", "owns", "x"),
        "e2": rel("e2", "x", "owns", "t"),
        "e3": rel("e3", "s", "owns", "hub"),
        "e4": rel("e4", "hub", "sued", "t"),
        "e5": rel("e5", "hub", "owns", "t"),
        "e6": rel("e6", "t", "met", "hub"),
    }
    for i in range(300):
        rels[f"l{i:03d}"] = rel(f"l{i:03d}", "hub", "owns", f"leaf{i:03d}")
    fast, slow = pair(Dataset({"s1": source()}, ents, rels))
    for mode in ("shortest", "all", "k"):
        for a, b in (("s", "t"), ("t", "s"), ("hub", "x")):
            kw: dict[str, Any] = {"mode": mode, "directed": directed, "types": types}
            assert dumped(find_paths(fast, a, b, **kw)) == dumped(find_paths(slow, a, b, **kw))
