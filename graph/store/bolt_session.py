"""The connection half of the Bolt store: driver, dialect probe, transactions, deadlines, errors.

``BoltSession`` opens the official ``neo4j`` driver lazily, picks the ``Dialect`` of the server
(``graph.store.cypher_dialect``), runs every unit of work as a managed transaction with the
store's ``timeout`` as its Bolt transaction timeout (enforced by Neo4j; FalkorDB ignores it)
under a client-side deadline, and turns driver and server errors into ``StoreUnavailable`` or
``QueryTimeout`` whose messages name the URI and never the password. ``graph.store.bolt_writes``
and ``graph.store.neo4j`` build the store on it.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit, urlunsplit

import neo4j
from neo4j import GraphDatabase, ManagedTransaction, unit_of_work
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable

from graph.errors import GraphError, InvalidParameter, QueryTimeout, StoreUnavailable
from graph.store.cypher_dialect import (
    DIALECT_PROBES,
    Dialect,
    choose_dialect,
)

__all__ = ["CONNECT_ATTEMPTS", "GRACE", "BoltSession"]

T = TypeVar("T")

#: Seconds allowed on top of ``timeout`` before the client-side deadline fires.
GRACE = 3.0
#: Attempts at the first connection (FalkorDB may leave one handshake hanging).
CONNECT_ATTEMPTS = 3


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


class _AutoCommit:
    """Runs each statement as its own auto-commit transaction (in place of a managed one)."""

    def __init__(self, session: neo4j.Session, timeout: float) -> None:
        self.session, self.timeout = session, timeout

    def run(self, text: str, parameters: dict[str, Any] | None = None) -> neo4j.Result:
        return self.session.run(neo4j.Query(text, timeout=self.timeout), parameters)


class BoltSession:
    """Connection, transactions and error handling shared by the Bolt store's halves."""

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
            if "DatabaseNotFound" in code:
                return self._unavailable(f"database {self.database!r} does not exist on the server")
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
                    if "DatabaseNotFound" in (exc.code or ""):
                        raise self._convert(exc) from None
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

            # On Neo4j every session shares the driver's bookmarks, so a read after a write sees
            # it even when a cluster routes the read to another member (causal consistency).
            # Neo4j's notifications (e.g. "property key does not exist" on an empty database) are
            # turned off at the server, so they do not end up on a CLI user's stderr.
            extra: dict[str, Any] = (
                {
                    "bookmark_manager": driver.execute_query_bookmark_manager,
                    "notifications_min_severity": "OFF",
                }
                if dialect.transactional
                else {}
            )
            if not write and dialect.transactional:
                # Neo4j reads run as auto-commit transactions: one round trip instead of two
                # (BEGIN+RUN+PULL, then COMMIT), each statement with the timeout as its server-side
                # transaction timeout. Neo4j isolates at read committed, so a multi-statement read
                # transaction would not give a snapshot anyway.
                with driver.session(
                    database=self.database, default_access_mode=neo4j.READ_ACCESS, **extra
                ) as s:
                    if cancel.is_set():
                        raise _Abandoned
                    return work(cast(ManagedTransaction, _AutoCommit(s, self.timeout)), dialect)
            with driver.session(database=self.database, **extra) as s:
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

    def _statement(self, text: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one write statement in its own transaction."""
        return self._write(lambda tx, d: self._run(tx, d, text, params))
