"""Where an imported dataset touches the others: "possibly the same as" links, never merges.

An imported entity is linked to an entity of another dataset when both carry the same strong
identifier (Wikidata id, LEI, wallet address, ...) or, for entities of a compatible kind, the
same name once case, accents and punctuation are set aside (``normality``). The link is a
``possibly_same_as`` relationship of the importing dataset, ``reported``, with the reason in
``attributes.match`` and ``attributes.confidence`` (``medium`` for an identifier, ``low`` for a
name). Nothing is merged: both records stay as their datasets published them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from normality import normalize

from graph.datasets import dataset_source_id
from graph.ingest.records import Records
from graph.ingest.validate import Dataset
from graph.model import Relationship, dump
from graph.store.base import GraphStore
from graph.vocabulary import Status

__all__ = ["STRONG_IDS", "link_to_other_datasets", "name_key"]

#: Identifier schemes that name one thing the world over (scheme names as publishers spell them).
STRONG_IDS = {
    "wikidata": "wikidata",
    "wikidataid": "wikidata",
    "wikidata_id": "wikidata",
    "leicode": "lei",
    "lei": "lei",
    "publickey": "wallet",
    "wallet": "wallet",
    "isin": "isin",
    "ofac": "ofac",
}
#: Kinds that may be the same thing under one name.
KIND_GROUP = {
    "person": "person",
    "company": "org",
    "organization": "org",
    "agency": "org",
    "court": "org",
    "asset": "asset",
    "address": "address",
}


def name_key(name: str) -> str | None:
    """Case-, accent- and punctuation-insensitive form of a name (``None`` if it has no letters)."""
    key = normalize(name, lowercase=True, latinize=True)
    return key or None


def _ids(d: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for scheme, val in (d.get("identifiers") or {}).items():
        group = STRONG_IDS.get(scheme.lower().replace("-", "_")) or STRONG_IDS.get(scheme.lower())
        if group is None:
            continue
        for v in val if isinstance(val, list) else [val]:
            out.append((group, str(v).strip().lower()))
    return out


def link_to_other_datasets(store: GraphStore, ds: Dataset, name: str) -> int:
    """Add ``possibly_same_as`` links from ``ds``'s entities to other datasets' entities (unless
    another dataset already links the pair); returns how many were added."""
    by_id: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_name: dict[tuple[str, str], list[str]] = defaultdict(list)
    for e in store.iter_entities():
        if e.dataset == name:
            continue
        d = dump(e)
        for k in _ids(d):
            by_id[k].append(e.id)
        group = KIND_GROUP.get(str(e.kind))
        if group is None:
            continue
        for n in [e.name, *e.aliases]:
            key = name_key(n)
            if key and len(key) >= 4:
                by_name[(group, key)].append(e.id)
    if not by_id and not by_name:
        return 0
    # pairs another dataset already links: one "possibly the same as" link per pair is enough
    known = {
        frozenset((r.source, r.target))
        for r in store.iter_relationships()
        if r.type == "possibly_same_as" and r.dataset != name
    }
    assert isinstance(ds.entities, Records) and isinstance(ds.relationships, Records)
    rels = ds.relationships.raw
    added = 0
    for eid, d in ds.entities.raw.items():
        matches: dict[str, str] = {}
        for k in _ids(d):
            for other in by_id.get(k, ()):
                matches.setdefault(other, f"same {k[0]} identifier {k[1]}")
        group = KIND_GROUP.get(d["kind"])
        if group is not None and by_name:
            for n in [d["name"], *d.get("aliases", ())]:
                key = name_key(n)
                for other in by_name.get((group, key), ()) if key else ():
                    matches.setdefault(other, f"same name {n!r}")
        for other, why in sorted(matches.items()):
            if frozenset((eid, other)) in known:
                continue
            rel = Relationship(
                id=f"{eid}.same-as.{other}"[:200],
                source=eid,
                target=other,
                type="possibly_same_as",
                status=Status.REPORTED,
                sources=[dataset_source_id(name)],
                dataset=name,
                attributes={
                    "match": why,
                    "confidence": "medium" if why.startswith("same ") and "identifier" in why else "low",
                },
            )
            rels[rel.id] = dump(rel)
            added += 1
    return added
