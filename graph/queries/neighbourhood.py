"""The k-hop neighbourhood of one or more entities, with filters and a deterministic node cap."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from graph.errors import InvalidParameter
from graph.evidence import with_evidence
from graph.filters import EdgeFilter, make_filter
from graph.model import Subgraph
from graph.queries.lookup import resolve
from graph.store.base import GraphStore

__all__ = ["MAX_DEPTH", "MAX_NODES", "neighbourhood", "subgraph_of"]

MAX_DEPTH = 3
MAX_NODES = 2000
DIRECTIONS = ("both", "out", "in")


def neighbourhood(
    store: GraphStore,
    ref: str | list[str],
    *,
    depth: int = 1,
    direction: str = "both",
    max_nodes: int = 150,
    flt: EdgeFilter | None = None,
    **filters: Any,
) -> Subgraph:
    """Entities within ``depth`` hops of ``ref`` and the relationships among them.

    Walks only relationships that pass the filters (see ``graph.filters.make_filter``):
    types and categories to include or exclude, entity ``kinds``, ``min_status``, and
    ``as_of`` (relationships holding on that day; unknown start or end dates count as
    holding unless ``unknown_dates="exclude"``). When more than ``max_nodes`` entities are
    reached, the closest are kept first and, within a distance, the best-connected (most
    relationships), then by id; ``truncated`` and ``cut_nodes`` say what was left out (the
    count covers the layer where the cap was hit; deeper layers were not walked).

    Examples
    --------
    >>> from graph.testing import mini_store
    >>> sub = neighbourhood(mini_store(), "carol")
    >>> sorted(n.id for n in sub.nodes)
    ['alice', 'bob', 'carol', 'regulator', 'venture']
    >>> sub = neighbourhood(mini_store(), "acme", max_nodes=4)
    >>> sorted(n.id for n in sub.nodes), sub.cut_nodes
    (['acme', 'alice', 'regulator', 'venture'], 5)
    """
    if not 1 <= depth <= MAX_DEPTH:
        raise InvalidParameter("depth", f"must be between 1 and {MAX_DEPTH}")
    if direction not in DIRECTIONS:
        raise InvalidParameter("direction", f"expected one of {', '.join(DIRECTIONS)}")
    if not 1 <= max_nodes <= MAX_NODES:
        raise InvalidParameter("max_nodes", f"must be between 1 and {MAX_NODES}")
    flt = flt if flt is not None else make_filter(**filters)
    flt = with_evidence(store, flt)
    refs = [ref] if isinstance(ref, str) else list(ref)
    centers = sorted({resolve(store, r) for r in refs})
    if len(centers) > max_nodes:
        raise InvalidParameter("max_nodes", "is smaller than the number of starting entities")
    dist, truncated, cut = store.capped_layers(
        centers, depth=depth, direction=direction, flt=flt, max_nodes=max_nodes
    )
    sub = subgraph_of(store, list(dist), flt=replace(flt, kinds=None, avoid=frozenset()))
    sub.center = centers
    sub.depth = dict(sorted(dist.items()))
    sub.truncated = truncated
    sub.cut_nodes = cut
    if truncated:
        sub.note = (
            f"{cut} more entities at distance {max(dist.values())} were left out by the cap of {max_nodes}"
        )
    return sub


def subgraph_of(store: GraphStore, ids: list[str], *, flt: EdgeFilter | None = None) -> Subgraph:
    """The entities ``ids`` and every relationship among them that passes ``flt``."""
    keep = set(ids)
    ents = store.get_entities(keep)
    flt = with_evidence(store, flt)
    rel_ids = store.edges_among(sorted(ents), flt=flt)
    rels = store.get_relationships(rel_ids)
    sources = store.get_sources({s for r in rels.values() for s in r.sources})
    return Subgraph(
        nodes=[ents[i] for i in sorted(ents)],
        edges=[rels[r] for r in rel_ids],
        sources=dict(sorted(sources.items())),
    )
