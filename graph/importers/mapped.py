"""Mapped CSV or JSON tables: nodes and/or edges described by a small YAML mapping file.

See ``docs/import-mapped.md`` for the format and a worked example. In short::

    nodes:                       # optional: one entity per row
      file: people.csv           # relative to the mapping; else the next PATH given
      id: ID                     # a column name ...
      name: Name
      kind: {column: Type, map: {Firm: company, Individual: person}, default: organization}
      aliases: {column: AKA, split: ";"}
    edges:                       # optional: one relationship per row (one row per event)
      file: actions.csv
      source: {column: Respondent, create: company}   # by id, else by name; create if missing
      target: {constant: SEC, create: agency}
      type: {constant: fined_by}
      reverse: {column: Side, map: {respondent: true}}   # swap source and target on this row
      role: Action
      start: {column: Date, formats: ["%m/%d/%Y"]}   # tried first, then the usual forms
      amount: {column: Penalty}  # " $10,000,000.00 " -> 10000000.0 and USD
      status: {constant: confirmed}
      source_url: URL            # each distinct URL becomes a source the fact cites
      source_title: Title

A value is a column name, or ``{column, constant, map, default, split}``. Headers are matched
after stripping a BOM and whitespace; cells are stripped; dates are read in many forms
(``graph.importers.tables.parse_date``); amounts may carry symbols, codes and thousands
separators. Tables are CSV (``.csv``, or ``format: csv`` with ``delimiter``) or JSON
(an array of objects, or JSON Lines).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import yaml

from graph.errors import InvalidRecord, Problem
from graph.ids import slugify
from graph.importers.base import Builder, Where, local_id
from graph.importers.tables import DATE_FORMATS, csv_rows, parse_amount, parse_date
from graph.vocabulary import REL_TYPES, EntityKind

__all__ = ["read_mapped"]

NODE_KEYS = {"file", "format", "delimiter", "id", "name", "kind", "aliases", "description", "country"}
NODE_KEYS |= {"jurisdiction", "founded", "website", "identifiers", "attributes", "source_url", "source_title"}
EDGE_KEYS = {"file", "format", "delimiter", "id", "source", "target", "type", "role", "start", "end"}
EDGE_KEYS |= {"amount", "currency", "status", "notes", "source_url", "source_title", "attributes", "reverse"}


class _Spec:
    """One mapped value: a column or a constant, with an optional value map, default, split."""

    def __init__(self, raw: Any, where: str) -> None:
        if isinstance(raw, str):
            raw = {"column": raw}
        if not isinstance(raw, dict) or not ({"column", "constant"} & set(raw)):
            msg = f"{where}: expected a column name or {{column: ...}} / {{constant: ...}}"
            raise ValueError(msg)
        self.column: str | None = raw.get("column")
        self.constant: Any = raw.get("constant")
        self.map: dict[str, Any] = {str(k): v for k, v in (raw.get("map") or {}).items()}
        self.default: Any = raw.get("default")
        self.split: str | None = raw.get("split")
        self.create: str | None = raw.get("create")
        self.formats: tuple[str, ...] = tuple(str(f) for f in raw.get("formats") or ())

    def get(self, row: dict[str, Any]) -> Any:
        if self.column is not None:
            v = row.get(self.column)
            v = v.strip() if isinstance(v, str) else v
        else:
            v = self.constant
        if v in (None, ""):
            return self.default
        if self.map:
            v = self.map.get(str(v), self.default if self.default is not None else v)
        return v

    def values(self, row: dict[str, Any]) -> list[str]:
        v = self.get(row)
        if v in (None, ""):
            return []
        if isinstance(v, list):
            return [str(x).strip() for x in v if str(x).strip()]
        if self.split:
            return [x.strip() for x in str(v).split(self.split) if x.strip()]
        return [str(v)]


def _load_mapping(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InvalidRecord(
            [Problem(str(path), None, None, None, f"cannot read the mapping: {exc}")]
        ) from None
    if not isinstance(doc, dict) or not ({"nodes", "edges"} & set(doc)):
        raise InvalidRecord(
            [Problem(str(path), None, None, None, "a mapping needs a nodes or an edges section")]
        )
    problems = []
    for section, keys in (("nodes", NODE_KEYS), ("edges", EDGE_KEYS)):
        sec = doc.get(section)
        if sec is None:
            continue
        if not isinstance(sec, dict):
            problems.append(Problem(str(path), None, section, None, "expected a mapping of fields"))
            continue
        for k in sec:
            if k not in keys:
                problems.append(
                    Problem(str(path), None, section, str(k), f"unknown key; expected {sorted(keys)}")
                )
        for req in ("name",) if section == "nodes" else ("source", "target", "type"):
            if req not in sec:
                problems.append(Problem(str(path), None, section, req, "required"))
    if problems:
        raise InvalidRecord(problems)
    return doc


def _rows(path: Path, sec: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    fmt = sec.get("format") or ("json" if path.suffix.lower() in (".json", ".jsonl") else "csv")
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            delim = sec.get("delimiter") or ","
            if delim == ",":
                yield from csv_rows(f)
            else:
                text = f.read()
                yield from csv_rows(io.StringIO(csv_unify(text, delim)))
        return
    with path.open("rb") as f:
        head = f.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"["):
        import ijson

        with path.open("rb") as f:
            if f.read(3) != b"\xef\xbb\xbf":
                f.seek(0)
            for n, obj in enumerate(ijson.items(f, "item", use_float=True), 1):
                yield n, obj if isinstance(obj, dict) else {"__bad__": obj}
        return
    with path.open("rb") as f:
        for n, line in enumerate(f, 1):
            line = line.removeprefix(b"\xef\xbb\xbf")
            if line.strip():
                try:
                    obj = orjson.loads(line)
                except orjson.JSONDecodeError:
                    obj = {"__bad__": line.decode("utf-8", "replace")}
                yield n, obj if isinstance(obj, dict) else {"__bad__": obj}


def csv_unify(text: str, delim: str) -> str:
    """Re-write a CSV with another delimiter as comma-separated."""
    out = io.StringIO()
    w = csv.writer(out)
    for row in csv.reader(io.StringIO(text), delimiter=delim):
        w.writerow(row)
    return out.getvalue()


class _Mapper:
    def __init__(self, b: Builder, doc: dict[str, Any], mapping: Path) -> None:
        self.b = b
        self.ns = b.dataset
        self.mapping = mapping
        self.nodes = {
            k: _Spec(v, f"nodes.{k}")
            for k, v in (doc.get("nodes") or {}).items()
            if k in NODE_KEYS - {"file", "format", "delimiter", "identifiers", "attributes"}
        }
        self.node_ids = {
            k: _Spec(v, f"nodes.identifiers.{k}")
            for k, v in ((doc.get("nodes") or {}).get("identifiers") or {}).items()
        }
        self.node_attrs = list((doc.get("nodes") or {}).get("attributes") or [])
        self.edges = {
            k: _Spec(v, f"edges.{k}")
            for k, v in (doc.get("edges") or {}).items()
            if k in EDGE_KEYS - {"file", "format", "delimiter", "attributes"}
        }
        self.edge_attrs = list((doc.get("edges") or {}).get("attributes") or [])
        self.by_name: dict[str, str] = {}
        self._urls: dict[str, str] = {}

    def cite(self, row: dict[str, Any], specs: dict[str, _Spec], where: Where) -> list[str] | None:
        cites = [self.b.source_id]
        if "source_url" not in specs:
            return cites
        url = specs["source_url"].get(row)
        if not url:
            return cites
        sid = self._urls.get(url)
        if sid is None:
            title = specs["source_title"].get(row) if "source_title" in specs else None
            sid = local_id(self.ns, "src-" + str(url))
            if self.b.source({"id": sid, "title": str(title or url), "url": str(url)}, where, row) is None:
                return None
            self._urls[url] = sid
        cites.append(sid)
        return cites

    def node(self, row: dict[str, Any], where: Where) -> None:
        b, s = self.b, self.nodes
        if "__bad__" in row:
            b.bad(where.problem(None, "expected a JSON object"), row["__bad__"])
            return
        name = s["name"].get(row)
        raw_id = s["id"].get(row) if "id" in s else None
        if not name:
            b.bad(where.problem(s["name"].column or "name", "no name"), row)
            return
        kind = s["kind"].get(row) if "kind" in s else "organization"
        if kind not in {k.value for k in EntityKind}:
            b.bad(
                where.problem(s["kind"].column or "kind", f"unknown kind {kind!r}; map it in the mapping"),
                row,
            )
            return
        eid = local_id(self.ns, str(raw_id)) if raw_id else local_id(self.ns, slugify(str(name)))
        data: dict[str, Any] = {"id": eid, "kind": kind, "name": str(name)}
        if "aliases" in s:
            data["aliases"] = s["aliases"].values(row)
        for key in ("description", "country", "jurisdiction", "website"):
            if key in s and s[key].get(row):
                data[key] = str(s[key].get(row))
        if "founded" in s and s["founded"].get(row):
            try:
                data["founded"] = parse_date(str(s["founded"].get(row)), s["founded"].formats + DATE_FORMATS)
            except ValueError as exc:
                b.bad(where.problem(s["founded"].column or "founded", str(exc)), row)
                return
        ids = {k: v.get(row) for k, v in self.node_ids.items() if v.get(row)}
        if raw_id:
            ids["source_id"] = str(raw_id)
        data["identifiers"] = {k: str(v) for k, v in ids.items()}
        data["attributes"] = {c: str(row[c]) for c in self.node_attrs if row.get(c) not in (None, "")}
        cites = self.cite(row, s, where)
        if cites is None:
            return
        data["sources"] = cites
        if b.entity(data, where, row):
            self.by_name.setdefault(str(name).casefold(), eid)
            if raw_id:
                self.by_name.setdefault(str(raw_id).casefold(), eid)

    def end(self, spec: _Spec, row: dict[str, Any], where: Where, field: str) -> str | None:
        ref = spec.get(row)
        if not ref:
            self.b.bad(where.problem(spec.column or field, "required field is missing"), row)
            return None
        ref = str(ref)
        known = self.by_name.get(ref.casefold())
        if known:
            return known
        if spec.create:
            eid = local_id(self.ns, slugify(ref))
            if eid not in self.b.entities:
                self.b.entity({"id": eid, "kind": spec.create, "name": ref}, where, row)
            self.by_name[ref.casefold()] = eid
            return eid
        return local_id(self.ns, ref)

    def edge(self, row: dict[str, Any], where: Where) -> None:
        b, s = self.b, self.edges
        if "__bad__" in row:
            b.bad(where.problem(None, "expected a JSON object"), row["__bad__"])
            return
        src = self.end(s["source"], row, where, "source")
        tgt = self.end(s["target"], row, where, "target") if src else None
        if not src or not tgt:
            return
        typ = s["type"].get(row)
        if typ not in REL_TYPES:
            b.bad(
                where.problem(s["type"].column or "type", f"unknown relationship type {typ!r}; map it"), row
            )
            return
        if "reverse" in s and str(s["reverse"].get(row)).lower() in ("true", "yes", "1"):
            src, tgt = tgt, src
        data: dict[str, Any] = {"source": src, "target": tgt, "type": typ}
        data["status"] = s["status"].get(row) if "status" in s else "reported"
        for key in ("role", "notes", "currency"):
            if key in s and s[key].get(row):
                data[key] = str(s[key].get(row))
        for key in ("start", "end"):
            if key in s and s[key].get(row):
                try:
                    data[key] = parse_date(str(s[key].get(row)), s[key].formats + DATE_FORMATS)
                except ValueError as exc:
                    b.bad(where.problem(s[key].column or key, str(exc)), row)
                    return
        if "amount" in s and s["amount"].get(row) not in (None, ""):
            try:
                amount, cur = parse_amount(str(s["amount"].get(row)))
            except ValueError as exc:
                b.bad(where.problem(s["amount"].column or "amount", str(exc)), row)
                return
            data["amount"] = amount
            if cur and "currency" not in data:
                data["currency"] = cur
        if "id" in s and s["id"].get(row):
            data["id"] = local_id(self.ns, str(s["id"].get(row)))
        data["attributes"] = {c: str(row[c]) for c in self.edge_attrs if row.get(c) not in (None, "")}
        cites = self.cite(row, s, where)
        if cites is None:
            return
        data["sources"] = cites
        b.relationship(data, where, row)


def read_mapped(
    paths: list[Path], b: Builder, *, mapping: Path, progress: Any = None, notice: str | None = None
) -> None:
    """Read tables described by ``mapping`` into ``b``."""
    doc = _load_mapping(mapping)
    m = _Mapper(b, doc, mapping)
    given = [p for p in paths if p.resolve() != mapping.resolve()]
    for section in ("nodes", "edges"):
        sec = doc.get(section)
        if sec is None:
            continue
        if sec.get("file"):
            path = (mapping.parent / sec["file"]).resolve()
        elif given:
            path = given.pop(0)
        else:
            b.bad(Problem(str(mapping), None, section, "file", "no table given for this section"))
            continue
        if not path.exists():
            b.bad(Problem(str(mapping), None, section, "file", f"{path}: no such file"))
            continue
        for line, row in _rows(path, sec):
            b.read += 1
            where = Where(str(path), line)
            if section == "nodes":
                m.node(row, where)
            else:
                m.edge(row, where)
            if b.full:
                return
