"""Proposals: changes a contributor asks for, applied only when an editor approves them.

A proposal is one of:

- ``add``: new records (a fact with its source: ``{"sources": [...], "relationships": [...]}``,
  entities too), validated exactly like ingest, every id new;
- ``change``: a correction of one record (``kind``, ``id`` and ``changes``, like PATCH);
- ``delete``: the removal of one record (``kind`` and ``id``).

It is validated when proposed (so the review queue shows its diff) and again when approved,
against the graph as it then is. Approval applies it in one store write, logged with both names
(the editor as who; the proposer, the proposal and both reasons in the reason); a rejection
changes nothing but the proposal's status. Proposals live in the workspace's SQLite file
(table ``proposals``), carried over by a full replace like the change log.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from graph import writes
from graph.errors import InvalidParameter, InvalidRecord, NotFound, Problem
from graph.history.context import attributed
from graph.history.diff import RecordChange, diff_record, ordered
from graph.history.queries import log_path
from graph.ids import slugify
from graph.model import dump
from graph.store.base import GraphStore

__all__ = ["ACTIONS", "SCHEMA", "Proposal", "approve", "get", "listing", "propose", "reject"]

ACTIONS = ("add", "change", "delete")
STATES = ("open", "approved", "rejected")
SCHEMA = """
CREATE TABLE IF NOT EXISTS proposals (
    id INTEGER PRIMARY KEY, created TEXT NOT NULL, proposer TEXT NOT NULL, reason TEXT NOT NULL,
    action TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL, reviewer TEXT, reviewed TEXT,
    review_reason TEXT, version_applied TEXT)
"""
BODY = "proposal"


@dataclass
class Proposal:
    """A stored proposal and, when open, the changes it would make now."""

    id: int
    created: str
    proposer: str
    reason: str
    action: str
    body: dict[str, Any]
    status: str
    reviewer: str | None
    reviewed: str | None
    review_reason: str | None
    version_applied: str | None
    changes: list[RecordChange] | None = None
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created": self.created,
            "proposer": self.proposer,
            "reason": self.reason,
            "action": self.action,
            "body": self.body,
            "status": self.status,
            "reviewer": self.reviewer,
            "reviewed": self.reviewed,
            "review_reason": self.review_reason,
            "version_applied": self.version_applied,
            "changes": [c.to_json() for c in self.changes] if self.changes is not None else None,
            "problem": self.problem,
        }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _connect(store: GraphStore) -> sqlite3.Connection:
    from graph.store.memory import MemoryStore

    db = log_path(store)
    if not db.exists():
        if isinstance(store, MemoryStore):
            msg = f"{store.describe()} has no workspace file yet: ingest data first"
            raise InvalidParameter("store", msg)
        db.parent.mkdir(parents=True, exist_ok=True)  # a Bolt store's log beside it
    con = sqlite3.connect(db, isolation_level=None)
    con.execute(SCHEMA)
    return con


def _records_doc(body: Mapping[str, Any]) -> dict[str, Any]:
    doc = {k: body[k] for k in ("sources", "entities", "relationships") if k in body}
    if not doc:
        raise InvalidRecord(
            [Problem(BODY, None, None, None, "an `add` proposal needs sources, entities or relationships")]
        )
    return doc


def _with_source_ids(doc: dict[str, Any]) -> dict[str, Any]:
    """Sources proposed without an id get one from publisher, title and date (as a form sends
    them), and with a single proposed source, records that cite nothing cite it; relationships
    without an id get theirs from their content, as in ingest."""
    sources = doc.get("sources")
    if not isinstance(sources, list):
        return doc
    out = []
    for s in sources:
        if isinstance(s, Mapping) and not s.get("id") and isinstance(s.get("title"), str):
            words = " ".join(str(s.get(k) or "") for k in ("publisher", "title", "date"))
            s = {**s, "id": slugify(words)[:120].strip("-") or "source"}
        out.append(s)
    doc = {**doc, "sources": out}
    if len(out) == 1 and isinstance(out[0], Mapping) and out[0].get("id"):
        for key in ("entities", "relationships"):
            recs = doc.get(key)
            if isinstance(recs, list):
                doc[key] = [
                    {**r, "sources": [out[0]["id"]]} if isinstance(r, Mapping) and not r.get("sources") else r
                    for r in recs
                ]
    return doc


def _target(body: Mapping[str, Any]) -> tuple[str, str]:
    kind, rid = body.get("kind"), body.get("id")
    if kind not in writes.RECORD_KINDS:
        raise InvalidRecord(
            [Problem(BODY, None, None, "kind", f"expected one of {', '.join(writes.RECORD_KINDS)}")]
        )
    if not isinstance(rid, str) or not rid:
        raise InvalidRecord([Problem(BODY, None, None, "id", "the id of the record to change")])
    return kind, rid


def _current(store: GraphStore, kind: str, rid: str) -> dict[str, Any] | None:
    got = writes._get(store, kind, rid)
    return dump(got) if got is not None else None


def plan(store: GraphStore, action: str, body: Mapping[str, Any]) -> tuple[Any, list[RecordChange]]:
    """Validate a proposal against the graph now: what to write, and the changes it makes."""
    if action not in ACTIONS:
        raise InvalidParameter("action", f"expected one of {', '.join(ACTIONS)}")
    if not isinstance(body, Mapping):
        raise InvalidRecord([Problem(BODY, None, None, None, "expected a JSON object")])
    if action == "add":
        ds = writes.dataset_from_json(_with_source_ids(_records_doc(body)), store=store, name=BODY)
        changes: list[RecordChange] = []
        for kind, table in (
            ("source", ds.sources),
            ("entity", ds.entities),
            ("relationship", ds.relationships),
        ):
            for rid, model in table.items():
                if _current(store, kind, rid) is not None:
                    msg = f"{kind} {rid!r} already exists; propose a change to it instead"
                    raise writes.Conflict(msg)
                ch = diff_record(kind, rid, None, dump(model))
                if ch is not None:
                    changes.append(ch)
        return ds, ordered(changes)
    kind, rid = _target(body)
    before = _current(store, kind, rid)
    if before is None:
        msg = f"no {kind} {rid!r}"
        raise NotFound(msg)
    if action == "delete":
        return (kind, rid), [
            RecordChange(kind, rid, "removed", before, None, {k: (v, None) for k, v in before.items()})
        ]
    changes_in = body.get("changes")
    if not isinstance(changes_in, Mapping) or not changes_in:
        raise InvalidRecord([Problem(BODY, None, rid, "changes", "the fields to change, as a JSON object")])
    merged = dict(before)
    for key, value in changes_in.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    model = writes._validate_one(store, kind, {**merged, "id": rid})
    ch = diff_record(kind, rid, before, dump(model))
    if ch is None:
        raise InvalidRecord([Problem(BODY, None, rid, "changes", "this changes nothing")])
    return model, [ch]


def _row(r: tuple[Any, ...]) -> Proposal:
    return Proposal(r[0], r[1], r[2], r[3], r[4], orjson.loads(r[5]), r[6], r[7], r[8], r[9], r[10])


COLUMNS = (
    "id, created, proposer, reason, action, body, status, reviewer, reviewed, review_reason, version_applied"
)


def propose(
    store: GraphStore, action: str, body: Mapping[str, Any], *, proposer: str, reason: str
) -> Proposal:
    """Validate and store a proposal (status ``open``); the graph is not changed."""
    _, changes = plan(store, action, body)
    con = _connect(store)
    try:
        cur = con.execute(
            "INSERT INTO proposals (created, proposer, reason, action, body, status) VALUES (?,?,?,?,?, 'open')",
            (_now(), proposer, reason, action, orjson.dumps(dict(body)).decode()),
        )
        pid = cur.lastrowid
    finally:
        con.close()
    got = get(store, int(pid or 0))
    got.changes = changes
    return got


def get(store: GraphStore, pid: int) -> Proposal:
    """One proposal; ``NotFound`` if there is none with that id."""
    con = _connect(store)
    try:
        r = con.execute(f"SELECT {COLUMNS} FROM proposals WHERE id = ?", (pid,)).fetchone()  # noqa: S608
    finally:
        con.close()
    if r is None:
        msg = f"no proposal {pid}"
        raise NotFound(msg)
    return _row(r)


def _with_plan(store: GraphStore, p: Proposal) -> Proposal:
    if p.status == "open":
        try:
            p.changes = plan(store, p.action, p.body)[1]
        except (InvalidRecord, InvalidParameter, NotFound, writes.Conflict) as exc:
            p.problem = exc.detail
    return p


def listing(store: GraphStore, *, status: str | None = "open", limit: int = 100) -> list[Proposal]:
    """Proposals (newest first); open ones with the changes they would make now."""
    if status is not None and status not in STATES:
        raise InvalidParameter("status", f"expected one of {', '.join(STATES)}")
    con = _connect(store)
    try:
        where, args = ("WHERE status = ?", [status]) if status else ("", [])
        rows = con.execute(
            f"SELECT {COLUMNS} FROM proposals {where} ORDER BY id DESC LIMIT ?",  # noqa: S608
            [*args, limit],
        ).fetchall()
    finally:
        con.close()
    return [_with_plan(store, _row(r)) for r in rows]


def _open(store: GraphStore, pid: int) -> Proposal:
    p = get(store, pid)
    if p.status != "open":
        msg = f"proposal {pid} was already {p.status} by {p.reviewer}"
        raise writes.Conflict(msg)
    return p


def _close(store: GraphStore, pid: int, status: str, reviewer: str, reason: str, version: str | None) -> None:
    con = _connect(store)
    try:
        con.execute(
            "UPDATE proposals SET status = ?, reviewer = ?, reviewed = ?, review_reason = ?, version_applied = ?"
            " WHERE id = ? AND status = 'open'",
            (status, reviewer, _now(), reason, version, pid),
        )
    finally:
        con.close()


def approve(store: GraphStore, pid: int, *, editor: str, reason: str) -> Proposal:
    """Apply an open proposal in one store write, logged as the editor's with the proposer named."""
    p = _open(store, pid)
    todo, changes = plan(store, p.action, p.body)
    why = f"proposal #{p.id} by {p.proposer}: {p.reason}; approved by {editor}: {reason}"
    with attributed(editor, why):
        if p.action == "add":
            store.upsert(
                sources=todo.sources.values(),
                entities=todo.entities.values(),
                relationships=todo.relationships.values(),
            )
        elif p.action == "change":
            writes._upsert(store, todo)
        else:
            writes.delete(store, *todo)
    _close(store, pid, "approved", editor, reason, store.version)
    got = get(store, pid)
    got.changes = changes
    return got


def reject(store: GraphStore, pid: int, *, editor: str, reason: str) -> Proposal:
    """Close an open proposal without changing the graph."""
    _open(store, pid)
    _close(store, pid, "rejected", editor, reason, None)
    return get(store, pid)


def copy_proposals(con: sqlite3.Connection, attached: str = "old") -> None:
    """Copy the proposals of the attached old database (used by ``graph.history.log.copy_log``)."""
    con.execute(SCHEMA)
    row = con.execute(
        f"SELECT 1 FROM {attached}.sqlite_master WHERE type='table' AND name='proposals'"  # noqa: S608
    ).fetchone()
    if row is not None:
        con.execute(f"INSERT INTO proposals SELECT * FROM {attached}.proposals")  # noqa: S608


def db_of(store: GraphStore) -> Path:
    """The file holding ``store``'s proposals."""
    return log_path(store)
