"""Open-ended facts not checked for a while: what a reporter should re-verify first.

A fact is *open-ended* when its type describes a lasting state (an office, a stake, a suit, a
monitorship: ``RelType.lasting``) and it has no end date, so the data says it still holds. It is *stale* when
its ``last_checked`` date is older than the threshold, or unknown. ``today`` is a parameter so the
answer does not depend on the clock.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from graph.dates import date_bounds
from graph.errors import InvalidParameter
from graph.model import Relationship
from graph.store.base import GraphStore
from graph.vocabulary import REL_TYPES

__all__ = ["StaleFact", "parse_age", "stale_facts"]

_AGE = re.compile(r"^\s*(\d{1,5})\s*([dwmy]?)\s*$")
_DAYS = {"": 1, "d": 1, "w": 7, "m": 30, "y": 365}


@dataclass(frozen=True, slots=True)
class StaleFact:
    """An open-ended relationship and how long ago it was last checked (None: never)."""

    relationship: Relationship
    days_since_check: int | None


def parse_age(text: str, param: str = "older_than") -> int:
    """``180d``, ``26w``, ``6m`` (30 days), ``1y`` (365 days) or a bare number of days."""
    m = _AGE.match(text or "")
    if not m:
        raise InvalidParameter(param, f"bad age {text!r}: use a number of days such as 180d, 26w, 6m or 1y")
    return int(m.group(1)) * _DAYS[m.group(2)]


def _checked_on(value: str) -> dt.date:
    # a partial date counts from its first day, so a month-only check is never taken as fresher than it is
    return dt.date.fromisoformat(date_bounds(value)[0])


def stale_facts(store: GraphStore, *, older_than_days: int, today: dt.date) -> list[StaleFact]:
    """Open-ended relationships last checked more than ``older_than_days`` before ``today``.

    Never-checked facts come first, then the longest unchecked; ties by id.
    """
    if older_than_days < 0:
        raise InvalidParameter("older_than", "must not be negative")
    out = []
    for rel in store.iter_relationships():
        if rel.end is not None or not REL_TYPES[rel.type].lasting:
            continue
        if rel.last_checked is None:
            out.append(StaleFact(rel, None))
            continue
        age = (today - _checked_on(rel.last_checked)).days
        if age > older_than_days:
            out.append(StaleFact(rel, age))
    out.sort(key=lambda f: (f.days_since_check is not None, -(f.days_since_check or 0), f.relationship.id))
    return out
