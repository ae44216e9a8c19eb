"""``version=`` on every read: answer against a past graph version rebuilt from the change log.

``get_runner`` (``api.deps``) hands routes a runner of the past version when the request asks
for one: a memory-only store holding that version's records (``graph.history.versions``), the
last ``CRYPTOKG_HISTORY_VERSIONS`` of them kept built. Writes against a past version are
refused: a change always applies to the current graph.
"""

from __future__ import annotations

import threading
from typing import TypeVar

from api.runner import GraphRunner
from graph.errors import InvalidParameter
from graph.history.queries import log_path
from graph.history.versions import PastVersions
from graph.store.base import GraphStore

__all__ = ["PastRunner", "past_runner"]

T = TypeVar("T")

_LOCK = threading.Lock()
_CACHE: dict[int, tuple[PastVersions, dict[str, GraphRunner]]] = {}


class PastRunner(GraphRunner):
    """A runner of a past version: reads only."""

    async def write(self, fn: object, *args: object, **kwargs: object) -> T:
        raise InvalidParameter("version", "writes apply to the current graph; leave out version=")

    async def sync(self) -> None:
        return None


def _build(current: GraphRunner, version: str, keep: int) -> GraphRunner:
    with _LOCK:
        past, runners = _CACHE.setdefault(id(current), (PastVersions(keep), {}))
    store = past.store_at(current.store, log_path(current.store), version)
    with _LOCK:
        got = runners.get(version)
        if got is None or got.store is not store:
            got = PastRunner(store, timeout=current.timeout, threads=current.threads, queue=current.queue)
            runners[version] = got
            live = {id(s) for s in past._built.values()}
            for v in [v for v, r in runners.items() if id(r.store) not in live]:
                del runners[v]
        return got


async def past_runner(current: GraphRunner, version: str, keep: int) -> GraphRunner:
    """The runner answering as of ``version`` (``current`` when it is the current version)."""
    if version == await current.version():
        return current

    def work(_store: GraphStore) -> GraphRunner:
        return _build(current, version, keep)

    return await current.read(work)
