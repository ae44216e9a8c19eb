"""What the embedded store calls around its writes to log them (``graph.store.memory``).

Each function returns the record changes of one write, computed before the write from the
store's current records; ``logger`` turns them into the callback the store runs inside the
write's own transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from graph.history.diff import RecordChange, diff_record, diff_tables, ordered
from graph.history.log import copy_log, record

if TYPE_CHECKING:
    from graph.store.memory import MemoryStore

__all__ = ["copy_log", "delete_changes", "logger", "replace_changes", "upsert_changes"]

Table = Mapping[str, Mapping[str, Any]]


def _node(store: MemoryStore, eid: str) -> dict[str, Any] | None:
    d = store._g._node.get(eid)
    return d if d else None  # an end without a record of its own is {}


def upsert_changes(store: MemoryStore, srcs: Table, ents: Table, rels: Table) -> list[RecordChange]:
    """Changes an upsert of these records makes."""
    out: list[RecordChange] = []
    for kind, table, get in (
        ("source", srcs, store._sources.get),
        ("entity", ents, lambda i: _node(store, i)),
        ("relationship", rels, store._rels.get),
    ):
        for rid, d in table.items():
            ch = diff_record(kind, rid, get(rid), d)
            if ch is not None:
                out.append(ch)
    return ordered(out)


def delete_changes(
    store: MemoryStore, srcs: Iterable[str], ents: Iterable[str], rels: Iterable[str]
) -> list[RecordChange]:
    """Changes a delete of these ids makes (ids already absent change nothing)."""
    out: list[RecordChange] = []
    for kind, ids, get in (
        ("source", srcs, store._sources.get),
        ("entity", ents, lambda i: _node(store, i)),
        ("relationship", rels, store._rels.get),
    ):
        for rid in ids:
            ch = diff_record(kind, rid, get(rid), None)
            if ch is not None:
                out.append(ch)
    return ordered(out)


def _stored(db: Any, table: str) -> dict[str, bytes]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {
            rid: data if isinstance(data, bytes) else data.encode()
            for rid, data in con.execute(
                f"SELECT id, data FROM {table}"  # noqa: S608 - a fixed table name
            )
        }
    finally:
        con.close()


def replace_changes(store: MemoryStore, srcs: Table, ents: Table, rels: Table) -> list[RecordChange]:
    """Changes a full replace with these records makes: the old graph against the new.

    A graph not loaded yet is compared as stored (its JSON, parsed only where it differs).
    """
    old: list[Mapping[str, Any]]
    if store._pending and store.workspace is not None and store.db_path.exists():
        old = [_stored(store.db_path, t) for t in ("sources", "entities", "relationships")]
    else:
        nodes = {k: v for k, v in store._graph._node.items() if v}
        old = [store._source_data, nodes, store._rel_data]
    out: list[RecordChange] = []
    for kind, before, after in zip(
        ("source", "entity", "relationship"), old, (srcs, ents, rels), strict=True
    ):
        out += diff_tables(kind, before, after)
    return out


def logger(
    action: str, version_before: str, changes: list[RecordChange]
) -> Callable[[sqlite3.Connection, str], None] | None:
    """The callback that logs ``changes`` (None when there are none, so nothing is logged)."""
    if not changes:
        return None

    def log(con: sqlite3.Connection, version_after: str) -> None:
        if version_after != version_before:
            record(
                con,
                action=action,
                version_before=version_before,
                version_after=version_after,
                changes=changes,
            )

    return log
