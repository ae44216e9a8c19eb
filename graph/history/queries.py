"""Read the change log of a store: one entity's history, a page of changes, a diff of versions.

The embedded store keeps its log in its workspace file (``graph.sqlite``, tables ``changes``
and ``change_records``); a Bolt store opened by ``open_store`` keeps it beside it, in
``bolt-history.sqlite`` in the workspace (``graph.history.bolt``). A store without either (a
memory-only store, a bare ``Neo4jStore``) has no log: these functions raise
``InvalidParameter`` naming ``store``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import InvalidParameter
from graph.history.diff import RecordChange
from graph.history.log import Entry, entries
from graph.history.versions import diff_versions
from graph.history.words import sentence
from graph.store.base import GraphStore

__all__ = ["HistoryPage", "change_log", "check_time", "diff", "log_path"]


def log_path(store: GraphStore) -> Path:
    """The file holding ``store``'s change log; ``InvalidParameter`` when it keeps none."""
    from graph.history.versions import PastStore
    from graph.store.memory import MemoryStore

    if isinstance(store, PastStore):
        return store.log_db
    log_db = getattr(store, "log_db", None)  # a Bolt store's log beside it (graph.history.bolt)
    if isinstance(log_db, Path):
        return log_db
    if isinstance(store, MemoryStore) and store.workspace is not None:
        return store.db_path
    msg = f"{store.describe()} keeps no change log (history is kept by the embedded store's workspace)"
    raise InvalidParameter("store", msg)


def check_time(name: str, value: str | None) -> str | None:
    """``value`` if it is an ISO date or UTC time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            dt.date.fromisoformat(value)
        else:
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidParameter(name, f"bad time {value!r}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ") from None
    return value


@dataclass
class HistoryPage:
    """One page of log entries, newest first, with their sentences."""

    total: int
    offset: int
    limit: int
    entries: list[Entry]

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "offset": self.offset,
            "limit": self.limit,
            "entries": [
                {**e.to_json(), "sentences": [sentence(r, e.at) for r in e.records]} for e in self.entries
            ],
        }


def change_log(
    store: GraphStore,
    *,
    entity: str | None = None,
    since: str | None = None,
    until: str | None = None,
    dataset: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> HistoryPage:
    """A page of the changes (to ``entity`` and its relationships, when given), newest first."""
    since, until = check_time("since", since), check_time("until", until)
    got, total = entries(
        log_path(store), entity=entity, since=since, until=until, dataset=dataset, offset=offset, limit=limit
    )
    return HistoryPage(total, offset, limit, got)


def diff(store: GraphStore, a: str, b: str) -> dict[str, Any]:
    """Records added, removed and changed from version ``a`` to ``b``, by kind, with field detail."""
    changes = diff_versions(log_path(store), a, b)
    out: dict[str, Any] = {"from": a, "to": b}
    for kind, key in (("source", "sources"), ("entity", "entities"), ("relationship", "relationships")):
        mine = [c for c in changes if c.kind == kind]
        out[key] = {op: [_item(c) for c in mine if c.op == op] for op in ("added", "removed", "changed")}
    return out


def _item(c: RecordChange) -> dict[str, Any]:
    d = c.to_json()
    d.pop("kind")
    return d
