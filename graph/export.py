"""Exports of neutral ``Subgraph`` values: node-link JSON, GraphML, GEXF, CSV (zip) and Cypher.

Every format is written from a ``Subgraph`` (entities, relationships, the sources they cite),
never from a store, so a neighbourhood, a path result and the whole graph export the same way.
``self_contained`` completes a subgraph so that its export can be ingested on its own.

Round trips:

- ``csv``: a zip of ``sources.csv``, ``entities.csv`` and ``relationships.csv`` in the layout
  ``cryptokg ingest`` reads (``graph/ingest/readers.py``). Unzip it and ingest the folder. A
  record that a CSV cell cannot carry exactly (an alias containing ``;``, an attribute named like
  an entity column, an empty string, a list of identifiers) goes to ``<kind>/extra.jsonl``
  instead, which the same reader loads, so nothing is lost.
- ``json``: node-link JSON (``nodes``, ``links``, plus ``sources``) as D3 and networkx read it;
  ``read_node_link`` turns it back into a validated ``Dataset`` (the API's bulk ingest accepts it).
- ``graphml`` and ``gexf`` keep every field (lists and maps as JSON text) for Gephi, yEd and
  Cytoscape; GEXF carries relationship dates as time intervals (``start``/``end``, partial dates
  widened to whole days: ``2023-11`` starts on 2023-11-01 and ends on 2023-11-30).
- ``cypher``: a script for Neo4j 5 (``cypher-shell -f``): uniqueness constraints, then ``MERGE``
  statements, so loading it twice gives the same graph.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

from graph.dates import date_bounds
from graph.errors import InvalidParameter, InvalidRecord
from graph.export_cypher import CYPHER_BATCH, cypher_comment, cypher_literal, cypher_name, to_cypher
from graph.ingest.readers import ENTITY_COLUMNS, NODE_LINK_EXTRA, csv_safe, records_from_document
from graph.ingest.validate import Dataset, validate_records
from graph.model import Entity, Relationship, Source, Subgraph, dump
from graph.results import PathResult
from graph.store.base import GraphStore

__all__ = [
    "CYPHER_BATCH",
    "FORMATS",
    "Format",
    "cypher_comment",
    "cypher_literal",
    "cypher_name",
    "export",
    "paths_subgraph",
    "read_node_link",
    "self_contained",
    "to_csv_zip",
    "to_cypher",
    "to_gexf",
    "to_graphml",
    "to_node_link",
    "whole_graph",
]


@dataclass(frozen=True, slots=True)
class Format:
    """An export format: its name, media type, file extension and what it is for."""

    name: str
    media_type: str
    extension: str
    description: str


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("json", "application/json", "json", "Node-link JSON (D3, networkx), re-ingestible."),
        Format("graphml", "application/graphml+xml", "graphml", "GraphML (yEd, Cytoscape, Gephi)."),
        Format("gexf", "application/gexf+xml", "gexf", "GEXF 1.2 for Gephi, dates as time intervals."),
        Format("csv", "application/zip", "zip", "Zip of sources/entities/relationships CSV, re-ingestible."),
        Format("cypher", "text/plain; charset=utf-8", "cypher", "Cypher script that Neo4j 5 loads."),
        Format(
            "ftm", "application/x-ndjson", "ftm.json", "FollowTheMoney entities (JSON Lines), re-importable."
        ),
    )
}

SOURCE_COLUMNS = ["id", "kind", "title", "publisher", "url", "date", "date_note", "copy_of", "summary"]
ENTITY_CSV_COLUMNS = [
    "id",
    "kind",
    "name",
    "aliases",
    "description",
    "country",
    "jurisdiction",
    "founded",
    "website",
    "identifiers",
    "sources",
]
REL_COLUMNS = [
    "id",
    "source",
    "type",
    "target",
    "role",
    "start",
    "end",
    "amount",
    "currency",
    "status",
    "denied_by",
    "sources",
    "last_checked",
    "notes",
]
#: Keys that node-link JSON adds to a relationship for viewers; ``read_node_link`` drops them.
DERIVED_LINK_KEYS = NODE_LINK_EXTRA


# -- building subgraphs ------------------------------------------------------------------------
def whole_graph(store: GraphStore) -> Subgraph:
    """The whole graph as a ``Subgraph``: every entity, relationship and source."""
    return Subgraph(
        nodes=list(store.iter_entities()),
        edges=list(store.iter_relationships()),
        sources={s.id: s for s in store.iter_sources()},
    )


def paths_subgraph(result: PathResult) -> Subgraph:
    """The entities, relationships and cited sources of every path in a path result."""
    nodes: dict[str, Entity] = {}
    edges: dict[str, Relationship] = {}
    sources: dict[str, Source] = {s.id: s for s in result.footnotes}
    for path in result.paths:
        nodes.update((n.id, n) for n in path.nodes)
        for hop in path.hops:
            edges[hop.relationship.id] = hop.relationship
            sources.update((c.id, c) for c in hop.citations)
    return Subgraph(
        nodes=[nodes[i] for i in sorted(nodes)],
        edges=[edges[i] for i in sorted(edges)],
        sources=dict(sorted(sources.items())),
        center=[result.source.id, result.target.id],
    )


def self_contained(store: GraphStore, sub: Subgraph) -> Subgraph:
    """``sub`` plus what it needs to be ingested on its own.

    Adds the entities named in ``denied_by`` that are missing, and every source cited by an
    entity or a relationship (query subgraphs carry only the relationships' sources).
    """
    have = {n.id for n in sub.nodes}
    missing = {d for r in sub.edges for d in r.denied_by} - have
    extra = store.get_entities(missing)
    nodes = sorted([*sub.nodes, *extra.values()], key=lambda e: e.id)
    cited = {s for n in nodes for s in n.sources} | {s for r in sub.edges for s in r.sources}
    sources = dict(sub.sources)
    sources.update(store.get_sources(cited - set(sources)))
    return sub.model_copy(update={"nodes": nodes, "sources": dict(sorted(sources.items()))})


def export(sub: Subgraph, fmt: str, *, title: str = "cryptokg") -> bytes:
    """``sub`` in format ``fmt`` (a key of ``FORMATS``), as bytes.

    Examples
    --------
    >>> from graph.testing import mini_store
    >>> sub = self_contained(mini_store(), whole_graph(mini_store()))
    >>> export(sub, "cypher").decode().splitlines()[0]
    '// cryptokg: 12 entities, 16 relationships, 3 sources. Load with: cypher-shell -f <file>'
    """
    writers: dict[str, Callable[[Subgraph, str], bytes]] = {
        "json": lambda s, t: json.dumps(to_node_link(s, title=t), ensure_ascii=False, indent=1).encode(),
        "graphml": lambda s, t: to_graphml(s, title=t),
        "gexf": lambda s, t: to_gexf(s, title=t),
        "csv": lambda s, t: to_csv_zip(s),
        "cypher": lambda s, t: to_cypher(s, title=t).encode(),
        "ftm": lambda s, t: _ftm(s),
    }
    if fmt not in writers:
        raise InvalidParameter("format", f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return writers[fmt](sub, title)


def _ftm(sub: Subgraph) -> bytes:
    from graph.export_ftm import to_ftm

    return to_ftm(sub)


# -- node-link JSON ------------------------------------------------------------------------------
def _graph_meta(sub: Subgraph, title: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": title}
    if sub.center:
        meta["center"] = sub.center
    if sub.truncated:
        meta["truncated"] = True
        meta["cut_nodes"] = sub.cut_nodes
    if sub.note:
        meta["note"] = sub.note
    return meta


def to_node_link(sub: Subgraph, *, title: str = "cryptokg") -> dict[str, Any]:
    """Node-link data: ``nodes`` are entities, ``links`` relationships, ``sources`` what they cite.

    Each link repeats its relationship id as ``key`` (networkx multigraph convention) and adds
    its ``category``.
    """
    return {
        "directed": True,
        "multigraph": True,
        "graph": _graph_meta(sub, title),
        "nodes": [dump(e) for e in sub.nodes],
        "links": [{**dump(r), "key": r.id, "category": r.category} for r in sub.edges],
        "sources": [dump(s) for s in sub.sources.values()],
    }


def read_node_link(data: Any, *, name: str = "node-link JSON") -> Dataset:
    """Validate node-link data (as written by ``to_node_link``) into a ``Dataset``.

    Raises ``InvalidRecord`` listing every problem, exactly like ``load_dataset``.
    """
    read = records_from_document(data, name=name)
    records, problems = read.records, read.problems
    ds, vproblems = validate_records(records)
    problems.extend(vproblems)
    if problems:
        raise InvalidRecord(problems)
    return ds


# -- XML formats ---------------------------------------------------------------------------------
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: Any) -> str:
    """Text of a field for XML: lists and maps as JSON, characters XML 1.0 forbids removed."""
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, float):
        value = repr(value)
    return _XML_BAD.sub("", str(value))


NODE_FIELDS: list[tuple[str, str]] = [
    ("kind", "string"),
    ("name", "string"),
    ("aliases", "string"),
    ("description", "string"),
    ("country", "string"),
    ("jurisdiction", "string"),
    ("founded", "string"),
    ("website", "string"),
    ("identifiers", "string"),
    ("attributes", "string"),
    ("sources", "string"),
    ("dataset", "string"),
]
EDGE_FIELDS: list[tuple[str, str]] = [
    ("type", "string"),
    ("category", "string"),
    ("role", "string"),
    ("start", "string"),
    ("end", "string"),
    ("amount", "double"),
    ("currency", "string"),
    ("dataset", "string"),
    ("attributes", "string"),
    ("status", "string"),
    ("denied_by", "string"),
    ("notes", "string"),
    ("sources", "string"),
    ("last_checked", "string"),
]


def _edge_values(rel: Relationship) -> dict[str, Any]:
    values = dump(rel)
    values["category"] = rel.category
    return values


def _xml_bytes(root: ET.Element) -> bytes:
    ET.indent(root, space=" ")
    out: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return out + b"\n"


def to_graphml(sub: Subgraph, *, title: str = "cryptokg") -> bytes:
    """GraphML: a directed graph with parallel edges; edge ids are relationship ids.

    Lists and maps are JSON text; the cited sources are a JSON list in the graph's ``sources``
    data, so the file keeps every field.
    """
    ns = "http://graphml.graphdrawing.org/xmlns"
    ET.register_namespace("", ns)

    def q(tag: str) -> str:
        return f"{{{ns}}}{tag}"

    root = ET.Element(q("graphml"))
    for scope, fields in (("node", NODE_FIELDS), ("edge", EDGE_FIELDS)):
        for field_name, type_ in fields:
            ET.SubElement(
                root,
                q("key"),
                {
                    "id": f"{scope[0]}_{field_name}",
                    "for": scope,
                    "attr.name": field_name,
                    "attr.type": type_,
                },
            )
    ET.SubElement(
        root, q("key"), {"id": "g_sources", "for": "graph", "attr.name": "sources", "attr.type": "string"}
    )
    ET.SubElement(
        root, q("key"), {"id": "g_name", "for": "graph", "attr.name": "name", "attr.type": "string"}
    )
    graph = ET.SubElement(root, q("graph"), {"id": "G", "edgedefault": "directed"})
    ET.SubElement(graph, q("data"), {"key": "g_name"}).text = _xml_text(title)
    ET.SubElement(graph, q("data"), {"key": "g_sources"}).text = _xml_text(
        [dump(s) for s in sub.sources.values()]
    )
    for ent in sub.nodes:
        node = ET.SubElement(graph, q("node"), {"id": ent.id})
        values = dump(ent)
        for field_name, _ in NODE_FIELDS:
            if field_name in values:
                ET.SubElement(node, q("data"), {"key": f"n_{field_name}"}).text = _xml_text(
                    values[field_name]
                )
    for rel in sub.edges:
        edge = ET.SubElement(graph, q("edge"), {"id": rel.id, "source": rel.source, "target": rel.target})
        values = _edge_values(rel)
        for field_name, _ in EDGE_FIELDS:
            if field_name in values:
                ET.SubElement(edge, q("data"), {"key": f"e_{field_name}"}).text = _xml_text(
                    values[field_name]
                )
    return _xml_bytes(root)


def _interval(rel: Relationship) -> dict[str, str]:
    """GEXF ``start``/``end`` of a relationship: its partial dates widened to whole days."""
    out = {}
    if rel.start:
        out["start"] = date_bounds(rel.start)[0]
    if rel.end:
        out["end"] = date_bounds(rel.end)[1]
    return out


def to_gexf(sub: Subgraph, *, title: str = "cryptokg") -> bytes:
    """GEXF 1.2 for Gephi: a dynamic graph whose relationships carry their dates as intervals.

    A relationship dated ``2017-07`` to ``2023-11-21`` lives from 2017-07-01 to 2023-11-21 on
    Gephi's timeline; an undated one is always present, as are entities. The original partial
    dates stay in the ``start_date``/``end_date`` attributes.
    """
    ns = "http://www.gexf.net/1.2draft"
    ET.register_namespace("", ns)

    def q(tag: str) -> str:
        return f"{{{ns}}}{tag}"

    root = ET.Element(q("gexf"), {"version": "1.2"})
    meta = ET.SubElement(root, q("meta"))
    ET.SubElement(meta, q("creator")).text = "cryptokg"
    ET.SubElement(meta, q("description")).text = _xml_text(title)
    graph = ET.SubElement(
        root, q("graph"), {"mode": "dynamic", "defaultedgetype": "directed", "timeformat": "date"}
    )
    node_fields = [(f, t) for f, t in NODE_FIELDS if f != "name"]
    edge_fields = [
        ("start_date" if f == "start" else "end_date" if f == "end" else f, t) for f, t in EDGE_FIELDS
    ]
    for scope, fields in (("node", node_fields), ("edge", edge_fields)):
        attrs = ET.SubElement(graph, q("attributes"), {"class": scope, "mode": "static"})
        for field_name, type_ in fields:
            ET.SubElement(attrs, q("attribute"), {"id": field_name, "title": field_name, "type": type_})
    nodes = ET.SubElement(graph, q("nodes"))
    for ent in sub.nodes:
        node = ET.SubElement(nodes, q("node"), {"id": ent.id, "label": _xml_text(ent.name)})
        values = dump(ent)
        attvalues = ET.SubElement(node, q("attvalues"))
        for field_name, _ in node_fields:
            if field_name in values:
                ET.SubElement(
                    attvalues, q("attvalue"), {"for": field_name, "value": _xml_text(values[field_name])}
                )
    edges = ET.SubElement(graph, q("edges"))
    for rel in sub.edges:
        attrs_ = {
            "id": rel.id,
            "source": rel.source,
            "target": rel.target,
            "label": rel.type,
            **_interval(rel),
        }
        edge = ET.SubElement(edges, q("edge"), attrs_)
        values = _edge_values(rel)
        for old, new in (("start", "start_date"), ("end", "end_date")):
            if old in values:
                values[new] = values.pop(old)
        attvalues = ET.SubElement(edge, q("attvalues"))
        for field_name, _ in edge_fields:
            if field_name in values:
                ET.SubElement(
                    attvalues, q("attvalue"), {"for": field_name, "value": _xml_text(values[field_name])}
                )
    return _xml_bytes(root)


# -- CSV zip ---------------------------------------------------------------------------------------
def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _plain(value: Any) -> bool:
    """True when a CSV cell can carry ``value`` exactly (the reader strips and drops blanks)."""
    if value is None:
        return True
    if isinstance(value, str):
        return value != "" and value == value.strip()
    if isinstance(value, list):
        return all(_plain(v) and ";" not in v for v in value)
    return isinstance(value, float) and math.isfinite(value)


def _entity_fits_csv(ent: Entity) -> bool:
    if ent.dataset is not None:
        return False
    fields = [
        ent.name,
        ent.aliases,
        ent.description,
        ent.country,
        ent.jurisdiction,
        ent.founded,
        ent.website,
        ent.sources,
    ]
    if not all(_plain(v) for v in fields):
        return False
    for scheme, val in ent.identifiers.items():
        if not isinstance(val, str) or not _plain(val) or not _plain(scheme):
            return False
        if ";" in val or ";" in scheme or ":" in scheme:
            return False
    return all(k not in ENTITY_COLUMNS and _plain(k) and _plain(v) for k, v in ent.attributes.items())


def _record_fits_csv(model: Source | Relationship) -> bool:
    # records of imported datasets (and their attributes) go to extra.jsonl, which keeps them exactly
    if model.dataset is not None or model.attributes:
        return False
    skip = ("amount", "dataset", "attributes")
    return all(_plain(v) for k, v in model.model_dump(mode="json").items() if k not in skip) and (
        not isinstance(model, Relationship) or model.amount is None or math.isfinite(model.amount)
    )


def _csv_bytes(columns: list[str], rows: Iterable[dict[str, str]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: csv_safe(v) for k, v in row.items()} for row in rows)
    return buf.getvalue().encode("utf-8")


def _jsonl_line(value: Any) -> bytes:
    """One JSON Lines record: U+2028 and U+2029 escaped, since readers that split lines the way
    ``str.splitlines`` does would break a record there (JSON allows them raw, JSON Lines readers
    differ)."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode() + b"\n"


def _jsonl(models: Iterable[Entity | Source | Relationship]) -> bytes:
    return b"".join(_jsonl_line(dump(m)) for m in models)


def _zip_entry(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    # A fixed timestamp makes the same graph give the same bytes (and ETag-friendly output).
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def to_csv_zip(sub: Subgraph) -> bytes:
    """A zip that ``cryptokg ingest`` reads once unzipped: sources, entities, relationships.

    Entity attributes become extra columns of ``entities.csv``, identifiers ``scheme:value``
    pairs, lists ``;``-separated. Records a cell cannot carry exactly go to
    ``<kind>/extra.jsonl`` (see the module docstring).
    """
    srcs = list(sub.sources.values())
    ents_csv = [e for e in sub.nodes if _entity_fits_csv(e)]
    ents_extra = [e for e in sub.nodes if not _entity_fits_csv(e)]
    attr_cols = sorted({k for e in ents_csv for k in e.attributes})
    entity_rows = []
    for e in ents_csv:
        row = {c: _cell(getattr(e, c)) for c in ENTITY_CSV_COLUMNS if c not in ("identifiers", "kind")}
        row["kind"] = str(e.kind)
        row["identifiers"] = ";".join(f"{k}:{v}" for k, v in e.identifiers.items())
        row.update(e.attributes)
        entity_rows.append(row)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        src_csv = [s for s in srcs if _record_fits_csv(s)]
        _zip_entry(
            zf,
            "sources.csv",
            _csv_bytes(
                SOURCE_COLUMNS,
                (
                    {c: _cell(v) for c, v in s.model_dump(mode="json").items() if c in SOURCE_COLUMNS}
                    for s in src_csv
                ),
            ),
        )
        _zip_entry(zf, "entities.csv", _csv_bytes(ENTITY_CSV_COLUMNS + attr_cols, entity_rows))
        rel_csv = [r for r in sub.edges if _record_fits_csv(r)]
        _zip_entry(
            zf,
            "relationships.csv",
            _csv_bytes(
                REL_COLUMNS,
                (
                    {c: _cell(v) for c, v in r.model_dump(mode="json").items() if c in REL_COLUMNS}
                    for r in rel_csv
                ),
            ),
        )
        for folder, extra in (
            ("sources", [s for s in srcs if not _record_fits_csv(s)]),
            ("entities", ents_extra),
            ("relationships", [r for r in sub.edges if not _record_fits_csv(r)]),
        ):
            if extra:
                _zip_entry(zf, f"{folder}/extra.jsonl", _jsonl(extra))
    return buf.getvalue()
