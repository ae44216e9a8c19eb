"""Turn raw records into validated models and check that every reference resolves."""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from graph.errors import Problem
from graph.ids import relationship_id
from graph.ingest.readers import RawRecord
from graph.model import Entity, Relationship, Source

__all__ = ["Dataset", "validate_records"]

MODELS: dict[str, type[BaseModel]] = {
    "source": Source,
    "entity": Entity,
    "relationship": Relationship,
}


@dataclass
class Dataset:
    """A validated set of sources, entities and relationships, keyed by id."""

    sources: dict[str, Source] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    relationships: dict[str, Relationship] = field(default_factory=dict)

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
            str(data.get("source", "")),
            str(data.get("type", "")),
            str(data.get("target", "")),
            data.get("start"),
            data.get("role"),
        )
    try:
        return MODELS[rec.kind].model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(x) for x in err["loc"]) or None
            problems.append(rec.problem(_message(dict(err)), loc))
        return None


def _check_refs(
    rec: RawRecord,
    name: str,
    ids: Iterable[str],
    known: Callable[[str], bool],
    what: str,
    problems: list[Problem],
) -> None:
    for ref in ids:
        if not known(ref):
            problems.append(rec.problem(f"unknown {what} {ref!r}", name))


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
    problems: list[Problem] = []
    ds = Dataset()
    where: dict[tuple[str, str], RawRecord] = {}
    rel_records: list[tuple[RawRecord, Relationship]] = []
    ent_records: list[tuple[RawRecord, Entity]] = []
    targets: dict[str, dict[str, Any]] = {
        "source": ds.sources,
        "entity": ds.entities,
        "relationship": ds.relationships,
    }
    failed: dict[str, set[str]] = {"source": set(), "entity": set(), "relationship": set()}
    for rec in records:
        if on_record is not None:
            on_record()
        model = _to_model(rec, problems)
        if model is None:
            rid = rec.data.get("id") if isinstance(rec.data, dict) else None
            if isinstance(rid, str):
                failed[rec.kind].add(rid)
            continue
        mid: str = model.id  # type: ignore[attr-defined]
        table = targets[rec.kind]
        if mid in table:
            first = where[(rec.kind, mid)]
            if table[mid] != model:
                at = f"{first.file}:{first.line}" if first.line else first.file
                problems.append(
                    rec.problem(f"duplicate id {mid!r} with different content (first at {at})", "id")
                )
            continue
        table[mid] = model
        where[(rec.kind, mid)] = rec
        if isinstance(model, Relationship):
            rel_records.append((rec, model))
        elif isinstance(model, Entity):
            ent_records.append((rec, model))

    def known_source(sid: str) -> bool:
        return (
            "source" in unchecked_kinds
            or sid in ds.sources
            or sid in existing_sources
            or sid in failed["source"]
        )

    def known_entity(eid: str) -> bool:
        return (
            "entity" in unchecked_kinds
            or eid in ds.entities
            or eid in existing_entities
            or eid in failed["entity"]
        )

    for rec, ent in ent_records:
        _check_refs(rec, "sources", ent.sources, known_source, "source", problems)
    for rec, rel in rel_records:
        _check_refs(rec, "source", [rel.source], known_entity, "entity", problems)
        _check_refs(rec, "target", [rel.target], known_entity, "entity", problems)
        _check_refs(rec, "sources", rel.sources, known_source, "source", problems)
        _check_refs(rec, "denied_by", rel.denied_by, known_entity, "entity", problems)
    return ds, problems
