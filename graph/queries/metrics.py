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
#: Scores already computed, per store: (version, filter, metric) -> scores. Kept for the current
#: version only, so a ranking costs its computation once per graph version and filter.
_SCORES: weakref.WeakKeyDictionary[GraphStore, dict[tuple[str, EdgeFilter, str], dict[str, float]]] = (
    weakref.WeakKeyDictionary()
)
#: Louvain partitions already found, per store: (version, filter, seed) -> communities.
_PARTS: weakref.WeakKeyDictionary[GraphStore, dict[tuple[str, EdgeFilter, int], list[set[str]]]] = (
    weakref.WeakKeyDictionary()
)
#: Work that networkx's betweenness does per second on the project's 2-core machine, counted as
#: (BFS sources) x (entities + relationships); measured at about 0.8 million, rounded up so only
#: requests that surely cannot finish are refused (``cancel.Watchdog`` stops the others).
BETWEENNESS_RATE = 1_000_000.0
#: Entities plus relationships that networkx's Louvain gets through per second here (measured at
#: about 6,000 on a busy machine and 12,000 on an idle one; rounded up, as above).
LOUVAIN_RATE = 20_000.0
#: Sources sampled by betweenness above this many entities (exact below it).
EXACT_BETWEENNESS = 5000
SAMPLED_SOURCES = 500


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
    budget: float | None = None,
    **filters: Any,
) -> list[RankItem]:
    """Top entities by ``degree``, ``betweenness`` (normalised) or ``pagerank``.

    Computed on the undirected graph of relationships that pass the filters; parallel
    relationships count once. Ties are broken by id. Scores are kept per graph version and
    filter. With ``budget`` (seconds), a betweenness that cannot finish in it is refused
    (``InvalidParameter``) before it starts.

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
    per = _SCORES.setdefault(store, {})
    key = (store.version, flt, metric)
    scores = per.get(key)
    if scores is None:
        if metric == "betweenness":
            _check_cost(store, "betweenness", budget)
        scores = _scores(_graph(store, flt), metric)
        if any(k[0] != store.version for k in per):
            per.clear()
        per[key] = scores
    ents = store.get_entities(scores)
    order = sorted(
        (n for n in scores if kind is None or str(ents[n].kind) == kind), key=lambda n: (-scores[n], n)
    )[:top]
    return [RankItem(entity=ref_of(ents[n]), score=round(scores[n], 6)) for n in order]


def _check_cost(store: GraphStore, what: str, budget: float | None) -> None:
    """Refuse, before any work, an analysis of the whole graph that cannot finish in ``budget``.

    The estimate uses the store's counts (filters only make the graph smaller, so it is an upper
    bound) and the rates measured on this project's machine.
    """
    if budget is None:
        return
    st = store.stats()
    n, m = st.entities, st.relationships
    if what == "betweenness":
        k = n if n <= EXACT_BETWEENNESS else SAMPLED_SOURCES
        need = k * (n + m) / BETWEENNESS_RATE
        alternative = "or rank by degree or pagerank"
    else:
        need = (n + m) / LOUVAIN_RATE
        alternative = "or look at one entity's neighbourhood"
    if need > budget:
        msg = (
            f"{what} over {n:,} entities and {m:,} relationships needs about {need:,.0f} s, "
            f"more than the time budget of {budget:g} s; narrow the graph with filters "
            f"(categories, types, min_status, as_of) {alternative}"
        )
        raise InvalidParameter("metric" if what == "betweenness" else "graph", msg)


def _scores(g: nx.Graph, metric: str) -> dict[str, float]:
    if metric == "degree":
        return {n: float(d) for n, d in g.degree()}
    if metric == "betweenness":
        k = None if g.number_of_nodes() <= EXACT_BETWEENNESS else SAMPLED_SOURCES
        out: dict[str, float] = nx.betweenness_centrality(g, k=k, seed=7)
        return out
    return nx.pagerank(g) if g.number_of_edges() else {n: 0.0 for n in g}


def communities(
    store: GraphStore,
    *,
    seed: int = 42,
    min_size: int = 2,
    flt: EdgeFilter | None = None,
    budget: float | None = None,
    **filters: Any,
) -> list[Community]:
    """Communities found by Louvain modularity with a fixed ``seed`` (deterministic).

    Ordered by size, largest first, then by smallest member id. The partition is kept per graph
    version, filter and seed.
    """
    flt = flt if flt is not None else make_filter(**filters)
    flt = with_evidence(store, flt)
    per = _PARTS.setdefault(store, {})
    key = (store.version, flt, seed)
    parts = per.get(key)
    if parts is None:
        _check_cost(store, "communities", budget)
        g = _graph(store, flt)
        parts = nx.community.louvain_communities(g, seed=seed) if g.number_of_edges() else []
        if any(k[0] != store.version for k in per):
            per.clear()
        per[key] = parts
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
