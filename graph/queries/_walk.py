"""Graph walks over the ``GraphStore`` interface: cached adjacency, BFS, Dijkstra, Yen.

Paths here are node sequences; the query layer picks the relationship for each hop.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from graph.filters import EdgeFilter
from graph.store.base import Adj, GraphStore, PathSearcher

__all__ = ["Adjacency", "all_shortest", "hop_limited_dijkstra", "yen"]

#: Cost of walking a relationship in evidence-weighted mode, by status.
STATUS_COST = {"confirmed": 1.0, "reported": 1.5, "alleged": 3.0, "denied": 6.0}


@dataclass
class Adjacency:
    """Adjacency lists fetched from a store on demand, one batch per layer, then cached."""

    store: GraphStore
    flt: EdgeFilter | None
    directed: bool
    #: Entities a step may reach whatever ``flt.kinds`` says (a path's own endpoints).
    exempt: frozenset[str] = frozenset()
    _cache: dict[tuple[str, str], list[Adj]] = field(default_factory=dict)
    _searcher: PathSearcher | None | bool = False

    def searcher(self) -> PathSearcher | None:
        """The store's native shortest-path search for this walk, if it has one."""
        if self._searcher is False:
            self._searcher = self.store.path_searcher(
                directed=self.directed, flt=self.flt, exempt=self.exempt
            )
        return self._searcher  # type: ignore[return-value]

    def _fetch(self, ids: Iterable[str], direction: str) -> None:
        missing = [i for i in ids if (i, direction) not in self._cache]
        if not missing:
            return
        got = self.store.adjacent_many(missing, direction=direction, flt=self.flt)
        if self.exempt and self.flt is not None and self.flt.kinds is not None:
            # Steps onto an exempt entity of another kind: fetch without the kinds rule.
            loose = self.store.adjacent_many(missing, direction=direction, flt=replace(self.flt, kinds=None))
            for i in missing:
                extra = [a for a in loose.get(i, []) if a.other in self.exempt]
                if extra:
                    got[i] = sorted(set(got.get(i, [])) | set(extra))
        for i in missing:
            self._cache[(i, direction)] = got.get(i, [])

    def forward(self, ids: Iterable[str]) -> dict[str, list[Adj]]:
        """Steps leaving each id in the walking direction."""
        d = "out" if self.directed else "both"
        ids = list(ids)
        self._fetch(ids, d)
        return {i: self._cache[(i, d)] for i in ids}

    def backward(self, ids: Iterable[str]) -> dict[str, list[Adj]]:
        """Steps arriving at each id (walked from the target's side)."""
        d = "in" if self.directed else "both"
        ids = list(ids)
        self._fetch(ids, d)
        return {i: self._cache[(i, d)] for i in ids}

    def steps(self, u: str) -> list[Adj]:
        """Steps leaving one id."""
        return self.forward([u])[u]

    def between(self, u: str, v: str) -> list[Adj]:
        """The steps from ``u`` to ``v``: ``steps(u)`` reaching ``v``, without listing the others."""
        flt = self.flt
        if flt is not None and flt.kinds is not None and v in self.exempt:
            flt = replace(flt, kinds=None)
        return self.store.edges_between(u, v, direction="out" if self.directed else "both", flt=flt)


def _expand(
    frontier: list[str],
    nbrs: dict[str, list[Adj]],
    dist: dict[str, int],
    preds: dict[str, list[str]],
    depth: int,
    banned_nodes: frozenset[str],
) -> list[str]:
    new: list[str] = []
    for u in frontier:
        for a in nbrs[u]:
            v = a.other
            if v in banned_nodes:
                continue
            dv = dist.get(v)
            if dv is None:
                dist[v] = depth + 1
                preds[v] = [u]
                new.append(v)
            elif dv == depth + 1 and u not in preds[v]:
                preds[v].append(u)
    return new


def all_shortest(
    adj: Adjacency,
    source: str,
    target: str,
    *,
    max_hops: int,
    limit: int | None = None,
    banned_nodes: frozenset[str] = frozenset(),
    banned_edges: frozenset[tuple[str, str]] = frozenset(),
) -> list[list[str]]:
    """The first ``limit`` shortest node paths from source to target within ``max_hops``.

    Every shortest path when ``limit`` is None; [] when there is none. Paths come in
    lexicographic order (the first ``limit`` of the sorted list of all shortest paths), so the
    answer does not depend on how the search grows. A bidirectional BFS finds the length; the
    paths are then listed in order over the layered graph of shortest paths. A store with a
    native search (``GraphStore.path_searcher``) answers instead, with the same result.
    """
    if source == target:
        return [[source]]
    native = adj.searcher()
    if native is not None:
        return native.shortest_paths(
            source,
            target,
            max_hops=max_hops,
            limit=limit,
            banned_nodes=banned_nodes,
            banned_edges=banned_edges,
        )
    dist_s, dist_t = {source: 0}, {target: 0}
    preds_s: dict[str, list[str]] = {source: []}
    preds_t: dict[str, list[str]] = {target: []}
    front_s, front_t = [source], [target]
    depth_s = depth_t = 0
    while front_s and front_t and depth_s + depth_t < max_hops:
        expand_source = len(front_s) <= len(front_t)
        if expand_source:
            nbrs = adj.forward(front_s)
            if banned_edges:
                nbrs = {u: [a for a in v if (u, a.other) not in banned_edges] for u, v in nbrs.items()}
            front_s = sorted(_expand(front_s, nbrs, dist_s, preds_s, depth_s, banned_nodes))
            depth_s += 1
            meet = [m for m in front_s if m in dist_t]
        else:
            nbrs = adj.backward(front_t)
            if banned_edges:
                nbrs = {u: [a for a in v if (a.other, u) not in banned_edges] for u, v in nbrs.items()}
            front_t = sorted(_expand(front_t, nbrs, dist_t, preds_t, depth_t, banned_nodes))
            depth_t += 1
            meet = [m for m in front_t if m in dist_s]
        if meet:
            best = min(dist_s[m] + dist_t[m] for m in meet)
            return _in_order(
                source, [m for m in meet if dist_s[m] + dist_t[m] == best], dist_s, preds_s, preds_t, limit
            )
    return []


def _in_order(
    source: str,
    meet: list[str],
    dist_s: dict[str, int],
    preds_s: dict[str, list[str]],
    preds_t: dict[str, list[str]],
    limit: int | None,
) -> list[list[str]]:
    """Shortest paths through the meeting entities, in lexicographic order, up to ``limit``.

    Every shortest path passes through exactly one meeting entity, at the same position. On
    the source side, only entities that lead to a meeting entity are followed (the
    predecessor lists reversed); on the target side every predecessor leads to the target.
    """
    level = dist_s[meet[0]]
    children: dict[str, set[str]] = {}
    layer = set(meet)
    for _ in range(level):
        prev: set[str] = set()
        for v in layer:
            for u in preds_s[v]:
                children.setdefault(u, set()).add(v)
                prev.add(u)
        layer = prev
    ordered = {u: sorted(vs) for u, vs in children.items()}
    out: list[list[str]] = []
    path = [source]

    def walk(u: str, pos: int) -> bool:
        if pos >= level and not preds_t[u]:
            out.append(list(path))
            return limit is not None and len(out) >= limit
        for w in ordered.get(u, []) if pos < level else sorted(preds_t[u]):
            path.append(w)
            if walk(w, pos + 1):
                return True
            path.pop()
        return False

    walk(source, 0)
    return out


def hop_limited_dijkstra(
    adj: Adjacency,
    cost_of: dict[str, float],
    source: str,
    target: str,
    *,
    max_hops: int,
    banned_nodes: frozenset[str] = frozenset(),
    banned_edges: frozenset[tuple[str, str]] = frozenset(),
) -> tuple[float, list[str]] | None:
    """Cheapest node path within ``max_hops``; ``cost_of`` maps relationship id to its cost.

    Ties are broken by fewer hops, then by the lexicographically smaller path.
    """
    heap: list[tuple[float, int, list[str]]] = [(0.0, 0, [source])]
    settled: dict[tuple[str, int], float] = {}
    while heap:
        cost, hops, path = heapq.heappop(heap)
        u = path[-1]
        if u == target:
            return cost, path
        if hops >= max_hops:
            continue
        for a in adj.steps(u):
            v = a.other
            if v in banned_nodes or v in path or (u, v) in banned_edges:
                continue
            c = cost + cost_of[a.rel_id]
            key = (v, hops + 1)
            if settled.get(key, float("inf")) <= c:
                continue
            settled[key] = c
            heapq.heappush(heap, (c, hops + 1, [*path, v]))
    return None


def _path_cost(path: list[str], edge_cost: dict[tuple[str, str], float]) -> float:
    return sum(edge_cost[(a, b)] for a, b in zip(path, path[1:], strict=False))


def yen(
    adj: Adjacency,
    source: str,
    target: str,
    *,
    k: int,
    max_hops: int,
    edge_cost: dict[tuple[str, str], float] | None = None,
    rel_cost: dict[str, float] | None = None,
) -> list[list[str]]:
    """Up to ``k`` shortest simple node paths within ``max_hops`` (Yen's algorithm).

    Unweighted when ``rel_cost`` is None (hops count), else evidence-weighted.
    """

    def shortest(s: str, bn: frozenset[str], be: frozenset[tuple[str, str]], hops: int) -> list[str] | None:
        if hops <= 0:
            return None
        if rel_cost is None:
            found = all_shortest(adj, s, target, max_hops=hops, limit=1, banned_nodes=bn, banned_edges=be)
            return found[0] if found else None
        got = hop_limited_dijkstra(adj, rel_cost, s, target, max_hops=hops, banned_nodes=bn, banned_edges=be)
        return got[1] if got else None

    def cost(p: list[str]) -> float:
        return float(len(p) - 1) if edge_cost is None else _path_cost(p, edge_cost)

    first = shortest(source, frozenset(), frozenset(), max_hops)
    if first is None:
        return []
    found = [first]
    candidates: list[tuple[float, list[str]]] = []
    seen = {tuple(first)}
    while len(found) < k:
        last = found[-1]
        for i in range(len(last) - 1):
            spur, root = last[i], last[: i + 1]
            be = frozenset((p[i], p[i + 1]) for p in found if len(p) > i + 1 and p[: i + 1] == root)
            bn = frozenset(root[:-1])
            tail = shortest(spur, bn, be, max_hops - i)
            if tail is None:
                continue
            cand = root[:-1] + tail
            if tuple(cand) in seen or len(cand) - 1 > max_hops:
                continue
            seen.add(tuple(cand))
            heapq.heappush(candidates, (cost(cand), cand))
        if not candidates:
            break
        found.append(heapq.heappop(candidates)[1])
    return found
