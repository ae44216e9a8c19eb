"""Copy a whole graph from one store to another (``cryptokg sync``)."""

from __future__ import annotations

from graph.ingest.validate import Dataset
from graph.store.base import GraphStore, StoreStats

__all__ = ["copy_store"]


def copy_store(source: GraphStore, target: GraphStore) -> StoreStats:
    """Replace ``target``'s graph with ``source``'s, atomically as ``replace_all`` allows.

    Sources, entities and relationships are copied as they are (already validated); the target
    reports the same graph version as the source afterwards.
    """
    ds = Dataset(
        {s.id: s for s in source.iter_sources()},
        {e.id: e for e in source.iter_entities()},
        {r.id: r for r in source.iter_relationships()},
    )
    target.replace_all(ds)
    return target.stats()
