"""Analytics over the whole graph: rankings, communities and brokers (networkx algorithms)."""

from __future__ import annotations

import weakref
from typing import Any

import networkx as nx

from graph.errors import InvalidParameter
from graph.evidence import with_evidence
from graph.filters import EdgeFilter, make_filter
from graph.queries._walk import Adjacency, all_shortest
from graph.queries.lookup import ref_of, resolve
from graph.results import Brokers, Community, RankItem
from graph.store.base import GraphStore

__all__ = ["METRICS", "brokers", "communities", "rank"]

METRICS = ("degree", "betweenness", "pagerank")
_CACHE: weakref.WeakKeyDictionary[GraphStore, dict[tuple[str, EdgeFilter], nx.Graph]] = (
    weakref.WeakKeyDictionary()
)


def _graph(store: GraphStore, flt: EdgeFilter) -> nx.Graph:
    """Undirected simple graph of the store (cached per graph version and filter)."""
    per = _CACHE.setdefault(store, {})
    key = (store.version, flt)
    g = per.get(key)
    if g is None:
        per.clear()
        g = nx.Graph()
        g.add_nodes_from(r.id for r in store.name_rows())
        g.add_edges_from((s, t) for s, t, _ in store.edge_pairs(None if flt.is_open else flt))
        per[key] = g
    return g


def rank(
    store: GraphStore,
    *,
    metric: str = "degree",
    top: int = 10,
    kind: str | None = None,
    flt: EdgeFilter | None = None,
    **filters: Any,
) -> list[RankItem]:
    """Top entities by ``degree``, ``betweenness`` (normalised) or ``pagerank``.

    Computed on the undirected graph of relationships that pass the filters; parallel
    relationships count once. Ties are broken by id.

    Examples
    --------
    >>> from graph.testing import mini_store
    >>> [(r.entity.id, r.score) for r in rank(mini_store(), top=3)]
    [('acme', 8.0), ('carol', 4.0), ('alice', 3.0)]
    """
    if metric not in METRICS:
        raise InvalidParameter("metric", f"expected one of {', '.join(METRICS)}")
    if not 1 <= top <= 500:
        raise InvalidParameter("top", "must be between 1 and 500")
    flt = flt if flt is not None else make_filter(**filters)
    flt = with_evidence(store, flt)
    g = _graph(store, flt)
    if metric == "degree":
        scores: dict[str, float] = {n: float(d) for n, d in g.degree()}
    elif metric == "betweenness":
        k = None if g.number_of_nodes() <= 5000 else 500
        scores = nx.betweenness_centrality(g, k=k, seed=7)
    else:
        scores = nx.pagerank(g) if g.number_of_edges() else {n: 0.0 for n in g}
    ents = store.get_entities(scores)
    order = sorted(
        (n for n in scores if kind is None or str(ents[n].kind) == kind), key=lambda n: (-scores[n], n)
    )[:top]
    return [RankItem(entity=ref_of(ents[n]), score=round(scores[n], 6)) for n in order]


def communities(
    store: GraphStore, *, seed: int = 42, min_size: int = 2, flt: EdgeFilter | None = None, **filters: Any
) -> list[Community]:
    """Communities found by Louvain modularity with a fixed ``seed`` (deterministic).

    Ordered by size, largest first, then by smallest member id.
    """
    flt = flt if flt is not None else make_filter(**filters)
    flt = with_evidence(store, flt)
    g = _graph(store, flt)
    parts = nx.community.louvain_communities(g, seed=seed) if g.number_of_edges() else []
    groups = sorted((sorted(p) for p in parts if len(p) >= min_size), key=lambda p: (-len(p), p[0]))
    ents = store.get_entities({n for p in groups for n in p})
    return [Community(id=i, size=len(p), members=[ref_of(ents[n]) for n in p]) for i, p in enumerate(groups)]


def brokers(
    store: GraphStore,
    group_a: list[str],
    group_b: list[str],
    *,
    max_hops: int = 4,
    top: int = 10,
    flt: EdgeFilter | None = None,
    **filters: Any,
) -> Brokers:
    """Entities that carry the shortest paths between two groups.

    For each pair (a, b), every shortest path within ``max_hops`` shares one unit of credit
    among its intermediate entities; scores add up over all pairs.

    Examples
    --------
    >>> from graph.testing import mini_store
    >>> [(r.entity.id, r.score) for r in brokers(mini_store(), ["bob"], ["regulator"]).brokers]
    [('acme', 0.5), ('carol', 0.5)]
    """
    if not group_a or not group_b:
        raise InvalidParameter("groups", "both groups need at least one entity")
    if len(group_a) * len(group_b) > 400:
        raise InvalidParameter("groups", "at most 400 pairs")
    flt = flt if flt is not None else make_filter(**filters)
    flt = with_evidence(store, flt)
    a_ids = sorted({resolve(store, r) for r in group_a})
    b_ids = sorted({resolve(store, r) for r in group_b})
    adj = Adjacency(store, flt, directed=False)
    credit: dict[str, float] = {}
    for a in a_ids:
        for b in b_ids:
            if a == b:
                continue
            paths = all_shortest(adj, a, b, max_hops=max_hops, limit=100)
            for p in paths:
                for n in p[1:-1]:
                    credit[n] = credit.get(n, 0.0) + 1.0 / len(paths)
    order = sorted(credit, key=lambda n: (-credit[n], n))[:top]
    ents = store.get_entities(set(order) | set(a_ids) | set(b_ids))
    return Brokers(
        group_a=[ref_of(ents[i]) for i in a_ids],
        group_b=[ref_of(ents[i]) for i in b_ids],
        brokers=[RankItem(entity=ref_of(ents[n]), score=round(credit[n], 6)) for n in order],
    )
