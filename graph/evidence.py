"""Evidence kinds: which relationships rest on a primary record, and the ``evidence=primary`` filter.

A primary record is a court filing, an agency or legislative release, or a party's own statement
(``graph.vocabulary.PRIMARY_SOURCE_KINDS``), or a labelled copy of one, which keeps the kind of what
it copies. ``with_evidence`` turns ``EdgeFilter(evidence="primary")`` into the set of relationship
ids that cite one, computed once per store version.
"""

from __future__ import annotations

import dataclasses
import threading
import weakref
from typing import overload

from graph.filters import EdgeFilter
from graph.model import Relationship, Source
from graph.store.base import GraphStore

__all__ = ["evidence_label", "primary_relationship_ids", "rests_on_primary", "with_evidence"]

_CACHE: weakref.WeakKeyDictionary[GraphStore, tuple[str, frozenset[str]]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def primary_relationship_ids(store: GraphStore) -> frozenset[str]:
    """Ids of the relationships that cite at least one primary record (cached per store version)."""
    version = store.version
    with _LOCK:
        got = _CACHE.get(store)
    if got is not None and got[0] == version:
        return got[1]
    primary = {s.id for s in store.iter_sources() if s.is_primary}
    ids = frozenset(r.id for r in store.iter_relationships() if primary.intersection(r.sources))
    with _LOCK:
        _CACHE[store] = (version, ids)
    return ids


@overload
def with_evidence(store: GraphStore, flt: EdgeFilter) -> EdgeFilter: ...
@overload
def with_evidence(store: GraphStore, flt: None) -> None: ...
def with_evidence(store: GraphStore, flt: EdgeFilter | None) -> EdgeFilter | None:
    """The filter with its ``evidence`` requirement resolved against ``store``."""
    if flt is None or flt.evidence is None or flt.rel_ids is not None:
        return flt
    return dataclasses.replace(flt, rel_ids=primary_relationship_ids(store))


def rests_on_primary(rel: Relationship, sources: dict[str, Source]) -> bool:
    """True when one of the relationship's sources is a primary record."""
    return any(s in sources and sources[s].is_primary for s in rel.sources)


def evidence_label(source: Source) -> str:
    """A badge text for a source: ``court filing``, ``copy of a government release``, ``news report``."""
    kind = source.kind.value.replace("_", " ")
    if source.copy_of:
        return f"copy of a {kind}" if source.is_primary else f"{kind} of {source.copy_of}"
    return kind
