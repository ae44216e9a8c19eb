"""A fast path for large CSV files of entities and relationships.

``readers`` turns each row into a raw record and ``validate`` runs it through the pydantic
models: about 15 µs a row. Here a row whose every cell is plainly valid (well-formed ids,
known type and status, possible dates, a plain number for an amount, ...) becomes its
compact dict directly, in about 2 µs, and goes to ``Validator.add_valid``. Any other row takes
the ordinary path, so every problem is reported with exactly the same file, line, record,
field and message. ``tests/graph/ingest/test_fastcsv.py`` checks that both paths agree.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph.dates import date_bounds, parse_partial_date
from graph.errors import Problem
from graph.ids import ID_PATTERN, relationship_id
from graph.ingest.readers import ENTITY_COLUMNS, csv_error, csv_limit, csv_record, decode_file
from graph.ingest.validate import Validator
from graph.model import Relationship, _check_url
from graph.vocabulary import REL_TYPES, EntityKind, Status

__all__ = ["FAST_KINDS", "load_csv"]

FAST_KINDS = ("entity", "relationship")
REL_FIELDS = frozenset(Relationship.model_fields)
TYPES = {t: t for t in REL_TYPES}
STATUSES = {s.value: s.value for s in Status}
KINDS = {k.value: k.value for k in EntityKind}
#: Amounts the fast path takes as they are; anything else (exponents, separators) goes the slow way.
AMOUNT = re.compile(r"\d{1,15}(\.\d{1,6})?\Z")
_id = ID_PATTERN.match
#: Characters ``graph.guards`` refuses somewhere (control characters, separators U+2028/9, U+0085).
_SUSPECT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
#: A cell escaped against spreadsheet formulas (``readers.csv_safe``), maybe.
_FORMULA_ESCAPE = re.compile("'[=+\\-@']")
#: Text between two quotes that holds a line break: maybe a quoted cell of two lines.
_QUOTED_BREAK = re.compile('"[^"\r\n]*[\r\n][^"]*"')
Row = Callable[[list[str]], "dict[str, Any] | None"]


class _Shared:
    """Equal strings shared across records (dates, countries, source ids), and date checks."""

    def __init__(self, v: Validator) -> None:
        self.v = v
        self.dates: dict[str, tuple[str, str, str] | None] = {}
        self.small: dict[str, str] = {}

    def date(self, value: str) -> tuple[str, str, str] | None:
        """(canonical value, first day, last day), or None when pydantic would reject it."""
        got = self.dates.get(value, ())
        if got == ():
            try:
                parse_partial_date(value)
                lo, hi = date_bounds(value)
                got = (value, lo, hi)
            except ValueError:
                got = None
            self.dates[value] = got
        return got  # type: ignore[return-value]

    def word(self, value: str) -> str:
        if len(self.small) < 100_000:
            return self.small.setdefault(value, value)
        return self.small.get(value, value)

    def ids(self, cell: str, kind: str) -> list[str] | None:
        """The ids of a ``;`` list cell, shared with the records they name, or None if one is bad."""
        table = self.v.raw[kind]
        if ";" not in cell:
            cell = cell.strip()
            rec = table.get(cell)
            if rec is not None:
                return [rec["id"]]
            if not cell:
                return []
            return [self.word(cell)] if _id(cell) else None
        out = []
        for part in cell.split(";"):
            part = part.strip()
            if not part:
                continue
            if not _id(part):
                return None
            rec = table.get(part)
            out.append(rec["id"] if rec is not None else self.word(part))
        return out


def _rel_row(keys: list[str], sh: _Shared) -> Row:
    ents = sh.v.raw["entity"]
    col = {k: i for i, k in enumerate(keys)}
    required = [col.get(k) for k in ("source", "target", "type", "status", "sources")]
    if None in required:
        return lambda cells: None
    i_src, i_tgt, i_type, i_status, i_sources = (int(i) for i in required)  # type: ignore[arg-type]
    i_id = col.get("id")
    optional = [
        (k, col[k])
        for k in ("role", "start", "end", "amount", "currency", "denied_by", "notes", "last_checked")
        if k in col
    ]

    def row(cells: list[str]) -> dict[str, Any] | None:
        src = cells[i_src].strip()
        tgt = cells[i_tgt].strip()
        typ = TYPES.get(cells[i_type].strip())
        st = STATUSES.get(cells[i_status].strip())
        if typ is None or st is None or not src or not tgt or src == tgt:
            return None
        e = ents.get(src)
        if e is not None:
            src = e["id"]
        elif not _id(src):
            return None
        e = ents.get(tgt)
        if e is not None:
            tgt = e["id"]
        elif not _id(tgt):
            return None
        sources = sh.ids(cells[i_sources], "source")
        if not sources:
            return None
        opt = {}
        for k, i in optional:
            x = cells[i].strip()
            if x:
                opt[k] = x
        rid = cells[i_id].strip() if i_id is not None else ""
        if not rid:
            rid = relationship_id(src, typ, tgt, opt.get("start"), opt.get("role"))
        if not _id(rid):
            return None
        d: dict[str, Any] = {"id": rid, "source": src, "target": tgt, "type": typ}
        if opt:
            if "role" in opt:
                d["role"] = opt["role"]
            start = None
            if "start" in opt:
                start = sh.date(opt["start"])
                if start is None:
                    return None
                d["start"] = start[0]
            if "end" in opt:
                end = sh.date(opt["end"])
                if end is None or (start is not None and end[2] < start[1]):
                    return None
                d["end"] = end[0]
            if "amount" in opt:
                if not AMOUNT.match(opt["amount"]):
                    return None
                d["amount"] = float(opt["amount"])
            if "currency" in opt:
                d["currency"] = sh.word(opt["currency"])
            d["status"] = st
            if "denied_by" in opt:
                denied = sh.ids(opt["denied_by"], "entity")
                if denied is None:
                    return None
                if denied:
                    d["denied_by"] = denied
            if "notes" in opt:
                d["notes"] = opt["notes"]
            if "last_checked" in opt:
                if sh.date(opt["last_checked"]) is None:
                    return None
                d["last_checked"] = opt["last_checked"]
        else:
            d["status"] = st
        d["sources"] = sources
        return d

    return row


ENTITY_ORDER = ("aliases", "description", "country", "jurisdiction", "founded", "website")


def _entity_row(keys: list[str], sh: _Shared) -> Row:
    col = {k: i for i, k in enumerate(keys)}
    required = [col.get(k) for k in ("id", "kind", "name", "sources")]
    if None in required or "identifiers" in col or "attributes" in col:
        return lambda cells: None
    i_id, i_kind, i_name, i_sources = (int(i) for i in required)  # type: ignore[arg-type]
    optional = [(k, col[k]) for k in ENTITY_ORDER if k in col]
    attrs = [(k, i) for k, i in col.items() if k not in ENTITY_COLUMNS]

    def row(cells: list[str]) -> dict[str, Any] | None:
        eid = cells[i_id].strip()
        kind = KINDS.get(cells[i_kind].strip())
        name = cells[i_name].strip()
        if kind is None or not name or not _id(eid):
            return None
        d: dict[str, Any] = {"id": eid, "kind": kind, "name": name}
        for k, i in optional:
            v = cells[i].strip()
            if not v:
                continue
            if k == "aliases":
                parts = [p.strip() for p in v.split(";") if p.strip()]
                if parts:
                    d[k] = list(dict.fromkeys(parts))
            elif k == "founded":
                got = sh.date(v)
                if got is None:
                    return None
                d[k] = got[0]
            elif k == "website":
                try:
                    _check_url(v)
                except ValueError:
                    return None
                d[k] = v
            elif k == "description":
                d[k] = v
            else:
                d[k] = sh.word(v)
        if attrs:
            extra = {}
            for k, i in attrs:
                v = cells[i].strip()
                if v:
                    extra[k] = v
            if extra:
                d["attributes"] = extra
        sources = sh.ids(cells[i_sources], "source")
        if not sources:
            return None
        d["sources"] = sources
        return d

    return row


def _plan(header: list[str], kind: str, sh: _Shared) -> Row | None:
    """The fast row function for this header, or None when the file must take the slow path."""
    keys = [h.strip() for h in header]
    if "" in keys or len(set(keys)) != len(keys):
        return None
    if kind == "relationship":
        return _rel_row(keys, sh) if set(keys) <= REL_FIELDS else None
    return _entity_row(keys, sh)


def load_csv(
    path: Path, kind: str, v: Validator, *, tick: Callable[[int], None] | None = None
) -> tuple[int, list[Problem]]:
    """Read one CSV file of ``kind`` into ``v``; return the records read and the read problems.

    Lines, and the problems for malformed CSV or surplus cells, are those of
    ``readers.read_file`` (which follows ``csv.DictReader``, blank rows included).
    """
    name = str(path)
    text, problems = decode_file(path)
    if text is None:
        return 0, problems
    sh = _Shared(v)
    file_no = v.file_no(name)
    # A file with a control character anywhere takes the slow path, which reports it (graph.guards).
    # So does one with a tab, a line break inside a quoted cell (a name must be one line), or a
    # cell escaped against spreadsheet formulas (``readers.csv_unsafe``).
    suspect = (
        _SUSPECT.search(text) is not None
        or "\t" in text
        or _QUOTED_BREAK.search(text) is not None
        or _FORMULA_ESCAPE.search(text) is not None
    )
    csv_limit()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    del text
    count = 0
    # ``line_num`` follows csv.DictReader's: set after the first read of each row (a blank row,
    # maybe) and again after the row itself; a record's line is the previous ``line_num`` + 1.
    line_num = 0
    line = 1
    try:
        header = next(reader, None)
        line_num = reader.line_num
        if not header:
            return 0, [Problem(name, 1, None, None, "empty CSV: a header row is needed")]
        fast = None if suspect else _plan(header, kind, sh)
        keys = [h.strip() for h in header]
        id_col = keys.index("id") if "id" in keys else None
        width = len(header)
        line = line_num + 1
        fresh = True
        for row in reader:
            if fresh:
                line_num = reader.line_num
                fresh = False
            if not row:
                continue
            line_num = reader.line_num
            d = fast(row) if fast is not None and len(row) == width else None
            if d is not None:
                v.add_valid(
                    kind, d, file_no, line, row[id_col].strip() or None if id_col is not None else None
                )
                count += 1
            else:
                rec = csv_record(header, row, kind, name, line)
                if "__extra__" in rec.data:
                    problems.append(rec.problem("more cells than header columns"))
                else:
                    v.add(rec)
                    count += 1
            line = line_num + 1
            fresh = True
            if tick is not None and count % 50_000 == 0:
                tick(count)
    except csv.Error as exc:
        problems.append(Problem(name, line, None, None, csv_error(exc)))
    return count, problems
