"""``GraphStore``: the one interface every backend implements (a write half and a read half).

Query functions in ``graph.queries`` use only this interface. Backends may override the
traversal helpers at the bottom (``bfs_layers`` and friends) with native implementations;
the generic versions here are written on top of ``adjacent`` and ``degree``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import NamedTuple, Protocol

from graph.filters import EdgeFilter
from graph.ingest.validate import Dataset
from graph.model import Entity, Relationship, Source

__all__ = ["Adj", "GraphStore", "NameRow", "PathSearcher", "StoreStats"]


class Adj(NamedTuple):
    """One step from an entity: the entity reached, the relationship used, and its direction."""

    other: str
    rel_id: str
    forward: bool


class NameRow(NamedTuple):
    """What search needs to know about an entity."""

    id: str
    kind: str
    name: str
    aliases: tuple[str, ...]
    degree: int


class PathSearcher(Protocol):
    """A store-native shortest-path search under one filter and direction (see ``path_searcher``)."""

    def shortest_paths(
        self,
        source: str,
        target: str,
        *,
        max_hops: int,
        limit: int | None = None,
        banned_nodes: frozenset[str] = frozenset(),
        banned_edges: frozenset[tuple[str, str]] = frozenset(),
    ) -> list[list[str]]:
        """The first ``limit`` shortest node paths within ``max_hops`` (all when None), in
        lexicographic order; ``banned_nodes`` may not be stepped onto and ``banned_edges`` are
        (from, to) steps in the walking direction that may not be taken."""
        ...


@dataclass
class StoreStats:
    """Counts of what a store holds."""

    entities: int = 0
    relationships: int = 0
    sources: int = 0
    entities_by_kind: dict[str, int] = field(default_factory=dict)
    relationships_by_type: dict[str, int] = field(default_factory=dict)
    relationships_by_status: dict[str, int] = field(default_factory=dict)
    relationships_without_source: int = 0
    version: str = ""


class GraphStore(ABC):
    """A graph of sourced entities and relationships.

    Writes are atomic: a write either fully lands or leaves the store as it was.
    """

    #: Short name of the backend, e.g. ``"embedded"`` or ``"neo4j"``.
    backend: str = "abstract"

    # -- lifecycle ---------------------------------------------------------------
    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @abstractmethod
    def describe(self) -> str:
        """Where the store lives, without secrets (for messages)."""

    def ping(self) -> None:  # noqa: B027 - embedded stores are always up
        """Raise ``StoreUnavailable`` if the store cannot answer."""

    # -- write half --------------------------------------------------------------
    @abstractmethod
    def replace_all(self, dataset: Dataset) -> None:
        """Replace the whole graph with ``dataset``, atomically."""

    @abstractmethod
    def upsert(
        self,
        *,
        sources: Iterable[Source] = (),
        entities: Iterable[Entity] = (),
        relationships: Iterable[Relationship] = (),
    ) -> None:
        """Insert or replace records by id, atomically."""

    @abstractmethod
    def delete(
        self,
        *,
        sources: Iterable[str] = (),
        entities: Iterable[str] = (),
        relationships: Iterable[str] = (),
    ) -> None:
        """Delete records by id, atomically; deleting an entity deletes its relationships."""

    def clear(self) -> None:
        """Remove everything."""
        self.replace_all(Dataset())

    # -- read half ---------------------------------------------------------------
    @property
    @abstractmethod
    def version(self) -> str:
        """A token that changes whenever the graph changes (used for ETags)."""

    @abstractmethod
    def stats(self) -> StoreStats:
        """Counts by kind, type and status."""

    @abstractmethod
    def get_entities(self, ids: Iterable[str]) -> dict[str, Entity]:
        """The entities with these ids (unknown ids are left out)."""

    def get_entity(self, entity_id: str) -> Entity | None:
        """One entity, or None."""
        return self.get_entities([entity_id]).get(entity_id)

    @abstractmethod
    def get_relationships(self, ids: Iterable[str]) -> dict[str, Relationship]:
        """The relationships with these ids (unknown ids are left out)."""

    def get_relationship(self, rel_id: str) -> Relationship | None:
        """One relationship, or None."""
        return self.get_relationships([rel_id]).get(rel_id)

    @abstractmethod
    def get_sources(self, ids: Iterable[str]) -> dict[str, Source]:
        """The sources with these ids (unknown ids are left out)."""

    def get_source(self, source_id: str) -> Source | None:
        """One source, or None."""
        return self.get_sources([source_id]).get(source_id)

    @abstractmethod
    def iter_sources(self) -> Iterator[Source]:
        """Every source, ordered by id."""

    @abstractmethod
    def iter_entities(self, kind: str | None = None) -> Iterator[Entity]:
        """Every entity (of one kind), ordered by id."""

    @abstractmethod
    def list_entities(self, *, kind: str | None, offset: int, limit: int) -> tuple[list[Entity], int]:
        """A page of entities ordered by id, and the total matching."""

    @abstractmethod
    def iter_relationships(self) -> Iterator[Relationship]:
        """Every relationship, ordered by id."""

    @abstractmethod
    def citing(self, source_id: str) -> tuple[list[str], list[str]]:
        """Ids of the entities and relationships that cite a source."""

    @abstractmethod
    def adjacent(
        self, entity_id: str, *, direction: str = "both", flt: EdgeFilter | None = None
    ) -> list[Adj]:
        """Relationships at an entity that pass ``flt``, ordered by (other id, rel id).

        ``direction`` is ``out``, ``in`` or ``both``. ``flt.kinds`` and ``flt.avoid`` restrict the
        entity reached.
        """

    @abstractmethod
    def degrees(self, ids: Iterable[str]) -> dict[str, int]:
        """Number of relationships at each entity (both directions, unfiltered)."""

    def degree(self, entity_id: str) -> int:
        """Number of relationships at one entity."""
        return self.degrees([entity_id]).get(entity_id, 0)

    @abstractmethod
    def name_rows(self) -> list[NameRow]:
        """Id, kind, name, aliases and degree of every entity (for the search index)."""

    def has_entity(self, entity_id: str) -> bool:
        """True when the entity exists."""
        return entity_id in self.get_entities([entity_id])

    # -- traversal hooks (generic; backends may override with native versions) ------
    def adjacent_many(
        self, ids: Iterable[str], *, direction: str = "both", flt: EdgeFilter | None = None
    ) -> dict[str, list[Adj]]:
        """``adjacent`` for many entities at once (one round trip on a server store)."""
        return {i: self.adjacent(i, direction=direction, flt=flt) for i in ids}

    def native_shortest_paths(
        self,
        source: str,
        target: str,
        *,
        directed: bool,
        flt: EdgeFilter | None,
        max_hops: int,
        all_paths: bool,
    ) -> list[list[Adj]] | None:
        """Shortest path(s) computed by the store itself, or None to use the generic search.

        Each path is the list of steps from ``source``; a step names the entity reached, the
        relationship used and whether it was walked forward. ``all_paths`` asks for every
        shortest path. Implementations must return exactly what the generic search would
        (same lengths, same set of paths for ``all_paths``).
        """
        return None

    def common_neighbours(
        self, ids: list[str], *, flt: EdgeFilter | None = None
    ) -> dict[str, dict[str, str]] | None:
        """Entities one step (``both`` directions, passing ``flt``) from every one of ``ids``, or None.

        Maps each such entity (never one of ``ids``) to, per id, the smallest id of the
        relationships joining them. None means the store has no native version (the generic walk
        in ``graph.queries.common`` runs).
        """
        return None

    def path_searcher(
        self, *, directed: bool, flt: EdgeFilter | None, exempt: frozenset[str] = frozenset()
    ) -> PathSearcher | None:
        """A native search for ``graph.queries._walk.all_shortest``, or None to walk generically.

        The search must return exactly what the generic walk over ``adjacent_many`` returns:
        steps follow ``out`` (``directed``) or ``both`` relationships passing ``flt``, and
        ``flt.kinds`` does not apply to stepping onto an ``exempt`` entity.
        """
        return None

    def capped_layers(
        self,
        centers: list[str],
        *,
        depth: int,
        direction: str = "both",
        flt: EdgeFilter | None = None,
        max_nodes: int,
    ) -> tuple[dict[str, int], bool, int]:
        """Entities within ``depth`` steps of ``centers`` (sorted ids), at most ``max_nodes``.

        Returns (distance of each entity, truncated, entities cut). When a layer holds more new
        entities than there is room for, the best-connected are kept (most relationships, then
        id), the walk stops there, and ``cut`` counts that layer's entities left out. Stores
        override this to avoid listing every relationship of a hub only to cut it.
        """
        dist = {c: 0 for c in centers}
        frontier = centers
        truncated = False
        cut = 0
        for d in range(1, depth + 1):
            if not frontier:
                break
            nbrs = self.adjacent_many(frontier, direction=direction, flt=flt)
            found = sorted({a.other for f in frontier for a in nbrs.get(f, []) if a.other not in dist})
            room = max_nodes - len(dist)
            if len(found) > room:
                deg = self.degrees(found)
                found.sort(key=lambda n: (-deg.get(n, 0), n))
                cut = len(found) - room
                found = found[:room]
                truncated = True
            for n in found:
                dist[n] = d
            frontier = sorted(found)
            if truncated:
                break
        return dist, truncated, cut

    def edges_among(self, ids: Iterable[str], *, flt: EdgeFilter | None = None) -> list[str]:
        """Ids of the relationships between two of ``ids`` (existing entities) passing ``flt``, sorted."""
        keep = set(ids)
        out = self.adjacent_many(sorted(keep), direction="out", flt=flt)
        return sorted({a.rel_id for adj in out.values() for a in adj if a.other in keep})

    def edges_between(
        self, source: str, target: str, *, direction: str = "both", flt: EdgeFilter | None = None
    ) -> list[Adj]:
        """``adjacent(source)`` restricted to steps reaching ``target``."""
        return [a for a in self.adjacent(source, direction=direction, flt=flt) if a.other == target]

    def edge_pairs(self, flt: EdgeFilter | None = None) -> Iterator[tuple[str, str, str]]:
        """``(source, target, rel id)`` of every relationship passing ``flt`` (for analytics)."""
        for rel in self.iter_relationships():
            if flt is None or flt.accepts(rel.model_dump()):
                yield rel.source, rel.target, rel.id
