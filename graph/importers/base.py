"""What every importer shares: ids, a record builder with problem reporting, rejects, summaries.

An importer reads its input as a stream (one record at a time, never the whole file) and hands
each fact to a ``Builder``, which validates it with the same pydantic models as ``cryptokg
ingest`` and keeps it as a compact dict. Problems carry the file, line (or JSON Lines record
number), record, field and reason. By default any problem stops the import and nothing is
written; with ``skip_bad`` the bad records are left out and written, each with its reason, to a
rejects file (JSON Lines). ``finish`` checks every reference (relationship ends, sources) and
returns the ``Dataset`` the caller writes with ``graph.datasets.replace_dataset``.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Container, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from graph.datasets import CORE, DatasetInfo, dataset_source_id
from graph.errors import InvalidRecord, Problem
from graph.guards import tidy_value
from graph.ids import relationship_id, slugify
from graph.ingest.records import Records, entity_of, relationship_of, source_of
from graph.ingest.validate import Dataset
from graph.model import Entity, Relationship, Source, dump

__all__ = [
    "MAX_PROBLEMS",
    "Builder",
    "ImportSummary",
    "Where",
    "file_sha256",
    "local_id",
    "now_iso",
    "progress_bar",
]

#: An import stops reading after this many problems (without ``skip_bad``).
MAX_PROBLEMS = 1000
_SAFE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
ENTITY_WORDS = ("kind", "dataset", "country", "jurisdiction", "founded")
REL_WORDS = ("type", "status", "dataset", "role", "start", "end", "currency")


def local_id(prefix: str, raw: str) -> str:
    """A store id for a publisher's record id, unique within ``prefix`` (the dataset name).

    Ids that are already lower-case slugs are kept; others get a slug plus a short hash of the
    original, so ``Q7747`` and ``q7747`` stay distinct.

    >>> local_id("os", "q7747"), local_id("os", "Q7747")
    ('os.q7747', 'os.q7747-604cc1ab')
    """
    if _SAFE.match(raw) and len(raw) <= 150:
        return f"{prefix}.{raw}"
    digest = hashlib.blake2b(raw.encode("utf-8"), digest_size=4).hexdigest()
    return f"{prefix}.{slugify(raw)[:100]}-{digest}"


def now_iso() -> str:
    """The current UTC time, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def file_sha256(paths: list[Path]) -> str:
    """SHA-256 of the input files' bytes, in the given order."""
    h = hashlib.sha256()
    for p in paths:
        with p.open("rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class Where:
    """Where a record was read: file, line (CSV) or record number (JSON Lines), and a label."""

    file: str
    line: int | None
    record: str | None = None

    def problem(self, field: str | None, message: str, record: str | None = None) -> Problem:
        """A problem at this place."""
        return Problem(self.file, self.line, record or self.record, field, message)

    def with_record(self, record: str) -> Where:
        """The same place, naming a record."""
        return Where(self.file, self.line, record)


@dataclass
class ImportSummary:
    """What an import read, wrote and skipped."""

    dataset: str
    format: str
    records_read: int = 0
    entities: int = 0
    relationships: int = 0
    sources: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    unknown: dict[str, int] = field(default_factory=dict)
    rejects_file: str | None = None
    rejected: int = 0
    dangling: int = 0
    #: "possibly the same as" links made to entities of other datasets.
    linked: int = 0
    removed: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (for JSON)."""
        return dict(self.__dict__)


def _message(err: Any) -> str:
    msg = str(err.get("msg", "invalid"))
    return msg.removeprefix("Value error, ")


class Builder:
    """Collects validated sources, entities and relationships of one dataset as compact dicts."""

    def __init__(self, dataset: str, *, skip_bad: bool = False) -> None:
        self.dataset = dataset
        self.skip_bad = skip_bad
        self.source_id = dataset_source_id(dataset)
        self.sources: dict[str, dict[str, Any]] = {}
        self.entities: dict[str, dict[str, Any]] = {}
        self.relationships: dict[str, dict[str, Any]] = {}
        self.problems: list[Problem] = []
        #: Rejected records: (problem, the raw record as read).
        self.rejects: list[tuple[Problem, Any]] = []
        self.skipped: Counter[str] = Counter()
        self.unknown: Counter[str] = Counter()
        self.read = 0
        self._files: list[str] = []
        self._file_ix: dict[str, int] = {}
        # where each record came from, packed as one int (file index, line) for later messages
        self._rel_where: dict[str, int] = {}
        self._ent_where: dict[str, int] = {}
        #: Equal short strings shared across records (kinds, types, dates, countries, source ids).
        self._words: dict[str, str] = {}
        self._raw_rel: dict[str, Any] = {}
        #: Ids of entities of other datasets that relationships may point to.
        self.external: Container[str] = ()

    # -- problems ---------------------------------------------------------------------------
    @property
    def full(self) -> bool:
        """Too many problems to go on (without ``skip_bad``)."""
        return not self.skip_bad and len(self.problems) >= MAX_PROBLEMS

    def bad(self, problem: Problem, raw: Any = None) -> None:
        """A record that cannot be imported: a problem, or a reject with ``skip_bad``."""
        if self.skip_bad:
            self.rejects.append((problem, raw))
        else:
            self.problems.append(problem)

    def note_unknown(self, what: str) -> None:
        """Something the mapping does not know (a schema, a category): reported once, counted."""
        self.unknown[what] += 1

    def skip(self, reason: str) -> None:
        """A record left out on purpose (not an error), counted by reason."""
        self.skipped[reason] += 1

    def _pack(self, where: Where) -> int:
        ix = self._file_ix.get(where.file)
        if ix is None:
            ix = self._file_ix[where.file] = len(self._files)
            self._files.append(where.file)
        return (ix << 40) | (0 if where.line is None else where.line + 1)

    def _unpack(self, packed: int, record: str) -> Where:
        line = (packed & ((1 << 40) - 1)) - 1
        return Where(self._files[packed >> 40], None if line < 0 else line, record)

    def _word(self, value: str) -> str:
        if len(value) > 48:
            return value
        if len(self._words) < 200_000:
            return self._words.setdefault(value, value)
        return self._words.get(value, value)

    def _share(self, d: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
        """Share the repeating strings of a compact record (what the store's reopen shares too)."""
        w = self._word
        for k in keys:
            v = d.get(k)
            if isinstance(v, str):
                d[k] = w(v)
        d["sources"] = [w(x) for x in d["sources"]]
        attrs = d.get("attributes")
        if attrs:
            d["attributes"] = {w(k): w(v) for k, v in attrs.items()}
        return d

    # -- records ----------------------------------------------------------------------------
    def _validate(self, cls: type[BaseModel], data: dict[str, Any], where: Where, raw: Any) -> Any:
        data = {k: tidy_value(v, k) for k, v in data.items()}
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            rid = data.get("id")
            for err in exc.errors()[:1]:
                loc = ".".join(str(x) for x in err["loc"]) or None
                self.bad(where.problem(loc, _message(err), str(rid) if rid else None), raw)
            return None

    def source(self, data: dict[str, Any], where: Where, raw: Any = None) -> str | None:
        """Add a source (a duplicate id with the same content is ignored); its id, or None."""
        data["dataset"] = self.dataset
        if data.get("id") in self.sources:
            return str(data["id"])
        model = self._validate(Source, data, where, raw)
        if model is None:
            return None
        self.sources[model.id] = dump(model)
        return str(model.id)

    def entity(self, data: dict[str, Any], where: Where, raw: Any = None) -> bool:
        """Add an entity; a second record with the same id and different content is a problem."""
        data["dataset"] = self.dataset
        data.setdefault("sources", [self.source_id])
        model = self._validate(Entity, data, where, raw)
        if model is None:
            return False
        d = self._share(dump(model), ENTITY_WORDS)
        old = self.entities.get(model.id)
        if old is not None:
            if old != d:
                first = self._unpack(self._ent_where[model.id], model.id)
                at = f"line {first.line}" if first.line is not None else first.file
                self.bad(
                    where.problem("id", f"duplicate id {model.id!r} with different content (first at {at})"),
                    raw,
                )
                return False
            self.skip("duplicate record (identical)")
            return True
        self.entities[d["id"]] = d  # the key is the record's own id string
        self._ent_where[d["id"]] = self._pack(where)
        return True

    def relationship(self, data: dict[str, Any], where: Where, raw: Any = None) -> bool:
        """Add a relationship (its id derived from its content when it has none)."""
        data["dataset"] = self.dataset
        data.setdefault("sources", [self.source_id])
        if not data.get("id"):
            data["id"] = relationship_id(
                str(data.get("source", "")),
                str(data.get("type", "")),
                str(data.get("target", "")),
                data.get("start"),
                data.get("role"),
            )[:200]
        model = self._validate(Relationship, data, where, raw)
        if model is None:
            return False
        d = self._share(dump(model), REL_WORDS)
        if model.id in self.relationships:
            if self.relationships[model.id] == d:
                self.skip("duplicate record (identical)")
                return True
            self.bad(where.problem("id", f"duplicate relationship {model.id!r} with different content"), raw)
            return False
        self.relationships[d["id"]] = d
        self._rel_where[d["id"]] = self._pack(where)
        if self.skip_bad and raw is not None:
            self._raw_rel[model.id] = raw
        return True

    # -- the end ----------------------------------------------------------------------------
    def finish(self, info: DatasetInfo, *, rejects_path: Path | None = None) -> Dataset:
        """Check references and return the dataset; raise ``InvalidRecord`` on any problem."""
        ents = self.entities
        for rid in list(self.relationships):
            d = self.relationships[rid]
            for end in ("source", "target"):
                other = ents.get(d[end])
                if other is not None:
                    d[end] = other["id"]  # one string object per id, shared with the entity
                elif d[end] not in self.external:
                    where = self._unpack(self._rel_where[rid], rid)
                    self.bad(
                        where.problem(end, f"unknown entity {d[end]!r}: the input never defines it"),
                        self._raw_rel.get(rid, d),
                    )
                    del self.relationships[rid]
                    break
        known = set(self.sources) | {self.source_id}
        for table in (self.entities, self.relationships):
            for d in table.values():
                for s in d["sources"]:
                    if s not in known:  # importers only cite sources they added
                        msg = f"record {d['id']!r} cites unknown source {s!r}"
                        raise AssertionError(msg)
        if self.problems:
            raise InvalidRecord(self.problems)
        if rejects_path is not None and self.rejects:
            write_rejects(rejects_path, self.rejects)
        info.counts = {
            "entities": len(self.entities),
            "relationships": len(self.relationships),
            "sources": len(self.sources) + 1,
            "skipped": len(self.rejects),
        }
        return Dataset(
            sources=Records(source_of, self.sources),
            entities=Records(entity_of, self.entities),
            relationships=Records(relationship_of, self.relationships),
        )

    def release(self) -> None:
        """Forget what only problem messages needed (positions, shared words), before the write."""
        self._rel_where = {}
        self._ent_where = {}
        self._raw_rel = {}
        self._words = {}

    def summary(self, fmt: str) -> ImportSummary:
        """The closing summary."""
        skipped = dict(self.skipped)
        reasons = Counter(p.message.split(":")[0] for p, _ in self.rejects)
        for r, n in reasons.items():
            skipped[f"rejected: {r}"] = n
        return ImportSummary(
            dataset=self.dataset,
            format=fmt,
            records_read=self.read,
            entities=len(self.entities),
            relationships=len(self.relationships),
            sources=len(set(self.sources) | {self.source_id}),
            skipped=dict(sorted(skipped.items())),
            unknown=dict(sorted(self.unknown.items())),
            rejected=len(self.rejects),
        )


def write_rejects(path: Path, rejects: list[tuple[Problem, Any]]) -> None:
    """One JSON line per rejected record: where it was, the field, the reason, the record."""
    with path.open("wb") as f:
        for p, raw in rejects:
            row = {"file": p.file, "line": p.line, "record": p.record, "field": p.field, "reason": p.message}
            row["raw"] = raw
            f.write(orjson.dumps(row, default=str) + b"\n")


@contextmanager
def progress_bar(total: int, description: str, *, show: bool) -> Iterator[Any]:
    """A rich progress bar on stderr over ``total`` bytes; yields ``update(done_bytes)``."""
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not show,
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=total)

        def update(done: int) -> None:
            bar.update(task, completed=done)

        yield update
        bar.update(task, completed=total)


def is_core(name: str) -> bool:
    """True for the bundled dataset's name."""
    return name == CORE
