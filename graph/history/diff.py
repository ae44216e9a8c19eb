"""Field-level differences between two states of the records (sources, entities, relationships).

A record change names the record (``kind``, ``id``), what happened (``added``, ``removed`` or
``changed``) and, field by field, the old and the new value (``None`` where a field is absent).
Records are compared as their compact dicts (``graph.model.dump``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

__all__ = ["KINDS", "RecordChange", "diff_record", "diff_tables"]

#: Record kinds in the order changes are listed.
KINDS = ("source", "entity", "relationship")

Rec = Mapping[str, Any]


@dataclass(slots=True)
class RecordChange:
    """One record's change; ``before``/``after`` are the whole records (None when absent)."""

    kind: str
    id: str
    op: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``fields`` as ``{name: {"old": ..., "new": ...}}``)."""
        return {
            "kind": self.kind,
            "id": self.id,
            "op": self.op,
            "fields": {k: {"old": o, "new": n} for k, (o, n) in self.fields.items()},
            "before": self.before,
            "after": self.after,
        }


def diff_record(kind: str, rid: str, before: Rec | None, after: Rec | None) -> RecordChange | None:
    """The change from ``before`` to ``after`` of one record, or None when they are equal."""
    if before is None and after is None:
        return None
    b = dict(before) if before is not None else None
    a = dict(after) if after is not None else None
    if b == a:
        return None
    names = sorted(set(b or {}) | set(a or {}))
    fields = {}
    for name in names:
        old = (b or {}).get(name)
        new = (a or {}).get(name)
        if old != new:
            fields[name] = (old, new)
    op = "added" if b is None else "removed" if a is None else "changed"
    return RecordChange(kind, rid, op, b, a, fields)


def _same(old: Any, new: Rec) -> bool:
    if isinstance(old, bytes | str):
        raw = old.encode() if isinstance(old, str) else old
        return raw == orjson.dumps(new) or orjson.loads(raw) == new
    return bool(old == new)


def _parsed(old: Any) -> dict[str, Any]:
    if isinstance(old, bytes | str):
        parsed: dict[str, Any] = orjson.loads(old)
        return parsed
    return dict(old)


def diff_tables(kind: str, old: Mapping[str, Any], new: Mapping[str, Rec]) -> list[RecordChange]:
    """Changes of one record kind from ``old`` to ``new`` (id -> record), in id order.

    Old records may be given as their stored JSON (bytes or text), parsed only when they differ.
    """
    out: list[RecordChange] = []
    for rid in sorted(set(old) | set(new)):
        o = old.get(rid)
        n = new.get(rid)
        if o is not None and n is not None and _same(o, n):
            continue
        ch = diff_record(kind, rid, _parsed(o) if o is not None else None, n)
        if ch is not None:
            out.append(ch)
    return out


def ordered(changes: Iterable[RecordChange]) -> list[RecordChange]:
    """Changes sorted by kind (sources, entities, relationships), then id."""
    return sorted(changes, key=lambda c: (KINDS.index(c.kind), c.id))
