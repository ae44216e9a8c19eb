"""Whether the facts of a path held at the same time, and if not, which periods they come from.

A path joins relationships; nothing says they held together. Each dated relationship stands
for the days from the first day of its start to the last day of its end (see
``graph.dates``): no end means "still holding or end unknown", no start "since an unknown
time"; a relationship without any date says nothing and is left out. Intervals on a line
share a day exactly when every two of them do, so one comparison tells whether all hops
overlap; when they do not, the overlapping ones are merged into periods.
"""

from __future__ import annotations

from collections.abc import Iterable

from graph.dates import date_bounds
from graph.model import Relationship

__all__ = ["Period", "disjoint_periods", "period_warning"]

_EARLIEST = "0000-01-01"
_LATEST = "9999-12-31"

#: A period: first and last day (ISO), ``_EARLIEST``/``_LATEST`` when open.
Period = tuple[str, str]


def _interval(rel: Relationship) -> Period | None:
    if not rel.start and not rel.end:
        return None
    lo = date_bounds(rel.start)[0] if rel.start else _EARLIEST
    hi = date_bounds(rel.end)[1] if rel.end else _LATEST
    return lo, hi


def disjoint_periods(rels: Iterable[Relationship]) -> list[Period]:
    """The separate periods of the dated relationships; one period (or none) when they overlap.

    >>> disjoint_periods([_rel("2017", "2023"), _rel("2025", None)])
    [('2017-01-01', '2023-12-31'), ('2025-01-01', '9999-12-31')]
    >>> disjoint_periods([_rel("2017", None), _rel("2025", None)])
    [('2025-01-01', '9999-12-31')]
    """
    spans = sorted(i for r in rels if (i := _interval(r)) is not None)
    if not spans:
        return []
    if max(lo for lo, _ in spans) <= min(hi for _, hi in spans):
        return [(max(lo for lo, _ in spans), min(hi for _, hi in spans))]
    merged: list[list[str]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return [(lo, hi) for lo, hi in merged]


def _label(period: Period, size: int) -> str:
    """A period in words, its dates cut to ``size`` characters (4: years, 7: months)."""
    lo, hi = period
    if lo == _EARLIEST and hi == _LATEST:
        return "undated"
    if lo == _EARLIEST:
        return f"until {hi[:size]}"
    if hi == _LATEST:
        return f"from {lo[:size]}"
    return lo[:size] if lo[:size] == hi[:size] else f"{lo[:size]}–{hi[:size]}"


def _labels(periods: list[Period]) -> list[str]:
    """Years, or months when two neighbouring periods meet within a year."""
    for size in (4, 7):
        touching = any(a[1][:size] == b[0][:size] for a, b in zip(periods, periods[1:], strict=False))
        if not touching:
            break
    return [_label(p, size) for p in periods]


def period_warning(rels: Iterable[Relationship]) -> str | None:
    """A sentence for a path whose facts never all held at once; None when they could have.

    >>> period_warning([_rel("2017", "2023"), _rel("2025", "2025")])
    'These facts are from different periods: 2017–2023 and 2025.'
    >>> period_warning([_rel("2017", None), _rel(None, None)]) is None
    True
    """
    periods = disjoint_periods(rels)
    if len(periods) < 2:
        return None
    names = _labels(periods)
    listed = ", ".join(names[:-1]) + " and " + names[-1]
    return f"These facts are from different periods: {listed}."


def _rel(start: str | None, end: str | None) -> Relationship:
    """A relationship with these dates (for the examples)."""
    return Relationship.model_validate(
        {
            "id": "r",
            "source": "a",
            "type": "met",
            "target": "b",
            "status": "reported",
            "sources": ["s"],
            "start": start,
            "end": end,
        }
    )
