"""Paths between two entities, with one cited sentence per hop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graph.errors import InvalidParameter
from graph.evidence import with_evidence
from graph.filters import EdgeFilter, make_filter
from graph.model import Entity, Hop, Path, Relationship, Source
from graph.narrate import sentence
from graph.queries._walk import STATUS_COST, Adjacency, all_shortest, hop_limited_dijkstra, yen
from graph.queries.lookup import get_entity, ref_of
from graph.results import PathResult
from graph.store.base import Adj, GraphStore
from graph.vocabulary import STATUS_RANK, Status

__all__ = ["MAX_ALL", "MAX_HOPS", "MAX_K", "build_paths", "find_paths", "shortest_link"]

MAX_HOPS = 6
MAX_K = 20
MAX_ALL = 100
MODES = ("shortest", "all", "k")


def _check(mode: str, k: int, max_hops: int) -> None:
    if mode not in MODES:
        raise InvalidParameter("mode", f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    if not 1 <= max_hops <= MAX_HOPS:
        raise InvalidParameter("max_hops", f"must be between 1 and {MAX_HOPS}")
    if not 1 <= k <= MAX_K:
        raise InvalidParameter("k", f"must be between 1 and {MAX_K}")


def _best_rel(rels: list[Relationship]) -> Relationship:
    """The relationship to show for a hop among parallel ones.

    Strongest status first, then dated before undated, then the one with more sources, then id.
    """
    return min(rels, key=lambda r: (-STATUS_RANK[Status(r.status)], r.start is None, -len(r.sources), r.id))


def find_paths(
    store: GraphStore,
    source: str,
    target: str,
    *,
    mode: str = "shortest",
    k: int = 5,
    max_hops: int = 4,
    directed: bool = False,
    weighted: bool = False,
    flt: EdgeFilter | None = None,
    **filters: Any,
) -> PathResult:
    """Paths from ``source`` to ``target`` (ids or names), each hop cited.

    ``mode``: ``shortest`` (one path), ``all`` (every shortest path, up to 100) or ``k`` (the
    ``k`` shortest simple paths, up to 20). Paths are undirected unless ``directed``. With
    ``weighted``, a hop costs 1 when confirmed, 1.5 reported, 3 alleged, 6 denied, and the
    cheapest paths win. ``filters`` are those of ``graph.filters.make_filter`` (types,
    categories, min_status, as_of, avoid, ...); ``kinds`` limits the entities a path passes
    through (the endpoints themselves may be of any kind). When nothing connects the two, the
    result has no paths and a message saying so.

    Examples
    --------
    >>> from graph.testing import mini_store
    >>> res = find_paths(mini_store(), "Alice Example", "Federal Regulator")
    >>> [h.sentence for h in res.paths[0].hops]
    ['Alice Example founded Acme Exchange (2017; single source) [1].', 'Acme Exchange pleaded guilty to charges brought by Federal Regulator (2023-11-21; single source) [1].']
    >>> find_paths(mini_store(), "alice", "lonely").message
    'No path between Alice Example and Lonely Person within 4 hops.'
    """
    _check(mode, k, max_hops)
    flt = flt if flt is not None else make_filter(**filters)
    flt = with_evidence(store, flt)
    src, tgt = get_entity(store, source), get_entity(store, target)
    if src.id in flt.avoid or tgt.id in flt.avoid:
        raise InvalidParameter("avoid", "cannot avoid the path's own endpoints")
    adj = Adjacency(store, flt, directed, exempt=frozenset({src.id, tgt.id}))
    node_paths = _node_paths(store, adj, src.id, tgt.id, mode, k, max_hops, directed, weighted, flt)
    paths, footnotes = _materialise(store, adj, node_paths, weighted)
    result = PathResult(source=ref_of(src), target=ref_of(tgt), mode=mode, paths=paths, footnotes=footnotes)
    if not paths:
        result.message = f"No path between {src.name} and {tgt.name} within {max_hops} hops" + (
            " with these filters." if not flt.is_open else "."
        )
    return result


def shortest_link(store: GraphStore, source_id: str, target_id: str, *, max_hops: int = 4) -> Path | None:
    """The shortest cited path between two entities, or None.

    >>> from graph.testing import mini_store
    >>> shortest_link(mini_store(), "bob", "coin").node_ids
    ['bob', 'acme', 'coin']
    """
    res = find_paths(store, source_id, target_id, max_hops=max_hops)
    return res.paths[0] if res.paths else None


def _node_paths(
    store: GraphStore,
    adj: Adjacency,
    s: str,
    t: str,
    mode: str,
    k: int,
    max_hops: int,
    directed: bool,
    weighted: bool,
    flt: EdgeFilter,
) -> list[list[str]]:
    if s == t:
        return [[s]]
    if weighted:
        costs = _CostMap(store, adj)
        if mode == "shortest":
            got = hop_limited_dijkstra(adj, costs, s, t, max_hops=max_hops)
            return [got[1]] if got else []
        want = k if mode == "k" else MAX_ALL
        paths = yen(adj, s, t, k=want, max_hops=max_hops, edge_cost=costs.edge_costs(), rel_cost=costs)
        if mode == "all" and paths:
            best = costs.path_cost(paths[0])
            paths = [p for p in paths if abs(costs.path_cost(p) - best) < 1e-9]
        return paths
    if mode in ("shortest", "all"):
        # ``kinds`` exempts the endpoints, which the stores' native searches do not know.
        native = (
            None
            if flt.kinds is not None
            else store.native_shortest_paths(
                s, t, directed=directed, flt=flt, max_hops=max_hops, all_paths=mode == "all"
            )
        )
        if native is not None:
            nps = sorted({tuple([s, *(a.other for a in p)]) for p in native})
            found = [list(p) for p in nps]
        else:
            found = all_shortest(adj, s, t, max_hops=max_hops, limit=MAX_ALL if mode == "all" else 1)
        return found[:MAX_ALL] if mode == "all" else found[:1]
    return yen(adj, s, t, k=k, max_hops=max_hops)


class _CostMap(dict[str, float]):
    """Relationship id -> evidence cost, filled lazily from the store."""

    def __init__(self, store: GraphStore, adj: Adjacency) -> None:
        super().__init__()
        self.store = store
        self.adj = adj
        self._edge: dict[tuple[str, str], float] = {}

    def __missing__(self, rel_id: str) -> float:
        rel = self.store.get_relationship(rel_id)
        cost = STATUS_COST[str(rel.status.value if rel is not None else "denied")]
        self[rel_id] = cost
        return cost

    def edge_costs(self) -> _EdgeCost:
        return _EdgeCost(self)

    def path_cost(self, path: list[str]) -> float:
        ec = self.edge_costs()
        return sum(ec[(a, b)] for a, b in zip(path, path[1:], strict=False))


class _EdgeCost(dict[tuple[str, str], float]):
    """(u, v) -> cheapest relationship cost between them in the walking direction."""

    def __init__(self, costs: _CostMap) -> None:
        super().__init__()
        self.costs = costs

    def __missing__(self, key: tuple[str, str]) -> float:
        u, v = key
        cost = min(self.costs[a.rel_id] for a in self.costs.adj.between(u, v))
        self[key] = cost
        return cost


def _materialise(
    store: GraphStore, adj: Adjacency, node_paths: list[list[str]], weighted: bool
) -> tuple[list[Path], list[Source]]:
    options: list[list[list[Adj]]] = [
        [adj.between(u, v) for u, v in zip(p, p[1:], strict=False)] for p in node_paths
    ]
    rels = store.get_relationships({a.rel_id for hops in options for opts in hops for a in opts})
    chosen: list[list[tuple[Relationship, bool]]] = []
    for hops in options:
        walk = []
        for opts in hops:
            best = _best_rel([rels[a.rel_id] for a in opts])
            walk.append((best, next(a.forward for a in opts if a.rel_id == best.id)))
        chosen.append(walk)
    costs = (lambda r: STATUS_COST[str(Status(r.status).value)]) if weighted else (lambda r: 1.0)
    return build_paths(store, [(p[0], walk) for p, walk in zip(node_paths, chosen, strict=True)], costs)


def build_paths(
    store: GraphStore,
    walks: list[tuple[str, list[tuple[Relationship, bool]]]],
    cost: Callable[[Relationship], float] = lambda r: 1.0,
) -> tuple[list[Path], list[Source]]:
    """Cited ``Path`` values from walks given as (start id, [(relationship, forward), ...]).

    Footnote numbers are shared by all the walks, in order of first citation.
    """
    rels = [r for _, walk in walks for r, _ in walk]
    ent_ids = {s for s, _ in walks} | {x for r in rels for x in (r.source, r.target, *r.denied_by)}
    ents: dict[str, Entity] = store.get_entities(ent_ids)
    names = {i: e.name for i, e in ents.items()}
    sources = store.get_sources({s for r in rels for s in r.sources})
    numbers: dict[str, int] = {}
    out: list[Path] = []
    for start, walk in walks:
        nodes = [start]
        hops: list[Hop] = []
        for rel, forward in walk:
            cites = [sources[s] for s in rel.sources if s in sources]
            for c in cites:
                numbers.setdefault(c.id, len(numbers) + 1)
            markers = "".join(f"[{numbers[c.id]}]" for c in cites)
            hops.append(
                Hop(
                    relationship=rel,
                    forward=forward,
                    sentence=sentence(rel, forward, names, markers),
                    citations=cites,
                )
            )
            nodes.append(rel.target if forward else rel.source)
        out.append(Path(nodes=[ents[n] for n in nodes], hops=hops, cost=sum(cost(r) for r, _ in walk)))
    footnotes = [sources[sid] for sid, _ in sorted(numbers.items(), key=lambda kv: kv[1])]
    return out, footnotes
