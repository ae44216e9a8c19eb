"""Read CSV, YAML, JSON and JSON Lines files into raw records that remember where they came from.

No validation happens here beyond what parsing needs; ``validate.py`` turns records into models.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from graph.errors import Problem
from graph.guards import MAX_FIELD_CHARS
from graph.ingest.safe_parse import JsonRefused, SafeYamlLoader, YamlRefused, loads_json

__all__ = [
    "RawRecord",
    "ReadResult",
    "classify",
    "csv_error",
    "csv_record",
    "csv_safe",
    "csv_unsafe",
    "decode_file",
    "discover",
    "read_file",
]


def csv_limit() -> None:
    """Give CSV cells the same size limit as every other field (graph.guards).

    Set before every read: the limit is global to the ``csv`` module, and libraries imported
    later (followthemoney among them) raise it for their own files.
    """
    csv.field_size_limit(MAX_FIELD_CHARS)


RECORD_KINDS = ("source", "entity", "relationship")
DATA_SUFFIXES = {".csv", ".yaml", ".yml", ".json", ".jsonl"}
#: CSV cells of these columns hold lists separated by ``;``.
LIST_COLUMNS = {"aliases", "sources", "denied_by"}
ENTITY_COLUMNS = {
    "id",
    "kind",
    "name",
    "aliases",
    "description",
    "country",
    "jurisdiction",
    "founded",
    "website",
    "identifiers",
    "attributes",
    "sources",
}


@dataclass(slots=True)
class RawRecord:
    """One record as read from a file, before validation."""

    kind: str
    data: dict[str, Any]
    file: str
    line: int | None

    def problem(self, message: str, field: str | None = None) -> Problem:
        """A problem located at this record."""
        rid = self.data.get("id") if isinstance(self.data, dict) else None
        return Problem(self.file, self.line, str(rid) if rid else None, field, message)


@dataclass(slots=True)
class ReadResult:
    """Records read from one or more files, and the problems met while reading."""

    records: list[RawRecord]
    problems: list[Problem]


def classify(path: Path) -> str | None:
    """Which record kind a file holds, from its name or its folder's name."""
    names = [path.stem.lower(), path.parent.name.lower()]
    for name in names:
        for kind, words in (
            ("source", ("sources", "source")),
            ("entity", ("entities", "entity")),
            ("relationship", ("relationships", "relationship", "edges")),
        ):
            if name in words:
                return kind
    return None


def discover(paths: list[Path]) -> tuple[list[tuple[Path, str]], list[Problem]]:
    """Expand files and directories into ``(file, record kind)`` pairs, sorted for determinism."""
    found: list[tuple[Path, str]] = []
    problems: list[Problem] = []
    for root in paths:
        if not root.exists():
            problems.append(Problem(str(root), None, None, None, "no such file or directory"))
            continue
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for f in files:
            if f.suffix.lower() not in DATA_SUFFIXES or any(
                part.startswith(".") for part in f.relative_to(root.parent).parts
            ):
                continue
            kind = classify(f)
            if kind is None:
                if root.is_dir() and f.parent == root and f.stem.lower() in ("manifest",):
                    continue
                problems.append(
                    Problem(
                        str(f),
                        None,
                        None,
                        None,
                        "cannot tell what this file holds: name it sources.*, entities.* or "
                        "relationships.*, or put it in an entities/ or relationships/ folder",
                    )
                )
                continue
            found.append((f, kind))
    return found, problems


def decode_file(path: Path) -> tuple[str | None, list[Problem]]:
    """The text of a data file, or None and the problem (unreadable, not UTF-8)."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(name, None, None, None, f"cannot read: {exc.strerror}")]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        msg = f"not UTF-8 text (bad byte 0x{raw[exc.start]:02x} at offset {exc.start}); save it as UTF-8"
        return None, [Problem(name, line, None, None, msg)]


def read_file(path: Path, kind: str) -> ReadResult:
    """Read one data file of record ``kind``."""
    name = str(path)
    text, problems = decode_file(path)
    if text is None:
        return ReadResult([], problems)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(text, name, kind)
    if suffix in (".yaml", ".yml"):
        return _read_yaml(text, name, kind)
    if suffix == ".jsonl":
        return _read_jsonl(text, name, kind)
    return _read_json(text, name, kind)


#: First characters that make a spreadsheet read a cell as a formula (``=cmd|...``), and the quote
#: that escapes them.
FORMULA_STARTS = ("=", "+", "-", "@", "'")


def csv_safe(cell: str) -> str:
    """A cell that spreadsheets show as text: one starting like a formula gets a leading ``'``.

    ``csv_unsafe`` (which the CSV reader applies) takes it off again, so exports round-trip.

    >>> csv_safe("=HYPERLINK(1)"), csv_safe("Binance")
    ("'=HYPERLINK(1)", 'Binance')
    """
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def csv_unsafe(cell: str) -> str:
    """The value ``csv_safe`` escaped: a leading ``'`` before a formula character is dropped."""
    return cell[1:] if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@'" else cell


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _csv_row(row: dict[str, Any], kind: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    attributes: dict[str, str] = {}
    for key, value in row.items():
        if key is None:  # more cells than header columns
            out["__extra__"] = value
            continue
        key = key.strip()
        if value is None or value.strip() == "":
            continue
        value = csv_unsafe(value.strip())
        if key in LIST_COLUMNS:
            out[key] = _split(value)
        elif key == "identifiers":
            ids: dict[str, str] = {}
            for part in _split(value):
                scheme, _, val = part.partition(":")
                ids[scheme.strip()] = val.strip()
            out[key] = ids
        elif kind == "entity" and key not in ENTITY_COLUMNS:
            attributes[key] = value
        else:
            out[key] = value
    if attributes:
        out["attributes"] = attributes
    return out


def csv_record(fieldnames: list[str], row: list[str], kind: str, name: str, line: int) -> RawRecord:
    """The record of one CSV row, exactly as ``csv.DictReader`` and ``_csv_row`` make it."""
    d: dict[Any, Any] = dict(zip(fieldnames, row, strict=False))
    if len(fieldnames) < len(row):
        d[None] = row[len(fieldnames) :]
    elif len(fieldnames) > len(row):
        for key in fieldnames[len(row) :]:
            d[key] = None
    return RawRecord(kind, _csv_row(d, kind), name, line)


def _read_csv(text: str, name: str, kind: str) -> ReadResult:
    records: list[RawRecord] = []
    problems: list[Problem] = []
    csv_limit()
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    line = 1
    try:
        if not reader.fieldnames:
            return ReadResult([], [Problem(name, 1, None, None, "empty CSV: a header row is needed")])
        line = reader.line_num + 1
        for row in reader:
            data = _csv_row(row, kind)
            rec = RawRecord(kind, data, name, line)
            if "__extra__" in data:
                problems.append(rec.problem("more cells than header columns"))
            else:
                records.append(rec)
            line = reader.line_num + 1
    except csv.Error as exc:
        # ``line`` is where the broken record starts; ``line_num`` is where reading stopped.
        problems.append(Problem(name, line, None, None, csv_error(exc)))
    return ReadResult(records, problems)


def csv_error(exc: csv.Error) -> str:
    """The message of a CSV parse error, in the words of the field limit where it is that."""
    if "field larger than field limit" in str(exc):
        return (
            f"malformed CSV: a cell is longer than {MAX_FIELD_CHARS:,} characters (the limit of every field)"
        )
    return f"malformed CSV: {exc}"


def _stringify(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _stringify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _records_from_items(items: Any, name: str, kind: str) -> tuple[list[Any], Problem | None]:
    if isinstance(items, dict):
        for key in (kind + "s", kind, "entities", "relationships", "sources", "records"):
            if key in items and isinstance(items[key], list):
                return items[key], None
        return [], Problem(name, 1, None, None, "expected a list of records")
    if not isinstance(items, list):
        return [], Problem(name, 1, None, None, "expected a list of records")
    return items, None


def _yaml_problem(name: str, exc: yaml.YAMLError) -> Problem:
    # The context mark is where the broken construct starts (usually the typo's line).
    mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    what = "refused YAML" if isinstance(exc, YamlRefused) else "malformed YAML"
    text = str(getattr(exc, "problem", None) or exc) if isinstance(exc, YamlRefused) else str(exc)
    return Problem(name, line, None, None, f"{what}: {text}".split("\n")[0])


def _read_yaml(text: str, name: str, kind: str) -> ReadResult:
    try:
        node = yaml.compose(text, Loader=SafeYamlLoader)  # noqa: S506 - a SafeLoader with limits
    except yaml.YAMLError as exc:
        return ReadResult([], [_yaml_problem(name, exc)])
    if node is None:
        return ReadResult([], [])
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(value_node, yaml.SequenceNode) and key_node.value in (
                kind + "s",
                "records",
                "entities",
                "relationships",
                "sources",
            ):
                node = value_node
                break
    if not isinstance(node, yaml.SequenceNode):
        return ReadResult(
            [], [Problem(name, node.start_mark.line + 1, None, None, "expected a list of records")]
        )
    loader = SafeYamlLoader("")
    records: list[RawRecord] = []
    problems: list[Problem] = []
    for item in node.value:
        line = item.start_mark.line + 1
        try:
            data = _stringify(loader.construct_object(item, deep=True))
        except yaml.YAMLError as exc:
            problems.append(_yaml_problem(name, exc))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(name, line, None, None, "expected a mapping (key: value) record"))
            continue
        records.append(RawRecord(kind, data, name, line))
    return ReadResult(records, problems)


def _read_json(text: str, name: str, kind: str) -> ReadResult:
    try:
        items = loads_json(text)
    except json.JSONDecodeError as exc:
        return ReadResult([], [Problem(name, exc.lineno, None, None, f"malformed JSON: {exc.msg}")])
    except JsonRefused as exc:
        return ReadResult([], [Problem(name, exc.lineno, None, None, f"refused JSON: {exc.msg}")])
    rows, problem = _records_from_items(items, name, kind)
    if problem:
        return ReadResult([], [problem])
    records: list[RawRecord] = []
    problems: list[Problem] = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            problems.append(Problem(name, None, f"#{i + 1}", None, "expected an object"))
            continue
        records.append(RawRecord(kind, _stringify(row), name, None))
    return ReadResult(records, problems)


def _read_jsonl(text: str, name: str, kind: str) -> ReadResult:
    records: list[RawRecord] = []
    problems: list[Problem] = []
    for lineno, line in _numbered(text):
        try:
            row = loads_json(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(name, lineno, None, None, f"malformed JSON: {exc.msg}"))
            continue
        except JsonRefused as exc:
            problems.append(Problem(name, lineno, None, None, f"refused JSON: {exc.msg}"))
            continue
        if not isinstance(row, dict):
            problems.append(Problem(name, lineno, None, None, "expected an object"))
            continue
        records.append(RawRecord(kind, _stringify(row), name, lineno))
    return ReadResult(records, problems)


def _numbered(text: str) -> Iterator[tuple[int, str]]:
    # JSON Lines ends a record at a line feed only (``\r\n`` too): ``str.splitlines`` would
    # also split inside a string value at U+2028, U+2029, U+0085 and other separators.
    for i, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield i, line


#: Keys that node-link JSON adds to a relationship for graph viewers; they are not record fields.
NODE_LINK_EXTRA = ("key", "category")
_PLAIN_KEYS = (("sources", "source"), ("entities", "entity"), ("relationships", "relationship"))
_NODE_LINK_KEYS = (("sources", "source"), ("nodes", "entity"), ("links", "relationship"))


def records_from_document(doc: Any, *, name: str) -> ReadResult:
    """Raw records of one JSON document, located as ``name key[i]``.

    Accepts ``{"sources": [...], "entities": [...], "relationships": [...]}`` (each optional) or
    node-link JSON as ``graph.export`` writes it (``nodes``, ``links``, ``sources``); unknown
    top-level keys are problems.
    """
    if not isinstance(doc, dict):
        return ReadResult([], [Problem(name, None, None, None, "expected a JSON object")])
    node_link = "nodes" in doc or "links" in doc
    keys = _NODE_LINK_KEYS if node_link else _PLAIN_KEYS
    allowed = {k for k, _ in keys} | ({"directed", "multigraph", "graph"} if node_link else set())
    problems = [Problem(name, None, None, k, "unknown key") for k in sorted(set(doc) - allowed)]
    records: list[RawRecord] = []
    for key, kind in keys:
        items = doc.get(key, [])
        if not isinstance(items, list):
            problems.append(Problem(name, None, None, key, "expected a list"))
            continue
        for i, item in enumerate(items):
            where = f"{name} {key}[{i}]"
            if not isinstance(item, dict):
                problems.append(Problem(where, None, None, None, "expected an object"))
                continue
            row = dict(item)
            if node_link and kind == "relationship":
                for extra in NODE_LINK_EXTRA:
                    row.pop(extra, None)
            records.append(RawRecord(kind, row, where, None))
    return ReadResult(records, problems)
