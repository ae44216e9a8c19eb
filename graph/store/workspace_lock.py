"""One writer at a time for a workspace, across processes: an advisory lock file beside the graph.

``cryptokg ingest`` holds it for the whole replace (writing the new file and renaming it into
place); an API write holds it from reading the graph version to committing its change. The lock
is ``flock`` on ``graph.sqlite.lock``, which the kernel releases when its holder exits, so a killed
writer never leaves the workspace locked.

Temporary files are named ``graph.sqlite.tmp-<pid>``: only the process that made one removes it,
or, once that process is gone, whoever next opens the workspace (``remove_orphans``).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from graph.errors import StoreBusy

__all__ = ["WorkspaceLock", "pid_alive", "remove_orphans", "tmp_name"]

#: Seconds between two tries of a lock another process holds.
POLL = 0.02


def tmp_name(db_path: Path) -> Path:
    """The temporary file of this process for ``db_path``."""
    return db_path.with_name(f"{db_path.name}.tmp-{os.getpid()}")


def pid_alive(pid: int) -> bool:
    """True when a process with this id exists (ours or another user's)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_orphans(db_path: Path) -> list[Path]:
    """Remove the temporary files of processes that no longer exist; return what was removed."""
    removed = []
    for tmp in db_path.parent.glob(db_path.name + ".tmp-*"):
        suffix = tmp.name.rsplit("-", 1)[-1]
        if not suffix.isdigit() or pid_alive(int(suffix)):
            continue
        try:
            tmp.unlink()
        except FileNotFoundError:
            continue
        removed.append(tmp)
    return removed


class WorkspaceLock:
    """The write lock of one workspace, re-entrant within the thread that holds it.

    ``clock`` and ``sleep`` are injectable so tests can wait without depending on the machine's speed.
    """

    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.path = path
        self._clock = clock
        self._sleep = sleep
        self._mutex = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """True while some thread of this process holds the lock through this object."""
        return self._depth > 0

    def acquire(self, timeout: float) -> None:
        """Take the lock, waiting up to ``timeout`` seconds; ``StoreBusy`` if another writer keeps it."""
        deadline = self._clock() + timeout
        if not self._mutex.acquire(timeout=max(0.0, timeout)):
            raise StoreBusy(self._busy(timeout))
        try:
            if self._depth == 0:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    while True:
                        try:
                            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                            break
                        except BlockingIOError:
                            if self._clock() >= deadline:
                                raise StoreBusy(self._busy(timeout)) from None
                            self._sleep(POLL)
                except BaseException:
                    os.close(fd)
                    raise
                self._fd = fd
            self._depth += 1
        except BaseException:
            self._mutex.release()
            raise

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        self._mutex.release()

    @contextmanager
    def hold(self, timeout: float) -> Iterator[None]:
        """``with lock.hold(30): ...`` — the lock for the block."""
        self.acquire(timeout)
        try:
            yield
        finally:
            self.release()

    def _busy(self, timeout: float) -> str:
        return (
            f"another writer kept the workspace {self.path.parent} locked for {timeout:g} s "
            "(an ingest, an import or an API write); nothing was written, try again"
        )
