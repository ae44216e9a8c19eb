"""Validated writes: create, replace, update and delete records, and bulk ingest.

The same validation as ``cryptokg ingest`` (``graph.ingest.validate``): every record goes
through the pydantic models, and every reference (``sources``, relationship ends,
``denied_by``) must resolve in the upload or in the store. Each function then makes one
atomic store call (``upsert``, ``delete`` or ``replace_all``), so a write lands whole or not
at all. Problems are reported as ``InvalidRecord`` naming the field; an id that already
exists (create) or is still referenced (delete) is a ``Conflict``.

Examples
--------
>>> from graph.store.memory import MemoryStore
>>> from graph.ingest.pipeline import load_dataset
>>> from graph.testing import MINI_DIR
>>> store = MemoryStore(None)
>>> store.replace_all(load_dataset(MINI_DIR))
>>> create(store, "entity", {"id": "dave", "kind": "person", "name": "Dave", "sources": ["s1"]}).name
'Dave'
>>> try:
...     create(store, "relationship", {"source": "dave", "target": "nobody", "type": "met",
...                                    "status": "reported", "sources": ["s1"]})
... except InvalidRecord as exc:
...     print(exc.problems[0].field, "-", exc.problems[0].message)
target - unknown entity 'nobody'
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel

from graph.errors import GraphError, InvalidParameter, InvalidRecord, NotFound, Problem
from graph.ids import relationship_id
from graph.ingest.pipeline import load_dataset
from graph.ingest.readers import DATA_SUFFIXES, RawRecord, records_from_document
from graph.ingest.validate import Dataset, validate_records
from graph.model import Entity, Relationship, Source, dump
from graph.store.base import GraphStore

__all__ = [
    "RECORD_KINDS",
    "Conflict",
    "Deleted",
    "create",
    "dataset_from_json",
    "dataset_from_zip",
    "delete",
    "ingest",
    "replace",
    "update",
]

RECORD_KINDS: dict[str, type[BaseModel]] = {"source": Source, "entity": Entity, "relationship": Relationship}
#: Where problems in a single-record write are said to be.
BODY = "request body"
#: Largest total size of the files inside an uploaded zip (a guard against zip bombs).
MAX_UNPACKED_BYTES = 200_000_000
MODES = ("merge", "replace")

Record = Entity | Relationship | Source


class Conflict(GraphError):
    """A write conflicts with what the store holds (an existing id, a record still cited)."""

    status = 409
    title = "Conflict"


@dataclass
class Deleted:
    """Ids removed by a delete: the record itself and relationships removed with an entity."""

    sources: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    relationships: list[str] = field(default_factory=list)


class _Known:
    """A container whose membership test asks the store (for reference checks)."""

    def __init__(self, test: Callable[[str], bool]) -> None:
        self._test = test

    def __contains__(self, item: object) -> bool:
        return isinstance(item, str) and self._test(item)


def _known_entities(store: GraphStore) -> _Known:
    return _Known(store.has_entity)


def _known_sources(store: GraphStore) -> _Known:
    return _Known(lambda sid: store.get_source(sid) is not None)


def _check_kind(kind: str) -> None:
    if kind not in RECORD_KINDS:
        raise InvalidParameter("kind", f"expected one of {', '.join(RECORD_KINDS)}")


def _get(store: GraphStore, kind: str, record_id: str) -> Record | None:
    if kind == "entity":
        return store.get_entity(record_id)
    if kind == "relationship":
        return store.get_relationship(record_id)
    return store.get_source(record_id)


def _validate_one(store: GraphStore, kind: str, data: Mapping[str, Any]) -> Record:
    """Validate one record against the models and the store; raise ``InvalidRecord`` on problems."""
    if not isinstance(data, Mapping):
        raise InvalidRecord([Problem(BODY, None, None, None, "expected a JSON object")])
    body = dict(data)
    if kind == "relationship" and not body.get("id"):
        # Derive the id here (as validation would) so that problems can name the record.
        body["id"] = relationship_id(
            body.get("source"), body.get("type"), body.get("target"), body.get("start"), body.get("role")
        )
    rec = RawRecord(kind, body, BODY, None)
    ds, problems = validate_records(
        [rec], existing_entities=_known_entities(store), existing_sources=_known_sources(store)
    )
    if problems:
        raise InvalidRecord(problems)
    models: list[Record] = [*ds.sources.values(), *ds.entities.values(), *ds.relationships.values()]
    model = models[0]
    return model


def _upsert(store: GraphStore, model: Record) -> None:
    if isinstance(model, Entity):
        store.upsert(entities=[model])
    elif isinstance(model, Relationship):
        store.upsert(relationships=[model])
    else:
        store.upsert(sources=[model])


def create(store: GraphStore, kind: str, data: Mapping[str, Any]) -> Record:
    """Validate and add a new record of ``kind`` (``source``, ``entity`` or ``relationship``).

    A relationship without an ``id`` gets one derived from its content, as in ingestion.
    Raises ``Conflict`` if the id exists, ``InvalidRecord`` if the record is invalid.
    """
    _check_kind(kind)
    model = _validate_one(store, kind, data)
    if _get(store, kind, model.id) is not None:
        msg = f"{kind} {model.id!r} already exists; use PUT or PATCH to change it"
        raise Conflict(msg)
    _upsert(store, model)
    return model


def _body_id(kind: str, record_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise InvalidRecord([Problem(BODY, None, record_id, None, "expected a JSON object")])
    body = dict(data)
    if "id" in body and body["id"] != record_id:
        raise InvalidRecord(
            [Problem(BODY, None, record_id, "id", f"the body's id {body['id']!r} differs from {record_id!r}")]
        )
    body["id"] = record_id
    return body


def replace(store: GraphStore, kind: str, record_id: str, data: Mapping[str, Any]) -> Record:
    """Replace the record ``record_id`` of ``kind`` with ``data`` (validated; the id stays).

    Raises ``NotFound`` if there is no such record.
    """
    _check_kind(kind)
    if _get(store, kind, record_id) is None:
        msg = f"no {kind} {record_id!r}"
        raise NotFound(msg)
    model = _validate_one(store, kind, _body_id(kind, record_id, data))
    _upsert(store, model)
    return model


def update(store: GraphStore, kind: str, record_id: str, changes: Mapping[str, Any]) -> Record:
    """Change some fields of a record; a field set to ``None`` is removed. Validated as a whole."""
    _check_kind(kind)
    current = _get(store, kind, record_id)
    if current is None:
        msg = f"no {kind} {record_id!r}"
        raise NotFound(msg)
    if isinstance(changes, Mapping) and "id" in changes and changes["id"] is None:
        changes = {k: v for k, v in changes.items() if k != "id"}
    merged = dump(current)
    for key, value in _body_id(kind, record_id, changes).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    model = _validate_one(store, kind, merged)
    _upsert(store, model)
    return model


def _denials_of(store: GraphStore, entity_id: str, removed: set[str]) -> list[str]:
    return [r.id for r in store.iter_relationships() if entity_id in r.denied_by and r.id not in removed]


def delete(store: GraphStore, kind: str, record_id: str) -> Deleted:
    """Delete one record. Deleting an entity deletes its relationships too.

    Raises ``NotFound`` if there is no such record, and ``Conflict`` if the delete would leave
    a dangling reference: a source still cited, or an entity named in another relationship's
    ``denied_by``.
    """
    _check_kind(kind)
    if _get(store, kind, record_id) is None:
        msg = f"no {kind} {record_id!r}"
        raise NotFound(msg)
    if kind == "relationship":
        store.delete(relationships=[record_id])
        return Deleted(relationships=[record_id])
    if kind == "source":
        ents, rels = store.citing(record_id)
        if ents or rels:
            cited = ", ".join([*ents, *rels][:10])
            msg = (
                f"source {record_id!r} is cited by {len(ents)} entities and {len(rels)} relationships "
                f"({cited}); change those first"
            )
            raise Conflict(msg)
        store.delete(sources=[record_id])
        return Deleted(sources=[record_id])
    rels = sorted({a.rel_id for a in store.adjacent(record_id)})
    denials = _denials_of(store, record_id, set(rels))
    if denials:
        msg = f"entity {record_id!r} is named in denied_by of {', '.join(denials[:10])}; change those first"
        raise Conflict(msg)
    store.delete(entities=[record_id])
    return Deleted(entities=[record_id], relationships=rels)


def ingest(store: GraphStore, dataset: Dataset, *, mode: str = "merge") -> dict[str, int]:
    """Write a validated dataset: ``merge`` upserts it, ``replace`` replaces the bundled data
    (imported datasets stay).

    Build the dataset with ``dataset_from_json``, ``dataset_from_zip`` or ``load_dataset``
    (for ``merge``, pass the store so references to records already in it resolve).
    Returns the record counts written.
    """
    if mode not in MODES:
        raise InvalidParameter("mode", f"expected one of {', '.join(MODES)}")
    if mode == "replace":
        from graph.datasets import replace_core

        replace_core(store, dataset)
    else:
        store.upsert(
            sources=dataset.sources.values(),
            entities=dataset.entities.values(),
            relationships=dataset.relationships.values(),
        )
    return dataset.counts()


def _existing(store: GraphStore | None) -> dict[str, Any]:
    if store is None:
        return {}
    return {"existing_entities": _known_entities(store), "existing_sources": _known_sources(store)}


def dataset_from_json(doc: Any, *, store: GraphStore | None = None, name: str = BODY) -> Dataset:
    """Validate a JSON upload into a ``Dataset``.

    Accepts ``{"sources": [...], "entities": [...], "relationships": [...]}`` (each optional)
    or node-link JSON as ``graph.export`` writes it (``nodes``, ``links``, ``sources``). With
    ``store``, references may point to records already in it (merge); without, the upload must
    be complete (replace).
    """
    read = records_from_document(doc, name=name)
    records, problems = read.records, read.problems
    if not records and not problems:
        problems.append(Problem(name, None, None, None, "no records"))
    ds, vproblems = validate_records(records, **_existing(store))
    problems.extend(vproblems)
    if problems:
        raise InvalidRecord(problems)
    return ds


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and "\\" not in name and ":" not in name


def dataset_from_zip(
    data: bytes,
    *,
    store: GraphStore | None = None,
    name: str = "upload.zip",
    max_unpacked: int = MAX_UNPACKED_BYTES,
) -> Dataset:
    """Validate a zip of data files (the layout of ``data/`` or of the CSV export).

    Files are read exactly as ``cryptokg ingest`` reads a folder; problems name the file inside
    the zip. Unsafe member names and archives that unpack to more than ``max_unpacked`` bytes
    are refused.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InvalidRecord([Problem(name, None, None, None, "not a zip archive")]) from None
    with zf, tempfile.TemporaryDirectory(prefix="cryptokg-upload-") as tmp:
        members = [m for m in zf.infolist() if not m.is_dir()]
        bad = [m.filename for m in members if not _safe_member(m.filename)]
        if bad:
            raise InvalidRecord([Problem(f"{name}/{b}", None, None, None, "unsafe file name") for b in bad])
        if sum(m.file_size for m in members) > max_unpacked:
            raise InvalidRecord(
                [Problem(name, None, None, None, f"unpacks to more than {max_unpacked} bytes")]
            )
        root = Path(tmp) / "upload"
        root.mkdir()
        budget = max_unpacked
        for m in members:
            if PurePosixPath(m.filename).suffix.lower() not in DATA_SUFFIXES:
                continue
            target = root / m.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            # Sizes in the zip's directory can lie: count the bytes actually unpacked.
            with zf.open(m) as src, target.open("wb") as dst:
                while chunk := src.read(1 << 16):
                    budget -= len(chunk)
                    if budget < 0:
                        raise InvalidRecord(
                            [Problem(name, None, None, None, f"unpacks to more than {max_unpacked} bytes")]
                        )
                    dst.write(chunk)
        try:
            ds = load_dataset(root, progress=False, **_existing(store))
        except InvalidRecord as exc:
            prefix = str(root) + "/"
            renamed = [
                Problem(
                    name + "/" + p.file[len(prefix) :] if p.file.startswith(prefix) else name,
                    p.line,
                    p.record,
                    p.field,
                    p.message,
                )
                for p in exc.problems
            ]
            raise InvalidRecord(renamed) from None
    return ds
