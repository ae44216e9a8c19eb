"""The Bolt store: the graph in Neo4j 5 (or FalkorDB, which the test suite uses), over the
official ``neo4j`` driver.

Layout
------
* ``(:Entity:<Kind>)`` nodes, the kind label from ``label_for_kind``; properties ``id``, ``kind``,
  ``name`` and the rest of the entity as the embedded store keeps it (lists stay lists; the
  nested dicts ``identifiers`` and ``attributes`` are JSON strings, as Bolt properties cannot be
  maps).
* Relationships of type ``neo4j_rel_type(type)`` with ``id``, ``type``, ``status``, ``start``,
  ``end``, ``role``, ``sources``, the precomputed as-of bounds ``start_lo`` (first day of
  ``start``) and ``end_hi`` (last day of ``end``), and ``data``: the whole record as JSON (the
  embedded store's bytes), which reads return.
* ``(:Source)`` nodes with ``id``, ``kind``, ``title``, ``url``, ``date`` and ``data`` (JSON).
* One ``(:Meta {key: 'graph'})`` node with ``gen`` (the current generation) and ``version``.

Every node and relationship also carries ``gen`` and ``uid`` (``gen|id``, unique). Every read
matches the ``Meta`` node and keeps only records of its ``gen``, in the same statement. The store
owns the labels ``Entity``, ``Source`` and ``Meta`` of its database: ``replace_all`` deletes any
such node that is not of the current generation.

Versions are those of ``MemoryStore``: ``replace_all`` hashes the same rows the same way
(``graph.store.memory._rows``), ``upsert``/``delete`` chain the previous version with the same
change bytes, so both stores report the same version for the same history.

What ``replace_all`` guarantees
-------------------------------
Bolt cannot swap a large graph atomically, so ``replace_all`` loads the new graph under a new
generation token in batches (each batch its own transaction; nothing of it is visible, as
readers follow ``Meta.gen``), then flips ``Meta.gen`` and ``Meta.version`` in one single-statement
write, then deletes the old generation in batches. Hence:

* every read statement sees the old graph or the new one, never a mix (a read made of several
  statements — FalkorDB splits long id lists — can straddle the flip);
* if loading fails or the process dies before the flip, the old graph stays current and intact;
  the half-loaded generation is invisible and is deleted at the start of the next
  ``replace_all`` (or right away when the failure is an exception);
* if the process dies after the flip, the new graph is current and the old generation lingers
  invisibly until the next ``replace_all``;
* there is one writer at a time: two concurrent ``replace_all`` calls (or an ``upsert`` during a
  ``replace_all``, which lands in the old generation and is dropped by the flip) are not
  supported.

``upsert`` and ``delete`` run as one managed write transaction: atomic on Neo4j. FalkorDB
ignores BEGIN/COMMIT/ROLLBACK, so there each statement commits on its own (see
``graph.store.cypher_dialect``).

Timeouts: every transaction carries the ``timeout`` as its Bolt transaction timeout (enforced by
Neo4j; FalkorDB ignores it), and every call also runs under a client-side deadline: past it the
store raises ``QueryTimeout`` and drops its connections, so a runaway query cannot hang the
caller. Driver and server errors become ``StoreUnavailable`` (or ``QueryTimeout``); messages
name the URI, never the password.

Other notes
-----------
* Writes refuse what would leave a broken graph: relationships to unknown entities and
  duplicate ids raise ``InvalidParameter`` before anything is written.
* ``adjacent``/``adjacent_many`` filter in Cypher (types, statuses, as-of bounds, kinds, avoid)
  and answer a whole BFS layer in one statement; on FalkorDB, whose queries must fit in 4 kB,
  long id lists are split and a long ``avoid`` list is applied client-side.
* On FalkorDB a record too big for one query is written with its big fields empty, then grown
  by appending pieces (``Dialect.append_property``).
* Paths, neighbourhoods and relationships among entities use the server's own operators
  (``graph.store.bolt_traversal``): on Neo4j ``allShortestPaths`` with the filter as predicates,
  for every kind of question. For one path the lexicographically smallest shortest node path is
  returned, as the generic search does.
* Relationship lookups by id go through the relationship's two ends when the store has seen them
  in an answer; otherwise they scan the relationships (Neo4j has no index across relationship
  types).

The code is split by job: ``bolt_session`` (driver, transactions, errors), ``bolt_writes``
(schema and writes), ``bolt_traversal`` (walking) and this module (record reads).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
from neo4j import ManagedTransaction

from graph.ingest.records import relationship_of, source_of
from graph.model import Entity, Relationship, Source
from graph.store.base import NameRow, StoreStats
from graph.store.bolt_traversal import BoltTraversal
from graph.store.bolt_writes import (
    _META,
    ENTITY_JSON_FIELDS,
    PROGRESS_THRESHOLD,
    _entity_from_props,
)
from graph.store.cypher_dialect import (
    ENTITY,
    SOURCE,
    Dialect,
)
from graph.vocabulary import label_for_kind

__all__ = ["ENTITY_JSON_FIELDS", "PROGRESS_THRESHOLD", "Neo4jStore"]


class Neo4jStore(BoltTraversal):
    """Graph store on a Bolt server (Neo4j 5, or FalkorDB); record reads live here."""

    backend = "neo4j"

    # -- read half ---------------------------------------------------------------------------
    @property
    def version(self) -> str:
        meta = self._current_meta()
        return meta[1] if meta else "empty"

    def stats(self) -> StoreStats:
        def work(tx: ManagedTransaction, d: Dialect) -> StoreStats:
            meta = self._run(tx, d, _META + "RETURN m.version AS v")
            kinds = self._run(
                tx, d, _META + f"MATCH (n:{ENTITY}) WHERE n.gen = mgen RETURN n.kind AS k, count(n) AS c"
            )
            rels = self._run(
                tx,
                d,
                _META + "MATCH ()-[r]->() WHERE r.gen = mgen "
                "RETURN r.type AS t, r.status AS s, count(r) AS c, "
                "sum(CASE WHEN size(coalesce(r.sources, [])) = 0 THEN 1 ELSE 0 END) AS u",
            )
            srcs = self._run(tx, d, _META + f"MATCH (s:{SOURCE}) WHERE s.gen = mgen RETURN count(s) AS c")
            by_kind: Counter[str] = Counter()
            for row in kinds:
                by_kind[str(row["k"])] += int(row["c"])
            types: Counter[str] = Counter()
            statuses: Counter[str] = Counter()
            unsourced = 0
            for row in rels:
                types[str(row["t"])] += int(row["c"])
                statuses[str(row["s"])] += int(row["c"])
                unsourced += int(row["u"])
            return StoreStats(
                entities=sum(by_kind.values()),
                relationships=sum(types.values()),
                sources=int(srcs[0]["c"]) if srcs else 0,
                entities_by_kind=dict(sorted(by_kind.items())),
                relationships_by_type=dict(sorted(types.items())),
                relationships_by_status=dict(sorted(statuses.items())),
                relationships_without_source=unsourced,
                version=str(meta[0]["v"]) if meta else "empty",
            )

        return self._read(work)

    def get_entities(self, ids: Iterable[str]) -> dict[str, Entity]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        rows = self._read(
            lambda tx, d: self._run_split(
                tx,
                d,
                _META + f"MATCH (n:{ENTITY}) WHERE n.id IN $ids AND n.gen = mgen RETURN properties(n) AS p",
                {"ids": wanted},
                "ids",
            )
        )
        found = {str(row["p"]["id"]): _entity_from_props(dict(row["p"])) for row in rows}
        return {i: found[i] for i in wanted if i in found}

    def get_relationships(self, ids: Iterable[str]) -> dict[str, Relationship]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        rows = self._read(lambda tx, d: self._rel_rows(tx, d, wanted))
        found = {str(row["id"]): relationship_of(orjson.loads(row["d"])) for row in rows}
        return {i: found[i] for i in wanted if i in found}

    def get_sources(self, ids: Iterable[str]) -> dict[str, Source]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        rows = self._read(
            lambda tx, d: self._run_split(
                tx,
                d,
                _META
                + f"MATCH (s:{SOURCE}) WHERE s.id IN $ids AND s.gen = mgen RETURN s.id AS id, s.data AS d",
                {"ids": wanted},
                "ids",
            )
        )
        found = {str(row["id"]): source_of(orjson.loads(row["d"])) for row in rows}
        return {i: found[i] for i in wanted if i in found}

    def iter_sources(self) -> Iterator[Source]:
        rows = self._read(
            lambda tx, d: self._run(
                tx, d, _META + f"MATCH (s:{SOURCE}) WHERE s.gen = mgen RETURN s.id AS id, s.data AS d"
            )
        )
        for row in sorted(rows, key=lambda r: str(r["id"])):
            yield source_of(orjson.loads(row["d"]))

    @staticmethod
    def _kind_label(kind: str | None) -> str | None:
        """``Entity`` or the kind's label; raises ValueError for an unknown kind."""
        return ENTITY if kind is None else f"{ENTITY}:{label_for_kind(kind)}"

    def iter_entities(self, kind: str | None = None) -> Iterator[Entity]:
        try:
            label = self._kind_label(kind)
        except ValueError:
            return
        rows = self._read(
            lambda tx, d: self._run(
                tx, d, _META + f"MATCH (n:{label}) WHERE n.gen = mgen RETURN properties(n) AS p"
            )
        )
        for row in sorted(rows, key=lambda r: str(r["p"]["id"])):
            yield _entity_from_props(dict(row["p"]))

    def list_entities(self, *, kind: str | None, offset: int, limit: int) -> tuple[list[Entity], int]:
        try:
            label = self._kind_label(kind)
        except ValueError:
            return [], 0
        if offset < 0 or limit < 0:
            # Python slice semantics for odd values, like MemoryStore.
            every = list(self.iter_entities(kind))
            return every[offset : offset + limit], len(every)

        def work(tx: ManagedTransaction, d: Dialect) -> tuple[list[dict[str, Any]], int]:
            total = self._run(tx, d, _META + f"MATCH (n:{label}) WHERE n.gen = mgen RETURN count(n) AS c")
            page = self._run(
                tx,
                d,
                _META + f"MATCH (n:{label}) WHERE n.gen = mgen "
                "WITH n ORDER BY n.id SKIP $offset LIMIT $limit RETURN properties(n) AS p",
                {"offset": offset, "limit": limit},
            )
            return page, int(total[0]["c"]) if total else 0

        page, total = self._read(work)
        ents = sorted((_entity_from_props(dict(r["p"])) for r in page), key=lambda e: e.id)
        return ents, total

    def iter_relationships(self) -> Iterator[Relationship]:
        rows = self._read(
            lambda tx, d: self._run(
                tx, d, _META + "MATCH ()-[r]->() WHERE r.gen = mgen RETURN r.id AS id, r.data AS d"
            )
        )
        for row in sorted(rows, key=lambda r: str(r["id"])):
            yield relationship_of(orjson.loads(row["d"]))

    def citing(self, source_id: str) -> tuple[list[str], list[str]]:
        def work(tx: ManagedTransaction, d: Dialect) -> tuple[list[str], list[str]]:
            params = {"sid": source_id}
            ents = self._run(
                tx,
                d,
                _META + f"MATCH (n:{ENTITY}) WHERE n.gen = mgen AND $sid IN n.sources RETURN n.id AS id",
                params,
            )
            rels = self._run(
                tx,
                d,
                _META + "MATCH ()-[r]->() WHERE r.gen = mgen AND $sid IN r.sources RETURN r.id AS id",
                params,
            )
            return sorted(str(r["id"]) for r in ents), sorted(str(r["id"]) for r in rels)

        return self._read(work)

    def name_rows(self) -> list[NameRow]:
        rows = self._read(
            lambda tx, d: self._run(
                tx,
                d,
                _META + f"MATCH (n:{ENTITY}) WHERE n.gen = mgen OPTIONAL MATCH (n)-[r]-() "
                "RETURN n.id AS id, n.kind AS kind, n.name AS name, n.aliases AS aliases, count(r) AS d",
            )
        )
        return sorted(
            NameRow(str(r["id"]), str(r["kind"]), str(r["name"]), tuple(r["aliases"] or ()), int(r["d"]))
            for r in rows
        )
