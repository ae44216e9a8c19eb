"""Exports of ``Subgraph`` values (``graph/export.py``) and their round trips through ingestion."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import networkx as nx
import pytest

from graph.errors import InvalidParameter, InvalidRecord
from graph.export import (
    CYPHER_BATCH,
    FORMATS,
    cypher_literal,
    export,
    paths_subgraph,
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
from graph.model import Entity, Relationship, Source, Subgraph, dump
from graph.queries.neighbourhood import neighbourhood
from graph.queries.paths import find_paths
from graph.store.memory import MemoryStore
from graph.testing import MINI_DIR, mini_store
from graph.vocabulary import EntityKind


def dumps(ds: Dataset) -> dict[str, dict[str, dict[str, object]]]:
    return {
        t: {k: dump(v) for k, v in getattr(ds, t).items()} for t in ("sources", "entities", "relationships")
    }


def as_dataset(sub: Subgraph) -> Dataset:
    return Dataset(dict(sub.sources), {e.id: e for e in sub.nodes}, {r.id: r for r in sub.edges})


def unzip(data: bytes, where: Path) -> Path:
    zipfile.ZipFile(io.BytesIO(data)).extractall(where)
    return where


@pytest.fixture(scope="module")
def mini() -> Subgraph:
    return self_contained(mini_store(), whole_graph(mini_store()))


def test_whole_graph_holds_everything(mini: Subgraph) -> None:
    assert (len(mini.nodes), len(mini.edges), len(mini.sources)) == (12, 16, 3)


def test_csv_zip_round_trips_through_load_dataset(mini: Subgraph, tmp_path: Path) -> None:
    data = to_csv_zip(mini)
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == [
        "sources.csv",
        "entities.csv",
        "relationships.csv",
    ]
    again = load_dataset(unzip(data, tmp_path / "x"))
    assert dumps(again) == dumps(load_dataset(MINI_DIR))


def test_csv_zip_is_byte_for_byte_stable(mini: Subgraph) -> None:
    assert to_csv_zip(mini) == to_csv_zip(mini)


def test_entity_attributes_become_columns(mini: Subgraph) -> None:
    text = zipfile.ZipFile(io.BytesIO(to_csv_zip(mini))).read("entities.csv").decode()
    header, *rows = text.splitlines()
    assert (
        header
        == "id,kind,name,aliases,description,country,jurisdiction,founded,website,identifiers,sources,amount"
    )
    assert "alice,person,Alice Example,AE;阿丽斯,,Canada,,,,,s1," in rows
    assert "plea,agreement,Acme plea agreement,,,,,,,,s1,USD 4B" in rows


def tricky_dataset() -> Dataset:
    """Records a CSV cell cannot carry exactly, next to plain ones."""
    srcs = [
        Source(id="s1", title="Plain"),
        Source(id="s2", title="Has, commas\nand a newline", summary="  "),
    ]
    ents = [
        Entity(id="plain", kind="person", name="Plain Person", aliases=["P. P."], sources=["s1"]),
        Entity(id="semi", kind="company", name="Semi", aliases=["A;B"], sources=["s1"]),
        Entity(id="attr", kind="company", name="Attr", attributes={"name": "clash"}, sources=["s1"]),
        Entity(id="ids", kind="company", name="Ids", identifiers={"lei": ["1", "2"]}, sources=["s1", "s2"]),
        Entity(
            id="quote", kind="event", name='The "big" day', description="line one\nline two", sources=["s2"]
        ),
    ]
    rels = [
        Relationship(
            id="r1",
            source="plain",
            target="semi",
            type="advised",
            status="reported",
            notes='said "no", twice',
            amount=1.5,
            currency="EUR",
            sources=["s1"],
        ),
        Relationship(
            id="r2",
            source="semi",
            target="attr",
            type="merged_with",
            status="confirmed",
            role="",
            sources=["s2"],
        ),
    ]
    return Dataset({s.id: s for s in srcs}, {e.id: e for e in ents}, {r.id: r for r in rels})


def tricky_store() -> MemoryStore:
    store = MemoryStore(None)
    store.replace_all(tricky_dataset())
    return store


def test_records_a_cell_cannot_carry_go_to_jsonl(tmp_path: Path) -> None:
    store = tricky_store()
    data = to_csv_zip(self_contained(store, whole_graph(store)))
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert zf.namelist() == [
        "sources.csv",
        "entities.csv",
        "relationships.csv",
        "sources/extra.jsonl",
        "entities/extra.jsonl",
        "relationships/extra.jsonl",
    ]
    extra_ids = [json.loads(line)["id"] for line in zf.read("entities/extra.jsonl").decode().splitlines()]
    assert extra_ids == ["attr", "ids", "semi"]
    again = load_dataset(unzip(data, tmp_path / "x"))
    assert dumps(again) == dumps(tricky_dataset())


def test_node_link_round_trip(mini: Subgraph) -> None:
    doc = to_node_link(mini)
    assert doc["directed"] and doc["multigraph"]
    assert doc["links"][0] == {**dump(mini.edges[0]), "key": "r01", "category": "professional"}
    assert dumps(read_node_link(json.loads(json.dumps(doc)))) == dumps(load_dataset(MINI_DIR))
    store = tricky_store()
    tricky = to_node_link(whole_graph(store))
    assert dumps(read_node_link(tricky)) == dumps(tricky_dataset())


def test_node_link_problems_are_all_reported(mini: Subgraph) -> None:
    doc = to_node_link(mini)
    doc["nodes"] = [n for n in doc["nodes"] if n["id"] != "bob"] + ["junk"]
    with pytest.raises(InvalidRecord) as err:
        read_node_link(doc)
    assert [(p.file, p.field, p.message) for p in err.value.problems] == [
        ("node-link JSON nodes[11]", None, "expected an object"),
        ("node-link JSON links[2]", "source", "unknown entity 'bob'"),
        ("node-link JSON links[9]", "target", "unknown entity 'bob'"),
    ]
    with pytest.raises(InvalidRecord):
        read_node_link([1, 2])


def test_graphml_keeps_every_field(mini: Subgraph) -> None:
    g = nx.read_graphml(io.BytesIO(to_graphml(mini, title="mini")), force_multigraph=True)
    assert (g.number_of_nodes(), g.number_of_edges()) == (12, 16)
    assert g.graph["name"] == "mini"
    assert json.loads(g.graph["sources"])[0]["id"] == "s1"
    assert g.nodes["alice"] == {
        "kind": "person",
        "name": "Alice Example",
        "aliases": '["AE", "阿丽斯"]',
        "country": "Canada",
        "sources": '["s1"]',
    }
    assert g.nodes["plea"]["attributes"] == '{"amount": "USD 4B"}'
    r11 = g.edges["venture", "acme", "r11"]
    assert (r11["type"], r11["category"], r11["amount"], r11["currency"]) == (
        "invested_in",
        "financial",
        2e9,
        "USD",
    )
    assert g.edges["alice", "carol", "r15"]["denied_by"] == '["alice"]'


def gexf_edges(data: bytes) -> dict[str, dict[str, str]]:
    ns = {"g": "http://www.gexf.net/1.2draft"}
    root = ET.fromstring(data)
    return {e.attrib["id"]: e.attrib for e in root.iterfind(".//g:edges/g:edge", ns)}


def test_gexf_dates_are_time_intervals(mini: Subgraph) -> None:
    data = to_gexf(mini)
    root = ET.fromstring(data)
    graph = root.find("{http://www.gexf.net/1.2draft}graph")
    assert graph is not None
    assert graph.attrib == {"mode": "dynamic", "defaultedgetype": "directed", "timeformat": "date"}
    edges = gexf_edges(data)
    # Partial dates widen to whole days: 2017 -> 2017-01-01, 2017-07 -> 2017-07-01, 2024-02 -> 2024-02-01.
    assert {k: edges["r01"][k] for k in ("start",)} == {"start": "2017-01-01"}
    assert (edges["r02"]["start"], edges["r02"]["end"]) == ("2017-07-01", "2023-11-21")
    assert edges["r08"]["start"] == "2024-02-01"
    assert "start" not in edges["r04"] and "end" not in edges["r04"]
    assert edges["r05"]["label"] == "pleaded_guilty"
    g = nx.read_gexf(io.BytesIO(data))
    assert g.number_of_nodes() == 12
    assert g.nodes["acme"]["label"] == "Acme Exchange"


def test_xml_drops_characters_xml_forbids() -> None:
    # Validation refuses control characters; a record that bypassed it (another store, an old
    # workspace) must still export as well-formed XML.
    with pytest.raises(ValueError, match="control character U\\+0007"):
        Entity(id="x", kind="person", name="Bell\x07 Person", sources=["s1"])
    ent = Entity.model_construct(id="x", kind=EntityKind.PERSON, name="Bell\x07 Person", sources=["s1"])
    sub = Subgraph(nodes=[ent], edges=[], sources={"s1": Source(id="s1", title="t")})
    for data in (to_graphml(sub), to_gexf(sub)):
        assert b"\x07" not in data
        ET.fromstring(data)


def unquote(literal: str) -> str:
    """Decode a Cypher string literal as Neo4j reads it (the escapes ``cypher_literal`` writes)."""
    assert literal[0] == literal[-1] == "'"
    body = literal[1:-1]
    return re.sub(
        r"\\(u[0-9a-f]{4}|.)",
        lambda m: (
            chr(int(m.group(1)[1:], 16))
            if len(m.group(1)) == 5
            else {"n": "\n", "r": "\r", "t": "\t"}.get(m.group(1), m.group(1))
        ),
        body,
    )


@pytest.mark.parametrize(
    "text", ["plain", "it's", "back\\slash", "line\nbreak\ttab", "\\'", "Müller 阿丽斯", "\x00\u2028"]
)
def test_cypher_strings_are_escaped(text: str) -> None:
    literal = cypher_literal(text)
    assert "\n" not in literal
    assert unquote(literal) == text


def test_cypher_literals() -> None:
    assert cypher_literal(["a", "b'"]) == "['a', 'b\\'']"
    assert (
        cypher_literal({"id": "x", "n": 2.5, "ok": True, "none": None})
        == "{`id`: 'x', `n`: 2.5, `ok`: true, `none`: null}"
    )
    assert cypher_literal(float("nan")) == "null"


def test_cypher_script(mini: Subgraph) -> None:
    lines = to_cypher(mini, title="mini").splitlines()
    assert lines[:3] == [
        "// mini: 12 entities, 16 relationships, 3 sources. Load with: cypher-shell -f <file>",
        "CREATE CONSTRAINT cryptokg_entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;",
        "CREATE CONSTRAINT cryptokg_source_id IF NOT EXISTS FOR (n:Source) REQUIRE n.id IS UNIQUE;",
    ]
    assert all(line.endswith(";") for line in lines[1:])
    labels = sorted(re.findall(r"SET n:(\w+),", "\n".join(lines)))
    assert labels == ["Agency", "Agreement", "Asset", "Company", "Court", "Event", "Person"]
    types = sorted(re.findall(r"\[r:(\w+) \{id: row.id\}\]", "\n".join(lines)))
    assert len(types) == 14 and "PLEADED_GUILTY" in types
    plea = next(line for line in lines if "n:Agreement" in line)
    assert '`attributes`: \'{"amount": "USD 4B"}\'' in plea


def test_cypher_batches_long_lists() -> None:
    src = Source(id="s1", title="t")
    ents = [
        Entity(id=f"e{i:04d}", kind="person", name=f"P{i}", sources=["s1"]) for i in range(CYPHER_BATCH + 1)
    ]
    lines = to_cypher(Subgraph(nodes=ents, edges=[], sources={"s1": src})).splitlines()
    assert sum("SET n:Person" in line for line in lines) == 2


def test_paths_subgraph_and_self_contained() -> None:
    store = mini_store()
    res = find_paths(store, "carol", "acme", mode="all")
    sub = paths_subgraph(res)
    assert [n.id for n in sub.nodes] == ["acme", "alice", "bob", "carol", "regulator", "venture"]
    assert [e.id for e in sub.edges] == ["r01", "r03", "r05", "r09", "r10", "r11", "r12", "r15"]
    assert sub.center == ["carol", "acme"]
    # r15 is denied by alice, who is on the path; the paths cite s1, s2, s3.
    assert list(self_contained(store, sub).sources) == ["s1", "s2", "s3"]


def test_self_contained_adds_deniers_and_entity_sources(tmp_path: Path) -> None:
    store = mini_store()
    sub = neighbourhood(store, "carol", types=["met"])  # carol and alice through r15
    assert [n.id for n in sub.nodes] == ["alice", "carol"] and list(sub.sources) == ["s3"]
    full = self_contained(store, sub)
    assert list(full.sources) == ["s1", "s3"]
    carol, r15 = store.get_entity("carol"), store.get_relationship("r15")
    assert carol is not None and r15 is not None
    only_r15 = Subgraph(nodes=[carol], edges=[r15])
    assert [n.id for n in self_contained(store, only_r15).nodes] == ["alice", "carol"]
    ds = load_dataset(unzip(to_csv_zip(full), tmp_path / "n"))
    assert sorted(ds.entities) == ["alice", "carol"]


def test_every_format_exports(mini: Subgraph) -> None:
    for name in FORMATS:
        assert export(mini, name)
    with pytest.raises(InvalidParameter, match="unknown format 'pdf'"):
        export(mini, "pdf")


def test_dataset_helper_matches(mini: Subgraph) -> None:
    assert dumps(as_dataset(mini)) == dumps(load_dataset(MINI_DIR))
