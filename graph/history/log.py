"""The change log: a ``changes`` table (one row per change) and ``change_records`` (one row per
record it touched, with the field-level difference), kept in the workspace's SQLite file.

``record`` writes an entry on a connection the caller holds inside its own transaction, so the
entry lands with the change or not at all; a change that touched nothing writes nothing. The
embedded store calls it for every write (``graph.store.memory``); other writers (import, drop,
resolution judgements) call it the same way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from graph.history.context import Attribution, current
from graph.history.diff import RecordChange

__all__ = ["SCHEMA", "Entry", "copy_log", "entries", "entries_after", "has_log", "record"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY, at TEXT NOT NULL, who TEXT NOT NULL, reason TEXT NOT NULL,
    action TEXT NOT NULL, version_before TEXT NOT NULL, version_after TEXT NOT NULL,
    dataset TEXT, counts TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS change_records (
    seq INTEGER NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, op TEXT NOT NULL,
    source TEXT, target TEXT, fields TEXT NOT NULL, before TEXT, after TEXT);
CREATE INDEX IF NOT EXISTS change_records_seq ON change_records(seq);
CREATE INDEX IF NOT EXISTS change_records_id ON change_records(id);
CREATE INDEX IF NOT EXISTS changes_after ON changes(version_after);
"""


@dataclass(slots=True)
class Entry:
    """One logged change: versions before and after, time, who, why, and its records."""

    seq: int
    at: str
    who: str
    reason: str
    action: str
    version_before: str
    version_after: str
    dataset: str | None
    counts: dict[str, int]
    records: list[RecordChange] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "seq": self.seq,
            "at": self.at,
            "who": self.who,
            "reason": self.reason,
            "action": self.action,
            "version_before": self.version_before,
            "version_after": self.version_after,
            "dataset": self.dataset,
            "counts": self.counts,
            "records": [r.to_json() for r in self.records],
        }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _dumps(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def record(
    con: sqlite3.Connection,
    *,
    action: str,
    version_before: str,
    version_after: str,
    changes: Iterable[RecordChange],
    attribution: Attribution | None = None,
    at: str | None = None,
) -> int | None:
    """Append one entry (inside the caller's transaction); None, writing nothing, if no change."""
    rows = list(changes)
    if not rows:
        return None
    att = attribution or current()
    if not _has_table(con):
        for stmt in SCHEMA.split(";"):
            if stmt.strip():
                con.execute(stmt)  # not executescript: it would commit the caller's transaction
    counts: dict[str, int] = {}
    for ch in rows:
        counts[ch.op] = counts.get(ch.op, 0) + 1
    cur = con.execute(
        "INSERT INTO changes (at, who, reason, action, version_before, version_after, dataset, counts)"
        " VALUES (?,?,?,?,?,?,?,?)",
        (
            at or _now(),
            att.who,
            att.reason,
            action,
            version_before,
            version_after,
            att.dataset,
            orjson.dumps(counts).decode(),
        ),
    )
    seq = cur.lastrowid
    con.executemany(
        "INSERT INTO change_records VALUES (?,?,?,?,?,?,?,?,?)",
        [
            (
                seq,
                ch.kind,
                ch.id,
                ch.op,
                (ch.after or ch.before or {}).get("source") if ch.kind == "relationship" else None,
                (ch.after or ch.before or {}).get("target") if ch.kind == "relationship" else None,
                orjson.dumps({k: [o, n] for k, (o, n) in ch.fields.items()}).decode(),
                _dumps(ch.before),
                _dumps(ch.after),
            )
            for ch in rows
        ],
    )
    return seq


def _has_table(con: sqlite3.Connection, schema: str = "main") -> bool:
    row = con.execute(
        f"SELECT 1 FROM {schema}.sqlite_master WHERE type='table' AND name='change_records'"  # noqa: S608
    ).fetchone()
    return row is not None


def copy_log(con: sqlite3.Connection, old_db: Path) -> None:
    """Copy the log of ``old_db`` into the (new, empty) database of ``con``."""
    for stmt in SCHEMA.split(";"):
        if stmt.strip():
            con.execute(stmt)
    if not old_db.exists():
        return
    con.execute("ATTACH DATABASE ? AS old", (str(old_db),))
    try:
        if _has_table(con, "old"):
            con.execute("INSERT INTO changes SELECT * FROM old.changes")
            con.execute("INSERT INTO change_records SELECT * FROM old.change_records")
        from graph.history.proposals import copy_proposals

        copy_proposals(con, "old")  # proposals live in the same file and survive the replace too
    finally:
        con.execute("DETACH DATABASE old")


def has_log(db: Path) -> bool:
    """True when the workspace file ``db`` holds a change log."""
    if not db.exists():
        return False
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return _has_table(con)
    finally:
        con.close()


def _records_of(con: sqlite3.Connection, seqs: list[int]) -> dict[int, list[RecordChange]]:
    out: dict[int, list[RecordChange]] = {s: [] for s in seqs}
    for i in range(0, len(seqs), 500):
        chunk = seqs[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for seq, kind, rid, op, fields, before, after in con.execute(
            f"SELECT seq, kind, id, op, fields, before, after FROM change_records WHERE seq IN ({marks})"  # noqa: S608
            " ORDER BY rowid",
            chunk,
        ):
            f = orjson.loads(fields)
            out[seq].append(
                RecordChange(
                    kind,
                    rid,
                    op,
                    orjson.loads(before) if before is not None else None,
                    orjson.loads(after) if after is not None else None,
                    {k: (v[0], v[1]) for k, v in f.items()},
                )
            )
    return out


def _entry(row: tuple[Any, ...]) -> Entry:
    seq, at, who, reason, action, vb, va, dataset, counts = row
    return Entry(seq, at, who, reason, action, vb, va, dataset, orjson.loads(counts))


def _open(db: Path) -> sqlite3.Connection | None:
    if not has_log(db):
        return None
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def entries(
    db: Path,
    *,
    entity: str | None = None,
    since: str | None = None,
    until: str | None = None,
    dataset: str | None = None,
    offset: int = 0,
    limit: int = 50,
    newest_first: bool = True,
) -> tuple[list[Entry], int]:
    """Entries of the log, filtered, one page of them, and how many matched.

    ``entity`` keeps changes of that record id or of relationships at it (their records are
    narrowed to those); ``since``/``until`` compare with the entry time (ISO dates or times,
    inclusive; a bare date ``until`` covers the whole day).
    """
    con = _open(db)
    if con is None:
        return [], 0
    try:
        where: list[str] = []
        args: list[Any] = []
        if entity is not None:
            where.append("seq IN (SELECT seq FROM change_records WHERE id = ? OR source = ? OR target = ?)")
            args += [entity, entity, entity]
        if since is not None:
            where.append("at >= ?")
            args.append(since)
        if until is not None:
            where.append("at <= ?")
            args.append(until + "T23:59:59Z" if len(until) == 10 else until)
        if dataset is not None:
            where.append("dataset = ?")
            args.append(dataset)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        total = con.execute(f"SELECT count(*) FROM changes{clause}", args).fetchone()[0]  # noqa: S608
        order = "DESC" if newest_first else "ASC"
        rows = con.execute(
            f"SELECT seq, at, who, reason, action, version_before, version_after, dataset, counts"  # noqa: S608
            f" FROM changes{clause} ORDER BY seq {order} LIMIT ? OFFSET ?",
            [*args, limit, offset],
        ).fetchall()
        got = [_entry(r) for r in rows]
        recs = _records_of(con, [e.seq for e in got])
        for e in got:
            e.records = recs[e.seq]
            if entity is not None:
                e.records = [
                    r
                    for r in e.records
                    if r.id == entity
                    or entity
                    in ((r.after or r.before or {}).get("source"), (r.after or r.before or {}).get("target"))
                ]
        return got, total
    finally:
        con.close()


def versions(db: Path) -> list[tuple[str, str]]:
    """(version before, version after) of every entry, oldest first."""
    con = _open(db)
    if con is None:
        return []
    try:
        return [
            (a, b) for a, b in con.execute("SELECT version_before, version_after FROM changes ORDER BY seq")
        ]
    finally:
        con.close()


def entries_after(db: Path, seq: int) -> Iterator[Entry]:
    """Every entry after ``seq`` (0: all), oldest first, with its records."""
    con = _open(db)
    if con is None:
        return
    try:
        rows = con.execute(
            "SELECT seq, at, who, reason, action, version_before, version_after, dataset, counts"
            " FROM changes WHERE seq > ? ORDER BY seq",
            (seq,),
        ).fetchall()
        got = [_entry(r) for r in rows]
        recs = _records_of(con, [e.seq for e in got])
        for e in got:
            e.records = recs[e.seq]
            yield e
    finally:
        con.close()
