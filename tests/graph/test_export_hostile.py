"""Exports are data, never code: hostile names through every format, read back by the real
consumer of each (networkx's readers, our ingest for the CSV zip and node-link JSON, a FalkorDB
server for the Cypher script)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from neo4j import Driver, GraphDatabase

from graph.export import (
    read_node_link,
    self_contained,
    to_csv_zip,
    to_cypher,
    to_gexf,
    to_graphml,
    to_node_link,
    whole_graph,
)
from graph.ingest.pipeline import load_dataset
from graph.ingest.validate import Dataset
from graph.model import Entity, Relationship, Source, Subgraph
from graph.store.base import GraphStore
from graph.store.memory import MemoryStore
from graph.vocabulary import EntityKind
from tests.bolt_server import BoltServer, BoltServerUnavailable

#: Names that have broken exports somewhere: quotes, escapes, comment and formula starts, markup,
#: bidi controls, emoji, separators that some line readers split on.
HOSTILE = [
    'O\'Brien "Bob"',
    "back\\slash\\",
    "*/ DROP /*",
    "// MATCH (n) DETACH DELETE n",
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    "'=already quoted",
    "<script>alert(1)</script> & </graphml>",
    "\u202eevil\u202c RTL",
    "🚀 Rocket 阿丽斯 Zhao",
    "back`tick` name",
    "${injection} {{ jinja }}",
]


def _sub(names: list[str]) -> Subgraph:
    src = Source(id="s1", title='Source "one" <b>', url="https://example.org/a?b=1&c=2")
    ents = [
        Entity(id=f"e{i}", kind="person", name=n, aliases=[n], sources=["s1"]) for i, n in enumerate(names)
    ]
    rels = [
        Relationship(
            id=f"r{i}",
            source=f"e{i}",
            target=f"e{i + 1}",
            type="associate_of",
            role=names[i],
            notes=f"{names[i + 1]}\u2028second line\u2029para\nthird",
            status="reported",
            sources=["s1"],
        )
        for i in range(len(names) - 1)
    ]
    return Subgraph(nodes=ents, edges=rels, sources={"s1": src})


def _names(sub: Subgraph) -> dict[str, str]:
    return {e.id: e.name for e in sub.nodes}


def _via_json(sub: Subgraph) -> dict[str, str]:
    ds = read_node_link(json.loads(json.dumps(to_node_link(sub))))
    return {i: e.name for i, e in ds.entities.items()}


def _via_graphml(sub: Subgraph) -> dict[str, str]:
    g = nx.read_graphml(io.BytesIO(to_graphml(sub)))
    return {n: d["name"] for n, d in g.nodes(data=True)}


def _via_gexf(sub: Subgraph) -> dict[str, str]:
    g = nx.read_gexf(io.BytesIO(to_gexf(sub)))
    return {n: d["label"] for n, d in g.nodes(data=True)}


def _via_csv_zip(sub: Subgraph, folder: Path) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(to_csv_zip(sub))) as zf:
        zf.extractall(folder)
    ds = load_dataset(folder)
    roles = {r.id: (r.role, r.notes) for r in ds.relationships.values()}
    assert roles == {r.id: (r.role, r.notes) for r in sub.edges}
    return {i: e.name for i, e in ds.entities.items()}


def test_hostile_names_survive_every_file_format(tmp_path: Path) -> None:
    sub = _sub(HOSTILE)
    want = _names(sub)
    assert _via_json(sub) == want
    assert _via_graphml(sub) == want
    assert _via_gexf(sub) == want
    assert _via_csv_zip(sub, tmp_path / "csv") == want


def test_csv_cells_that_look_like_formulas_are_quoted(tmp_path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(to_csv_zip(_sub(HOSTILE)))) as zf:
        text = zf.read("entities.csv").decode()
    cells = [c for line in text.splitlines()[1:] for c in line.split(",")]
    # No cell a spreadsheet would evaluate: every one that starts like a formula got a quote.
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert "'=cmd|' /C calc'!A0" in text


def test_jsonl_records_with_line_separators_reingest(tmp_path: Path) -> None:
    # An empty alias sends the entity to entities/extra.jsonl, which then holds U+2028/9.
    ent = Entity(
        id="sep", kind="person", name="Sep", description="A\u2028B\u2029C", aliases=["x;y"], sources=["s1"]
    )
    sub = Subgraph(nodes=[ent], edges=[], sources={"s1": Source(id="s1", title="t")})
    with zipfile.ZipFile(io.BytesIO(to_csv_zip(sub))) as zf:
        assert "entities/extra.jsonl" in zf.namelist()
        raw = zf.read("entities/extra.jsonl")
        zf.extractall(tmp_path / "z")
    assert "\u2028".encode() not in raw  # escaped, so line-splitting readers cannot break it
    ds = load_dataset(tmp_path / "z")
    assert ds.entities["sep"].description == "A\u2028B\u2029C"


# -- Cypher into a real server -------------------------------------------------------------------
@pytest.fixture(scope="module")
def falkor() -> Iterator[Driver]:
    """A FalkorDB server of this module's own, and one driver for all its loads."""
    server = BoltServer()
    try:
        server.start()
    except BoltServerUnavailable as exc:
        server.stop()
        pytest.fail(f"no Bolt test server: {exc}")
    driver = GraphDatabase.driver(server.uri, auth=(server.user, server.password or ""))
    try:
        yield driver
    finally:
        driver.close()
        server.stop()


def _load_cypher(driver: Driver, script: str) -> dict[str, str]:
    """Run the script statement by statement (FalkorDB has no schema statements in Cypher)."""
    with driver.session() as session:
        session.run("MATCH (n) DETACH DELETE n").consume()
        session.run("CREATE (:Canary {id: 'canary'})").consume()
        for line in script.splitlines():
            if not line.strip() or line.startswith("//") or line.startswith("CREATE CONSTRAINT"):
                continue
            session.run(line).consume()
        rows = session.run("MATCH (n:Entity) RETURN n.id AS id, n.name AS name").data()
        canary = session.run("MATCH (c:Canary) RETURN count(c) AS n").single()
    assert canary is not None and canary["n"] == 1, "the script deleted a node it did not create"
    return {r["id"]: r["name"] for r in rows}


@pytest.mark.bolt
def test_cypher_export_of_hostile_names_loads_as_data(falkor: Driver) -> None:
    # The path export's comment carries entity names; a newline in one used to end the comment.
    bad = "Mallory\nMATCH (n) DETACH DELETE n;\n//"
    ent = Entity.model_construct(
        id="mallory",
        kind=EntityKind.PERSON,
        name=bad,
        aliases=[],
        sources=["s1"],
        identifiers={},
        attributes={},
    )
    sub = _sub(HOSTILE)
    sub.nodes.append(ent)
    script = to_cypher(sub, title=f"cryptokg: path from {bad} to Bob")
    assert all(line.startswith(("//", "CREATE CONSTRAINT", "UNWIND")) for line in script.splitlines())
    got = _load_cypher(falkor, script)
    assert got == _names(sub)


hostile_text = st.text(
    alphabet=st.sampled_from(list("aZ09 '\"\\`;,:/*=+-@<>&{}$|!é阿🚀") + ["\u202e", "\u00a0"]),
    min_size=1,
    max_size=24,
).filter(lambda s: s.strip() == s and s != "")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(hostile_text, min_size=2, max_size=5, unique=True))
def test_property_every_format_reads_back_exactly(
    tmp_path_factory: pytest.TempPathFactory, names: list[str]
) -> None:
    sub = _sub(names)
    want = _names(sub)
    assert _via_json(sub) == want
    assert _via_graphml(sub) == want
    assert _via_gexf(sub) == want
    assert _via_csv_zip(sub, tmp_path_factory.mktemp("csv")) == want
    assert all(
        ln.startswith(("//", "CREATE", "UNWIND")) for ln in to_cypher(sub, title=names[0]).splitlines()
    )


@pytest.mark.bolt
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(hostile_text, min_size=2, max_size=4, unique=True))
def test_property_cypher_reads_back_exactly_in_falkordb(falkor: Driver, names: list[str]) -> None:
    sub = _sub(names)
    assert _load_cypher(falkor, to_cypher(sub, title=names[0])) == _names(sub)


def _hostile_dataset() -> Dataset:
    sub = _sub(HOSTILE)
    return Dataset(
        sources=dict(sub.sources),
        entities={e.id: e for e in sub.nodes},
        relationships={r.id: r for r in sub.edges},
    )


@pytest.mark.bolt
@pytest.mark.parametrize("backend", ["embedded", "bolt"])
def test_hostile_names_through_each_store_and_back(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    ds = _hostile_dataset()
    if backend == "embedded":
        store: GraphStore = MemoryStore(tmp_path / "ws")
        store.replace_all(ds)
        store = MemoryStore(tmp_path / "ws")  # read back from the workspace file
    else:
        store = request.getfixturevalue("bolt_store_factory")("hostile", ds)
    sub = self_contained(store, whole_graph(store))
    want = {i: e.name for i, e in ds.entities.items()}
    assert _names(sub) == want
    assert {r.id: (r.role, r.notes) for r in sub.edges} == {
        r.id: (r.role, r.notes) for r in ds.relationships.values()
    }
    assert _via_json(sub) == want
    assert _via_graphml(sub) == want
    assert _via_gexf(sub) == want
    assert _via_csv_zip(sub, tmp_path / "csv") == want
