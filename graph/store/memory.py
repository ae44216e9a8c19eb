"""The embedded store: a networkx ``MultiDiGraph`` in memory, persisted to SQLite.

Why SQLite: it is in the standard library, its transactions make every write atomic and
crash-safe, and people can open the workspace with ordinary tools (``sqlite3``, Datasette).
Each table keeps a few plain columns for browsing plus the record as JSON; reopening reads the
JSON back without validating it again (it was validated when written).

A full replace (``cryptokg ingest``) writes a fresh database file next to the old one and
renames it into place, so a crash at any point leaves the previous workspace intact.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import orjson

from graph.errors import StoreUnavailable
from graph.filters import EdgeFilter
from graph.ingest.validate import Dataset
from graph.model import Entity, Relationship, Source, dump
from graph.store.base import Adj, GraphStore, NameRow, StoreStats
from graph.vocabulary import EntityKind, SourceKind, Status

__all__ = ["MemoryStore"]

DB_NAME = "graph.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    id TEXT PRIMARY KEY, kind TEXT, title TEXT, url TEXT, date TEXT, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS relationships (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, type TEXT NOT NULL, target TEXT NOT NULL,
    status TEXT NOT NULL, start TEXT, "end" TEXT, data TEXT NOT NULL);
"""
INDEXES = """
CREATE INDEX IF NOT EXISTS rel_source ON relationships(source);
CREATE INDEX IF NOT EXISTS rel_target ON relationships(target);
CREATE INDEX IF NOT EXISTS ent_kind ON entities(kind);
"""


def _entity(d: dict[str, Any]) -> Entity:
    return Entity.model_construct(**{**d, "kind": EntityKind(d["kind"])})


def _rel(d: dict[str, Any]) -> Relationship:
    return Relationship.model_construct(**{**d, "status": Status(d["status"])})


def _source(d: dict[str, Any]) -> Source:
    return Source.model_construct(**{**d, "kind": SourceKind(d.get("kind", "other"))})


def _rows(ds: Dataset) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    srcs = []
    for s in ds.sources.values():
        d = dump(s)
        srcs.append((s.id, d.get("kind"), s.title, s.url, s.date, orjson.dumps(d)))
    ents = []
    for e in ds.entities.values():
        ents.append((e.id, e.kind.value, e.name, orjson.dumps(dump(e))))
    rels = []
    for r in ds.relationships.values():
        rels.append((r.id, r.source, r.type, r.target, r.status.value, r.start, r.end, orjson.dumps(dump(r))))
    return srcs, ents, rels


class MemoryStore(GraphStore):
    """networkx graph in memory; durable in ``workspace/graph.sqlite`` (or memory-only if None)."""

    backend = "embedded"

    def __init__(self, workspace: Path | str | None = None) -> None:
        self.workspace = Path(workspace) if workspace is not None else None
        self._g: nx.MultiDiGraph = nx.MultiDiGraph()
        self._ends: dict[str, tuple[str, str]] = {}
        self._sources: dict[str, dict[str, Any]] = {}
        self._version = "empty"
        self._stats: StoreStats | None = None
        self._stamp: tuple[int, int] | None = None
        if self.workspace is not None:
            try:
                self.workspace.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                msg = f"cannot create workspace {self.workspace}: {exc.strerror}"
                raise StoreUnavailable(msg) from exc
            for stale in self.workspace.glob(DB_NAME + ".tmp-*"):
                stale.unlink(missing_ok=True)
            if self.db_path.exists():
                self._load()

    # -- persistence ---------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        """Path of the SQLite file."""
        assert self.workspace is not None
        return self.workspace / DB_NAME

    def describe(self) -> str:
        return f"embedded workspace {self.workspace}" if self.workspace else "in-memory graph"

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = self.db_path.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def _connect(self) -> sqlite3.Connection:
        try:
            con = sqlite3.connect(self.db_path, isolation_level=None)
        except sqlite3.Error as exc:
            msg = f"cannot open {self.db_path}: {exc}"
            raise StoreUnavailable(msg) from exc
        return con

    def _load(self) -> None:
        con = self._connect()
        try:
            meta = dict(con.execute("SELECT key, value FROM meta"))
            g = nx.MultiDiGraph()
            sources = {sid: orjson.loads(data) for sid, data in con.execute("SELECT id, data FROM sources")}
            g.add_nodes_from(
                (eid, orjson.loads(data)) for eid, data in con.execute("SELECT id, data FROM entities")
            )
            ends: dict[str, tuple[str, str]] = {}
            edges = []
            for rid, s, t, data in con.execute("SELECT id, source, target, data FROM relationships"):
                ends[rid] = (s, t)
                edges.append((s, t, rid, orjson.loads(data)))
            g.add_edges_from(edges)
        except sqlite3.DatabaseError as exc:
            msg = f"workspace {self.db_path} is not a readable cryptokg database: {exc}"
            raise StoreUnavailable(msg) from exc
        finally:
            con.close()
        self._g, self._ends, self._sources = g, ends, sources
        self._version = meta.get("version", "empty")
        self._stats = None
        self._stamp = self._file_stamp()

    def refresh(self) -> bool:
        """Reload if another process changed the workspace; True when it did."""
        if self.workspace is None:
            return False
        stamp = self._file_stamp()
        if stamp is None or stamp == self._stamp:
            return False
        self._load()
        return True

    # -- write half ----------------------------------------------------------------
    def replace_all(self, dataset: Dataset) -> None:
        srcs, ents, rels = _rows(dataset)
        h = hashlib.sha256()
        for rows in (srcs, ents, rels):
            for row in sorted(rows):
                h.update(row[-1])
        version = h.hexdigest()[:16]
        if self.workspace is not None:
            self._write_new_file(srcs, ents, rels, version)
        self._build(dataset, version)

    def _write_new_file(
        self,
        srcs: list[tuple[Any, ...]],
        ents: list[tuple[Any, ...]],
        rels: list[tuple[Any, ...]],
        version: str,
    ) -> None:
        tmp = self.db_path.with_name(f"{DB_NAME}.tmp-{os.getpid()}")
        tmp.unlink(missing_ok=True)
        try:
            con = sqlite3.connect(tmp, isolation_level=None)
            try:
                con.execute("PRAGMA journal_mode=OFF")
                con.execute("PRAGMA synchronous=OFF")
                con.executescript(SCHEMA)
                con.execute("BEGIN")
                con.executemany("INSERT INTO sources VALUES (?,?,?,?,?,?)", srcs)
                con.executemany("INSERT INTO entities VALUES (?,?,?,?)", ents)
                con.executemany("INSERT INTO relationships VALUES (?,?,?,?,?,?,?,?)", rels)
                con.execute("INSERT INTO meta VALUES ('version', ?)", (version,))
                con.execute("INSERT INTO meta VALUES ('schema', '1')")
                for stmt in INDEXES.strip().split(";"):
                    if stmt.strip():
                        con.execute(stmt)
                con.execute("COMMIT")
            finally:
                con.close()
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            self._before_swap()
            os.replace(tmp, self.db_path)
            dir_fd = os.open(self.db_path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def _before_swap(self) -> None:
        """Hook run just before the new file replaces the old one (tests inject failures here)."""

    def _build(self, ds: Dataset, version: str) -> None:
        g = nx.MultiDiGraph()
        g.add_nodes_from((e.id, dump(e)) for e in ds.entities.values())
        g.add_edges_from((r.source, r.target, r.id, dump(r)) for r in ds.relationships.values())
        self._g = g
        self._ends = {r.id: (r.source, r.target) for r in ds.relationships.values()}
        self._sources = {s.id: dump(s) for s in ds.sources.values()}
        self._version = version
        self._stats = None
        if self.workspace is not None:
            self._stamp = self._file_stamp()

    def _next_version(self, change: bytes) -> str:
        return hashlib.sha256(self._version.encode() + change).hexdigest()[:16]

    def _transaction(self, statements: list[tuple[str, list[tuple[Any, ...]]]], version: str) -> None:
        if self.workspace is None:
            return
        if not self.db_path.exists():
            self._write_new_file([], [], [], self._version)
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                for sql, rows in statements:
                    con.executemany(sql, rows)
                con.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (version,))
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        finally:
            con.close()

    def upsert(
        self,
        *,
        sources: Iterable[Source] = (),
        entities: Iterable[Entity] = (),
        relationships: Iterable[Relationship] = (),
    ) -> None:
        ds = Dataset(
            {s.id: s for s in sources}, {e.id: e for e in entities}, {r.id: r for r in relationships}
        )
        srcs, ents, rels = _rows(ds)
        change = b"".join(row[-1] for rows in (srcs, ents, rels) for row in rows)
        version = self._next_version(b"upsert" + change)
        self._transaction(
            [
                ("INSERT OR REPLACE INTO sources VALUES (?,?,?,?,?,?)", srcs),
                ("INSERT OR REPLACE INTO entities VALUES (?,?,?,?)", ents),
                ("INSERT OR REPLACE INTO relationships VALUES (?,?,?,?,?,?,?,?)", rels),
            ],
            version,
        )
        for s in ds.sources.values():
            self._sources[s.id] = dump(s)
        for e in ds.entities.values():
            if e.id in self._g:
                self._g.nodes[e.id].clear()
            self._g.add_node(e.id, **dump(e))
        for r in ds.relationships.values():
            old = self._ends.pop(r.id, None)
            if old is not None:
                self._g.remove_edge(old[0], old[1], key=r.id)
            self._g.add_edge(r.source, r.target, key=r.id, **dump(r))
            self._ends[r.id] = (r.source, r.target)
        self._version = version
        self._stats = None
        if self.workspace is not None:
            self._stamp = self._file_stamp()

    def delete(
        self,
        *,
        sources: Iterable[str] = (),
        entities: Iterable[str] = (),
        relationships: Iterable[str] = (),
    ) -> None:
        ent_ids = [e for e in entities if e in self._g]
        rel_ids = {r for r in relationships if r in self._ends}
        for eid in ent_ids:
            rel_ids.update(k for _, _, k in self._g.out_edges(eid, keys=True))
            rel_ids.update(k for _, _, k in self._g.in_edges(eid, keys=True))
        src_ids = [s for s in sources if s in self._sources]
        change = "|".join(sorted(rel_ids) + ent_ids + src_ids).encode()
        version = self._next_version(b"delete" + change)
        self._transaction(
            [
                ("DELETE FROM relationships WHERE id = ?", [(r,) for r in sorted(rel_ids)]),
                ("DELETE FROM entities WHERE id = ?", [(e,) for e in ent_ids]),
                ("DELETE FROM sources WHERE id = ?", [(s,) for s in src_ids]),
            ],
            version,
        )
        for rid in rel_ids:
            s, t = self._ends.pop(rid)
            self._g.remove_edge(s, t, key=rid)
        self._g.remove_nodes_from(ent_ids)
        for sid in src_ids:
            del self._sources[sid]
        self._version = version
        self._stats = None
        if self.workspace is not None:
            self._stamp = self._file_stamp()

    # -- read half -----------------------------------------------------------------
    @property
    def version(self) -> str:
        return self._version

    @property
    def nx_graph(self) -> nx.MultiDiGraph:
        """The underlying networkx graph (read-only use; for analytics and notebooks)."""
        return self._g

    def stats(self) -> StoreStats:
        if self._stats is None:
            kinds = Counter(d["kind"] for _, d in self._g.nodes(data=True))
            types: Counter[str] = Counter()
            statuses: Counter[str] = Counter()
            unsourced = 0
            for _, _, d in self._g.edges(data=True):
                types[d["type"]] += 1
                statuses[d["status"]] += 1
                if not d.get("sources"):
                    unsourced += 1
            self._stats = StoreStats(
                entities=self._g.number_of_nodes(),
                relationships=self._g.number_of_edges(),
                sources=len(self._sources),
                entities_by_kind=dict(sorted(kinds.items())),
                relationships_by_type=dict(sorted(types.items())),
                relationships_by_status=dict(sorted(statuses.items())),
                relationships_without_source=unsourced,
                version=self._version,
            )
        return self._stats

    def get_entities(self, ids: Iterable[str]) -> dict[str, Entity]:
        nodes = self._g._node
        return {i: _entity(nodes[i]) for i in ids if i in nodes}

    def get_relationships(self, ids: Iterable[str]) -> dict[str, Relationship]:
        out = {}
        succ = self._g._succ
        for rid in ids:
            ends = self._ends.get(rid)
            if ends is not None:
                out[rid] = _rel(succ[ends[0]][ends[1]][rid])
        return out

    def get_sources(self, ids: Iterable[str]) -> dict[str, Source]:
        return {i: _source(self._sources[i]) for i in ids if i in self._sources}

    def iter_sources(self) -> Iterator[Source]:
        for sid in sorted(self._sources):
            yield _source(self._sources[sid])

    def iter_entities(self, kind: str | None = None) -> Iterator[Entity]:
        nodes = self._g._node
        for eid in sorted(nodes):
            d = nodes[eid]
            if kind is None or d["kind"] == kind:
                yield _entity(d)

    def list_entities(self, *, kind: str | None, offset: int, limit: int) -> tuple[list[Entity], int]:
        nodes = self._g._node
        ids = sorted(i for i, d in nodes.items() if kind is None or d["kind"] == kind)
        return [_entity(nodes[i]) for i in ids[offset : offset + limit]], len(ids)

    def iter_relationships(self) -> Iterator[Relationship]:
        succ = self._g._succ
        for rid in sorted(self._ends):
            s, t = self._ends[rid]
            yield _rel(succ[s][t][rid])

    def citing(self, source_id: str) -> tuple[list[str], list[str]]:
        ents = sorted(i for i, d in self._g.nodes(data=True) if source_id in d.get("sources", ()))
        rels = sorted(k for _, _, k, d in self._g.edges(keys=True, data=True) if source_id in d["sources"])
        return ents, rels

    def adjacent(
        self, entity_id: str, *, direction: str = "both", flt: EdgeFilter | None = None
    ) -> list[Adj]:
        g = self._g
        if entity_id not in g._node:
            return []
        if flt is not None and flt.is_open:
            flt = None
        nodes = g._node
        out: list[Adj] = []
        sides = []
        if direction in ("out", "both"):
            sides.append((g._succ[entity_id], True))
        if direction in ("in", "both"):
            sides.append((g._pred[entity_id], False))
        for adj, forward in sides:
            for nbr, keyed in adj.items():
                if flt is not None:
                    if nbr in flt.avoid:
                        continue
                    if flt.kinds is not None and nodes[nbr]["kind"] not in flt.kinds:
                        continue
                for rid, d in keyed.items():
                    if flt is None or flt.accepts(d):
                        out.append(Adj(nbr, rid, forward))
        out.sort()
        return out

    def degrees(self, ids: Iterable[str]) -> dict[str, int]:
        succ, pred = self._g._succ, self._g._pred
        return {
            i: sum(map(len, succ[i].values())) + sum(map(len, pred[i].values())) for i in ids if i in succ
        }

    def name_rows(self) -> list[NameRow]:
        deg = self.degrees(self._g._node)
        return [
            NameRow(i, d["kind"], d["name"], tuple(d.get("aliases", ())), deg[i])
            for i, d in sorted(self._g._node.items())
        ]
