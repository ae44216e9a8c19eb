"""The Bolt store (graph/store/neo4j.py) against real Bolt servers: FalkorDB and Neo4j 5.

Every read must give exactly what ``MemoryStore`` gives for the same data. Each test runs on the
session's FalkorDB server (tests/bolt_server.py) and on its Neo4j 5 server
(tests/neo4j_server.py), restarted when they stop answering; the tests on one server share its
one graph, so each test loads what it needs first. Neo4j-only behaviour (transactions, schema,
database names) is in test_neo4j5.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from graph.errors import InvalidParameter, QueryTimeout, StoreUnavailable
from graph.filters import EdgeFilter, make_filter
from graph.ingest.validate import Dataset
from graph.model import Entity, Relationship, Source
from graph.store import bolt_writes, open_store
from graph.store import neo4j as neo4j_module
from graph.store.base import Adj, GraphStore
from graph.store.cypher_dialect import (
    Dialect,
    FalkorDialect,
    PathPlan,
    choose_dialect,
    edge_conditions,
)
from graph.store.memory import MemoryStore
from graph.store.neo4j import Neo4jStore
from tests.bolt_fixtures import AnyServer
from tests.bolt_server import free_port
from tests.factory import company, person, rel, source
from tests.neo4j_server import NEO4J_VERSION

bolt = pytest.mark.bolt

TIMEOUT = 5.0


# -- fixtures ------------------------------------------------------------------------------------
@pytest.fixture()
def server(any_bolt_server: AnyServer) -> AnyServer:
    """The running server, FalkorDB or Neo4j (restarted first if it stopped answering)."""
    any_bolt_server.ensure_running()
    return any_bolt_server


def _open(server: AnyServer, **kw: Any) -> Neo4jStore:
    kw.setdefault("user", server.user)
    kw.setdefault("password", server.password or "")
    kw.setdefault("timeout", TIMEOUT)
    return Neo4jStore(server.uri, **kw)


@pytest.fixture(scope="module")
def memory(mini_dataset: Dataset) -> MemoryStore:
    st = MemoryStore(None)
    st.replace_all(mini_dataset)
    return st


_shared: dict[str, Neo4jStore] = {}


@pytest.fixture(scope="module", autouse=True)
def _close_shared_stores() -> Iterator[None]:
    yield
    for st in _shared.values():
        st.close()
    _shared.clear()


@pytest.fixture()
def bolt_mini(server: AnyServer, mini_dataset: Dataset, memory: MemoryStore) -> Iterator[Neo4jStore]:
    """A store holding the mini graph (reloaded when another test changed the graph)."""
    st = _shared.get(server.uri)
    if st is None:
        for old in _shared.values():
            old.close()
        _shared.clear()
        st = _shared[server.uri] = _open(server)
    if st.version != memory.version:
        st.replace_all(mini_dataset)
    yield st


@pytest.fixture()
def fresh(server: AnyServer, mini_dataset: Dataset) -> Iterator[Neo4jStore]:
    """A new store of its own on the mini graph, for tests that write."""
    st = _open(server)
    st.replace_all(mini_dataset)
    yield st
    st.close()


def raw(store: Neo4jStore, text: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Run a read query on the store's server (for looking under the hood)."""
    return store._read(lambda tx, d: store._run(tx, d, text, params))


def raw_counts(store: Neo4jStore) -> dict[str, int]:
    return {
        "entity": raw(store, "MATCH (n:Entity) RETURN count(n) AS c")[0]["c"],
        "source": raw(store, "MATCH (n:Source) RETURN count(n) AS c")[0]["c"],
        "meta": raw(store, "MATCH (n:Meta) RETURN count(n) AS c")[0]["c"],
        "rel": raw(store, "MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"],
    }


def snapshot(store: GraphStore) -> dict[str, Any]:
    """Every read a store offers, on every id it holds (plus unknown ids)."""
    ents = [e.id for e in store.iter_entities()]
    rels = [r.id for r in store.iter_relationships()]
    srcs = [s.id for s in store.iter_sources()]
    out: dict[str, Any] = {
        "version": store.version,
        "stats": store.stats(),
        "entities": list(store.iter_entities()),
        "relationships": list(store.iter_relationships()),
        "sources": list(store.iter_sources()),
        "get_entities": store.get_entities([*ents, "nope", *ents[:2]]),
        "get_relationships": store.get_relationships([*rels, "nope"]),
        "get_sources": store.get_sources([*srcs, "nope"]),
        "name_rows": store.name_rows(),
        "degrees": store.degrees([*ents, "nope"]),
        "citing": {s: store.citing(s) for s in [*srcs, "nope"]},
        "adjacent": {d: store.adjacent_many([*ents, "nope"], direction=d) for d in ("out", "in", "both")},
    }
    for kind in (None, "person", "company", "event"):
        out[f"iter_{kind}"] = list(store.iter_entities(kind))
    return out


# -- reads equal MemoryStore ---------------------------------------------------------------------
@bolt
def test_the_dialect_matches_the_server(bolt_mini: Neo4jStore, server: AnyServer) -> None:
    d = bolt_mini.dialect
    if server.kind == "falkordb":
        assert isinstance(d, FalkorDialect)
        assert d.agent == "Neo4j/5.13.0"  # what FalkorDB says in HELLO
        assert server.version.startswith("4.")  # from MODULE LIST on the Redis port
    else:
        assert type(d) is Dialect and d.transactional and d.server_timeout
        assert d.agent == f"Neo4j/{NEO4J_VERSION}" and d.version == server.version == NEO4J_VERSION
        assert d.describe() == f"Neo4j {NEO4J_VERSION}" and NEO4J_VERSION.startswith("5.26.")
    assert bolt_mini.describe() == f"neo4j store {server.uri} (database default)"


@bolt
def test_round_trip_equals_memory_store(bolt_mini: Neo4jStore, memory: MemoryStore) -> None:
    got, want = snapshot(bolt_mini), snapshot(memory)
    for key in want:
        assert got[key] == want[key], key
    assert bolt_mini.version == memory.version  # same rows, same hash
    assert bolt_mini.get_entity("alice") == memory.get_entity("alice")
    assert bolt_mini.get_entity("nope") is None
    assert bolt_mini.has_entity("lonely") and not bolt_mini.has_entity("nope")
    assert bolt_mini.get_relationship("r11") == memory.get_relationship("r11")
    assert bolt_mini.get_source("s3") == memory.get_source("s3")
    assert bolt_mini.degree("acme") == 9 and bolt_mini.degree("lonely") == 0


@bolt
def test_entities_keep_types_lists_and_nested_fields(bolt_mini: Neo4jStore) -> None:
    alice = bolt_mini.get_entity("alice")
    assert alice is not None and alice.aliases == ["AE", "阿丽斯"]
    plea = bolt_mini.get_entity("plea")
    assert plea is not None and plea.attributes == {"amount": "USD 4B"}
    r11 = bolt_mini.get_relationship("r11")
    assert r11 is not None and r11.amount == 2_000_000_000.0 and r11.currency == "USD"
    props = raw(bolt_mini, "MATCH (n:Entity {id: 'plea'}) RETURN properties(n) AS p, labels(n) AS l")[0]
    assert props["p"]["attributes"] == '{"amount":"USD 4B"}'  # maps are JSON strings on the server
    assert sorted(props["l"]) == ["Agreement", "Entity"]
    r = raw(bolt_mini, "MATCH ()-[r]->() WHERE r.id = 'r02' RETURN type(r) AS t, properties(r) AS p")[0]
    assert r["t"] == "CEO_OF"
    assert (r["p"]["start_lo"], r["p"]["end_hi"]) == ("2017-07-01", "2023-11-21")


@bolt
@pytest.mark.parametrize(
    ("kind", "offset", "limit"),
    [(None, 0, 5), (None, 5, 5), (None, 10, 5), (None, 50, 5), ("person", 0, 2), ("person", 3, 10),
     ("company", 0, 0), ("nope", 0, 5), (None, -3, 2), (None, 2, -1)],
)  # fmt: skip
def test_list_entities_pages_like_memory(
    bolt_mini: Neo4jStore, memory: MemoryStore, kind: str | None, offset: int, limit: int
) -> None:
    assert bolt_mini.list_entities(kind=kind, offset=offset, limit=limit) == memory.list_entities(
        kind=kind, offset=offset, limit=limit
    )


FILTERS: list[EdgeFilter | None] = [
    None,
    EdgeFilter(),
    make_filter(types=["ceo_of", "founded"]),
    make_filter(exclude_types=["party_to", "ceo_of"]),
    make_filter(categories=["legal", "personal"]),
    make_filter(exclude_categories=["professional"]),
    make_filter(min_status="confirmed"),
    make_filter(min_status="reported"),
    make_filter(min_status="alleged"),
    make_filter(as_of="2022-01-01"),
    make_filter(as_of="2023-11-21"),
    make_filter(as_of="2023-11-22"),
    make_filter(as_of="2025-03-31", unknown_dates="exclude"),
    make_filter(as_of="2017-01-01", unknown_dates="exclude"),
    make_filter(kinds=["company", "person"]),
    make_filter(avoid=["acme", "carol"]),
    make_filter(types=["party_to", "pleaded_guilty"], min_status="confirmed", as_of="2024-01-01"),
    make_filter(categories=["financial"], kinds=["company", "asset"], avoid=["coin"]),
    make_filter(types=["met"]),  # nothing of it at most entities
]


@bolt
@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: "none" if f is None else repr(f)[:60])
def test_adjacent_filters_server_side_like_memory(
    bolt_mini: Neo4jStore, memory: MemoryStore, flt: EdgeFilter | None
) -> None:
    ids = [e.id for e in memory.iter_entities()] + ["nope"]
    for direction in ("out", "in", "both", "sideways"):
        want = memory.adjacent_many(ids, direction=direction, flt=flt)
        assert bolt_mini.adjacent_many(ids, direction=direction, flt=flt) == want, direction
        for i in ("acme", "alice", "lonely", "nope"):
            assert bolt_mini.adjacent(i, direction=direction, flt=flt) == want[i]


@bolt
def test_adjacent_many_is_one_round_trip(bolt_mini: Neo4jStore, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = Neo4jStore._run

    def counting(tx: Any, d: Dialect, text: str, params: dict[str, Any] | None = None) -> Any:
        calls.append(text)
        return real(tx, d, text, params)

    monkeypatch.setattr(bolt_mini, "_run", counting)
    ids = [e.id for e in bolt_mini.iter_entities()]
    calls.clear()
    bolt_mini.adjacent_many(
        ids, flt=make_filter(types=["ceo_of", "founded"], as_of="2020-01-01", avoid=["bob"])
    )
    assert len(calls) == 1


@bolt
def test_long_id_lists(bolt_mini: Neo4jStore, memory: MemoryStore, server: AnyServer) -> None:
    ids = [f"unknown-entity-{i:05d}" for i in range(1500)] + ["alice", "acme"]
    assert bolt_mini.get_entities(ids) == memory.get_entities(ids)
    assert bolt_mini.adjacent_many(ids) == memory.adjacent_many(ids)
    assert bolt_mini.degrees(ids) == memory.degrees(ids)
    big_avoid = make_filter(avoid=[f"x{i:04d}" for i in range(600)] + ["acme"])
    assert bolt_mini.adjacent_many(["alice", "bob"], flt=big_avoid) == memory.adjacent_many(
        ["alice", "bob"], flt=big_avoid
    )
    assert server.is_answering()


# -- shortest paths ------------------------------------------------------------------------------
def bfs_paths(
    store: GraphStore, s: str, t: str, *, directed: bool, flt: EdgeFilter | None, max_hops: int
) -> list[list[Adj]]:
    """Every shortest path by brute force (iterative deepening over ``adjacent``)."""
    direction = "out" if directed else "both"
    for length in range(1, max_hops + 1):
        found: list[list[Adj]] = []

        def dfs(
            u: str, path: list[Adj], seen: set[str], length: int = length, found: list[list[Adj]] = found
        ) -> None:
            if len(path) == length:
                if u == t:
                    found.append(list(path))
                return
            for a in store.adjacent(u, direction=direction, flt=flt):
                if a.other not in seen:
                    dfs(a.other, [*path, a], seen | {a.other})

        dfs(s, [], {s})
        if found:
            return sorted(found, key=lambda p: ([a.other for a in p], p))
    return []


PAIRS = [
    ("alice", "regulator"), ("alice", "coin"), ("bob", "plea"), ("carol", "coin"), ("court", "venture"),
    ("lonely", "alice"), ("carol", "acme"), ("meeting", "court"), ("acme-us", "coin"), ("venture", "coin"),
    ("nope", "acme"),
]  # fmt: skip
PATH_FILTERS: list[EdgeFilter | None] = [
    None,
    make_filter(types=["founded", "ceo_of", "pleaded_guilty", "listed", "invested_in", "owns_stake_in"]),
    make_filter(categories=["professional", "legal"]),
    make_filter(exclude_categories=["personal"]),
    make_filter(types=["met"]),
    make_filter(min_status="confirmed"),
    make_filter(as_of="2024-06-01", unknown_dates="exclude"),
    make_filter(avoid=["acme"]),
    make_filter(kinds=["company", "agency", "agreement", "asset"]),
]


@bolt
@pytest.mark.parametrize("flt", PATH_FILTERS, ids=lambda f: "none" if f is None else repr(f)[:50])
def test_native_shortest_paths_equal_bfs(
    bolt_mini: Neo4jStore, memory: MemoryStore, flt: EdgeFilter | None
) -> None:
    native_runs = 0
    for s, t in PAIRS:
        for directed in (True, False):
            for max_hops in (2, 4):
                want = bfs_paths(memory, s, t, directed=directed, flt=flt, max_hops=max_hops)
                for all_paths in (True, False):
                    got = bolt_mini.native_shortest_paths(
                        s, t, directed=directed, flt=flt, max_hops=max_hops, all_paths=all_paths
                    )
                    if got is None:
                        continue
                    native_runs += 1
                    assert got == (want if all_paths else want[:1]), (s, t, directed, max_hops, all_paths)
    if bolt_mini.dialect.name == "neo4j":
        # Neo4j answers every question itself: undirected, filtered, as-of.
        assert native_runs == len(PAIRS) * 2 * 2 * 2
        return
    types_only = (
        flt is None or flt.min_status is None and flt.as_of is None and flt.kinds is None and not flt.avoid
    )
    # FalkorDB answers directed, type-filtered questions itself; the rest goes to the generic BFS.
    assert (native_runs > 0) == types_only


@bolt
def test_native_shortest_paths_declines_what_falkordb_cannot_do(bolt_mini: Neo4jStore) -> None:
    if bolt_mini.dialect.name == "neo4j":
        got = bolt_mini.native_shortest_paths(
            "alice",
            "coin",
            directed=False,
            flt=make_filter(min_status="reported"),
            max_hops=4,
            all_paths=False,
        )
        assert got is not None and len(got) == 1 and got[0][-1].other == "coin"
        return
    assert (
        bolt_mini.native_shortest_paths(
            "alice", "coin", directed=False, flt=None, max_hops=4, all_paths=False
        )
        is None
    )
    assert (
        bolt_mini.native_shortest_paths(
            "alice", "coin", directed=True, flt=make_filter(min_status="reported"), max_hops=4, all_paths=True
        )
        is None
    )
    assert (
        bolt_mini.native_shortest_paths("alice", "alice", directed=True, flt=None, max_hops=4, all_paths=True)
        is None
    )
    assert (
        bolt_mini.native_shortest_paths("alice", "coin", directed=True, flt=None, max_hops=0, all_paths=True)
        is None
    )
    assert (
        bolt_mini.native_shortest_paths("alice", "coin", directed=True, flt=None, max_hops=1, all_paths=True)
        == []
    )


# -- writes --------------------------------------------------------------------------------------
@bolt
def test_replace_all_twice_leaves_no_duplicates(
    fresh: Neo4jStore, mini_dataset: Dataset, memory: MemoryStore
) -> None:
    before = raw_counts(fresh)
    assert before == {"entity": 12, "source": 3, "meta": 1, "rel": 16}
    fresh.replace_all(mini_dataset)
    assert raw_counts(fresh) == before
    assert snapshot(fresh) == snapshot(memory)
    listing = (
        "CALL db.indexes() YIELD label, properties RETURN label, properties"
        if fresh.dialect.name == "falkordb"
        else "SHOW INDEXES YIELD labelsOrTypes, properties RETURN labelsOrTypes[0] AS label, properties"
    )
    indexed = {(r["label"], p) for r in raw(fresh, listing) for p in r["properties"] or []}
    assert {("Entity", "uid"), ("Entity", "id"), ("Source", "uid"), ("Meta", "key")} <= indexed


@bolt
def test_upserts_are_idempotent(fresh: Neo4jStore, mini_dataset: Dataset) -> None:
    ents = list(mini_dataset.entities.values())[:4]
    rels = list(mini_dataset.relationships.values())[:5]
    before = raw_counts(fresh)
    fresh.upsert(entities=ents, relationships=rels, sources=list(mini_dataset.sources.values()))
    fresh.upsert(entities=ents, relationships=rels)
    assert raw_counts(fresh) == before


class Boom(RuntimeError):
    pass


@bolt
def test_failure_before_the_flip_keeps_the_old_graph(
    fresh: Neo4jStore, server: AnyServer, memory: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(fresh)
    reader = _open(server)
    seen: list[dict[str, Any]] = []

    def flip_fails() -> None:
        # Everything new is written by now; another client still sees the old graph only.
        seen.append(snapshot(reader))
        raise Boom

    monkeypatch.setattr(fresh, "_before_flip", flip_fails)
    bigger = Dataset(
        {"s1": source("s1")},
        {"x": person("x"), "y": company("y"), "alice": person("alice", "Alice Replaced")},
        {"rx": rel("rx", "x", "ceo_of", "y")},
    )
    with pytest.raises(Boom):
        fresh.replace_all(bigger)
    assert seen == [before]
    assert snapshot(fresh) == before == snapshot(memory)
    assert raw_counts(fresh) == {"entity": 12, "source": 3, "meta": 1, "rel": 16}  # debris removed
    reader.close()


@bolt
def test_failure_mid_load_keeps_the_old_graph(fresh: Neo4jStore, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(fresh)
    real = fresh._load
    done: list[int] = []

    def dies_on_third(batch: Any) -> int:
        if len(done) == 2:
            raise Boom
        done.append(1)
        return real(batch)

    monkeypatch.setattr(fresh, "_load", dies_on_third)
    ds = Dataset(
        {"s1": source("s1")}, {"x": person("x"), "y": company("y")}, {"rx": rel("rx", "x", "ceo_of", "y")}
    )
    with pytest.raises(Boom):
        fresh.replace_all(ds)
    assert snapshot(fresh) == before
    assert raw_counts(fresh)["entity"] == 12


@bolt
def test_crash_debris_is_cleared_by_the_next_replace(fresh: Neo4jStore) -> None:
    # A process that died mid-load left nodes of a generation nobody points to.
    fresh._statement(
        "CREATE (:Entity:Person {id: 'ghost', gen: 'dead', uid: 'dead|ghost', kind: 'person', name: 'G'})"
    )
    assert not fresh.has_entity("ghost")  # invisible
    ds = Dataset({"s1": source("s1")}, {"x": person("x")}, {})
    fresh.replace_all(ds)
    assert raw_counts(fresh) == {"entity": 1, "source": 1, "meta": 1, "rel": 0}
    want = MemoryStore(None)
    want.replace_all(ds)
    assert snapshot(fresh) == snapshot(want)


@bolt
def test_a_dangling_or_duplicate_dataset_is_refused_untouched(
    fresh: Neo4jStore, mini_dataset: Dataset
) -> None:
    before = snapshot(fresh)
    dangling = Dataset({"s1": source("s1")}, {"x": person("x")}, {"rx": rel("rx", "x", "ceo_of", "nobody")})
    with pytest.raises(InvalidParameter, match="nobody"):
        fresh.replace_all(dangling)
    dup = Dataset(dict(mini_dataset.sources), dict(mini_dataset.entities), dict(mini_dataset.relationships))
    dup.relationships["zz"] = rel("r01", "alice", "founded", "acme")
    with pytest.raises(InvalidParameter, match="r01"):
        fresh.replace_all(dup)
    assert snapshot(fresh) == before
    assert raw_counts(fresh)["entity"] == 12


# A name may not hold line breaks (graph.guards); everything else that breaks queries is here.
NASTY = "Robert'); MATCH (n) DETACH DELETE n // \"quoted\" })] \\' back\\slash 新しい $x {{x}}"


def _operations() -> list[Callable[[GraphStore], None]]:
    s4 = source("s4", title='It\'s "news" })', summary="Line one\nline two \\ end'")
    nasty = person(
        "nasty",
        NASTY,
        aliases=["O'Brien", "a})b", "back\\slash"],
        description=NASTY + "\n2nd \u2028 line",
        sources=["s4"],
    )
    bob_company = company(
        "bob", "Bob Müller Ltd", sources=["s2"], identifiers={"lei": "X'1", "tickers": ["A", "B"]}
    )
    return [
        lambda st: st.upsert(sources=[s4], entities=[nasty]),
        lambda st: st.upsert(
            relationships=[rel("rn", "nasty", "met", "alice", notes=NASTY + "\n2nd line", sources=["s4"])]
        ),
        lambda st: st.upsert(entities=[bob_company]),  # kind person -> company
        lambda st: st.upsert(relationships=[rel("r03", "bob", "founded", "coin", start="2020-02")]),  # moved
        lambda st: st.upsert(),  # an empty upsert still bumps the version
        lambda st: st.delete(relationships=["r01", "nope"]),
        lambda st: st.delete(entities=["carol", "nope", "carol"]),  # cascades to r09 r10 r12 r15
        lambda st: st.delete(sources=["s4", "nope"]),
        lambda st: st.delete(),
        lambda st: st.upsert(entities=[person("alice", "Alice Again", sources=["s1"])]),  # fields dropped
    ]


@bolt
def test_upsert_and_delete_match_memory_step_by_step(fresh: Neo4jStore, mini_dataset: Dataset) -> None:
    mem = MemoryStore(None)
    mem.replace_all(mini_dataset)
    assert fresh.version == mem.version
    for i, op in enumerate(_operations()):
        op(mem)
        op(fresh)
        got, want = snapshot(fresh), snapshot(mem)
        for key in want:
            assert got[key] == want[key], (i, key)
    labels = raw(fresh, "MATCH (n:Entity {id: 'bob'}) WHERE n.gen IS NOT NULL RETURN labels(n) AS l")
    assert [sorted(r["l"]) for r in labels] == [["Company", "Entity"]]
    assert raw_counts(fresh)["rel"] == mem.stats().relationships


@bolt
def test_parameters_only_names_with_quotes_round_trip(fresh: Neo4jStore, server: AnyServer) -> None:
    ent = person("quoted", NASTY, aliases=["'", "\\", "})", "'; DROP"], sources=["s1"])
    fresh.upsert(entities=[ent])
    assert fresh.get_entity("quoted") == ent
    assert fresh.stats().entities == 13  # nothing was deleted by the name
    by_name = raw(fresh, "MATCH (n:Entity) WHERE n.name = $name RETURN n.id AS id", {"name": NASTY})
    assert [r["id"] for r in by_name] == ["quoted"]
    assert fresh.citing("s1'}) RETURN 1 //") == ([], [])
    assert fresh.adjacent("acme", flt=make_filter(avoid=["x'y", "})"])) == fresh.adjacent("acme")
    assert server.is_answering()


@bolt
def test_values_bigger_than_falkordb_takes_in_one_query(fresh: Neo4jStore, server: AnyServer) -> None:
    long_text = "".join(f"{i:05d} it's \\ long " for i in range(1500))  # ~27 kB
    ent = person(
        "big", "Big", description=long_text, aliases=[f"alias {i} '" for i in range(400)], sources=["s1"]
    )
    src = source("s-big", summary=long_text)
    r = rel("r-big", "big", "associate_of", "alice", notes=long_text, sources=["s1", "s-big"])
    fresh.upsert(sources=[src], entities=[ent], relationships=[r])
    assert fresh.get_entity("big") == ent
    assert fresh.get_source("s-big") == src
    assert fresh.get_relationship("r-big") == r
    mem = MemoryStore(None)
    ds = Dataset(
        {**{s.id: s for s in fresh.iter_sources()}},
        {e.id: e for e in fresh.iter_entities()},
        {x.id: x for x in fresh.iter_relationships()},
    )
    mem.replace_all(ds)
    fresh.replace_all(ds)  # the same through the batch loader
    assert snapshot(fresh) == snapshot(mem)
    assert server.is_answering()


@bolt
def test_upsert_with_unknown_endpoint_is_refused(fresh: Neo4jStore) -> None:
    before = snapshot(fresh)
    with pytest.raises(InvalidParameter, match="nobody"):
        fresh.upsert(relationships=[rel("rz", "alice", "met", "nobody")])
    assert snapshot(fresh) == before


@bolt
def test_clear_empties_the_graph(fresh: Neo4jStore) -> None:
    fresh.clear()
    assert fresh.stats().entities == 0 and list(fresh.iter_relationships()) == []
    assert raw_counts(fresh) == {"entity": 0, "source": 0, "meta": 1, "rel": 0}
    want = MemoryStore(None)
    want.clear()
    assert fresh.version == want.version


@bolt
def test_progress_bar_on_request(
    fresh: Neo4jStore, mini_dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh.progress = True
    fresh.replace_all(mini_dataset)
    assert fresh.stats().relationships == 16
    fresh.progress = None
    monkeypatch.setattr(bolt_writes, "PROGRESS_THRESHOLD", 10)
    fresh.replace_all(mini_dataset)


# -- failures ------------------------------------------------------------------------------------
@bolt
def test_nobody_listening_is_store_unavailable_without_the_password() -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    st = Neo4jStore(uri, user="falkordb", password="s3cret-pw", timeout=2)
    t0 = time.monotonic()
    with pytest.raises(StoreUnavailable) as info:
        st.ping()
    assert uri in str(info.value) and "s3cret-pw" not in str(info.value)
    with pytest.raises(StoreUnavailable):
        st.get_entities(["alice"])
    assert time.monotonic() - t0 < 15
    st.close()
    with pytest.raises(StoreUnavailable, match="closed"):
        st.ping()


@bolt
def test_server_going_down_then_coming_back(
    server: AnyServer, mini_dataset: Dataset, memory: MemoryStore
) -> None:
    st = _open(server)
    st.replace_all(mini_dataset)
    server._terminate()  # the server dies under the store
    with pytest.raises(StoreUnavailable) as info:
        st.get_entities(["alice"])
    assert server.uri in str(info.value) and (server.password or "") not in str(info.value)
    server.ensure_running()  # the fixture's restart (the graph comes back empty)
    if st.uri != server.uri:
        st.close()
        st = _open(server)
    st.replace_all(mini_dataset)
    assert snapshot(st) == snapshot(memory)
    st.close()


@bolt
def test_wrong_credentials(server: AnyServer) -> None:
    assert server.password, "the test server is started with a password"
    other = "neo4j" if server.user == "falkordb" else "falkordb"
    for user, password in ((server.user, "wrong-password"), (other, server.password)):
        st = Neo4jStore(server.uri, user=user, password=password, timeout=3)
        with pytest.raises(StoreUnavailable) as info:
            st.ping()
        assert server.uri in str(info.value) and password not in str(info.value)
        st.close()
    anonymous = Neo4jStore(server.uri, user="neo4j", password="", timeout=3)
    if server.kind == "falkordb":
        # FalkorDB finding: with no credentials at all, its Bolt port lets anyone in even though
        # Redis has a password (the login check is a PING made from inside the server).
        anonymous.ping()
    else:
        with pytest.raises(StoreUnavailable, match="credentials|refused"):
            anonymous.ping()
    anonymous.close()


@bolt
def test_runaway_query_hits_the_client_side_deadline(server: AnyServer, bolt_mini: Neo4jStore) -> None:
    st = _open(server, timeout=0.5)
    st.grace = 0.5
    st.ping()
    t0 = time.monotonic()
    with pytest.raises(QueryTimeout, match=server.uri.replace(".", r"\.")):
        # about 3 s of work on the server: long enough for the deadline, short enough to be done
        # by the next test (FalkorDB cannot cancel it)
        raw(st, "UNWIND range(1, 25000000) AS x WITH x WHERE x % 7 = 0 RETURN count(x) AS c")
    assert time.monotonic() - t0 < 3
    assert st.get_entity("alice") is not None  # a new connection, and the server still answers
    st.close()


def test_describe_hides_credentials_in_the_uri() -> None:
    st = Neo4jStore("bolt://user:pw-in-uri@db.example.org:7687", password="x", database="crypto")
    assert st.describe() == "neo4j store bolt://db.example.org:7687 (database crypto)"
    st.close()


@bolt
def test_open_store_routes_bolt_uris(server: AnyServer) -> None:
    from graph.settings import Settings

    settings = Settings(neo4j_user=server.user, neo4j_password=server.password or "", query_timeout=4)
    st = open_store(settings, store=server.uri)
    assert isinstance(st, Neo4jStore) and st.backend == "neo4j" and st.timeout == 4
    st.ping()
    st.close()


# -- the dialects (no server) --------------------------------------------------------------------
def test_choose_dialect() -> None:
    neo = choose_dialect(
        "Neo4j/5.26.0", [{"name": "Neo4j Kernel", "versions": ["5.26.0"], "edition": "community"}], None
    )
    assert type(neo) is Dialect and neo.version == "5.26.0"
    falkor = choose_dialect("Neo4j/5.13.0", None, ["algo.BFS", "db.labels"])
    assert isinstance(falkor, FalkorDialect)
    assert isinstance(choose_dialect("FalkorDB/4.16.3", None, None), FalkorDialect)
    assert type(choose_dialect("Neo4j/5.13.0", None, None)) is Dialect


def test_falkordb_parameters_are_escaped_and_sized() -> None:
    d = FalkorDialect()
    assert d.encode_params({"x": "a'b\\c", "l": ["'"], "m": {"k": "'"}}) == {
        "x": "a\\'b\\\\c",
        "l": ["\\'"],
        "m": {"k": "\\'"},
    }
    with pytest.raises(TypeError):
        d.encode_params({"f": 0.1})
    text = "RETURN $x AS x"
    assert d.query_size(text, {"x": "ab"}) == len("CYPHER x='ab' RETURN $x AS x") + 1
    assert d.query_size(text, {}) == 0
    assert Dialect().encode_params({"x": "a'b"}) == {"x": "a'b"} and Dialect().fits(text, {"x": "y" * 10**6})


def test_neo4j_dialect_shortest_paths_text() -> None:
    d = Dialect()
    flt = make_filter(types=["founded", "ceo_of"], min_status="reported", as_of="2020-01-01", avoid=["x'y"])
    plan = d.shortest_paths(directed=False, all_paths=False, max_hops=4, flt=flt)
    assert isinstance(plan, PathPlan) and plan.query
    assert "allShortestPaths((a)-[:CEO_OF|FOUNDED*1..4]-(z))" in plan.query
    assert "all(r IN relationships(p) WHERE r.status IN $statuses" in plan.query
    assert "all(x IN nodes(p) WHERE x = a OR (NOT x.id IN $avoid))" in plan.query
    assert "x'y" not in plan.query and plan.params["avoid"] == ["x'y"]
    directed = d.shortest_paths(directed=True, all_paths=True, max_hops=3, flt=None)
    assert directed is not None and "allShortestPaths((a)-[*1..3]->(z))" in directed.query
    none = d.shortest_paths(
        directed=True, all_paths=True, max_hops=3, flt=make_filter(types=["met"], exclude_types=["met"])
    )
    assert none is not None and none.impossible
    falkor = FalkorDialect().shortest_paths(directed=True, all_paths=False, max_hops=3, flt=None)
    assert falkor is not None and falkor.paths_of_length is not None
    assert "-[*2..2]->" in falkor.paths_of_length(2)


def test_edge_conditions_cover_every_filter_field() -> None:
    conds, params = edge_conditions(
        make_filter(categories=["legal"], min_status="alleged", as_of="2021-05-05")
    )
    assert len(conds) == 3 and set(params) == {"types", "statuses", "as_of", "unknown_ok"}
    assert edge_conditions(None) == ([], {}) and edge_conditions(EdgeFilter()) == ([], {})


def test_entity_json_fields_are_the_dict_fields() -> None:
    dict_fields = {n for n, f in Entity.model_fields.items() if "dict" in str(f.annotation)}
    assert set(neo4j_module.ENTITY_JSON_FIELDS) == dict_fields
    for model in (Relationship, Source):  # these are stored whole as JSON (``data``): only the
        # importers' ``attributes`` are dicts, and no Bolt property is made of them
        assert {n for n, f in model.model_fields.items() if "dict" in str(f.annotation)} == {"attributes"}
