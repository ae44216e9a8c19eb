"""The history tab of entity pages: logged changes in words, with links to each version."""

from __future__ import annotations

from typing import Any

from graph.errors import InvalidParameter
from graph.history.queries import change_log
from graph.history.versions import PastStore
from graph.history.words import sentence
from graph.store.base import GraphStore
from graph.vocabulary import REL_TYPES, SourceKind, Status

__all__ = ["MAX_HISTORY", "propose_choices", "record_history"]

#: Changes listed on a page.
MAX_HISTORY = 30


def record_history(store: GraphStore, record_id: str) -> dict[str, Any] | None:
    """The page's history tab: the newest changes to ``record_id`` and its relationships, and
    which past version the page shows (None when the store keeps no log)."""
    try:
        page = change_log(store, entity=record_id, limit=MAX_HISTORY)
    except InvalidParameter:
        return None
    as_of = store.as_of if isinstance(store, PastStore) else None
    rows = [
        {
            "at": e.at,
            "who": e.who,
            "reason": e.reason,
            "action": e.action,
            "before": e.version_before,
            "after": e.version_after,
            "sentences": [sentence(r, e.at) for r in e.records],
        }
        for e in page.entries
    ]
    return {"total": page.total, "rows": rows, "as_of": as_of}


def propose_choices() -> dict[str, list[str]]:
    """The choices of the "propose a fact" form, from the vocabulary."""
    return {
        "rel_types": sorted(REL_TYPES),
        "statuses": [s.value for s in Status],
        "source_kinds": [k.value for k in SourceKind],
    }
