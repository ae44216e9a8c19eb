"""Running store work off the event loop: worker threads, a deadline, a queue and a read-write lock.

Why threads and a deadline: query functions are synchronous and CPU-bound, so each runs in a
worker thread (a dedicated pool, so slow queries cannot starve FastAPI's own threads). Every
request has a deadline, ``settings.query_timeout`` after it arrived (``REQUEST_DEADLINE``, set
by ``DeadlineMiddleware``), which covers waiting in the queue, waiting for the lock and running.
A query still running at its deadline is stopped (``graph.cancel.Watchdog`` raises inside its
thread), releases the lock and its thread, and the request gets 504. So no abandoned query keeps
running, the thread cap always holds, and a write never waits behind a query past its budget.

How many threads: ``settings.query_threads`` (default 2). The queries hold Python's interpreter
lock, so threads beyond the cores add no speed: they let a quick query pass a slow one, and
cost lock hand-offs and cache (each thread has its own work arrays; see ``graph.store.csr``).

Admission: at most ``settings.query_queue`` requests wait for a thread, and none that would wait
longer than its deadline allows (judged from the recent service time); the next gets 429 with
``Retry-After`` at once, instead of a wait that would end in a 504. Writes have their own lane.

Why a lock: the embedded store is a networkx graph mutated in place by writes and swapped by
``refresh()``. Reads share the lock; a write or a reload takes it alone, so no query sees a
half-changed graph. Writes also hold the workspace's lock across processes
(``MemoryStore.exclusive``), which reloads a graph that another process changed first.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import os
import threading
import time
import weakref
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Concatenate, ParamSpec, TypeVar

import anyio
import anyio.to_thread
from pydantic import BaseModel
from starlette.responses import Response

from graph.cancel import Cancelled, Watchdog
from graph.errors import QueryTimeout, ServerBusy
from graph.store.base import GraphStore
from graph.store.memory import MemoryStore

__all__ = ["REQUEST_DEADLINE", "GraphRunner", "RWLock"]

P = ParamSpec("P")
T = TypeVar("T")

#: How many mean service times ahead a waiting request must still fit in its deadline.
ADMIT_MARGIN = 2.0

#: When the current request must be answered by (``time.monotonic`` seconds); None outside one.
REQUEST_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "cryptokg_request_deadline", default=None
)


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
    """A store, the lock that guards it, its threads, its queue and the deadline of each call.

    ``clock`` (monotonic seconds) is injectable: tests move time instead of waiting for it.
    """

    def __init__(
        self,
        store: GraphStore,
        *,
        timeout: float,
        threads: int = 2,
        queue: int = 64,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.timeout = timeout
        self.threads = threads
        self.queue = queue
        self.clock = clock
        self.watchdog = Watchdog(clock)
        # Capacity limiters belong to one event loop: one per loop that uses this runner.
        self._limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
            weakref.WeakKeyDictionary()
        )
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
            weakref.WeakKeyDictionary()
        )
        self._writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
            weakref.WeakKeyDictionary()
        )
        self._waiting = 0
        #: Recent mean service time of a read, in seconds (see ``_in_thread``).
        self._service = 0.01
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

    def _writer(self) -> anyio.CapacityLimiter:
        """The write lane of the running event loop: one write at a time."""
        loop = asyncio.get_running_loop()
        lim = self._writers.get(loop)
        if lim is None:
            lim = self._writers[loop] = anyio.CapacityLimiter(1)
        return lim

    @property
    def busy_threads(self) -> int:
        """Query threads that hold work now (waiting for the lock, running, or being stopped)."""
        lanes = [*self._limiters.values(), *self._writers.values()]
        return sum(int(lim.borrowed_tokens) for lim in lanes)

    def _pool(self) -> anyio.CapacityLimiter:
        """anyio's own count of this runner's threads (never the bound: ``_limiter`` is)."""
        loop = asyncio.get_running_loop()
        lim = self._pools.get(loop)
        if lim is None:
            lim = self._pools[loop] = anyio.CapacityLimiter(self.threads + 2)
        return lim

    def deadline(self) -> float:
        """The current request's deadline, or ``timeout`` from now outside a request."""
        own = self.clock() + self.timeout
        outer = REQUEST_DEADLINE.get()
        return own if outer is None else min(own, outer)

    def _left(self, deadline: float) -> float:
        return max(0.0, deadline - self.clock())

    @property
    def service_time(self) -> float:
        """Recent mean seconds a query holds a thread (an exponentially weighted average)."""
        return self._service

    async def _in_thread(self, work: Callable[[], T], deadline: float, *, lane: str = "read") -> T:
        """``work()`` in a query thread once one is free.

        Admission: a request that would wait behind more than ``queue`` others, or longer than
        its deadline allows (the requests ahead times the recent service time, spread over the
        threads), gets 429 at once: the queue never holds what it cannot serve in time. Writes
        have a lane of their own (one at a time, as the lock allows), so they never queue
        behind reads.
        """
        limiter = self._limiter() if lane == "read" else self._writer()
        try:
            limiter.acquire_nowait()
        except anyio.WouldBlock:
            if lane == "read":
                # Twice the mean: service times vary, and an admitted request must finish in time.
                expected = ADMIT_MARGIN * (self._waiting + 1) * self._service / self.threads
                if self._waiting >= self.queue or expected > self._left(deadline):
                    wait = max(1, math.ceil(expected))
                    msg = (
                        f"{self._waiting} requests are already waiting for the {self.threads} query "
                        f"thread(s), about {expected:.1f} s of work; try again in {wait} s"
                    )
                    raise ServerBusy(msg, retry_after=wait) from None
            self._waiting += 1
            try:
                with anyio.move_on_after(self._left(deadline)) as scope:
                    await limiter.acquire()
            finally:
                self._waiting -= 1
            if scope.cancelled_caught:
                msg = (
                    f"the request waited for a query thread for its whole time budget of "
                    f"{self.timeout:g} s; try again"
                )
                raise QueryTimeout(msg) from None
        started = self.clock()
        try:
            # Not abandoned on cancellation: the thread is released only when the work has
            # stopped, which the watchdog ensures by the deadline.
            return await anyio.to_thread.run_sync(work, limiter=self._pool())
        finally:
            limiter.release()
            if lane == "read":
                self._service = 0.8 * self._service + 0.2 * max(0.0, self.clock() - started)

    async def read(self, fn: Callable[Concatenate[GraphStore, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(store, *args, **kwargs)`` in a worker thread, sharing the lock, by the deadline.

        Raises ``QueryTimeout`` (504) when the deadline passes (the query is stopped), and
        ``ServerBusy`` (429) when the queue is full.
        """
        deadline = self.deadline()

        def work() -> T:
            if not self.lock.acquire_read(self._left(deadline)):
                msg = f"the store was busy for the whole time budget of {self.timeout:g} s; try again"
                raise QueryTimeout(msg)
            try:
                return self.watchdog.run(lambda: fn(self.store, *args, **kwargs), deadline=deadline)
            except Cancelled:
                msg = (
                    f"the query ran past its time budget of {self.timeout:g} s and was stopped; narrow it "
                    "(smaller depth, fewer hops, a lower node cap or more filters)"
                )
                raise QueryTimeout(msg) from None
            finally:
                self.lock.release_read()

        return await self._in_thread(work, deadline)

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

    def _exclusive(self, timeout: float) -> AbstractContextManager[None]:
        store = self.store
        return store.exclusive(timeout) if isinstance(store, MemoryStore) else nullcontext()

    async def write(
        self, fn: Callable[Concatenate[GraphStore, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``fn(store, *args, **kwargs)`` in a worker thread holding the lock alone.

        Waiting (for a thread, the lock and another process's write) is bounded by the deadline;
        the write itself is not interrupted (it is bounded by the request size), so a write that
        starts always finishes. The embedded store's workspace lock is held around ``fn``, so the
        graph it validates against is the one it writes to.
        """
        deadline = self.deadline()

        def work() -> T:
            if not self.lock.acquire_write(self._left(deadline)):
                msg = f"the store was busy for {self.timeout:g} s; the write was not made, try again"
                raise QueryTimeout(msg)
            try:
                with self._exclusive(self._left(deadline)):
                    return fn(self.store, *args, **kwargs)
            finally:
                self.lock.release_write()

        return await self._in_thread(work, deadline, lane="write")

    async def sync(self) -> None:
        """Reload the embedded store if another process rewrote its workspace.

        Costs one ``stat`` when nothing changed. The reload takes the lock alone; queries hold
        it at most until their deadlines, so the reload waits at most one budget.
        """
        store = self.store
        if not isinstance(store, MemoryStore) or store.workspace is None:
            return
        stamp = _stamp(store.db_path)
        if self._synced and stamp == self._seen:
            return
        deadline = self.deadline()

        def work() -> None:
            if not self.lock.acquire_write(self._left(deadline)):
                return
            try:
                store.refresh()
                self._seen = stamp
                self._synced = True
            finally:
                self.lock.release_write()

        await self._in_thread(work, deadline, lane="write")
