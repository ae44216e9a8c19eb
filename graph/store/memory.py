"""The embedded store: a networkx ``MultiDiGraph`` in memory, persisted to SQLite.

Why SQLite: it is in the standard library, its transactions make every write atomic and
crash-safe, and people can open the workspace with ordinary tools (``sqlite3``, Datasette).
Each table keeps a few plain columns for browsing plus the record as JSON; reopening reads the
JSON back without validating it again (it was validated when written); a big graph's full replace
also stores a ``marshal`` image of the linked graph (``graph.store.snapshot``), which reopens it
in about 40 % of the time.

A full replace (``cryptokg ingest``) writes a fresh database file next to the old one and
renames it into place, so a crash at any point leaves the previous workspace intact.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import orjson

from graph.cancel import shielded
from graph.errors import StoreUnavailable
from graph.filters import EdgeFilter
from graph.history import hooks as history
from graph.ingest.records import Records, bulk_objects, entity_of, relationship_of, source_of
from graph.ingest.validate import Dataset
from graph.model import Entity, Relationship, Source, dump
from graph.store.base import Adj, GraphStore, NameRow, PathSearcher, StoreStats
from graph.store.csr import CsrIndex
from graph.store.snapshot import Image, dump_parts, load_parts
from graph.store.workspace_lock import WorkspaceLock, remove_orphans, tmp_name

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
-- The CSR side index of a big graph (numpy arrays, see graph/store/csr.py), so that reopening
-- need not rebuild it; dropped by every later write, which makes the next open rebuild it.
CREATE TABLE IF NOT EXISTS side_index (name TEXT PRIMARY KEY, data BLOB NOT NULL);
-- A marshal image of the linked graph (graph/store/snapshot.py), in parts, written with a full
-- replace of a big graph so that reopening need not parse and link millions of records;
-- dropped by every later write, like the side index.
CREATE TABLE IF NOT EXISTS graph_image (part INTEGER PRIMARY KEY, data BLOB NOT NULL);
"""
INDEXES = """
CREATE INDEX IF NOT EXISTS rel_source ON relationships(source);
CREATE INDEX IF NOT EXISTS rel_target ON relationships(target);
CREATE INDEX IF NOT EXISTS ent_kind ON entities(kind);
"""
#: Graphs with at least this many relationships get the CSR side index as soon as they load,
#: and a full replace stores their side index and graph image in the workspace.
EAGER_INDEX = 200_000
#: Workspace files above this size (bytes) hold a graph big enough to load without GC pauses.
BIG_FILE = 50_000_000
#: Seconds a write waits for another writer of the same workspace (``cryptokg ingest`` waits this
#: long for a running server's write; the API passes its own time budget).
LOCK_TIMEOUT = 60.0

Table = Mapping[str, dict[str, Any]]
Row = tuple[Any, ...]


def _table(records: Mapping[str, Any]) -> Table:
    """Record id -> compact dict, without copying when the records are already kept that way."""
    if isinstance(records, Records):
        return records.raw
    return {k: dump(v) for k, v in records.items()}


def _source_row(d: dict[str, Any], data: bytes) -> Row:
    return (d["id"], d.get("kind"), d.get("title"), d.get("url"), d.get("date"), data)


def _entity_row(d: dict[str, Any], data: bytes) -> Row:
    return (d["id"], d["kind"], d["name"], data)


def _rel_row(d: dict[str, Any], data: bytes) -> Row:
    return (d["id"], d["source"], d["type"], d["target"], d["status"], d.get("start"), d.get("end"), data)


def _json_rows(table: Table, row: Callable[[dict[str, Any], bytes], Row], h: Any) -> Iterator[Row]:
    """Rows of a table kept in id order (see ``_replace``); feeds each record's JSON to the
    version hash on the way."""
    for d in table.values():
        data = orjson.dumps(d)
        h.update(data)
        yield row(d, data)


# Kept for graph.store.neo4j, which shares the row layout and the version rule.
_entity = entity_of
_rel = relationship_of
_source = source_of


def _rows(ds: Dataset) -> tuple[list[Row], list[Row], list[Row]]:
    """SQLite rows (JSON last) of every source, entity and relationship of ``ds``."""
    out: list[list[Row]] = []
    for records, row in ((ds.sources, _source_row), (ds.entities, _entity_row), (ds.relationships, _rel_row)):
        out.append([row(d, orjson.dumps(d)) for d in _table(records).values()])
    return out[0], out[1], out[2]


def _records(con: sqlite3.Connection, table: str) -> Iterator[dict[str, Any]]:
    """The records of a table in file order, parsed a block at a time (one ``orjson`` call per block).

    A full replace writes records in id order; later writes append, which drops the side index.
    """
    cur = con.execute(f"SELECT data FROM {table}")  # noqa: S608 - a fixed table name
    while rows := cur.fetchmany(100_000):
        block = b"[" + b",".join(r[0] if isinstance(r[0], bytes) else r[0].encode() for r in rows) + b"]"
        del rows
        yield from orjson.loads(block)


def _read_image(con: sqlite3.Connection, version: str) -> Image | None:
    """The stored graph image of ``version``, or None when the workspace has none usable."""
    try:
        cur = con.execute("SELECT data FROM graph_image ORDER BY part")
    except sqlite3.OperationalError:
        return None
    return load_parts((r[0] for r in cur), version)


def _sorted(table: Table) -> dict[str, dict[str, Any]]:
    """``table`` as a new dict in id order."""
    return {k: table[k] for k in sorted(table)}


def _image_of(state: _State) -> Image:
    """The graph as an image (built from tables in id order, like the graph of a reopen)."""
    g = state.g
    return (g._node, g._succ, g._pred, state.rels, state.sources)


def _read_side_index(con: sqlite3.Connection) -> dict[str, Any] | None:
    """The arrays of the stored side index, or None when the workspace has none (or an old one)."""
    try:
        rows = con.execute("SELECT name, data FROM side_index").fetchall()
    except sqlite3.OperationalError:
        return None
    return CsrIndex.arrays_from(dict(rows)) if rows else None


@dataclass
class _State:
    """A graph ready to be installed."""

    g: nx.MultiDiGraph
    rels: dict[str, dict[str, Any]]
    sources: dict[str, dict[str, Any]]
    index: CsrIndex | None


class MemoryStore(GraphStore):
    """networkx graph in memory; durable in ``workspace/graph.sqlite`` (or memory-only if None).

    Node attributes are the entities' compact dicts and edge attributes the relationships'
    (``graph.model.dump``), keyed by relationship id. Equal strings (entity ids at both ends of
    a relationship, types, statuses, dates, source ids) are shared, which keeps a graph of
    millions of relationships within a few GB. A CSR side index (``graph.store.csr``) answers
    the bulk walks; it is rebuilt, lazily, after every change.
    """

    backend = "embedded"

    def __init__(self, workspace: Path | str | None = None) -> None:
        self.workspace = Path(workspace) if workspace is not None else None
        self._graph: nx.MultiDiGraph = nx.MultiDiGraph()
        self._rel_data: dict[str, dict[str, Any]] = {}
        self._source_data: dict[str, dict[str, Any]] = {}
        self._pending = False
        self._version = "empty"
        self._stats: StoreStats | None = None
        self._stamp: tuple[int, int] | None = None
        self._csr: CsrIndex | None = None
        self._csr_lock = threading.RLock()
        self._load_lock = threading.RLock()
        #: Seconds a write waits for another writer of the workspace before ``StoreBusy``.
        self.lock_timeout = LOCK_TIMEOUT
        self._wlock: WorkspaceLock | None = None
        if self.workspace is not None:
            try:
                self.workspace.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                msg = f"cannot create workspace {self.workspace}: {exc.strerror}"
                raise StoreUnavailable(msg) from exc
            self._wlock = WorkspaceLock(self.workspace / (DB_NAME + ".lock"))
            # Only the temporary files of writers that no longer run: a running ingest keeps its own.
            remove_orphans(self.db_path)
            if self.db_path.exists():
                self._open_file()

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
            con = sqlite3.connect(self.db_path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            msg = f"cannot open {self.db_path}: {exc}"
            raise StoreUnavailable(msg) from exc
        return con

    # The graph loads on first use: opening a workspace only to replace it (``cryptokg ingest``)
    # never reads the old graph, and a server starts answering as soon as it is loaded.
    @property
    def _g(self) -> nx.MultiDiGraph:
        if self._pending:
            self._load()
        return self._graph

    @property
    def _rels(self) -> dict[str, dict[str, Any]]:
        if self._pending:
            self._load()
        return self._rel_data

    @property
    def _sources(self) -> dict[str, dict[str, Any]]:
        if self._pending:
            self._load()
        return self._source_data

    def _open_file(self) -> None:
        """Read the version of the workspace file; the graph itself loads on first use."""
        con = self._connect()
        try:
            meta = dict(con.execute("SELECT key, value FROM meta"))
        except sqlite3.DatabaseError as exc:
            msg = f"workspace {self.db_path} is not a readable cryptokg database: {exc}"
            raise StoreUnavailable(msg) from exc
        finally:
            con.close()
        self._version = meta.get("version", "empty")
        self._stats = None
        self._csr = None
        self._stamp = self._file_stamp()
        self._pending = True

    def _load(self) -> None:
        # Shielded: a query's deadline never tears a load halfway; the loaded graph serves the next.
        with shielded(), self._load_lock, bulk_objects(self.db_path.stat().st_size > BIG_FILE):
            if not self._pending:
                return
            con = self._connect()
            try:
                version = dict(con.execute("SELECT key, value FROM meta")).get("version", "empty")
                image = _read_image(con, version)
                if image is not None:
                    self._commit(self._from_image(con, image, version), version)
                    return
                sources = {d["id"]: d for d in _records(con, "sources")}
                # Equal strings shared: source ids, kinds, types, statuses and dates repeat millions
                # of times. (Entity ids at relationship ends are left as read: a lookup in a
                # million-entry table for each costs more time than the memory it saves.)
                words: dict[str, str] = {s: s for s in sources}
                share = words.setdefault
                ents: dict[str, dict[str, Any]] = {}
                for d in _records(con, "entities"):
                    d["kind"] = share(d["kind"], d["kind"])
                    d["sources"] = [share(x, x) for x in d["sources"]]
                    ents[d["id"]] = d
                rels: dict[str, dict[str, Any]] = {}

                def edges() -> Iterator[tuple[str, dict[str, Any]]]:
                    for d in _records(con, "relationships"):
                        v = d["type"]
                        d["type"] = share(v, v)
                        v = d["status"]
                        d["status"] = share(v, v)
                        v = d.get("start")
                        if v is not None:
                            d["start"] = share(v, v)
                        v = d.get("end")
                        if v is not None:
                            d["end"] = share(v, v)
                        cited = d["sources"]
                        for i, v in enumerate(cited):
                            cited[i] = share(v, v)
                        rid = d["id"]
                        rels[rid] = d
                        yield rid, d

                # A stored side index is put back together (numpy sorts, without the GIL) by a
                # second thread while this one reads the relationships and links the graph.
                side = _read_side_index(con)
                got: list[CsrIndex | None] = []
                rebuild = threading.Thread(
                    target=lambda: got.append(
                        CsrIndex.from_arrays(list(ents), None, side, version) if side else None
                    )
                )
                rebuild.start()
                try:
                    state = self._prepare(ents, rels, sources, build_index=False, edges=edges())
                finally:
                    rebuild.join()
            except sqlite3.DatabaseError as exc:
                msg = f"workspace {self.db_path} is not a readable cryptokg database: {exc}"
                raise StoreUnavailable(msg) from exc
            finally:
                con.close()
            index = got[0] if got else None
            if index is not None and len(index.src) == len(rels):
                index.rel_ids = list(rels)
                state.index = index
            elif len(rels) >= EAGER_INDEX:
                state.index = CsrIndex.build(state.g._node, rels, version)
            self._commit(state, version)

    def _from_image(self, con: sqlite3.Connection, image: Image, version: str) -> _State:
        """The graph of a stored image, with the stored side index (or a new one)."""
        node, succ, pred, rels, sources = image
        g = nx.MultiDiGraph()
        g._node, g._pred = node, pred
        g._adj = g._succ = succ
        side = _read_side_index(con)
        index = CsrIndex.from_arrays(list(node), list(rels), side, version) if side else None
        if index is None and len(rels) >= EAGER_INDEX:
            index = CsrIndex.build(node, rels, version)
        return _State(g, rels, sources, index)

    def refresh(self) -> bool:
        """Reload if another process changed the workspace; True when it did."""
        if self.workspace is None:
            return False
        stamp = self._file_stamp()
        if stamp is None or stamp == self._stamp:
            return False
        self._open_file()
        return True

    # -- write half ----------------------------------------------------------------
    @contextmanager
    def exclusive(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the workspace's write lock (across processes) with the graph current.

        On entry, a graph that another process changed on disk is reloaded, so a change made
        inside the block applies to what the workspace holds, and the version that follows
        identifies that content. Re-entrant; a memory-only store needs no lock.
        """
        if self._wlock is None:
            yield
            return
        with self._wlock.hold(self.lock_timeout if timeout is None else timeout):
            if self._disk_version() not in (None, self._version):
                self._open_file()
            yield

    def _disk_version(self) -> str | None:
        """The version the workspace file holds now (None when there is no file yet)."""
        if not self.db_path.exists():
            return None
        con = self._connect()
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        except sqlite3.DatabaseError:
            return None
        finally:
            con.close()
        return str(row[0]) if row else "empty"

    def replace_all(self, dataset: Dataset) -> None:
        with (
            self.exclusive(),
            bulk_objects(len(dataset.entities) + len(dataset.relationships) >= EAGER_INDEX),
        ):
            self._replace(dataset)

    def _replace(self, dataset: Dataset) -> None:
        # Every table in id order: the order of the file, of the side index and of the hash, so
        # the graph built here is the one reading the file back gives (and its image).
        srcs, ents, rels = (
            _sorted(_table(records)) for records in (dataset.sources, dataset.entities, dataset.relationships)
        )
        h = hashlib.sha256()
        log = None
        if self.workspace is not None:
            log = history.logger("ingest", self._version, history.replace_changes(self, srcs, ents, rels))
        state = self._prepare(ents, rels, srcs)
        if self.workspace is not None:
            image = _image_of(state) if len(rels) >= EAGER_INDEX else None
            self._write_new_file(srcs, ents, rels, h, side=state.index, image=image, log=log)
        else:
            for table, row in ((srcs, _source_row), (ents, _entity_row), (rels, _rel_row)):
                for _ in _json_rows(table, row, h):
                    pass
        self._commit(state, h.hexdigest()[:16])
        if self.workspace is not None:
            self._stamp = self._file_stamp()

    def _write_new_file(
        self,
        srcs: Table,
        ents: Table,
        rels: Table,
        h: Any,
        side: CsrIndex | None = None,
        image: Image | None = None,
        log: Callable[[sqlite3.Connection, str], None] | None = None,
    ) -> None:
        """Write a complete new database next to the old one, then rename it into place.

        The old file's change log is carried over, and ``log`` adds this write's entry to it.
        """
        tmp = tmp_name(self.db_path)
        tmp.unlink(missing_ok=True)  # ours: left by an earlier failed write of this process
        try:
            con = sqlite3.connect(tmp, isolation_level=None)
            try:
                con.execute("PRAGMA journal_mode=OFF")
                con.execute("PRAGMA synchronous=OFF")
                con.execute("PRAGMA cache_size=-262144")
                con.executescript(SCHEMA)
                history.copy_log(con, self.db_path)
                con.execute("BEGIN")
                con.executemany("INSERT INTO sources VALUES (?,?,?,?,?,?)", _json_rows(srcs, _source_row, h))
                con.executemany("INSERT INTO entities VALUES (?,?,?,?)", _json_rows(ents, _entity_row, h))
                con.executemany(
                    "INSERT INTO relationships VALUES (?,?,?,?,?,?,?,?)", _json_rows(rels, _rel_row, h)
                )
                con.execute("INSERT INTO meta VALUES ('version', ?)", (h.hexdigest()[:16],))
                con.execute("INSERT INTO meta VALUES ('schema', '1')")
                if log is not None:
                    log(con, h.hexdigest()[:16])
                if side is not None:
                    con.executemany("INSERT INTO side_index VALUES (?, ?)", side.to_arrays().items())
                parts = dump_parts(image, h.hexdigest()[:16]) if image is not None else None
                if parts is not None:
                    con.executemany("INSERT INTO graph_image VALUES (?, ?)", enumerate(parts))
                del image, parts
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

    def _prepare(
        self,
        ents: dict[str, dict[str, Any]],
        rels: dict[str, dict[str, Any]],
        sources: dict[str, dict[str, Any]],
        *,
        build_index: bool = True,
        edges: Iterable[tuple[str, dict[str, Any]]] | None = None,
    ) -> _State:
        """A new graph of these records (their dicts become the node and edge attributes), and its
        side index when it is big (built, unless read from the workspace); ``self`` is not touched.

        ``edges``, when given, yields the relationships while filling ``rels`` (reading and
        linking each record in one pass, while it is still in the CPU cache).
        """
        g = nx.MultiDiGraph()
        node, succ, pred = g._node, g._succ, g._pred
        for eid, d in ents.items():
            node[eid] = d
            succ[eid] = {}
            pred[eid] = {}
        for rid, d in rels.items() if edges is None else edges:
            u, v = d["source"], d["target"]
            su = succ.get(u)
            if su is None:
                node[u], su, pred[u] = {}, {}, {}
                succ[u] = su
            keyed = su.get(v)
            if keyed is None:
                if v not in node:
                    node[v], succ[v], pred[v] = {}, {}, {}
                keyed = su[v] = pred[v][u] = {}
            keyed[rid] = d
        index = CsrIndex.build(node, rels, "") if build_index and len(rels) >= EAGER_INDEX else None
        return _State(g, rels, sources, index)

    def _commit(self, state: _State, version: str) -> None:
        self._graph, self._rel_data, self._source_data = state.g, state.rels, state.sources
        self._pending = False
        self._version = version
        self._stats = None
        if state.index is not None:
            state.index.version = version
        self._csr = state.index

    def _next_version(self, change: bytes) -> str:
        return hashlib.sha256(self._version.encode() + change).hexdigest()[:16]

    def _transaction(
        self,
        statements: list[tuple[str, list[tuple[Any, ...]]]],
        version: str,
        log: Callable[[sqlite3.Connection, str], None] | None = None,
    ) -> None:
        if self.workspace is None:
            return
        if not self.db_path.exists():
            self._write_new_file({}, {}, {}, hashlib.sha256())
            con = self._connect()
            try:
                con.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (self._version,))
            finally:
                con.close()
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                con.execute("DROP TABLE IF EXISTS side_index")
                con.execute("DROP TABLE IF EXISTS graph_image")
                for sql, rows in statements:
                    con.executemany(sql, rows)
                if log is not None:
                    log(con, version)
                con.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (version,))
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        finally:
            con.close()

    def _changed(self, version: str) -> None:
        self._version = version
        self._stats = None
        self._csr = None
        if self.workspace is not None:
            self._stamp = self._file_stamp()

    def upsert(
        self,
        *,
        sources: Iterable[Source] = (),
        entities: Iterable[Entity] = (),
        relationships: Iterable[Relationship] = (),
    ) -> None:
        with self.exclusive():
            self._upsert(list(sources), list(entities), list(relationships))

    def _upsert(
        self, sources: list[Source], entities: list[Entity], relationships: list[Relationship]
    ) -> None:
        srcs = {s.id: dump(s) for s in sources}
        ents = {e.id: dump(e) for e in entities}
        rels = {r.id: dump(r) for r in relationships}
        rows = [
            [_source_row(d, orjson.dumps(d)) for d in srcs.values()],
            [_entity_row(d, orjson.dumps(d)) for d in ents.values()],
            [_rel_row(d, orjson.dumps(d)) for d in rels.values()],
        ]
        change = b"".join(row[-1] for table in rows for row in table)
        version = self._next_version(b"upsert" + change)
        log = history.logger("upsert", self._version, history.upsert_changes(self, srcs, ents, rels))
        self._transaction(
            [
                ("INSERT OR REPLACE INTO sources VALUES (?,?,?,?,?,?)", rows[0]),
                ("INSERT OR REPLACE INTO entities VALUES (?,?,?,?)", rows[1]),
                ("INSERT OR REPLACE INTO relationships VALUES (?,?,?,?,?,?,?,?)", rows[2]),
            ],
            version,
            log,
        )
        self._sources.update(srcs)
        g = self._g
        for eid, d in ents.items():
            if eid in g._node:
                g._node[eid] = d  # a new dict: never change one a caller's Dataset may share
            else:
                g.add_node(eid)
                g._node[eid] = d
        for rid, d in rels.items():
            old = self._rels.pop(rid, None)
            if old is not None:
                g.remove_edge(old["source"], old["target"], key=rid)
            for end in (d["source"], d["target"]):
                if end not in g._node:
                    g.add_node(end)
            g.add_edge(d["source"], d["target"], key=rid)
            g._succ[d["source"]][d["target"]][rid] = d
            self._rels[rid] = d
        self._changed(version)

    def delete(
        self,
        *,
        sources: Iterable[str] = (),
        entities: Iterable[str] = (),
        relationships: Iterable[str] = (),
    ) -> None:
        with self.exclusive():
            self._delete(list(sources), list(entities), list(relationships))

    def _delete(self, sources: list[str], entities: list[str], relationships: list[str]) -> None:
        ent_ids = [e for e in entities if e in self._g]
        rel_ids = {r for r in relationships if r in self._rels}
        for eid in ent_ids:
            rel_ids.update(k for _, _, k in self._g.out_edges(eid, keys=True))
            rel_ids.update(k for _, _, k in self._g.in_edges(eid, keys=True))
        src_ids = [s for s in sources if s in self._sources]
        change = "|".join(sorted(rel_ids) + ent_ids + src_ids).encode()
        version = self._next_version(b"delete" + change)
        log = history.logger("delete", self._version, history.delete_changes(self, src_ids, ent_ids, rel_ids))
        self._transaction(
            [
                ("DELETE FROM relationships WHERE id = ?", [(r,) for r in sorted(rel_ids)]),
                ("DELETE FROM entities WHERE id = ?", [(e,) for e in ent_ids]),
                ("DELETE FROM sources WHERE id = ?", [(s,) for s in src_ids]),
            ],
            version,
            log,
        )
        for rid in rel_ids:
            d = self._rels.pop(rid)
            self._g.remove_edge(d["source"], d["target"], key=rid)
        self._g.remove_nodes_from(ent_ids)
        for sid in src_ids:
            del self._sources[sid]
        self._changed(version)

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
            kinds = Counter(str(d.get("kind")) for d in self._g._node.values())
            rels = self._rels.values()
            ix = self._csr
            if ix is not None and ix.version == self._version:
                types, statuses = ix.type_counts(), ix.status_counts()
            else:
                types = Counter(d["type"] for d in rels)
                statuses = Counter(d["status"] for d in rels)
            unsourced = sum(1 for d in rels if not d.get("sources"))
            self._stats = StoreStats(
                entities=self._g.number_of_nodes(),
                relationships=len(self._rels),
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
        return {i: entity_of(nodes[i]) for i in ids if i in nodes}

    def get_relationships(self, ids: Iterable[str]) -> dict[str, Relationship]:
        rels = self._rels
        return {i: relationship_of(rels[i]) for i in ids if i in rels}

    def get_sources(self, ids: Iterable[str]) -> dict[str, Source]:
        return {i: source_of(self._sources[i]) for i in ids if i in self._sources}

    def iter_sources(self) -> Iterator[Source]:
        for sid in sorted(self._sources):
            yield source_of(self._sources[sid])

    def iter_entities(self, kind: str | None = None) -> Iterator[Entity]:
        nodes = self._g._node
        for eid in sorted(nodes):
            d = nodes[eid]
            if kind is None or d["kind"] == kind:
                yield entity_of(d)

    def list_entities(self, *, kind: str | None, offset: int, limit: int) -> tuple[list[Entity], int]:
        nodes = self._g._node
        ids = sorted(i for i, d in nodes.items() if kind is None or d["kind"] == kind)
        return [entity_of(nodes[i]) for i in ids[offset : offset + limit]], len(ids)

    def iter_relationships(self) -> Iterator[Relationship]:
        rels = self._rels
        for rid in sorted(rels):
            yield relationship_of(rels[rid])

    def citing(self, source_id: str) -> tuple[list[str], list[str]]:
        ents = sorted(i for i, d in self._g.nodes(data=True) if source_id in d.get("sources", ()))
        rels = sorted(k for k, d in self._rels.items() if source_id in d["sources"])
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

    def edges_between(
        self, source: str, target: str, *, direction: str = "both", flt: EdgeFilter | None = None
    ) -> list[Adj]:
        g = self._g
        if source not in g._node or target not in g._node:
            return []
        if flt is not None and flt.is_open:
            flt = None
        if flt is not None and (
            target in flt.avoid or (flt.kinds is not None and g._node[target]["kind"] not in flt.kinds)
        ):
            return []
        out: list[Adj] = []
        if direction in ("out", "both"):
            for rid, d in g._succ[source].get(target, {}).items():
                if flt is None or flt.accepts(d):
                    out.append(Adj(target, rid, True))
        if direction in ("in", "both"):
            for rid, d in g._pred[source].get(target, {}).items():
                if flt is None or flt.accepts(d):
                    out.append(Adj(target, rid, False))
        out.sort()
        return out

    def degrees(self, ids: Iterable[str]) -> dict[str, int]:
        ix = self._csr
        if ix is not None and ix.version == self._version:
            return ix.degrees_of(ids)
        succ, pred = self._g._succ, self._g._pred
        return {
            i: sum(map(len, succ[i].values())) + sum(map(len, pred[i].values())) for i in ids if i in succ
        }

    def name_rows(self) -> list[NameRow]:
        nodes = self._g._node
        if len(self._rels) >= EAGER_INDEX:
            ix = self._index()
            deg = ix.degree.tolist()
            return [
                NameRow(i, d["kind"], d["name"], tuple(d.get("aliases", ())), deg[n])
                for n, (i, d) in enumerate(zip(ix.ids, (nodes[i] for i in ix.ids), strict=True))
            ]
        degs = self.degrees(nodes)
        return [
            NameRow(i, d["kind"], d["name"], tuple(d.get("aliases", ())), degs[i])
            for i, d in sorted(nodes.items())
        ]

    # -- native walks (the CSR side index) -------------------------------------------
    def _index(self) -> CsrIndex:
        """The side index of the current graph version, built on first use after a change."""
        ix = self._csr
        if ix is not None and ix.version == self._version:
            return ix
        if self._pending:
            self._load()  # loading may build the index itself
            return self._index()
        with shielded(), self._csr_lock:
            ix = self._csr
            if ix is None or ix.version != self._version:
                ix = CsrIndex.build(self._g._node, self._rels, self._version)
                self._csr = ix
        return ix

    def path_searcher(
        self, *, directed: bool, flt: EdgeFilter | None, exempt: frozenset[str] = frozenset()
    ) -> PathSearcher | None:
        return self._index().searcher(directed=directed, flt=flt, exempt=exempt)

    def capped_layers(
        self,
        centers: list[str],
        *,
        depth: int,
        direction: str = "both",
        flt: EdgeFilter | None = None,
        max_nodes: int,
    ) -> tuple[dict[str, int], bool, int]:
        return self._index().capped_layers(
            centers, depth=depth, direction=direction, flt=flt, max_nodes=max_nodes
        )

    def edges_among(self, ids: Iterable[str], *, flt: EdgeFilter | None = None) -> list[str]:
        return self._index().edges_among(ids, flt)

    def edge_pairs(self, flt: EdgeFilter | None = None) -> Iterator[tuple[str, str, str]]:
        if flt is not None and flt.is_open:
            flt = None
        for rid in sorted(self._rels):
            d = self._rels[rid]
            if flt is None or flt.accepts(d):
                yield d["source"], d["target"], rid
