"""Turn raw records into validated models and check that every reference resolves."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Container, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from graph.errors import Problem
from graph.ids import relationship_id
from graph.ingest.readers import RawRecord
from graph.ingest.records import Records, entity_of, relationship_of, source_of
from graph.model import Entity, Relationship, Source, dump

__all__ = ["Dataset", "Validator", "validate_records"]

MODELS: dict[str, type[BaseModel]] = {
    "source": Source,
    "entity": Entity,
    "relationship": Relationship,
}
MAKERS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "source": source_of,
    "entity": entity_of,
    "relationship": relationship_of,
}
KINDS = ("source", "entity", "relationship")


@dataclass
class Dataset:
    """A validated set of sources, entities and relationships, keyed by id.

    ``load_dataset`` fills it with ``Records`` (compact mappings that build models on access);
    code that builds one by hand passes plain dicts of models.
    """

    sources: MutableMapping[str, Source] = field(default_factory=dict)
    entities: MutableMapping[str, Entity] = field(default_factory=dict)
    relationships: MutableMapping[str, Relationship] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Record counts by record kind."""
        return {
            "sources": len(self.sources),
            "entities": len(self.entities),
            "relationships": len(self.relationships),
        }


def _message(err: dict[str, Any]) -> str:
    msg = str(err.get("msg", "invalid"))
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if err.get("type") == "missing":
        if err.get("loc", [""])[0] == "sources":
            return "at least one source is required"
        return "required field is missing"
    if err.get("type") == "too_short" and err.get("loc", [""])[0] == "sources":
        return "at least one source is required"
    if err.get("type") == "extra_forbidden":
        return "unknown field"
    if err.get("type") == "enum":
        allowed = err.get("ctx", {}).get("expected", "")
        return f"unknown value {err.get('input')!r}; expected {allowed}"
    return msg


def _to_model(rec: RawRecord, problems: list[Problem]) -> BaseModel | None:
    data = rec.data
    if rec.kind == "relationship" and not data.get("id"):
        data = dict(data)
        data["id"] = relationship_id(
            data.get("source"), data.get("type"), data.get("target"), data.get("start"), data.get("role")
        )
    try:
        return MODELS[rec.kind].model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(x) for x in err["loc"]) or None
            problems.append(rec.problem(_message(dict(err)), loc))
        return None


class _Where:
    """File, line and record label of every accepted record of one kind, in order, compactly."""

    def __init__(self) -> None:
        self.file = array("I")
        self.line = array("q")
        #: 0: the label is the record id; 1: no label; 2: see ``other``.
        self.how = bytearray()
        self.other: dict[int, str] = {}

    def add(self, file: int, line: int | None, label: str | None, mid: str) -> None:
        self.file.append(file)
        self.line.append(-1 if line is None else line)
        if label == mid:
            self.how.append(0)
        else:
            self.add_label(label)

    def add_label(self, label: str | None) -> None:
        """Record a label that is not the record id (after the file and line)."""
        if label is None:
            self.how.append(1)
        else:
            self.other[len(self.how)] = label
            self.how.append(2)

    def at(self, pos: int, mid: str, files: list[str]) -> tuple[str, int | None, str | None]:
        how = self.how[pos]
        label = mid if how == 0 else None if how == 1 else self.other[pos]
        line = self.line[pos]
        return files[self.file[pos]], (None if line < 0 else line), label


class Validator:
    """Validates records one at a time and checks references at the end.

    ``add`` takes a raw record (validated with the pydantic models); ``add_valid`` takes a
    record that a fast reader already proved valid, as its compact dict. Problems come out in
    the order records went in, then the reference problems (entities, then relationships).
    With ``compact``, the dataset holds ``Records`` instead of dicts of models.
    """

    def __init__(
        self,
        *,
        existing_entities: Container[str] = (),
        existing_sources: Container[str] = (),
        compact: bool = False,
    ) -> None:
        self.existing_entities = existing_entities
        self.existing_sources = existing_sources
        self.compact = compact
        self.problems: list[Problem] = []
        self.files: list[str] = []
        self._file_no: dict[str, int] = {}
        self.raw: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in KINDS}
        self.models: dict[str, dict[str, Any]] = {k: {} for k in KINDS}
        self.where = {k: _Where() for k in KINDS}
        self.failed: dict[str, set[str]] = {k: set() for k in KINDS}
        self._dups: list[tuple[int, str, str, Problem]] = []

    def file_no(self, name: str) -> int:
        """Number of a file name (records keep numbers, not names)."""
        n = self._file_no.get(name)
        if n is None:
            n = self._file_no[name] = len(self.files)
            self.files.append(name)
        return n

    def _known(self, kind: str, mid: str) -> bool:
        return mid in (self.raw[kind] if self.compact else self.models[kind])

    def _duplicate(self, kind: str, mid: str, problem: Problem) -> None:
        """Report a duplicate id; where the first one was is filled in by ``finish``."""
        self._dups.append((len(self.problems), kind, mid, problem))
        self.problems.append(problem)

    def add(self, rec: RawRecord) -> None:
        """Validate one raw record."""
        model = _to_model(rec, self.problems)
        if model is None:
            rid = rec.data.get("id") if isinstance(rec.data, dict) else None
            if isinstance(rid, str):
                self.failed[rec.kind].add(rid)
            return
        mid: str = model.id  # type: ignore[attr-defined]
        kind = rec.kind
        rid = rec.data.get("id")
        label = str(rid) if rid else None
        if self.compact:
            d = dump(model)
            table = self.raw[kind]
            if mid in table:
                if table[mid] != d:
                    self._duplicate(kind, mid, rec.problem("duplicate id", "id"))
                return
            table[mid] = d
        else:
            models = self.models[kind]
            if mid in models:
                if models[mid] != model:
                    self._duplicate(kind, mid, rec.problem("duplicate id", "id"))
                return
            models[mid] = model
        self.where[kind].add(self.file_no(rec.file), rec.line, label, mid)

    def add_valid(self, kind: str, d: dict[str, Any], file: int, line: int, label: str | None) -> None:
        """Take a record already proven valid, as its compact dict (``graph.model.dump``)."""
        mid = d["id"]
        table = self.raw[kind]
        if mid in table:
            if table[mid] != d:
                rid = label
                self._duplicate(kind, mid, Problem(self.files[file], line, rid, "id", "duplicate id"))
            return
        table[mid] = d
        w = self.where[kind]
        w.file.append(file)
        w.line.append(line)
        if label == mid:
            w.how.append(0)
        else:
            w.add_label(label)

    def finish(self, *, unchecked_kinds: Container[str] = ()) -> tuple[Dataset, list[Problem]]:
        """The dataset and every problem, after checking references."""
        self._fill_duplicates()
        problems = self.problems
        failed = self.failed
        tables = self.raw if self.compact else self.models
        sources, entities = tables["source"], tables["entity"]

        def known_source(sid: str) -> bool:
            return (
                "source" in unchecked_kinds
                or sid in sources
                or sid in self.existing_sources
                or sid in failed["source"]
            )

        def known_entity(eid: str) -> bool:
            return (
                "entity" in unchecked_kinds
                or eid in entities
                or eid in self.existing_entities
                or eid in failed["entity"]
            )

        files = self.files
        where = self.where["entity"]
        for pos, (mid, rec) in enumerate(tables["entity"].items()):
            refs = rec["sources"] if self.compact else rec.sources
            for ref in refs:
                if not known_source(ref):
                    f, line, label = where.at(pos, mid, files)
                    problems.append(Problem(f, line, label, "sources", f"unknown source {ref!r}"))
        where = self.where["relationship"]
        for pos, (mid, rec) in enumerate(tables["relationship"].items()):
            if self.compact:
                checks = (
                    ("source", (rec["source"],), known_entity, "entity"),
                    ("target", (rec["target"],), known_entity, "entity"),
                    ("sources", rec["sources"], known_source, "source"),
                    ("denied_by", rec.get("denied_by", ()), known_entity, "entity"),
                )
            else:
                checks = (
                    ("source", (rec.source,), known_entity, "entity"),
                    ("target", (rec.target,), known_entity, "entity"),
                    ("sources", rec.sources, known_source, "source"),
                    ("denied_by", rec.denied_by, known_entity, "entity"),
                )
            for name, ids, known, what in checks:
                for ref in ids:
                    if not known(ref):
                        f, line, label = where.at(pos, mid, files)
                        problems.append(Problem(f, line, label, name, f"unknown {what} {ref!r}"))
        if self.compact:
            ds = Dataset(
                Records(source_of, self.raw["source"]),
                Records(entity_of, self.raw["entity"]),
                Records(relationship_of, self.raw["relationship"]),
            )
        else:
            ds = Dataset(self.models["source"], self.models["entity"], self.models["relationship"])
        return ds, problems

    def _fill_duplicates(self) -> None:
        if not self._dups:
            return
        tables = self.raw if self.compact else self.models
        wanted: dict[str, set[str]] = {}
        for _, kind, mid, _ in self._dups:
            wanted.setdefault(kind, set()).add(mid)
        first: dict[tuple[str, str], int] = {}
        for kind, mids in wanted.items():
            for pos, mid in enumerate(tables[kind]):
                if mid in mids:
                    first[(kind, mid)] = pos
        for index, kind, mid, p in self._dups:
            f, line, _ = self.where[kind].at(first[(kind, mid)], mid, self.files)
            at = f"{f}:{line}" if line else f
            msg = f"duplicate id {mid!r} with different content (first at {at})"
            self.problems[index] = Problem(p.file, p.line, p.record, p.field, msg)


def validate_records(
    records: Iterable[RawRecord],
    *,
    existing_entities: Container[str] = (),
    existing_sources: Container[str] = (),
    on_record: Callable[[], None] | None = None,
    unchecked_kinds: Container[str] = (),
) -> tuple[Dataset, list[Problem]]:
    """Validate records into a ``Dataset``; return it with every problem found.

    ``existing_*`` hold ids already in the store that references may point to (used when
    adding files to a workspace instead of replacing it). References to records that failed
    validation, or to a record kind in ``unchecked_kinds`` (a file of that kind could not be
    read), are not reported again as unknown: the first problem is the one to fix.
    """
    v = Validator(existing_entities=existing_entities, existing_sources=existing_sources)
    for rec in records:
        if on_record is not None:
            on_record()
        v.add(rec)
    return v.finish(unchecked_kinds=unchecked_kinds)
