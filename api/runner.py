"""Running store work off the event loop: worker threads, a time budget and a read-write lock.

Why threads and a budget: query functions are synchronous and CPU-bound, so each runs in a
worker thread (a dedicated pool, so slow queries cannot starve FastAPI's own threads) under
``settings.query_timeout``. Past the budget the request fails with 504 at once. Python cannot
kill a thread, so the abandoned query runs on to its end; that end always comes, because every
parameter that sizes a query is bounded (depth, hops, k, node cap, page size, list lengths).

How many threads: ``settings.query_threads`` (default 2). The queries hold Python's interpreter
lock, so threads beyond the cores add no speed: they let a quick query pass a slow one, and
cost lock hand-offs and cache (each thread has its own work arrays; see ``graph.store.csr``).
At 1M entities, 32 connections asking for shortest paths got about 35 % more answers per second
from 2 threads than from 8.

Why a lock: the embedded store is a networkx graph mutated in place by writes and swapped by
``refresh()``. Reads share the lock; a write or a reload takes it alone, so no query sees a
half-changed graph. Waiting for the lock counts against the budget too.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import weakref
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

import anyio
import anyio.to_thread
from pydantic import BaseModel
from starlette.responses import Response

from graph.errors import QueryTimeout
from graph.store.base import GraphStore
from graph.store.memory import MemoryStore

__all__ = ["GraphRunner", "RWLock"]

P = ParamSpec("P")
T = TypeVar("T")


class RWLock:
    """Many readers or one writer. A waiting writer holds back new readers, so writes get through."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    def acquire_read(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a shared hold; True when granted."""
        with self._cond:
            ok = self._cond.wait_for(lambda: not self._writer and not self._writers_waiting, timeout)
            if ok:
                self._readers += 1
            return ok

    def release_read(self) -> None:
        with self._cond:
            self._readers -= 1
            if not self._readers:
                self._cond.notify_all()

    def acquire_write(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the only hold; True when granted."""
        with self._cond:
            self._writers_waiting += 1
            try:
                ok = self._cond.wait_for(lambda: not self._writer and not self._readers, timeout)
            finally:
                self._writers_waiting -= 1
            if ok:
                self._writer = True
            else:
                self._cond.notify_all()
            return ok

    def release_write(self) -> None:
        with self._cond:
            self._writer = False
            self._cond.notify_all()


def _stamp(path: os.PathLike[str]) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)


class GraphRunner:
    """A store, the lock that guards it and the time budget of one query."""

    def __init__(self, store: GraphStore, *, timeout: float, threads: int = 2) -> None:
        self.store = store
        self.timeout = timeout
        self.threads = threads
        # Capacity limiters belong to one event loop: one per loop that uses this runner.
        self._limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
            weakref.WeakKeyDictionary()
        )
        self.lock = RWLock()
        self._seen: tuple[int, int] | None = None
        self._synced = False

    def _limiter(self) -> anyio.CapacityLimiter:
        """The query threads of the running event loop (``threads`` at most)."""
        loop = asyncio.get_running_loop()
        lim = self._limiters.get(loop)
        if lim is None:
            lim = self._limiters[loop] = anyio.CapacityLimiter(self.threads)
        return lim

    async def read(self, fn: Callable[Concatenate[GraphStore, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(store, *args, **kwargs)`` in a worker thread, sharing the lock, within the budget.

        Raises ``QueryTimeout`` (504) when the budget runs out.
        """
        deadline = time.monotonic() + self.timeout

        def work() -> T:
            if not self.lock.acquire_read(max(0.0, deadline - time.monotonic())):
                msg = f"the store was busy for the whole time budget of {self.timeout:g} s; try again"
                raise QueryTimeout(msg)
            try:
                return fn(self.store, *args, **kwargs)
            finally:
                self.lock.release_read()

        try:
            with anyio.fail_after(self.timeout):
                return await anyio.to_thread.run_sync(work, abandon_on_cancel=True, limiter=self._limiter())
        except TimeoutError:
            msg = (
                f"the query ran past its time budget of {self.timeout:g} s; narrow it "
                "(smaller depth, fewer hops, a lower node cap or more filters)"
            )
            raise QueryTimeout(msg) from None

    async def version(self) -> str:
        """The graph version; asked of a server store off the event loop (it is a round trip)."""
        if isinstance(self.store, MemoryStore):
            return self.store.version
        return await self.read(lambda s: s.version)

    async def read_json(
        self, fn: Callable[Concatenate[GraphStore, P], BaseModel], *args: P.args, **kwargs: P.kwargs
    ) -> Response:
        """``read`` of a response model, serialised to JSON in the same worker thread.

        Building and encoding a large answer is part of the query's work: it counts against the
        budget and never blocks the event loop.
        """

        def work(store: GraphStore) -> bytes:
            model = fn(store, *args, **kwargs)
            return type(model).__pydantic_serializer__.to_json(model)

        return Response(await self.read(work), media_type="application/json")

    async def write(
        self, fn: Callable[Concatenate[GraphStore, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``fn(store, *args, **kwargs)`` in a worker thread holding the lock alone.

        Waiting for the lock is bounded by the budget; the write itself is not interrupted
        (it is bounded by the request size), so a write that starts always finishes.
        """

        def work() -> T:
            if not self.lock.acquire_write(self.timeout):
                msg = f"the store was busy for {self.timeout:g} s; the write was not made, try again"
                raise QueryTimeout(msg)
            try:
                return fn(self.store, *args, **kwargs)
            finally:
                self.lock.release_write()

        return await anyio.to_thread.run_sync(work, limiter=self._limiter())

    async def sync(self) -> None:
        """Reload the embedded store if another process rewrote its workspace.

        Costs one ``stat`` when nothing changed. The reload takes the lock alone; if in-flight
        queries hold it for the whole budget, this request is served from the loaded graph
        and a later one reloads.
        """
        store = self.store
        if not isinstance(store, MemoryStore) or store.workspace is None:
            return
        stamp = _stamp(store.db_path)
        if self._synced and stamp == self._seen:
            return

        def work() -> None:
            if not self.lock.acquire_write(self.timeout):
                return
            try:
                store.refresh()
                self._seen = stamp
                self._synced = True
            finally:
                self.lock.release_write()

        await anyio.to_thread.run_sync(work, limiter=self._limiter())
