"""Common connections (interlocks): entities linked to every one of several entities."""

from __future__ import annotations

from typing import Any

from graph.errors import InvalidParameter
from graph.evidence import with_evidence
from graph.filters import EdgeFilter, make_filter
from graph.queries.lookup import ref_of, resolve
from graph.results import CommonConnection, CommonResult
from graph.store.base import GraphStore

__all__ = ["common_connections"]


def _reach(
    store: GraphStore, start: str, max_hops: int, flt: EdgeFilter
) -> tuple[dict[str, int], dict[str, list[str]]]:
    dist = {start: 0}
    via: dict[str, list[str]] = {start: []}
    frontier = [start]
    for d in range(1, max_hops + 1):
        nbrs = store.adjacent_many(frontier, flt=flt)
        new = []
        for u in frontier:
            for a in nbrs.get(u, []):
                if a.other not in dist:
                    dist[a.other] = d
                    via[a.other] = [*via[u], a.rel_id]
                    new.append(a.other)
        frontier = sorted(new)
    return dist, via


def common_connections(
    store: GraphStore,
    refs: list[str],
    *,
    max_hops: int = 1,
    limit: int = 25,
    flt: EdgeFilter | None = None,
    **filters: Any,
) -> CommonResult:
    """Entities within ``max_hops`` (1 or 2) of every entity in ``refs``, ranked.

    Score: the sum over the queried entities of 1 / distance (direct links count most);
    ties go to the better-connected entity, then by id. ``via`` lists, per queried entity,
    the relationship ids of one shortest route.

    Examples
    --------
    >>> from graph.testing import mini_store
    >>> res = common_connections(mini_store(), ["bob", "regulator"])
    >>> [(c.entity.id, c.score) for c in res.connections]
    [('acme', 2.0), ('carol', 2.0)]
    """
    if len(refs) < 2:
        raise InvalidParameter("entities", "give at least two entities")
    if len(refs) > 10:
        raise InvalidParameter("entities", "give at most ten entities")
    if max_hops not in (1, 2):
        raise InvalidParameter("max_hops", "must be 1 or 2")
    if not 1 <= limit <= 200:
        raise InvalidParameter("limit", "must be between 1 and 200")
    flt = flt if flt is not None else make_filter(**filters)
    flt = with_evidence(store, flt)
    ids = list(dict.fromkeys(resolve(store, r) for r in refs))
    if len(ids) < 2:
        raise InvalidParameter("entities", "give at least two different entities")
    native = store.common_neighbours(ids, flt=flt) if max_hops == 1 else None
    if native is not None:
        # The store's own answer for one hop: every entity next to all of ``ids``, with the
        # first relationship (by id) to each, as the walk below would pick it.
        reach = {
            i: ({i: 0, **dict.fromkeys(native, 1)}, {i: [], **{n: [vias[i]] for n, vias in native.items()}})
            for i in ids
        }
    else:
        reach = {i: _reach(store, i, max_hops, flt) for i in ids}
    shared = set.intersection(*(set(d) for d, _ in reach.values())) - set(ids)
    deg = store.degrees(shared)
    scored = []
    for n in shared:
        score = sum(1.0 / reach[i][0][n] for i in ids)
        scored.append((-score, -deg.get(n, 0), n))
    scored.sort()
    top = [n for _, _, n in scored[:limit]]
    ents = store.get_entities(top + ids)
    conns = [
        CommonConnection(
            entity=ref_of(ents[n]),
            score=round(-s, 4),
            distance={i: reach[i][0][n] for i in ids},
            via={i: reach[i][1][n] for i in ids},
        )
        for s, _, n in scored[:limit]
    ]
    return CommonResult(entities=[ref_of(ents[i]) for i in ids], max_hops=max_hops, connections=conns)
