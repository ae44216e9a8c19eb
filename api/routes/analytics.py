"""Timelines, rankings, communities, brokers and conflict-of-interest patterns."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from api.deps import MAX_LIST_ITEMS, NO_CONTROL, FilterDep, GraphDep, RefList, split_list
from api.errors import problem_responses
from api.schemas import (
    BrokersOut,
    CommunitiesOut,
    CommunityOut,
    ConflictsOut,
    RankingOut,
    RankItemOut,
    TimelineItemOut,
    TimelineOut,
)
from graph.dates import parse_partial_date
from graph.errors import InvalidParameter
from graph.queries.conflicts import conflicts
from graph.queries.metrics import brokers, communities, rank
from graph.queries.paths import MAX_HOPS
from graph.queries.timeline import timeline
from graph.store.base import GraphStore
from graph.vocabulary import EntityKind

__all__ = ["router"]

router = APIRouter(tags=["analytics"])

PartialDateQuery = Annotated[
    str | None,
    Query(
        pattern=r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$",
        description="YYYY, YYYY-MM or YYYY-MM-DD.",
    ),
]
CONFLICT_NOTE = (
    "A match shows that documented power and a documented interest meet; it is not evidence of "
    "wrongdoing. Each hop keeps its status and sources."
)


def _partial_date(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return parse_partial_date(value)
    except ValueError as exc:
        raise InvalidParameter(name, str(exc)) from None


@router.get(
    "/timeline",
    response_model=TimelineOut,
    summary="Timeline of dated relationships and events",
    responses=problem_responses(404),
)
async def get_timeline(
    graph: GraphDep,
    entities: Annotated[
        RefList | None,
        Query(
            max_length=MAX_LIST_ITEMS,
            description="Only what involves these entities (ids or names); none: the whole graph.",
        ),
    ] = None,
    start: PartialDateQuery = None,
    end: PartialDateQuery = None,
    limit: Annotated[int, Query(ge=1, le=5000, description="Most items, 1 to 5000.")] = 500,
    evidence: Annotated[
        Literal["any", "primary"],
        Query(description="`primary`: only relationships citing a primary record."),
    ] = "any",
) -> Response:
    """Dated relationships and dated events or agreements, oldest first, each with its sources.

    With `entities`, only relationships at those entities and the events and agreements linked
    to them. `start` and `end` bound the dates shown; undated relationships are left out.
    """
    refs = split_list("entities", entities)
    lo, hi = _partial_date("start", start), _partial_date("end", end)

    def work(store: GraphStore) -> TimelineOut:
        items = timeline(store, refs, start=lo, end=hi, limit=limit, evidence=evidence)
        return TimelineOut(entities=refs or [], items=[TimelineItemOut.from_domain(i) for i in items])

    return await graph.read_json(work)


@router.get(
    "/analytics/rankings",
    response_model=RankingOut,
    summary="Rank entities by centrality",
    responses=problem_responses(),
)
async def get_rankings(
    graph: GraphDep,
    filters: FilterDep,
    metric: Annotated[
        Literal["degree", "betweenness", "pagerank"],
        Query(description="degree, betweenness (normalised) or pagerank."),
    ] = "degree",
    top: Annotated[int, Query(ge=1, le=500, description="How many, 1 to 500.")] = 10,
    kind: Annotated[EntityKind | None, Query(description="Only rank entities of this kind.")] = None,
) -> Response:
    """Top entities by degree, betweenness or PageRank.

    Computed on the undirected graph of the relationships that pass the filters; parallel
    relationships count once; ties are broken by id.
    """
    flt = filters.edge_filter()

    def work(store: GraphStore) -> RankingOut:
        items = rank(
            store, metric=metric, top=top, kind=kind.value if kind else None, flt=flt, budget=graph.timeout
        )
        return RankingOut(metric=metric, items=[RankItemOut.from_domain(i) for i in items])

    return await graph.read_json(work)


@router.get(
    "/analytics/communities",
    response_model=CommunitiesOut,
    summary="Communities of entities",
    responses=problem_responses(),
)
async def get_communities(
    graph: GraphDep,
    filters: FilterDep,
    seed: Annotated[
        int, Query(ge=0, le=2**31 - 1, description="Random seed; the same seed gives the same answer.")
    ] = 42,
    min_size: Annotated[int, Query(ge=1, le=10_000, description="Smallest community listed.")] = 2,
    limit: Annotated[int, Query(ge=1, le=1000, description="Most communities listed, largest first.")] = 50,
    members: Annotated[int, Query(ge=1, le=10_000, description="Most members listed per community.")] = 200,
) -> Response:
    """Communities found by Louvain modularity, largest first.

    Deterministic for a given `seed` and graph version. Computed on the undirected graph of the
    relationships that pass the filters. `total` counts them all; the `limit` largest are
    listed, each with at most `members` members (`size` gives the full count).
    """
    flt = filters.edge_filter()

    def work(store: GraphStore) -> CommunitiesOut:
        found = communities(store, seed=seed, min_size=min_size, flt=flt, budget=graph.timeout)
        listed = [CommunityOut.from_domain(c, members=members) for c in found[:limit]]
        return CommunitiesOut(seed=seed, total=len(found), communities=listed)

    return await graph.read_json(work)


@router.get(
    "/analytics/brokers",
    response_model=BrokersOut,
    summary="Brokers between two groups",
    responses=problem_responses(404),
)
async def get_brokers(
    graph: GraphDep,
    filters: FilterDep,
    group_a: Annotated[
        RefList, Query(min_length=1, max_length=20, description="First group (ids or names), up to 20.")
    ],
    group_b: Annotated[
        RefList, Query(min_length=1, max_length=20, description="Second group (ids or names), up to 20.")
    ],
    max_hops: Annotated[
        int, Query(ge=1, le=MAX_HOPS, description=f"Longest path considered, 1 to {MAX_HOPS}.")
    ] = 4,
    top: Annotated[int, Query(ge=1, le=500, description="How many, 1 to 500.")] = 10,
) -> Response:
    """Entities that carry the shortest paths between two groups of entities.

    For each pair, every shortest path within `max_hops` shares one unit of credit among the
    entities it passes through; scores add up over all pairs.
    """
    a = split_list("group_a", group_a) or []
    b = split_list("group_b", group_b) or []
    if len(a) > 20 or len(b) > 20:
        raise InvalidParameter("groups", "at most 20 entities per group")
    flt = filters.edge_filter()
    return await graph.read_json(
        lambda s: BrokersOut.from_domain(brokers(s, a, b, max_hops=max_hops, top=top, flt=flt))
    )


@router.get(
    "/conflicts",
    response_model=ConflictsOut,
    summary="Conflict-of-interest patterns",
    responses=problem_responses(404),
)
async def get_conflicts(
    graph: GraphDep,
    filters: FilterDep,
    entity: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            pattern=NO_CONTROL,
            description="Only matches where this entity is involved.",
        ),
    ] = None,
    max_chain: Annotated[int, Query(ge=1, le=5, description="Longest money or family chain, 1 to 5.")] = 4,
    limit: Annotated[int, Query(ge=1, le=1000, description="Most matches, 1 to 1000.")] = 100,
) -> Response:
    """Where documented power over a party meets a documented money or family tie to it.

    A match needs an official (or a body where the official holds office) with power over a
    party (prosecutes, fines, sues, monitors, pardons, ...), and a chain of money or family
    ties from the official to that party. Each match is a cited path. A match is not evidence
    of wrongdoing.
    """
    flt = filters.edge_filter()
    return await graph.read_json(
        lambda s: ConflictsOut.from_domain(
            conflicts(s, entity=entity, max_chain=max_chain, limit=limit, flt=flt), CONFLICT_NOTE
        )
    )
