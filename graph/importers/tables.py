"""Reading real-world tables: CSV with a BOM or padded headers, amounts and dates in many forms.

Shared by the ICIJ, LittleSis and mapped importers.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO

from graph.dates import parse_partial_date

__all__ = ["DATE_FORMATS", "csv_rows", "parse_amount", "parse_date", "open_members"]

#: Day-level formats tried in order (ISO first); month and year forms are handled separately.
DATE_FORMATS = (
    "%Y-%m-%d",
    "%d-%b-%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%Y%m%d",
)
_MONTH_FORMATS = ("%b %Y", "%B %Y", "%b-%Y", "%m/%Y")
_AMOUNT = re.compile(r"^[+]?[0-9]+(\.[0-9]+)?$")


def parse_date(text: str, formats: tuple[str, ...] = DATE_FORMATS) -> str | None:
    """A partial ISO date (``2006``, ``2006-03``, ``2006-03-23``) from many written forms.

    Returns None for an empty cell; raises ``ValueError`` naming the value when no form fits.

    >>> parse_date("23-MAR-2006"), parse_date("Mar 23, 2006"), parse_date("2006"), parse_date("2006-03")
    ('2006-03-23', '2006-03-23', '2006', '2006-03')
    >>> parse_date("23/03/2006"), parse_date("2006-03-23T10:00:00Z")
    ('2006-03-23', '2006-03-23')
    """
    t = text.strip()
    if not t:
        return None
    if re.match(r"^\d{4}-\d{2}-\d{2}T", t):
        t = t[:10]
    if re.match(r"^\d{4}(-\d{2}){0,2}$", t):
        return parse_partial_date(t)
    for fmt in formats:
        try:
            return datetime.strptime(t.title() if "%b" in fmt or "%B" in fmt else t, fmt).date().isoformat()
        except ValueError:
            continue
    for fmt in _MONTH_FORMATS:
        try:
            return datetime.strptime(t.title(), fmt).strftime("%Y-%m")
        except ValueError:
            continue
    msg = f"unrecognised date {text!r}"
    raise ValueError(msg)


def parse_amount(text: str) -> tuple[float | None, str | None]:
    """(amount, currency) from cells such as ``" $10,000,000.00 "``, ``"EUR 1.5m"``, ``"1000"``.

    Raises ``ValueError`` naming the value when it is not an amount.

    >>> parse_amount(" $10,000,000.00 "), parse_amount("EUR 2,500"), parse_amount("")
    ((10000000.0, 'USD'), (2500.0, 'EUR'), (None, None))
    """
    t = text.strip()
    if not t:
        return None, None
    currency = None
    symbols = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
    if t[0] in symbols:
        currency, t = symbols[t[0]], t[1:].strip()
    m = re.match(r"^([A-Z]{3})\s*(.*)$", t)
    if m:
        currency, t = m.group(1), m.group(2)
    m = re.match(r"^(.*?)\s*([A-Z]{3})$", t)
    if m and currency is None:
        t, currency = m.group(1), m.group(2)
    mult = 1.0
    low = t.lower()
    for suffix, factor in (("bn", 1e9), ("b", 1e9), ("m", 1e6), ("k", 1e3)):
        if low.endswith(suffix) and low[: -len(suffix)].strip().replace(",", "").replace(".", "").isdigit():
            mult, t = factor, t[: -len(suffix)].strip()
            break
    t = t.replace(",", "").replace(" ", "")
    if not _AMOUNT.match(t):
        msg = f"not an amount: {text!r}"
        raise ValueError(msg)
    return float(t) * mult, currency


def csv_rows(f: IO[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) of a CSV file, with headers stripped of a BOM and whitespace, cells stripped.

    The line is that of the row's first physical line (quoted cells may span lines).
    """
    reader = csv.reader(f)
    try:
        header = next(reader)
    except StopIteration:
        return
    names = [h.lstrip("\ufeff").strip() for h in header]
    line = reader.line_num
    for row in reader:
        start = line + 1
        line = reader.line_num
        if not any(c.strip() for c in row):
            continue
        yield start, {names[i]: c.strip() for i, c in enumerate(row) if i < len(names)}


def open_members(path: Path, names: tuple[str, ...]) -> Iterator[tuple[str, str, IO[str]]]:
    """(name, display path, text stream) of each file ``names`` in a folder or zip, in that order.

    Files are matched by base name (the zip may keep them in a sub-folder); missing ones are
    left out. Text is UTF-8 with an optional BOM.
    """
    if path.is_dir():
        for n in names:
            hits = sorted(path.rglob(n))
            if hits:
                with hits[0].open(encoding="utf-8-sig", newline="") as f:
                    yield n, str(hits[0]), f
        return
    with zipfile.ZipFile(path) as zf:
        by_base = {PurePosixPath(m).name: m for m in zf.namelist() if not m.endswith("/")}
        for n in names:
            if n in by_base:
                with zf.open(by_base[n]) as raw:
                    yield n, f"{path}/{by_base[n]}", io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
