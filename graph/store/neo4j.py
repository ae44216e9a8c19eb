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

import concurrent.futures
import contextlib
import hashlib
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import neo4j
import orjson
from neo4j import GraphDatabase, ManagedTransaction, unit_of_work
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable

from graph.dates import date_bounds
from graph.errors import GraphError, InvalidParameter, QueryTimeout, StoreUnavailable
from graph.filters import EdgeFilter
from graph.ingest.records import entity_of, relationship_of, source_of
from graph.ingest.validate import Dataset
from graph.model import Entity, Relationship, Source, dump
from graph.store.base import Adj, GraphStore, NameRow, StoreStats
from graph.store.cypher_dialect import (
    DIALECT_PROBES,
    ENTITY,
    META,
    META_KEY,
    SOURCE,
    Dialect,
    choose_dialect,
    edge_conditions,
    node_conditions,
)
from graph.store.memory import _rows
from graph.vocabulary import label_for_kind

__all__ = ["PROGRESS_THRESHOLD", "Neo4jStore"]

T = TypeVar("T")

#: ``replace_all`` shows a progress bar above this many rows (sources + entities + relationships).
PROGRESS_THRESHOLD = 50_000
#: Properties of an entity that are dicts, stored as JSON strings.
ENTITY_JSON_FIELDS = ("identifiers", "attributes")
#: Properties the store adds to every record (not part of the record).
_INTERNAL = ("uid", "gen")
#: Rows deleted per statement when dropping an old generation.
PURGE_BATCH = 2000
#: Seconds allowed on top of ``timeout`` before the client-side deadline fires.
GRACE = 3.0
#: Attempts at the first connection (FalkorDB may leave one handshake hanging).
CONNECT_ATTEMPTS = 3

_META = f"MATCH (m:{META} {{key: '{META_KEY}'}}) "


class _Abandoned(Exception):
    """The caller gave up on this call (client-side deadline): do not run (or retry) it."""


class _Oversized(Exception):
    """One item of a list parameter does not fit in a query on its own."""

    def __init__(self, item: Any) -> None:
        super().__init__("oversized parameter item")
        self.item = item


def _redact_uri(uri: str) -> str:
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "<unparsable URI>"
    if parts.username is None and parts.password is None:
        return uri
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _dataset_version(
    srcs: Sequence[tuple[Any, ...]], ents: Sequence[tuple[Any, ...]], rels: Sequence[tuple[Any, ...]]
) -> str:
    """``MemoryStore.replace_all``'s version of the same rows."""
    h = hashlib.sha256()
    for rows in (srcs, ents, rels):
        for row in sorted(rows):
            h.update(row[-1])
    return h.hexdigest()[:16]


def _next_version(current: str, change: bytes) -> str:
    """``MemoryStore._next_version``."""
    return hashlib.sha256(current.encode() + change).hexdigest()[:16]


def _uid(gen: str, rid: str) -> str:
    return f"{gen}|{rid}"


# -- record <-> properties ---------------------------------------------------------------------
def _entity_props(e: Entity, gen: str) -> dict[str, Any]:
    props: dict[str, Any] = {"uid": _uid(gen, e.id), "gen": gen}
    for k, v in dump(e).items():
        props[k] = orjson.dumps(v).decode() if k in ENTITY_JSON_FIELDS else v
    return props


def _entity_from_props(p: dict[str, Any]) -> Entity:
    d = {k: v for k, v in p.items() if k not in _INTERNAL}
    for k in ENTITY_JSON_FIELDS:
        if isinstance(d.get(k), str):
            d[k] = orjson.loads(d[k])
    return entity_of(d)


def _rel_props(r: Relationship, data: bytes, gen: str) -> dict[str, Any]:
    props: dict[str, Any] = {
        "uid": _uid(gen, r.id),
        "gen": gen,
        "id": r.id,
        "type": r.type,
        "status": r.status.value,
        "sources": list(r.sources),
        "data": data.decode(),
    }
    if r.role is not None:
        props["role"] = r.role
    if r.start is not None:
        props["start"] = r.start
        props["start_lo"] = date_bounds(r.start)[0]
    if r.end is not None:
        props["end"] = r.end
        props["end_hi"] = date_bounds(r.end)[1]
    return props


def _source_props(s: Source, data: bytes, gen: str) -> dict[str, Any]:
    props: dict[str, Any] = {"uid": _uid(gen, s.id), "gen": gen, "id": s.id, "kind": s.kind.value}
    props["title"] = s.title
    for k in ("url", "date"):
        v = getattr(s, k)
        if v is not None:
            props[k] = v
    props["data"] = data.decode()
    return props


class _Batch:
    """One write statement and its rows (``target``: entity, source or relationship)."""

    __slots__ = ("rows", "target", "text")

    def __init__(self, text: str, rows: list[dict[str, Any]], target: str) -> None:
        self.text, self.rows, self.target = text, rows, target


class Neo4jStore(GraphStore):
    """Graph store on a Bolt server (Neo4j 5; FalkorDB for tests)."""

    backend = "neo4j"

    def __init__(
        self,
        uri: str,
        *,
        user: str = "neo4j",
        password: str = "",
        database: str | None = None,
        timeout: float = 10.0,
        progress: bool | None = None,
    ) -> None:
        self.uri = uri
        self.user = user
        self._password = password
        self.database = database or None
        self.timeout = float(timeout)
        #: Show a progress bar in ``replace_all``: None decides by size (``PROGRESS_THRESHOLD``).
        self.progress = progress
        #: Seconds the client-side deadline allows beyond ``timeout``.
        self.grace = GRACE
        self._driver: neo4j.Driver | None = None
        self._dialect: Dialect | None = None
        self._schema_ready = False
        self._lock = threading.RLock()
        self._closed = False
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=16, thread_name_prefix="cryptokg-bolt"
        )

    # -- lifecycle ---------------------------------------------------------------------------
    def describe(self) -> str:
        return f"neo4j store {_redact_uri(self.uri)} (database {self.database or 'default'})"

    @property
    def dialect(self) -> Dialect:
        """The dialect of the server (connects if needed)."""
        return self._call(lambda: self._connect()[1], budget=self._budget())

    def close(self) -> None:
        with self._lock:
            self._closed = True
            driver, self._driver = self._driver, None
            dialect = self._dialect
        if driver is not None:
            self._drop_driver(driver, quiet=dialect is not None and dialect.quiet_close)
        self._executor.shutdown(wait=False, cancel_futures=True)

    def ping(self) -> None:
        def check() -> None:
            self._connect()

        self._call(check, budget=self._budget())

    @staticmethod
    def _drop_driver(driver: neo4j.Driver, *, quiet: bool) -> None:
        """Close a driver; ``quiet`` kills its sockets first so no GOODBYE is sent.

        Uses driver internals when present (``_pool.connections``, ``Bolt.kill``); when they are
        missing the driver is closed normally.
        """
        if quiet:
            pool = getattr(driver, "_pool", None)
            conns = getattr(pool, "connections", None)
            if isinstance(conns, dict):
                for bucket in list(conns.values()):
                    for conn in list(bucket):
                        kill = getattr(conn, "kill", None)
                        if callable(kill):
                            with contextlib.suppress(Exception):
                                kill()
        with contextlib.suppress(Exception):
            driver.close()

    def _scrub(self, text: str) -> str:
        if self._password:
            text = text.replace(self._password, "***")
        return text

    def _unavailable(self, what: str) -> StoreUnavailable:
        return StoreUnavailable(self._scrub(f"{self.describe()}: {what}"))

    def _convert(self, exc: BaseException) -> GraphError:
        if isinstance(exc, GraphError):
            return exc
        if isinstance(exc, AuthError):
            return self._unavailable(f"the server rejected the credentials of user {self.user!r}")
        if isinstance(exc, Neo4jError):
            code = exc.code or ""
            if "TransactionTimedOut" in code:
                return QueryTimeout(self._scrub(f"{self.describe()}: query ran past {self.timeout:g}s"))
            if "Security" in code:
                return self._unavailable(f"the server refused the login of user {self.user!r} ({code})")
            return self._unavailable(f"the server failed the query ({code}: {exc.message or 'no message'})")
        if isinstance(exc, ServiceUnavailable):
            return self._unavailable(f"the server is unavailable ({exc})")
        if isinstance(exc, DriverError | OSError):
            return self._unavailable(f"{type(exc).__name__}: {exc}")
        return self._unavailable(f"unexpected {type(exc).__name__}: {exc}")

    def _budget(self, statements: int = 1) -> float:
        connect = (
            0.0 if self._driver is not None else CONNECT_ATTEMPTS * min(self.timeout, 3.0) + self.timeout
        )
        return connect + self.timeout * max(statements, 1) + self.grace

    def _call(self, fn: Callable[[], T], *, budget: float, cancel: threading.Event | None = None) -> T:
        """Run ``fn`` in a worker under a client-side deadline, converting errors.

        On the deadline ``cancel`` is set (so a driver retry of the transaction does not run the
        query again) and the driver's connections are killed (which unblocks the worker).
        """

        def guarded() -> T:
            try:
                return fn()
            except (GraphError, _Abandoned):
                raise
            except (Neo4jError, DriverError, OSError) as exc:
                raise self._convert(exc) from None

        if self._closed:
            raise self._unavailable("the store is closed")
        try:
            fut = self._executor.submit(guarded)
        except RuntimeError:
            raise self._unavailable("the store is closed") from None
        try:
            return fut.result(timeout=budget)
        except concurrent.futures.TimeoutError:
            if cancel is not None:
                cancel.set()
            self._abandon()
            raise QueryTimeout(
                self._scrub(f"{self.describe()}: no answer within {budget:.1f}s; connections dropped")
            ) from None

    def _abandon(self) -> None:
        """Drop the driver after a client-side timeout (its stuck connection dies with it).

        No lock: the stuck worker may hold it (e.g. while connecting).
        """
        driver, self._driver = self._driver, None
        if driver is not None:
            # Killing the sockets first unblocks the stuck worker and makes close() quick.
            self._drop_driver(driver, quiet=True)

    def _connect(self) -> tuple[neo4j.Driver, Dialect]:
        with self._lock:
            if self._closed:
                raise self._unavailable("the store is closed")
            if self._driver is not None and self._dialect is not None:
                return self._driver, self._dialect
            auth = (self.user, self._password) if self._password else None
            step = min(self.timeout, 3.0)
            try:
                driver = GraphDatabase.driver(
                    self.uri,
                    auth=auth,
                    connection_timeout=step,
                    connection_acquisition_timeout=max(self.timeout, step),
                    max_transaction_retry_time=min(self.timeout / 2, 2.0),
                    initial_retry_delay=0.05,
                    retry_delay_multiplier=2.0,
                    max_connection_pool_size=16,
                )
            except (DriverError, ValueError) as exc:
                what = f"cannot use this URI ({exc})"
                raise self._unavailable(what) from None
            try:
                try:
                    self._hello(driver, step)
                except AuthError:
                    raise
                except Neo4jError as exc:
                    # FalkorDB answers a refused login with a bare "unknown error".
                    what = (
                        f"the server refused a first query as user {self.user!r} (wrong credentials?): "
                        f"{exc.code}: {exc.message or 'no message'}"
                    )
                    raise self._unavailable(what) from None
                info = driver.get_server_info()  # answered by the pooled connection
                dialect = self._dialect or self._probe(driver, info.agent)
            except BaseException:
                self._drop_driver(driver, quiet=True)
                raise
            self._driver, self._dialect = driver, dialect
            return driver, dialect

    def _hello(self, driver: neo4j.Driver, step: float) -> None:
        """Open the first connection, failing fast when nobody answers.

        FalkorDB leaves a connection opened right after another client's GOODBYE hanging in the
        handshake; the next attempt answers, so handshake failures are retried.
        """

        @unit_of_work(timeout=self.timeout)
        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            return tx.run("RETURN 1 AS one").data()

        for attempt in range(CONNECT_ATTEMPTS):
            try:
                with driver.session(
                    database=self.database,
                    connection_acquisition_timeout=step,
                    max_transaction_retry_time=0.0,
                ) as s:
                    s.execute_read(work)
                return
            except ServiceUnavailable as exc:
                if "handshake" not in str(exc) or attempt == CONNECT_ATTEMPTS - 1:
                    raise

    def _probe(self, driver: neo4j.Driver, agent: str) -> Dialect:
        def run(text: str) -> list[dict[str, Any]] | None:
            @unit_of_work(timeout=self.timeout)
            def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
                return tx.run(text).data()

            try:
                with driver.session(database=self.database) as s:
                    return s.execute_read(work)
            except Neo4jError:
                return None

        comps = None if agent.lower().startswith("falkordb") else run(DIALECT_PROBES["neo4j"])
        procs = None
        if not comps:
            rows = run(DIALECT_PROBES["falkordb"])
            if rows:
                procs = [str(n) for n in rows[0].get("names") or []]
        return choose_dialect(agent, comps, procs)

    # -- transactions ------------------------------------------------------------------------
    def _tx(self, write: bool, work: Callable[[ManagedTransaction, Dialect], T], statements: int = 1) -> T:
        cancel = threading.Event()

        def run() -> T:
            driver, dialect = self._connect()

            @unit_of_work(timeout=self.timeout * max(statements, 1))
            def unit(tx: ManagedTransaction) -> T:
                if cancel.is_set():
                    raise _Abandoned
                return work(tx, dialect)

            with driver.session(database=self.database) as s:
                return s.execute_write(unit) if write else s.execute_read(unit)

        return self._call(run, budget=self._budget(statements), cancel=cancel)

    def _read(self, work: Callable[[ManagedTransaction, Dialect], T]) -> T:
        return self._tx(False, work)

    def _write(self, work: Callable[[ManagedTransaction, Dialect], T], statements: int = 1) -> T:
        return self._tx(True, work, statements)

    @staticmethod
    def _run(
        tx: ManagedTransaction, d: Dialect, text: str, params: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        params = params or {}
        if not d.fits(text, params):
            msg = f"query too large for {d.describe()} ({d.query_size(text, params)} bytes)"
            raise InvalidParameter("query", msg)
        return tx.run(text, d.encode_params(params)).data()

    @staticmethod
    def _chunks(
        d: Dialect, text: str, params: dict[str, Any], key: str, max_rows: int | None
    ) -> Iterator[list[Any]]:
        """Split ``params[key]`` into lists that fit the dialect (and ``max_rows``)."""
        items = list(params[key])
        if d.max_query_bytes is None:
            step = max_rows or len(items) or 1
            for i in range(0, len(items), step):
                yield items[i : i + step]
            return
        base = d.query_size(text, {**params, key: []})
        if base > d.max_query_bytes:
            msg = f"query parameters too large for {d.describe()}"
            raise InvalidParameter("query", msg)
        chunk: list[Any] = []
        size = base
        for item in items:
            s = d.value_size(item)
            extra = s + (2 if chunk else 0)
            if chunk and (size + extra > d.max_query_bytes or (max_rows and len(chunk) >= max_rows)):
                yield chunk
                chunk, size, extra = [], base, s
            if not chunk and base + s > d.max_query_bytes:
                raise _Oversized(item)
            chunk.append(item)
            size += extra
        if chunk:
            yield chunk

    def _run_split(
        self, tx: ManagedTransaction, d: Dialect, text: str, params: dict[str, Any], key: str
    ) -> list[dict[str, Any]]:
        """Run a read whose list parameter ``key`` may need splitting (FalkorDB's size limit)."""
        if not params[key]:
            return []
        out: list[dict[str, Any]] = []
        try:
            for part in self._chunks(d, text, params, key, None):
                out.extend(self._run(tx, d, text, {**params, key: part}))
        except _Oversized as exc:
            raise InvalidParameter(
                key, f"value {str(exc.item)[:40]!r}... too large for {d.describe()}"
            ) from None
        return out

    # -- schema ------------------------------------------------------------------------------
    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        d = self._call(lambda: self._connect()[1], budget=self._budget())
        existing: set[tuple[str, str]] = set()
        listing = d.index_listing()
        if listing is not None:
            rows = self._read(lambda tx, d: self._run(tx, d, listing))
            for row in rows:
                for prop in row.get("properties") or []:
                    existing.add((str(row.get("label")), str(prop)))
        for stmt in d.schema_statements(existing):
            self._statement(stmt)
        wait = d.await_indexes()
        if wait is not None:
            self._statement(wait)
        self._schema_ready = True

    def _statement(self, text: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one write statement in its own transaction."""
        return self._write(lambda tx, d: self._run(tx, d, text, params))

    # -- write half --------------------------------------------------------------------------
    def _meta_for_write(self, tx: ManagedTransaction, d: Dialect) -> tuple[str, str]:
        rows = self._run(
            tx,
            d,
            f"MERGE (m:{META} {{key: '{META_KEY}'}}) "
            "ON CREATE SET m.gen = $gen, m.version = 'empty', m.schema = 1 "
            "RETURN m.gen AS gen, m.version AS version",
            {"gen": uuid.uuid4().hex[:16]},
        )
        return str(rows[0]["gen"]), str(rows[0]["version"])

    def _current_meta(self) -> tuple[str, str] | None:
        rows = self._read(lambda tx, d: self._run(tx, d, _META + "RETURN m.gen AS gen, m.version AS version"))
        if not rows or rows[0]["gen"] is None:
            return None
        return str(rows[0]["gen"]), str(rows[0]["version"])

    def _batches(self, ds: Dataset, gen: str, d: Dialect) -> list[_Batch]:
        srcs, _ents, rels = _rows(ds)
        src_data = {row[0]: row[-1] for row in srcs}
        rel_data = {row[0]: row[-1] for row in rels}
        out: list[_Batch] = []
        src_rows = [
            {"uid": _uid(gen, s.id), "props": _source_props(s, src_data[s.id], gen)}
            for s in sorted(ds.sources.values(), key=lambda s: s.id)
        ]
        if src_rows:
            out.append(_Batch(d.merge_sources(), src_rows, "source"))
        by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for e in sorted(ds.entities.values(), key=lambda e: e.id):
            by_kind[e.kind.value].append({"uid": _uid(gen, e.id), "props": _entity_props(e, gen)})
        for kind in sorted(by_kind):
            out.append(_Batch(d.merge_entities(kind), by_kind[kind], "entity"))
        by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in sorted(ds.relationships.values(), key=lambda r: r.id):
            by_type[r.type].append(
                {
                    "a": _uid(gen, r.source),
                    "b": _uid(gen, r.target),
                    "uid": _uid(gen, r.id),
                    "props": _rel_props(r, rel_data[r.id], gen),
                }
            )
        for t in sorted(by_type):
            out.append(_Batch(d.merge_relationships(t), by_type[t], "relationship"))
        return out

    def _split_batch(self, d: Dialect, batch: _Batch) -> list[_Batch]:
        """Cut a batch into statements the server takes; oversized rows become single batches."""
        out: list[_Batch] = []
        rows = batch.rows
        start = 0
        while start < len(rows):
            try:
                for part in self._chunks(d, batch.text, {"rows": rows[start:]}, "rows", d.batch_rows):
                    out.append(_Batch(batch.text, part, batch.target))
                    start += len(part)
            except _Oversized:
                out.append(_Batch(batch.text, [rows[start]], batch.target))
                start += 1
        return out

    def _write_batch(self, tx: ManagedTransaction, d: Dialect, batch: _Batch) -> int:
        """Run one batch; returns the number of rows the statement matched."""
        params = {"rows": batch.rows}
        if d.fits(batch.text, params):
            return int(self._run(tx, d, batch.text, params)[0]["written"])
        (row,) = batch.rows  # only single rows can be oversized
        return self._write_oversized(tx, d, batch, row)

    def _write_oversized(self, tx: ManagedTransaction, d: Dialect, batch: _Batch, row: dict[str, Any]) -> int:
        """Write a row too big for one query: big values go in empty, then grow in pieces."""
        props = dict(row["props"])
        moved: dict[str, Any] = {}
        candidates = sorted(
            (k for k, v in props.items() if k not in ("uid", "gen", "id") and isinstance(v, str | list)),
            key=lambda k: -d.value_size(props[k]),
        )
        for key in candidates:
            if d.fits(batch.text, {"rows": [{**row, "props": props}]}):
                break
            moved[key] = props[key]
            props[key] = "" if isinstance(props[key], str) else []
        n = int(self._run(tx, d, batch.text, {"rows": [{**row, "props": props}]})[0]["written"])
        if not n:
            return 0
        text_params: dict[str, Any] = {"uid": row["uid"]}
        if batch.target == "relationship":
            text_params["a"] = row["a"]
        for key, value in moved.items():
            text = d.append_property(batch.target, key)
            for part in self._pieces(d, text, text_params, value):
                self._run(tx, d, text, {**text_params, "part": part})
        return n

    @staticmethod
    def _pieces(d: Dialect, text: str, params: dict[str, Any], value: str | list[Any]) -> Iterator[Any]:
        assert d.max_query_bytes is not None
        room = d.max_query_bytes - d.query_size(
            text, {**params, "part": "" if isinstance(value, str) else []}
        )
        if isinstance(value, list):
            chunk: list[Any] = []
            size = 0
            for item in value:
                s = d.value_size(item) + 2
                if s > room:
                    msg = f"a list item of {s} bytes exceeds what {d.describe()} takes in one query"
                    raise InvalidParameter("record", msg)
                if chunk and size + s > room:
                    yield chunk
                    chunk, size = [], 0
                chunk.append(item)
                size += s
            if chunk:
                yield chunk
            return
        piece: list[str] = []
        size = 0
        for ch in value:
            s = d.value_size(ch) - 2
            if piece and size + s > room:
                yield "".join(piece)
                piece, size = [], 0
            piece.append(ch)
            size += s
        if piece:
            yield "".join(piece)

    def _purge(self, keep: str | None) -> None:
        """Delete every entity, relationship and source not of generation ``keep``."""
        for label, detach in ((ENTITY, "DETACH "), (SOURCE, "")):
            text = (
                f"MATCH (n:{label}) WHERE $keep IS NULL OR n.gen <> $keep "
                f"WITH n LIMIT {PURGE_BATCH} {detach}DELETE n RETURN count(*) AS done"
            )
            while True:
                rows = self._statement(text, {"keep": keep})
                if not rows or int(rows[0]["done"]) == 0:
                    break

    def _before_flip(self) -> None:
        """Hook run after the new generation is loaded, before it becomes current (tests)."""

    def replace_all(self, dataset: Dataset) -> None:
        for what, records in (
            ("sources", dataset.sources),
            ("entities", dataset.entities),
            ("relationships", dataset.relationships),
        ):
            seen = Counter(rec.id for rec in records.values())
            dups = sorted(i for i, n in seen.items() if n > 1)
            if dups:
                raise InvalidParameter("dataset", f"duplicate {what} ids: {', '.join(dups)}")
        srcs, ents, rels = _rows(dataset)
        version = _dataset_version(srcs, ents, rels)
        self._ensure_schema()
        current = self._current_meta()
        self._purge(keep=current[0] if current else None)
        gen = uuid.uuid4().hex[:16]
        d = self._call(lambda: self._connect()[1], budget=self._budget())
        batches = [part for b in self._batches(dataset, gen, d) for part in self._split_batch(d, b)]
        total = sum(len(b.rows) for b in batches)
        show = self.progress if self.progress is not None else total > PROGRESS_THRESHOLD
        try:
            with self._progress(show, total) as advance:
                for batch in batches:
                    n = self._load(batch)
                    if n != len(batch.rows):
                        missing = self._missing_endpoints(dataset) if batch.target == "relationship" else []
                        detail = (
                            f"; relationships link unknown entities: {', '.join(missing)}" if missing else ""
                        )
                        raise InvalidParameter(
                            "dataset", f"{batch.target} batch wrote {n} of {len(batch.rows)} rows{detail}"
                        )
                    advance(len(batch.rows))
            self._before_flip()
            self._statement(
                f"MERGE (m:{META} {{key: '{META_KEY}'}}) "
                "SET m.gen = $gen, m.version = $version, m.schema = 1 RETURN m.gen AS gen",
                {"gen": gen, "version": version},
            )
        except BaseException:
            with contextlib.suppress(Exception):
                self._purge(keep=current[0] if current else None)
            raise
        self._purge(keep=gen)

    def _load(self, batch: _Batch) -> int:
        return self._write(lambda tx, d: self._write_batch(tx, d, batch), statements=2)

    @staticmethod
    def _missing_endpoints(ds: Dataset) -> list[str]:
        return sorted(
            f"{r.id}->{end}"
            for r in ds.relationships.values()
            for end in (r.source, r.target)
            if end not in ds.entities
        )

    @contextlib.contextmanager
    def _progress(self, show: bool, total: int) -> Iterator[Callable[[int], None]]:
        if not show:
            yield lambda n: None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(
            TextColumn("loading into {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=True,
        ) as bar:
            task = bar.add_task(_redact_uri(self.uri), total=total)
            yield lambda n: bar.advance(task, n)

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
        change = b"upsert" + b"".join(row[-1] for rows in (srcs, ents, rels) for row in rows)
        self._ensure_schema()

        def work(tx: ManagedTransaction, d: Dialect) -> None:
            gen, current = self._meta_for_write(tx, d)
            ends = sorted(
                {x for r in ds.relationships.values() for x in (r.source, r.target)} - set(ds.entities)
            )
            if ends:
                found = {
                    row["id"]
                    for row in self._run_split(
                        tx,
                        d,
                        f"MATCH (n:{ENTITY}) WHERE n.uid IN $uids RETURN n.id AS id",
                        {"uids": [_uid(gen, x) for x in ends]},
                        "uids",
                    )
                }
                missing = [
                    f"{r.id}->{x}"
                    for r in ds.relationships.values()
                    for x in (r.source, r.target)
                    if x not in ds.entities and x not in found
                ]
                if missing:
                    raise InvalidParameter("relationships", f"unknown entities: {', '.join(sorted(missing))}")
            if ds.relationships:
                self._run_split(
                    tx,
                    d,
                    "MATCH ()-[r]->() WHERE r.uid IN $uids DELETE r RETURN count(*) AS done",
                    {"uids": [_uid(gen, rid) for rid in ds.relationships]},
                    "uids",
                )
            for batch in self._batches(ds, gen, d):
                for part in self._split_batch(d, batch):
                    self._write_batch(tx, d, part)
            self._set_version(tx, d, _next_version(current, change))

        self._write(work, statements=2 + len(ds.sources) + len(ds.entities) + len(ds.relationships))

    def _set_version(self, tx: ManagedTransaction, d: Dialect, version: str) -> None:
        self._run(tx, d, _META + "SET m.version = $version RETURN m.version AS v", {"version": version})

    def delete(
        self,
        *,
        sources: Iterable[str] = (),
        entities: Iterable[str] = (),
        relationships: Iterable[str] = (),
    ) -> None:
        ent_in, rel_in, src_in = list(entities), list(relationships), list(sources)
        self._ensure_schema()

        def ids(tx: ManagedTransaction, d: Dialect, text: str, values: list[str]) -> set[str]:
            return {str(row["id"]) for row in self._run_split(tx, d, text, {"ids": values}, "ids")}

        def work(tx: ManagedTransaction, d: Dialect) -> None:
            gen, current = self._meta_for_write(tx, d)
            uids = sorted({_uid(gen, e) for e in ent_in})
            have_ents = ids(tx, d, f"MATCH (n:{ENTITY}) WHERE n.uid IN $ids RETURN n.id AS id", uids)
            ent_ids = [e for e in ent_in if e in have_ents]
            rel_ids = ids(
                tx,
                d,
                "MATCH ()-[r]->() WHERE r.uid IN $ids RETURN r.id AS id",
                sorted({_uid(gen, r) for r in rel_in}),
            )
            rel_ids |= ids(
                tx,
                d,
                f"MATCH (n:{ENTITY})-[r]-() WHERE n.uid IN $ids RETURN DISTINCT r.id AS id",
                sorted({_uid(gen, e) for e in ent_ids}),
            )
            have_srcs = ids(
                tx,
                d,
                f"MATCH (s:{SOURCE}) WHERE s.uid IN $ids RETURN s.id AS id",
                sorted({_uid(gen, s) for s in src_in}),
            )
            src_ids = [s for s in src_in if s in have_srcs]
            change = "|".join(sorted(rel_ids) + ent_ids + src_ids).encode()
            self._run_split(
                tx,
                d,
                "MATCH ()-[r]->() WHERE r.uid IN $ids DELETE r RETURN count(*) AS done",
                {"ids": sorted(_uid(gen, r) for r in rel_ids)},
                "ids",
            )
            self._run_split(
                tx,
                d,
                f"MATCH (n:{ENTITY}) WHERE n.uid IN $ids DETACH DELETE n RETURN count(*) AS done",
                {"ids": sorted({_uid(gen, e) for e in ent_ids})},
                "ids",
            )
            self._run_split(
                tx,
                d,
                f"MATCH (s:{SOURCE}) WHERE s.uid IN $ids DELETE s RETURN count(*) AS done",
                {"ids": sorted({_uid(gen, s) for s in src_ids})},
                "ids",
            )
            self._set_version(tx, d, _next_version(current, b"delete" + change))

        self._write(work, statements=8)

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
