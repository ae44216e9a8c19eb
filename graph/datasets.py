"""Datasets as records: which dataset every fact belongs to, listing, replacing and dropping one.

Every source, entity and relationship carries a ``dataset`` field. ``None`` means the bundled,
hand-curated data (``data/`` and the API's single-record writes), listed as the dataset
``core``. Every import is a dataset of its own, described by a *dataset record*: a source with
the id ``dataset-<name>`` whose attributes hold the licence, credit line, notice, import time,
input hash and counts. Every fact an importer writes cites that source, so the provenance (and a
notice such as ICIJ's) travels with each fact into profiles, paths and exports.

Replacing a dataset builds the whole new graph (the other datasets' records as they are, plus the
new dataset's) and hands it to ``GraphStore.replace_all``, the store's all-or-nothing replace:
readers see the old graph or the new one, never a mix, and a failure or a killed process leaves
the workspace as it was. Relationships of other datasets whose ends disappear with the replaced
dataset (cross-dataset links such as "possibly the same as") are left out and counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import asdict, dataclass, field
from typing import Any

from graph.errors import GraphError, InvalidParameter, NotFound
from graph.ingest.records import Records, entity_of, relationship_of, source_of
from graph.ingest.validate import Dataset
from graph.model import Source, dump
from graph.store.base import GraphStore
from graph.vocabulary import SourceKind

__all__ = [
    "CORE",
    "DatasetInfo",
    "Replaced",
    "check_name",
    "dataset_source_id",
    "drop_dataset",
    "get_dataset",
    "list_datasets",
    "replace_core",
    "replace_dataset",
]

#: The name under which the bundled data (records without a ``dataset``) is listed.
CORE = "core"
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
#: Attributes of a dataset record that are counts.
COUNT_KEYS = ("entities", "relationships", "sources", "skipped")

CORE_INFO: dict[str, Any] = {
    "title": "Bundled data: the Binance / DOJ / Treasury / World Liberty Financial story",
    "publisher": "cryptokg contributors",
    "url": None,
    "licence": "MIT (with the project's code)",
    "credit": "cryptokg contributors, from the sources cited on each fact",
    "notice": None,
    "format": "cryptokg",
}


class DatasetConflict(GraphError):
    """An import would overwrite records of another dataset."""

    status = 409
    title = "Conflict"


@dataclass
class DatasetInfo:
    """What a dataset is, where it comes from and how much of the graph it holds."""

    name: str
    title: str
    publisher: str | None = None
    url: str | None = None
    licence: str | None = None
    credit: str | None = None
    notice: str | None = None
    format: str | None = None
    imported_at: str | None = None
    sha256: str | None = None
    input: str | None = None
    status_rule: str | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def to_source(self) -> Source:
        """The dataset record: a source cited by every fact of the dataset."""
        attrs = {
            k: str(v)
            for k, v in asdict(self).items()
            if k not in ("name", "title", "publisher", "url", "counts") and v is not None
        }
        attrs.update({k: str(v) for k, v in self.counts.items()})
        summary = " ".join(x for x in (self.credit, self.notice) if x) or None
        return Source(
            id=dataset_source_id(self.name),
            kind=SourceKind.REFERENCE,
            title=self.title,
            publisher=self.publisher,
            url=self.url,
            date=self.imported_at[:10] if self.imported_at else None,
            summary=summary,
            dataset=self.name,
            attributes=attrs,
        )

    @classmethod
    def from_source(cls, src: Source) -> DatasetInfo:
        """Read a dataset record back."""
        a = src.attributes
        counts = {k: int(a[k]) for k in COUNT_KEYS if k in a and a[k].isdigit()}
        known = {
            f for f in cls.__dataclass_fields__ if f not in ("name", "title", "publisher", "url", "counts")
        }
        return cls(
            name=src.dataset or CORE,
            title=src.title,
            publisher=src.publisher,
            url=src.url,
            counts=counts,
            **{k: v for k, v in a.items() if k in known},
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (for JSON)."""
        return asdict(self)


@dataclass
class Replaced:
    """What a dataset replace or drop changed."""

    dataset: str
    removed: dict[str, int]
    written: dict[str, int]
    #: Relationships of other datasets left out because an end disappeared with this dataset.
    dangling: list[str] = field(default_factory=list)


def check_name(name: str, *, allow_core: bool = False) -> str:
    """``name`` if it is a valid dataset name, else ``InvalidParameter``."""
    if name == CORE and not allow_core:
        raise InvalidParameter("dataset", "'core' is the bundled data; load it with `cryptokg ingest`")
    if not NAME_PATTERN.match(name):
        raise InvalidParameter(
            "dataset", f"bad dataset name {name!r}: use 1-48 lower-case letters, digits, '_' and '-'"
        )
    return name


def dataset_source_id(name: str) -> str:
    """Id of a dataset's record (a source)."""
    return f"dataset-{name}"


def _is_record(src: Source) -> bool:
    return src.dataset is not None and src.id == dataset_source_id(src.dataset)


def list_datasets(store: GraphStore) -> list[DatasetInfo]:
    """Every dataset in the store, ``core`` first, then by name, with their counts."""
    infos = [DatasetInfo.from_source(s) for s in store.iter_sources() if _is_record(s)]
    infos.sort(key=lambda i: i.name)
    st = store.stats()
    core = DatasetInfo(name=CORE, **CORE_INFO)
    core.counts = {
        "entities": st.entities - sum(i.counts.get("entities", 0) for i in infos),
        "relationships": st.relationships - sum(i.counts.get("relationships", 0) for i in infos),
        "sources": st.sources - sum(i.counts.get("sources", 0) for i in infos),
    }
    return [core, *infos]


def get_dataset(store: GraphStore, name: str) -> DatasetInfo:
    """One dataset, or ``NotFound``."""
    for info in list_datasets(store):
        if info.name == name:
            return info
    msg = f"no dataset {name!r}"
    raise NotFound(msg)


def _others(store: GraphStore, keep: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Compact dicts of the records whose dataset passes ``keep``."""
    srcs = {s.id: dump(s) for s in store.iter_sources() if keep(s.dataset)}
    ents = {e.id: dump(e) for e in store.iter_entities() if keep(e.dataset)}
    rels = {r.id: dump(r) for r in store.iter_relationships() if keep(r.dataset)}
    return srcs, ents, rels


def _table(records: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    if isinstance(records, Records):
        return records.raw
    return {k: dump(v) for k, v in records.items()}


def _merge(
    name: str | None,
    kept: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
    new: Dataset,
) -> tuple[Dataset, list[str]]:
    srcs, ents, rels = kept
    for label, mine, theirs in (
        ("source", srcs, new.sources),
        ("entity", ents, new.entities),
        ("relationship", rels, new.relationships),
    ):
        clash = [i for i in theirs if i in mine]
        if clash:
            owner = mine[clash[0]].get("dataset") or CORE
            msg = (
                f"{len(clash)} {label} id(s) of dataset {name or CORE!r} are already used by dataset "
                f"{owner!r} (first: {clash[0]!r}); nothing was written"
            )
            raise DatasetConflict(msg)
    # the store orders the tables itself; add the smaller table to the larger (the new dataset's
    # tables are not used again, so a big import is not copied)
    srcs, ents, rels = (
        _union(a, _table(b))
        for a, b in ((srcs, new.sources), (ents, new.entities), (rels, new.relationships))
    )
    dangling = sorted(i for i, r in rels.items() if r["source"] not in ents or r["target"] not in ents)
    for i in dangling:
        del rels[i]
    ds = Dataset(
        sources=Records(source_of, srcs),
        entities=Records(entity_of, ents),
        relationships=Records(relationship_of, rels),
    )
    return ds, dangling


def _union(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """``a`` and ``b`` (disjoint) in one dict, made by updating the larger with the smaller."""
    if len(a) >= len(b):
        a.update(b)
        return a
    b.update(a)
    return b


def _count(store: GraphStore, name: str | None) -> dict[str, int]:
    return {
        "sources": sum(1 for s in store.iter_sources() if s.dataset == name),
        "entities": sum(1 for e in store.iter_entities() if e.dataset == name),
        "relationships": sum(1 for r in store.iter_relationships() if r.dataset == name),
    }


def _has_imports(store: GraphStore) -> bool:
    return any(_is_record(s) for s in store.iter_sources())


def replace_dataset(store: GraphStore, new: Dataset, info: DatasetInfo) -> Replaced:
    """Replace dataset ``info.name`` with ``new`` (its records, all stamped with the name) and its
    dataset record, in one atomic store replace; every other dataset is kept as it is."""
    name = check_name(info.name)
    stamp(new, name)
    new.sources[dataset_source_id(name)] = info.to_source()
    removed = _count(store, name)
    kept = _others(store, lambda d: d != name)
    merged, dangling = _merge(name, kept, new)
    store.replace_all(merged)
    return Replaced(name, removed, new.counts(), dangling)


def replace_core(store: GraphStore, new: Dataset) -> Replaced:
    """``cryptokg ingest``: replace the bundled data only; imported datasets stay."""
    if not _has_imports(store):
        store.replace_all(new)
        return Replaced(CORE, {}, new.counts())
    removed = _count(store, None)
    kept = _others(store, lambda d: d is not None)
    merged, dangling = _merge(None, kept, new)
    store.replace_all(merged)
    return Replaced(CORE, removed, new.counts(), dangling)


def drop_dataset(store: GraphStore, name: str) -> Replaced:
    """Remove every record of dataset ``name`` (and its dataset record), atomically."""
    check_name(name)
    if not any(s.id == dataset_source_id(name) and s.dataset == name for s in store.iter_sources()):
        msg = f"no dataset {name!r}"
        raise NotFound(msg)
    removed = _count(store, name)
    kept = _others(store, lambda d: d != name)
    merged, dangling = _merge(name, kept, Dataset())
    store.replace_all(merged)
    return Replaced(name, removed, {}, dangling)


def stamp(ds: Dataset, name: str) -> None:
    """Set ``dataset`` on every record of ``ds`` (kept as compact dicts where possible)."""
    _stamp(ds.sources, name)
    _stamp(ds.entities, name)
    _stamp(ds.relationships, name)


def _stamp(records: MutableMapping[str, Any], name: str) -> None:
    if isinstance(records, Records):
        for d in records.raw.values():
            d["dataset"] = name
        return
    for k in list(records):
        m = records[k]
        m.dataset = name
        records[k] = m


def datasets_of(records: Iterable[Any]) -> list[str]:
    """Sorted names of the datasets some records belong to (``core`` for the bundled data)."""
    return sorted({getattr(r, "dataset", None) or CORE for r in records})
