"""Partial dates (``2017``, ``2023-11``, ``2023-11-21``) and the as-of rule.

A partial date stands for an interval: ``2023-11`` is any day from 2023-11-01 to 2023-11-30.
A relationship holds *as of* day D when its start interval begins on or before D and its end
interval ends on or after D. An unknown start means "since an unknown time" and an unknown end
means "still holding or end unknown": by default both count as holding (``unknown="include"``);
``unknown="exclude"`` keeps only relationships whose known dates prove they held on D.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

__all__ = ["PARTIAL_DATE_RE", "date_bounds", "holds_on", "parse_partial_date"]

PARTIAL_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_partial_date(value: str) -> str:
    """Validate a partial date and return it unchanged.

    >>> parse_partial_date("2023-11")
    '2023-11'
    >>> parse_partial_date("2023-02-30")
    Traceback (most recent call last):
    ...
    ValueError: impossible date '2023-02-30'
    """
    m = PARTIAL_DATE_RE.match(value)
    if not m:
        msg = f"bad date {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD"
        raise ValueError(msg)
    year, month, day = m.groups()
    try:
        if day is not None:
            dt.date(int(year), int(month), int(day))
        elif month is not None and not 1 <= int(month) <= 12:
            raise ValueError
    except ValueError:
        msg = f"impossible date {value!r}"
        raise ValueError(msg) from None
    return value


def date_bounds(value: str) -> tuple[str, str]:
    """First and last day (ISO strings) covered by a partial date.

    >>> date_bounds("2024-02")
    ('2024-02-01', '2024-02-29')
    """
    m = PARTIAL_DATE_RE.match(value)
    if not m:
        msg = f"bad date {value!r}"
        raise ValueError(msg)
    year, month, day = m.groups()
    if day is not None:
        return value, value
    if month is not None:
        last = calendar.monthrange(int(year), int(month))[1]
        return f"{year}-{month}-01", f"{year}-{month}-{last:02d}"
    return f"{year}-01-01", f"{year}-12-31"


def holds_on(start: str | None, end: str | None, day: str, *, unknown: str = "include") -> bool:
    """True when a relationship dated ``start``..``end`` holds on ``day`` (ISO date).

    >>> holds_on("2017-07", "2023-11-21", "2022-01-01")
    True
    >>> holds_on("2017-07", "2023-11-21", "2024-06-01")
    False
    >>> holds_on(None, None, "2020-01-01"), holds_on(None, None, "2020-01-01", unknown="exclude")
    (True, False)
    """
    if start is None:
        if unknown == "exclude":
            return False
    elif date_bounds(start)[0] > day:
        return False
    if end is None:
        # An open end on a dated relationship means "still holding"; only an unknown start
        # makes the relationship undated as a whole.
        return not (start is None and unknown == "exclude")
    return date_bounds(end)[1] >= day


def sort_key(value: str | None) -> str:
    """Chronological sort key for a partial date; unknown dates sort last."""
    return date_bounds(value)[0] if value else "9999-99-99"
