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
* ``native_shortest_paths``: Neo4j uses ``allShortestPaths`` with the filter as predicates;
  FalkorDB answers only directed, type-filtered questions (``None`` otherwise, so the generic
  search runs). For one path the lexicographically smallest shortest node path is returned, as
  the generic search does.
* Relationship lookups by id scan the relationships of the graph (Neo4j has no index across
  relationship types).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
from neo4j import ManagedTransaction

from graph.filters import EdgeFilter
from graph.ingest.records import relationship_of, source_of
from graph.model import Entity, Relationship, Source
from graph.store.base import Adj, GraphStore, NameRow, StoreStats
from graph.store.bolt_writes import (
    _META,
    ENTITY_JSON_FIELDS,
    PROGRESS_THRESHOLD,
    BoltWrites,
    _entity_from_props,
)
from graph.store.cypher_dialect import (
    ENTITY,
    SOURCE,
    Dialect,
    edge_conditions,
    node_conditions,
)
from graph.vocabulary import label_for_kind

__all__ = ["ENTITY_JSON_FIELDS", "PROGRESS_THRESHOLD", "Neo4jStore"]


class Neo4jStore(BoltWrites, GraphStore):
    """Graph store on a Bolt server (Neo4j 5, or FalkorDB); the read half lives here."""

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
                tx, d, _META + f"MATCH (n:{ENTITY}) WHERE n.gen = m.gen RETURN n.kind AS k, count(n) AS c"
            )
            rels = self._run(
                tx,
                d,
                _META + "MATCH ()-[r]->() WHERE r.gen = m.gen "
                "RETURN r.type AS t, r.status AS s, count(r) AS c, "
                "sum(CASE WHEN size(coalesce(r.sources, [])) = 0 THEN 1 ELSE 0 END) AS u",
            )
            srcs = self._run(tx, d, _META + f"MATCH (s:{SOURCE}) WHERE s.gen = m.gen RETURN count(s) AS c")
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
                _META + f"MATCH (n:{ENTITY}) WHERE n.id IN $ids AND n.gen = m.gen RETURN properties(n) AS p",
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
        rows = self._read(
            lambda tx, d: self._run_split(
                tx,
                d,
                _META
                + "MATCH ()-[r]->() WHERE r.id IN $ids AND r.gen = m.gen RETURN r.id AS id, r.data AS d",
                {"ids": wanted},
                "ids",
            )
        )
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
                + f"MATCH (s:{SOURCE}) WHERE s.id IN $ids AND s.gen = m.gen RETURN s.id AS id, s.data AS d",
                {"ids": wanted},
                "ids",
            )
        )
        found = {str(row["id"]): source_of(orjson.loads(row["d"])) for row in rows}
        return {i: found[i] for i in wanted if i in found}

    def iter_sources(self) -> Iterator[Source]:
        rows = self._read(
            lambda tx, d: self._run(
                tx, d, _META + f"MATCH (s:{SOURCE}) WHERE s.gen = m.gen RETURN s.id AS id, s.data AS d"
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
                tx, d, _META + f"MATCH (n:{label}) WHERE n.gen = m.gen RETURN properties(n) AS p"
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
            total = self._run(tx, d, _META + f"MATCH (n:{label}) WHERE n.gen = m.gen RETURN count(n) AS c")
            page = self._run(
                tx,
                d,
                _META + f"MATCH (n:{label}) WHERE n.gen = m.gen "
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
                tx, d, _META + "MATCH ()-[r]->() WHERE r.gen = m.gen RETURN r.id AS id, r.data AS d"
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
                _META + f"MATCH (n:{ENTITY}) WHERE n.gen = m.gen AND $sid IN n.sources RETURN n.id AS id",
                params,
            )
            rels = self._run(
                tx,
                d,
                _META + "MATCH ()-[r]->() WHERE r.gen = m.gen AND $sid IN r.sources RETURN r.id AS id",
                params,
            )
            return sorted(str(r["id"]) for r in ents), sorted(str(r["id"]) for r in rels)

        return self._read(work)

    def adjacent(
        self, entity_id: str, *, direction: str = "both", flt: EdgeFilter | None = None
    ) -> list[Adj]:
        return self.adjacent_many([entity_id], direction=direction, flt=flt)[entity_id]

    def adjacent_many(
        self, ids: Iterable[str], *, direction: str = "both", flt: EdgeFilter | None = None
    ) -> dict[str, list[Adj]]:
        wanted = list(dict.fromkeys(ids))
        out: dict[str, list[Adj]] = {i: [] for i in wanted}
        pattern = {"out": "(a)-[r]->(b)", "in": "(a)<-[r]-(b)", "both": "(a)-[r]-(b)"}.get(direction)
        if not wanted or pattern is None:
            return out
        if flt is not None and flt.is_open:
            flt = None
        rconds, rparams = edge_conditions(flt, "r")
        nconds, nparams = node_conditions(flt, "b")

        def text_for(conds: list[str]) -> str:
            where = f"WHERE {' AND '.join(conds)} " if conds else ""
            return (
                _META + "UNWIND $ids AS id "
                f"MATCH (a:{ENTITY} {{id: id}}) WHERE a.gen = m.gen "
                f"MATCH {pattern} {where}"
                "RETURN id AS id, b.id AS other, r.id AS rel, startNode(r) = a AS fwd, b.kind AS kind"
            )

        def work(tx: ManagedTransaction, d: Dialect) -> list[dict[str, Any]]:
            conds, params = rconds + nconds, {**rparams, **nparams, "ids": wanted}
            text = text_for(conds)
            if not d.fits(text, {**params, "ids": []}):
                # Too much to say server-side (FalkorDB's size limit): kinds/avoid in Python.
                conds, params = rconds, {**rparams, "ids": wanted}
                text = text_for(conds)
            return self._run_split(tx, d, text, params, "ids")

        rows = self._read(work)
        for row in rows:
            other = str(row["other"])
            if flt is not None and (
                other in flt.avoid or (flt.kinds is not None and row["kind"] not in flt.kinds)
            ):
                continue
            out[str(row["id"])].append(Adj(other, str(row["rel"]), bool(row["fwd"])))
        for adj in out.values():
            adj.sort()
        return out

    def degrees(self, ids: Iterable[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        rows = self._read(
            lambda tx, d: self._run_split(
                tx,
                d,
                _META + "UNWIND $ids AS id "
                f"MATCH (n:{ENTITY} {{id: id}}) WHERE n.gen = m.gen "
                "OPTIONAL MATCH (n)-[r]-() RETURN id AS id, count(r) AS d",
                {"ids": wanted},
                "ids",
            )
        )
        found = {str(r["id"]): int(r["d"]) for r in rows}
        return {i: found[i] for i in wanted if i in found}

    def name_rows(self) -> list[NameRow]:
        rows = self._read(
            lambda tx, d: self._run(
                tx,
                d,
                _META + f"MATCH (n:{ENTITY}) WHERE n.gen = m.gen OPTIONAL MATCH (n)-[r]-() "
                "RETURN n.id AS id, n.kind AS kind, n.name AS name, n.aliases AS aliases, count(r) AS d",
            )
        )
        return sorted(
            NameRow(str(r["id"]), str(r["kind"]), str(r["name"]), tuple(r["aliases"] or ()), int(r["d"]))
            for r in rows
        )

    def native_shortest_paths(
        self,
        source: str,
        target: str,
        *,
        directed: bool,
        flt: EdgeFilter | None,
        max_hops: int,
        all_paths: bool,
    ) -> list[list[Adj]] | None:
        if source == target or max_hops < 1:
            return None
        d = self._call(lambda: self._connect()[1], budget=self._budget())
        plan = d.shortest_paths(directed=directed, all_paths=all_paths, max_hops=max_hops, flt=flt)
        if plan is None:
            return None
        if plan.impossible:
            return []
        params = {**plan.params, "source": source, "target": target}

        def work(tx: ManagedTransaction, d: Dialect) -> list[dict[str, Any]] | None:
            if plan.query:
                return self._run(tx, d, plan.query, params)
            assert plan.paths_of_length is not None
            got = self._run(tx, d, plan.length_query, params)
            if not got or got[0]["hops"] is None:
                return []
            return self._run(tx, d, plan.paths_of_length(int(got[0]["hops"])), params)

        rows = self._tx(False, work, statements=2)
        if rows is None or (plan.cap is not None and len(rows) >= plan.cap):
            return None
        paths: set[tuple[Adj, ...]] = set()
        for row in rows:
            steps = row.get("steps")
            if not steps:
                continue
            path = self._walk(source, target, steps)
            if path is None:
                return None  # an answer we cannot read: let the generic search decide
            paths.add(tuple(path))
        if not paths:
            return []
        shortest = min(len(p) for p in paths)
        # Like the generic search: every shortest path, or the lexicographically smallest one.
        best = sorted((list(p) for p in paths if len(p) == shortest), key=lambda p: ([a.other for a in p], p))
        return best if all_paths else best[:1]

    @staticmethod
    def _walk(source: str, target: str, steps: list[list[Any]]) -> list[Adj] | None:
        """Turn ``[rel id, start id, end id]`` steps into ``Adj`` steps from ``source``."""
        here = source
        path: list[Adj] = []
        for rid, start, end in steps:
            if start == here:
                path.append(Adj(str(end), str(rid), True))
                here = str(end)
            elif end == here:
                path.append(Adj(str(start), str(rid), False))
                here = str(start)
            else:
                return None
        return path if here == target else None
