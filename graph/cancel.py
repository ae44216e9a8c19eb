"""Stopping a query that runs past its deadline, in whatever loop it is (walks, analytics, exports).

Python cannot kill a thread, and a check in every loop of every query (and of the networkx
algorithms they call) would be easy to miss in one place. Instead ``Watchdog`` raises
``Cancelled`` *inside* the worker thread when its deadline passes, through CPython's
``PyThreadState_SetAsyncExc``: the exception arrives at the next bytecode the thread runs, so a
pure-Python loop stops within microseconds and a long C call (a numpy or scipy kernel) right
after it returns. The query unwinds like any exception: ``with`` blocks and ``finally`` clauses
run, so locks are released.

Work that must not be torn halfway (loading the graph from disk, building the side index, which
later queries reuse) runs in ``shielded()``: a deadline that passes inside it is acted on as the
block ends.

>>> import time
>>> dog = Watchdog()
>>> def spin():
...     while True:
...         pass
>>> try:
...     dog.run(spin, deadline=time.monotonic() + 0.05)
... except Cancelled:
...     print("stopped")
stopped
"""

from __future__ import annotations

import ctypes
import heapq
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

__all__ = ["Cancelled", "Watchdog", "shielded"]

T = TypeVar("T")

# Two prototypes of one C function: to set an exception, and to clear it (NULL).
_set_async_exc = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi)
)
_clear_async_exc = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi)
)
_local = threading.local()
#: Seconds between two cancellations of a call that has not stopped yet.
RETRY = 0.05


class Cancelled(BaseException):
    """Raised inside a thread whose work ran past its deadline.

    A ``BaseException``, so that ``except Exception`` in a query or a library does not swallow it.
    """


@contextmanager
def shielded() -> Iterator[None]:
    """Run the block to its end even if the deadline passes inside it (the thread stops after)."""
    job: _Job | None = getattr(_local, "job", None)
    if job is None:
        yield
        return
    job.enter_shield()
    try:
        yield
    finally:
        job.leave_shield()


class _Job:
    """One call under a deadline: the thread that runs it, its shields, whether it was cancelled."""

    __slots__ = ("_mu", "cancelled", "deferred", "done", "ident", "shield")

    def __init__(self, ident: int) -> None:
        self._mu = threading.Lock()
        self.ident = ident
        self.done = False
        self.cancelled = False
        self.deferred = False
        self.shield = 0

    def cancel(self) -> None:
        """Called by the watchdog at the deadline, and again while the call has not stopped: an
        exception that lands in a finaliser or a weakref callback is swallowed there ("ignored
        exception"), so one shot is not enough."""
        with self._mu:
            if self.done:
                return
            if self.shield:
                self.deferred = True
                return
            self.cancelled = True
            _set_async_exc(self.ident, Cancelled)

    def enter_shield(self) -> None:
        with self._mu:
            self.shield += 1

    def leave_shield(self) -> None:
        """A shielded block ended: act on a deadline that passed inside it."""
        with self._mu:
            self.shield -= 1
            if self.shield or not self.deferred or self.done:
                return
            self.deferred = False
            self.cancelled = True
        raise Cancelled

    def finish(self) -> None:
        """The call returned or raised: no exception may reach the thread after this."""
        with self._mu:
            self.done = True
            if self.cancelled:
                # Revoke an exception set but not yet delivered (NULL clears it).
                _clear_async_exc(self.ident, None)


class Watchdog:
    """One thread that cancels calls past their deadlines; ``clock`` is injectable for tests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, _Job]] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def run(self, fn: Callable[[], T], *, deadline: float) -> T:
        """``fn()`` in this thread; ``Cancelled`` if it is still running at ``deadline``."""
        job = _Job(threading.get_ident())
        outer = getattr(_local, "job", None)
        _local.job = job
        try:
            if self.clock() >= deadline:
                job.cancelled = True
                raise Cancelled
            self._add(deadline, job)
            return fn()
        finally:
            while True:
                # The exception may arrive as ``finish`` starts; until it has run, try again.
                try:
                    job.finish()
                    break
                except Cancelled:
                    continue
            _local.job = outer

    def _add(self, deadline: float, job: _Job) -> None:
        with self._cond:
            heapq.heappush(self._heap, (deadline, next(self._seq), job))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="cryptokg-watchdog", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _loop(self) -> None:
        with self._cond:
            while True:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait(timeout=1.0)
                    continue
                deadline, _, job = self._heap[0]
                now = self.clock()
                if now < deadline:
                    # Bounded waits: an injected clock may jump without notifying.
                    self._cond.wait(timeout=min(deadline - now, 0.05))
                    continue
                heapq.heappop(self._heap)
                job.cancel()
                # Until the call has stopped, look again soon (see ``_Job.cancel``).
                heapq.heappush(self._heap, (now + RETRY, next(self._seq), job))
