"""The Cypher export (``format=cypher``) loads into a real Neo4j 5 server and gives the graph back.

The script is run statement by statement over Bolt, as ``cypher-shell -f`` runs it (each statement
in its own auto-commit transaction), into a Neo4j server of its own; then every node and
relationship on the server is turned back into a record and compared with the exported ones:
counts, every property, labels and relationship types, and the sources cited.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from neo4j import GraphDatabase

from graph.export import export, whole_graph
from graph.ingest.validate import Dataset
from graph.model import Entity, Relationship, Source
from graph.store.memory import MemoryStore
from graph.vocabulary import label_for_kind, neo4j_rel_type
from tests.bolt_fixtures import start_server
from tests.factory import person, rel, source
from tests.neo4j_server import Neo4jServer

pytestmark = pytest.mark.bolt

NASTY = 'O\'Brien \\ back\\slash "q" })] // MATCH (n) DETACH DELETE n; 新しい $x'
#: Free text (descriptions, notes, titles, summaries) may span lines, U+2028 included.
NASTY_TEXT = NASTY + "\nsecond line \u2028 third"


@pytest.fixture(scope="module")
def server() -> Iterator[Neo4jServer]:
    srv = start_server("neo4j")
    assert isinstance(srv, Neo4jServer)
    yield srv
    srv.stop()


def _load(server: Neo4jServer, script: str) -> None:
    with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        with driver.session() as s:
            s.run("MATCH (n) DETACH DELETE n").consume()
            for line in script.splitlines():
                if line.strip() and not line.startswith("//"):
                    assert line.endswith(";"), line[:80]
                    s.run(line[:-1]).consume()  # type: ignore[arg-type]


def _read_back(server: Neo4jServer) -> tuple[dict[str, Entity], dict[str, Relationship], dict[str, Source]]:
    with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        nodes = driver.execute_query("MATCH (n) RETURN labels(n) AS l, properties(n) AS p").records
        rels = driver.execute_query(
            "MATCH (a)-[r]->(b) RETURN type(r) AS t, properties(r) AS p, a.id AS a, b.id AS b"
        ).records
    ents: dict[str, Entity] = {}
    srcs: dict[str, Source] = {}
    for rec in nodes:
        props: dict[str, Any] = dict(rec["p"])
        if "Source" in rec["l"]:
            assert rec["l"] == ["Source"]
            srcs[props["id"]] = Source.model_validate(props)
            continue
        for k in ("identifiers", "attributes"):
            if k in props:
                props[k] = json.loads(props[k])
        ent = Entity.model_validate(props)
        assert sorted(rec["l"]) == sorted(["Entity", label_for_kind(ent.kind.value)]), ent.id
        ents[ent.id] = ent
    out: dict[str, Relationship] = {}
    for rec in rels:
        props = dict(rec["p"])
        assert props.pop("category") is not None
        r = Relationship.model_validate({**props, "source": rec["a"], "target": rec["b"]})
        assert rec["t"] == neo4j_rel_type(r.type), r.id
        out[r.id] = r
    return ents, out, srcs


def _round_trip(server: Neo4jServer, ds: Dataset) -> None:
    store = MemoryStore(None)
    store.replace_all(ds)
    script = export(whole_graph(store), "cypher").decode()
    _load(server, script)
    _load(server, script)  # loading twice gives the same graph (MERGE)
    ents, rels, srcs = _read_back(server)
    assert (len(ents), len(rels), len(srcs)) == (len(ds.entities), len(ds.relationships), len(ds.sources))
    assert ents == dict(ds.entities)
    assert rels == dict(ds.relationships)
    assert srcs == dict(ds.sources)


def test_the_mini_graph_round_trips_through_neo4j(server: Neo4jServer, mini_dataset: Dataset) -> None:
    _round_trip(server, mini_dataset)


def test_the_bundled_dataset_round_trips_through_neo4j(server: Neo4jServer, bundled_dataset: Dataset) -> None:
    _round_trip(server, bundled_dataset)


def test_awkward_text_round_trips_through_neo4j(server: Neo4jServer) -> None:
    ds = Dataset(
        {"s1": source("s1", title=NASTY_TEXT, summary=NASTY_TEXT)},
        {
            "a": person("a", NASTY, aliases=[NASTY, "x'y"], description=NASTY_TEXT, sources=["s1"]),
            "b": person("b", "B", sources=["s1"]),
        },
        {"r1": rel("r1", "a", "met", "b", notes=NASTY_TEXT, sources=["s1"])},
    )
    _round_trip(server, ds)
