"""The walking half of the Bolt store: adjacency, degrees, and the server's own path operators.

Everything a traversal asks is one statement on the server:

* ``native_shortest_paths``: Neo4j's ``allShortestPaths`` with the filter as predicates on the
  relationships and nodes of the path (directed or not, filtered, as-of); FalkorDB's directed
  ``shortestPath`` for the questions its dialect can answer (``None`` otherwise, so the generic
  search runs).
* ``edges_between``: the relationships joining two entities, matched with both ends bound (the
  server expands from the smaller side), instead of listing every relationship of a hub.
* ``capped_layers`` (Neo4j): one statement per layer that finds the new entities, ranks them by
  degree and cuts them at the cap on the server, returning only the kept ids.
* ``edges_among`` (Neo4j): the relationships among a set of entities, filtered on the server.

Relationship types have no common index in Neo4j, so looking a relationship up by id alone scans
them all. The store therefore remembers the two ends of every relationship it has seen in an
answer (``_hint``) and looks those up from their ends (``BoltTraversal._rel_rows``); ids it has
not seen, or whose ends changed, fall back to the scan, so a stale hint costs time, never a wrong
answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from neo4j import ManagedTransaction

from graph.filters import EdgeFilter
from graph.store.base import Adj, GraphStore
from graph.store.bolt_writes import _META, BoltWrites
from graph.store.cypher_dialect import ENTITY, Dialect, edge_conditions, node_conditions

__all__ = ["HINT_LIMIT", "BoltTraversal"]

#: Most relationship end hints kept (about 200 bytes each); past it the hints start over.
HINT_LIMIT = 200_000

_PATTERNS = {"out": "(a)-[r]->(b)", "in": "(a)<-[r]-(b)", "both": "(a)-[r]-(b)"}


class BoltTraversal(BoltWrites, GraphStore):
    """Adjacency and native traversals (on top of ``BoltWrites``)."""

    _hints: dict[str, tuple[str, str]]

    def _hint(self, rel_id: str, start: str, end: str) -> None:
        hints = self.__dict__.setdefault("_hints", {})
        if len(hints) >= HINT_LIMIT:
            hints.clear()
        hints[rel_id] = (start, end)

    def _rel_rows(self, tx: ManagedTransaction, d: Dialect, wanted: list[str]) -> list[dict[str, Any]]:
        """``id`` and ``d`` (the JSON record) of the current relationships among ``wanted``."""
        # FalkorDB expands every relationship of a hub to match one between two bound ends, so
        # there the scan (split to fit its query size) is the quicker way.
        hints = self.__dict__.get("_hints", {}) if d.max_query_bytes is None else {}
        hinted = [{"id": i, "a": hints[i][0], "b": hints[i][1]} for i in wanted if i in hints]
        rows: list[dict[str, Any]] = []
        if hinted:
            rows = self._run_split(
                tx,
                d,
                _META + "UNWIND $rows AS row "
                f"MATCH (a:{ENTITY} {{id: row.a}}) WHERE a.gen = mgen "
                f"MATCH (b:{ENTITY} {{id: row.b}}) WHERE b.gen = mgen "
                "MATCH (a)-[r]->(b) WHERE r.id = row.id AND r.gen = mgen RETURN r.id AS id, r.data AS d",
                {"rows": hinted},
                "rows",
            )
        found = {str(r["id"]) for r in rows}
        rest = [i for i in wanted if i not in found]
        if rest:
            rows += self._run_split(
                tx,
                d,
                _META + "MATCH ()-[r]->() WHERE r.id IN $ids AND r.gen = mgen RETURN r.id AS id, r.data AS d",
                {"ids": rest},
                "ids",
            )
        return rows

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
                f"MATCH (a:{ENTITY} {{id: id}}) WHERE a.gen = mgen "
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
            here, fwd = str(row["id"]), bool(row["fwd"])
            self._hint(str(row["rel"]), here if fwd else other, other if fwd else here)
            out[here].append(Adj(other, str(row["rel"]), fwd))
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
                f"MATCH (n:{ENTITY} {{id: id}}) WHERE n.gen = mgen "
                "OPTIONAL MATCH (n)-[r]-() RETURN id AS id, count(r) AS d",
                {"ids": wanted},
                "ids",
            )
        )
        found = {str(r["id"]): int(r["d"]) for r in rows}
        return {i: found[i] for i in wanted if i in found}

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
            for rid, start, end in steps:
                self._hint(str(rid), str(start), str(end))
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

    def edges_between(
        self, source: str, target: str, *, direction: str = "both", flt: EdgeFilter | None = None
    ) -> list[Adj]:
        pattern = _PATTERNS.get(direction)
        if pattern is None or source == target:
            return super().edges_between(source, target, direction=direction, flt=flt)
        if flt is not None and flt.is_open:
            flt = None
        rconds, rparams = edge_conditions(flt, "r")
        nconds, nparams = node_conditions(flt, "b")
        where = f"WHERE {' AND '.join(rconds + nconds)} " if rconds or nconds else ""
        text = (
            _META + f"MATCH (a:{ENTITY} {{id: $a}}) WHERE a.gen = mgen "
            f"MATCH (b:{ENTITY} {{id: $b}}) WHERE b.gen = mgen "
            f"MATCH {pattern} {where}RETURN r.id AS rel, startNode(r) = a AS fwd"
        )
        params = {**rparams, **nparams, "a": source, "b": target}

        def work(tx: ManagedTransaction, d: Dialect) -> list[dict[str, Any]] | None:
            if not d.fits(text, params):
                return None
            return self._run(tx, d, text, params)

        rows = self._read(work)
        if rows is None:
            return super().edges_between(source, target, direction=direction, flt=flt)
        out = []
        for row in rows:
            fwd = bool(row["fwd"])
            self._hint(str(row["rel"]), source if fwd else target, target if fwd else source)
            out.append(Adj(target, str(row["rel"]), fwd))
        return sorted(set(out))

    def edges_among(self, ids: Iterable[str], *, flt: EdgeFilter | None = None) -> list[str]:
        keep = sorted(set(ids))
        if not keep:
            return []
        if flt is not None and flt.is_open:
            flt = None
        rconds, rparams = edge_conditions(flt, "r")
        nconds, nparams = node_conditions(flt, "b")
        conds = " AND ".join(["b.id IN $ids", "b.gen = mgen", *rconds, *nconds])
        text = (
            _META + f"UNWIND $ids AS id MATCH (a:{ENTITY} {{id: id}}) WHERE a.gen = mgen "
            f"MATCH (a)-[r]->(b) WHERE {conds} RETURN r.id AS rel, a.id AS a, b.id AS b"
        )

        def work(tx: ManagedTransaction, d: Dialect) -> list[dict[str, Any]] | None:
            if d.max_query_bytes is not None:
                return None  # FalkorDB: the id list could not be split in two places at once
            return self._run(tx, d, text, {**rparams, **nparams, "ids": keep})

        rows = self._read(work)
        if rows is None:
            return super().edges_among(keep, flt=flt)
        for row in rows:
            self._hint(str(row["rel"]), str(row["a"]), str(row["b"]))
        return sorted({str(row["rel"]) for row in rows})

    def _layer_work(
        self, text: str, params: dict[str, Any]
    ) -> Callable[[ManagedTransaction, Dialect], list[dict[str, Any]]]:
        return lambda tx, d: self._run(tx, d, text, params)

    def capped_layers(
        self,
        centers: list[str],
        *,
        depth: int,
        direction: str = "both",
        flt: EdgeFilter | None = None,
        max_nodes: int,
    ) -> tuple[dict[str, int], bool, int]:
        d = self.dialect
        degree = d.degree_expr("b")
        pattern = _PATTERNS.get(direction)
        if degree is None or pattern is None or d.max_query_bytes is not None:
            return super().capped_layers(
                centers, depth=depth, direction=direction, flt=flt, max_nodes=max_nodes
            )
        if flt is not None and flt.is_open:
            flt = None
        rconds, rparams = edge_conditions(flt, "r")
        nconds, nparams = node_conditions(flt, "b")
        conds = " AND ".join(["NOT b.id IN $seen", *rconds, *nconds])
        # Like the generic walk: the new entities of the layer, the best-connected first, then
        # by id; only the ones that fit come back, with how many there were.
        text = (
            _META + f"UNWIND $frontier AS id MATCH (a:{ENTITY} {{id: id}}) WHERE a.gen = mgen "
            f"MATCH {pattern} WHERE {conds} "
            f"WITH DISTINCT b WITH b.id AS id, {degree} AS deg ORDER BY deg DESC, id "
            "WITH collect(id) AS found RETURN found[..$room] AS kept, size(found) AS total"
        )
        dist = {c: 0 for c in centers}
        frontier = list(centers)
        for step in range(1, depth + 1):
            if not frontier:
                break
            room = max_nodes - len(dist)
            params = {**rparams, **nparams, "frontier": frontier, "seen": sorted(dist), "room": room}
            rows = self._read(self._layer_work(text, params))
            kept = [str(i) for i in rows[0]["kept"]] if rows else []
            total = int(rows[0]["total"]) if rows else 0
            for n in kept:
                dist[n] = step
            if total > room:
                return dist, True, total - room
            frontier = sorted(kept)
        return dist, False, 0

    def common_neighbours(
        self, ids: list[str], *, flt: EdgeFilter | None = None
    ) -> dict[str, dict[str, str]] | None:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        if flt is not None and flt.is_open:
            flt = None
        rconds, rparams = edge_conditions(flt, "r")
        nconds, nparams = node_conditions(flt, "c")
        conds = " AND ".join(["NOT c.id IN $ids", *rconds, *nconds])
        text = (
            _META + f"UNWIND $ids AS id MATCH (a:{ENTITY} {{id: id}}) WHERE a.gen = mgen "
            f"MATCH (a)-[r]-(c) WHERE {conds} "
            "WITH c, id, min(r.id) AS rel WITH c, collect([id, rel]) AS vias WHERE size(vias) = $k "
            "RETURN c.id AS id, vias"
        )
        params = {**rparams, **nparams, "ids": wanted, "k": len(wanted)}

        def work(tx: ManagedTransaction, d: Dialect) -> list[dict[str, Any]] | None:
            if d.max_query_bytes is not None:
                return None  # FalkorDB: the generic walk (its id lists must be split)
            return self._run(tx, d, text, params)

        rows = self._read(work)
        if rows is None:
            return None
        return {str(r["id"]): {str(i): str(rel) for i, rel in r["vias"]} for r in rows}
