# ruff: noqa: F811 - the fixtures imported from test_neo4j are requested by name
"""The Bolt store's native walking (graph/store/bolt_traversal.py) equals the generic walks.

On both servers: ``edges_between``, ``edges_among``, ``capped_layers``, ``common_neighbours`` and
relationship lookups through remembered ends give exactly what the embedded store (and the
generic code of ``GraphStore``) gives, for every filter of the store tests.
"""

from __future__ import annotations

import pytest

from graph.filters import EdgeFilter
from graph.queries.common import common_connections
from graph.store.base import GraphStore
from graph.store.memory import MemoryStore
from graph.store.neo4j import Neo4jStore
from tests.graph.store.test_neo4j import (  # noqa: F401 - fixtures used by name
    FILTERS,
    _close_shared_stores,
    bolt_mini,
    memory,
    raw,
    server,
)

pytestmark = pytest.mark.bolt

IDS = ["acme", "alice", "bob", "carol", "coin", "court", "lonely", "regulator", "venture", "plea"]


@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: "none" if f is None else repr(f)[:60])
def test_edges_between_and_among_equal_the_generic_walk(
    bolt_mini: Neo4jStore, memory: MemoryStore, flt: EdgeFilter | None
) -> None:
    for a in IDS:
        for b in IDS:
            for direction in ("out", "in", "both"):
                want = GraphStore.edges_between(memory, a, b, direction=direction, flt=flt)
                assert bolt_mini.edges_between(a, b, direction=direction, flt=flt) == want, (a, b, direction)
    for group in (IDS, IDS[:4], ["alice"], []):
        assert bolt_mini.edges_among(group, flt=flt) == GraphStore.edges_among(memory, group, flt=flt)


@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: "none" if f is None else repr(f)[:60])
def test_capped_layers_equal_the_generic_walk(
    bolt_mini: Neo4jStore, memory: MemoryStore, flt: EdgeFilter | None
) -> None:
    for centers in (["acme"], ["alice", "court"], ["lonely"]):
        for depth in (1, 2, 3):
            for direction in ("both", "out", "in"):
                for cap in (2, 4, 6, 50):
                    if cap < len(centers):
                        continue
                    kw = {"depth": depth, "direction": direction, "flt": flt, "max_nodes": cap}
                    want = GraphStore.capped_layers(memory, centers, **kw)  # type: ignore[arg-type]
                    assert bolt_mini.capped_layers(centers, **kw) == want, (centers, kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: "none" if f is None else repr(f)[:60])
def test_common_connections_equal_the_generic_walk(
    bolt_mini: Neo4jStore, memory: MemoryStore, flt: EdgeFilter | None
) -> None:
    for group in (["bob", "regulator"], ["alice", "bob", "venture"], ["acme", "carol"], ["lonely", "acme"]):
        want = common_connections(memory, group, flt=flt)
        assert common_connections(bolt_mini, group, flt=flt) == want, group
    if bolt_mini.dialect.name == "neo4j":
        got = bolt_mini.common_neighbours(["bob", "regulator"], flt=flt)
        assert got is not None  # answered by the server
        assert all(set(vias) == {"bob", "regulator"} for vias in got.values())


def test_relationship_lookups_by_remembered_ends(bolt_mini: Neo4jStore, memory: MemoryStore) -> None:
    rels = [r.id for r in memory.iter_relationships()]
    bolt_mini.adjacent_many(IDS)  # remembers the ends of every relationship it saw
    assert set(rels) <= set(bolt_mini._hints)
    assert bolt_mini.get_relationships([*rels, "nope"]) == memory.get_relationships([*rels, "nope"])
    # A wrong hint costs a scan, never a wrong answer.
    bolt_mini._hint("r01", "court", "lonely")
    assert bolt_mini.get_relationships(["r01"]) == memory.get_relationships(["r01"])
    real = raw(bolt_mini, "MATCH (a)-[r]->(b) WHERE r.id = 'r01' RETURN a.id AS a, b.id AS b")[0]
    bolt_mini._hint("r01", real["a"], real["b"])
