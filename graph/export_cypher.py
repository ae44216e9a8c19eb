"""The Cypher export: a script for Neo4j 5 (``cypher-shell -f``) that is data, never code.

Constraints first, then ``UNWIND ... MERGE`` batches of sources, entities and relationships, so
loading it twice gives the same graph. Every value is a literal with quotes, backslashes and
control characters escaped; map keys and names are back-quoted; the one comment line has no line
break of any kind, so no text from the graph can end it and become a statement.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

from graph.model import Entity, Relationship, Source, Subgraph, dump
from graph.vocabulary import label_for_kind, neo4j_rel_type

__all__ = ["CYPHER_BATCH", "cypher_comment", "cypher_literal", "cypher_name", "to_cypher"]

#: Rows per ``UNWIND`` statement in the Cypher script.
CYPHER_BATCH = 200


def cypher_literal(value: Any) -> str:
    """A Cypher literal: string, number, boolean, list or map (map keys are back-quoted).

    >>> cypher_literal(["it's", "a\\\\b"]), cypher_literal(2.5)
    ("['it\\\\'s', 'a\\\\\\\\b']", '2.5')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "null"
    if isinstance(value, list):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return _cypher_map(value)
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    text = _CYPHER_CONTROL.sub(_cypher_escape, text)
    return f"'{text}'"


def cypher_name(name: str) -> str:
    """A back-quoted Cypher name (a map key, a label): back-quotes inside are doubled.

    >>> cypher_name("a`b")
    '`a``b`'
    """
    return "`" + str(name).replace("`", "``") + "`"


def cypher_comment(text: str) -> str:
    """A ``//`` comment line: line breaks of every kind (which would end the comment and turn the
    rest into statements) become spaces.

    >>> cypher_comment("Mallory\\nMATCH (n) DETACH DELETE n;")
    '// Mallory MATCH (n) DETACH DELETE n;'
    """
    return "// " + _LINE_BREAKS.sub(" ", text)


_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


_CYPHER_CONTROL = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")
#: Escapes both Neo4j and FalkorDB read; other control characters become ``\\uXXXX`` (Neo4j).
_CYPHER_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _cypher_escape(m: re.Match[str]) -> str:
    c = m.group()
    return _CYPHER_SHORT.get(c) or f"\\u{ord(c):04x}"


def _cypher_map(values: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{cypher_name(k)}: {cypher_literal(v)}" for k, v in values.items()) + "}"


def _props(model: Entity | Relationship | Source) -> dict[str, Any]:
    """Neo4j properties: scalars and lists as they are; maps as JSON text (Neo4j has no map values)."""
    out = {}
    for k, v in dump(model).items():
        if k in ("source", "target"):
            continue
        out[k] = json.dumps(v, ensure_ascii=False, sort_keys=True) if isinstance(v, dict) else v
    return out


def _batches(rows: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(rows), CYPHER_BATCH):
        yield rows[i : i + CYPHER_BATCH]


def to_cypher(sub: Subgraph, *, title: str = "cryptokg") -> str:
    """A Cypher script for Neo4j 5: constraints, then ``MERGE`` of sources, entities, relationships.

    Entities get the label ``Entity`` plus their kind's label (``Person``, ``Company``, ...),
    sources the label ``Source``; relationship types come from ``vocabulary.neo4j_rel_type``
    (``founded`` -> ``FOUNDED``). Every node and relationship keeps its ``id``; ``identifiers``
    and ``attributes`` are JSON text.
    """
    lines = [
        cypher_comment(
            f"{title}: {len(sub.nodes)} entities, {len(sub.edges)} relationships, "
            f"{len(sub.sources)} sources. Load with: cypher-shell -f <file>"
        ),
        "CREATE CONSTRAINT cryptokg_entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;",
        "CREATE CONSTRAINT cryptokg_source_id IF NOT EXISTS FOR (n:Source) REQUIRE n.id IS UNIQUE;",
    ]
    src_rows = [_cypher_map({"id": s.id, "props": _props(s)}) for s in sub.sources.values()]
    for batch in _batches(src_rows):
        lines.append(
            f"UNWIND [{', '.join(batch)}] AS row MERGE (s:Source {{id: row.id}}) SET s += row.props;"
        )
    by_kind: dict[str, list[str]] = {}
    for e in sub.nodes:
        by_kind.setdefault(str(e.kind), []).append(_cypher_map({"id": e.id, "props": _props(e)}))
    for kind in sorted(by_kind):
        label = label_for_kind(kind)
        for batch in _batches(by_kind[kind]):
            lines.append(
                f"UNWIND [{', '.join(batch)}] AS row MERGE (n:Entity {{id: row.id}}) "
                f"SET n:{label}, n += row.props;"
            )
    by_type: dict[str, list[str]] = {}
    for r in sub.edges:
        row = {
            "id": r.id,
            "source": r.source,
            "target": r.target,
            "props": {**_props(r), "category": r.category},
        }
        by_type.setdefault(r.type, []).append(_cypher_map(row))
    for type_ in sorted(by_type):
        rel_type = neo4j_rel_type(type_)
        for batch in _batches(by_type[type_]):
            lines.append(
                f"UNWIND [{', '.join(batch)}] AS row "
                "MATCH (a:Entity {id: row.source}) MATCH (b:Entity {id: row.target}) "
                f"MERGE (a)-[r:{rel_type} {{id: row.id}}]->(b) SET r += row.props;"
            )
    return "\n".join(lines) + "\n"
