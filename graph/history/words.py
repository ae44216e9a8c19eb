"""Changes told in words, for history pages, the CLI and the change feed.

A relationship's status change reads like "status changed from reported to confirmed on
2026-12-10: source doj-plea-2023 added".
"""

from __future__ import annotations

from typing import Any

from graph.history.diff import RecordChange

__all__ = ["sentence"]


def _value(v: Any) -> str:
    if isinstance(v, list):
        return ", ".join(str(x) for x in v) or "(none)"
    return "(none)" if v is None else str(v)


def _listed(old: Any, new: Any) -> list[str]:
    o, n = set(old or []), set(new or [])
    parts = [f"{x} added" for x in sorted(n - o)] + [f"{x} removed" for x in sorted(o - n)]
    return parts


def sentence(ch: RecordChange, at: str) -> str:
    """One sentence for one record's change made at ``at`` (an ISO time; its date is shown)."""
    day = at[:10]
    what = f"{ch.kind} {ch.id}"
    if ch.op == "added":
        rec = ch.after or {}
        extra = f" as {rec['status']}" if "status" in rec else ""
        return f"{what} added{extra} on {day}"
    if ch.op == "removed":
        return f"{what} removed on {day}"
    parts: list[str] = []
    fields = dict(ch.fields)
    status = fields.pop("status", None)
    sources = fields.pop("sources", None)
    src_words = [f"source {p}" for p in _listed(*sources)] if sources else []
    if status is not None:
        head = f"{what}: status changed from {_value(status[0])} to {_value(status[1])} on {day}"
        tail = "; ".join(src_words)
        parts.append(head + (f": {tail}" if tail else ""))
    elif src_words:
        parts.append(f"{what} changed on {day}: " + "; ".join(src_words))
    for name, (old, new) in fields.items():
        if isinstance(old, list) or isinstance(new, list):
            detail = "; ".join(_listed(old, new))
            parts.append(f"{what}: {name} {detail} on {day}")
        elif old is None:
            parts.append(f"{what}: {name} set to {_value(new)} on {day}")
        elif new is None:
            parts.append(f"{what}: {name} {_value(old)} removed on {day}")
        else:
            parts.append(f"{what}: {name} changed from {_value(old)} to {_value(new)} on {day}")
    return "; ".join(parts) if parts else f"{what} changed on {day}"
