"""Diffs between two graph versions in the log, and the graph as it was at a past version.

The log holds every record before and after each change, so any version it names can be put
back together: start from the current records and undo the later entries, newest first. The
last ``keep`` versions asked for are kept built in memory (``PastVersions``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from graph.errors import InvalidParameter
from graph.history.diff import RecordChange, diff_record, ordered
from graph.history.log import Entry, entries_after
from graph.ingest.records import entity_of, relationship_of, source_of
from graph.ingest.validate import Dataset
from graph.model import dump
from graph.store.base import GraphStore
from graph.store.memory import MemoryStore

__all__ = ["PastStore", "PastVersions", "diff_versions", "known_versions", "records_at"]


def _log(db: Path) -> list[Entry]:
    return list(entries_after(db, 0))


def known_versions(db: Path) -> list[str]:
    """Every version the log names, oldest first (the first entry's "before" included)."""
    log = _log(db)
    if not log:
        return []
    return [log[0].version_before, *(e.version_after for e in log)]


def _position(log: list[Entry], version: str, name: str) -> int:
    """How many entries lead to ``version`` (its latest occurrence); ``InvalidParameter`` if none."""
    for i in range(len(log) - 1, -1, -1):
        if log[i].version_after == version:
            return i + 1
    if log and log[0].version_before == version:
        return 0
    msg = f"no graph version {version!r} in the change log"
    raise InvalidParameter(name, msg)


def diff_versions(db: Path, a: str, b: str) -> list[RecordChange]:
    """Field-level changes that take the graph from version ``a`` to version ``b``.

    Either may be the earlier one; the changes of the entries between are combined per record
    (a record added then removed between them is no change).
    """
    log = _log(db)
    i, j = _position(log, a, "from"), _position(log, b, "to")
    lo, hi = min(i, j), max(i, j)
    first: dict[tuple[str, str], dict[str, Any] | None] = {}
    last: dict[tuple[str, str], dict[str, Any] | None] = {}
    for e in log[lo:hi]:
        for r in e.records:
            key = (r.kind, r.id)
            first.setdefault(key, r.before)
            last[key] = r.after
    out: list[RecordChange] = []
    for key, before in first.items():
        after = last[key]
        if i > j:
            before, after = after, before
        ch = diff_record(key[0], key[1], before, after)
        if ch is not None:
            out.append(ch)
    return ordered(out)


def records_at(store: GraphStore, db: Path, version: str) -> tuple[dict[str, dict[str, dict[str, Any]]], str]:
    """The records (kind -> id -> record) of ``version``, undoing later entries from the current graph."""
    log = _log(db)
    tables: dict[str, dict[str, dict[str, Any]]] = {
        "source": {s.id: dump(s) for s in store.iter_sources()},
        "entity": {e.id: dump(e) for e in store.iter_entities()},
        "relationship": {r.id: dump(r) for r in store.iter_relationships()},
    }
    if version == store.version:
        return tables, version
    at = _position(log, version, "version")
    for e in reversed(log[at:]):
        for r in e.records:
            if r.before is None:
                tables[r.kind].pop(r.id, None)
            else:
                tables[r.kind][r.id] = r.before
    return tables, version


class PastStore(MemoryStore):
    """A memory-only store of the graph as of ``as_of``; ``log_db`` is the log it was rebuilt from."""

    def __init__(self, log_db: Path, as_of: str) -> None:
        super().__init__(None)
        self.log_db = log_db
        self.as_of = as_of


class PastVersions:
    """Past graph versions built as memory-only stores; the last ``keep`` are kept."""

    def __init__(self, keep: int = 5) -> None:
        self.keep = keep
        self._built: OrderedDict[tuple[str, str], GraphStore] = OrderedDict()
        self._lock = threading.Lock()

    def store_at(self, store: GraphStore, db: Path, version: str) -> GraphStore:
        """A read-only store holding the graph of ``version`` (``store`` itself when current)."""
        if version == store.version:
            return store
        key = (str(db), version)
        with self._lock:
            got = self._built.get(key)
            if got is not None:
                self._built.move_to_end(key)
                return got
        tables, _ = records_at(store, db, version)
        past = PastStore(db, version)
        past.replace_all(
            Dataset(
                sources={k: source_of(v) for k, v in tables["source"].items()},
                entities={k: entity_of(v) for k, v in tables["entity"].items()},
                relationships={k: relationship_of(v) for k, v in tables["relationship"].items()},
            )
        )
        past._version = version
        with self._lock:
            self._built[key] = past
            while len(self._built) > self.keep:
                self._built.popitem(last=False)
        return past
