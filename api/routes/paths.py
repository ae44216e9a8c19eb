"""How entities are connected: paths between two entities and common connections."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from api.deps import MAX_LIST_ITEMS, NO_CONTROL, FilterDep, FilterParams, GraphDep, RefList, split_list
from api.errors import problem_responses
from api.schemas import CommonOut, PathsOut
from graph.queries.common import common_connections
from graph.queries.lookup import resolve
from graph.queries.paths import MAX_HOPS, MAX_K, find_paths
from graph.results import PathResult
from graph.store.base import GraphStore

__all__ = ["PathParams", "router", "run_paths"]

router = APIRouter(tags=["paths"])

RefQuery = Annotated[str, Query(min_length=1, max_length=200, pattern=NO_CONTROL)]


@dataclass(frozen=True, slots=True)
class PathParams:
    """The parameters of a path query (shared with the path export)."""

    source: str
    target: str
    mode: str
    k: int
    max_hops: int
    directed: bool
    weighted: bool
    avoid: list[str] | None
    filters: FilterParams


async def path_params(
    filters: FilterDep,
    source: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="From: entity id (or exact name or alias).",
            examples=["changpeng-zhao"],
        ),
    ],
    target: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="To: entity id (or exact name or alias).",
            examples=["donald-trump"],
        ),
    ],
    mode: Annotated[
        Literal["shortest", "all", "k"],
        Query(
            description="`shortest`: one path; `all`: every shortest path (up to 100); `k`: the k shortest."
        ),
    ] = "shortest",
    k: Annotated[int, Query(ge=1, le=MAX_K, description=f"With `mode=k`: how many paths, 1 to {MAX_K}.")] = 5,
    max_hops: Annotated[
        int, Query(ge=1, le=MAX_HOPS, description=f"Longest path, 1 to {MAX_HOPS} hops.")
    ] = 4,
    directed: Annotated[bool, Query(description="Follow relationships only in their direction.")] = False,
    weighted: Annotated[
        bool,
        Query(
            description="Prefer stronger evidence: a hop costs 1 confirmed, 1.5 reported, 3 alleged, 6 denied."
        ),
    ] = False,
    avoid: Annotated[
        RefList | None,
        Query(
            max_length=MAX_LIST_ITEMS,
            description="Entities a path may not pass through (ids or names). Repeat or separate with commas.",
        ),
    ] = None,
) -> PathParams:
    return PathParams(
        source=source,
        target=target,
        mode=mode,
        k=k,
        max_hops=max_hops,
        directed=directed,
        weighted=weighted,
        avoid=split_list("avoid", avoid),
        filters=filters,
    )


PathDep = Annotated[PathParams, Depends(path_params)]


def run_paths(store: GraphStore, p: PathParams) -> PathResult:
    """Resolve the entities to avoid, then find the paths (one unit of work for the runner)."""
    avoid = [resolve(store, a) for a in p.avoid or []]
    return find_paths(
        store,
        p.source,
        p.target,
        mode=p.mode,
        k=p.k,
        max_hops=p.max_hops,
        directed=p.directed,
        weighted=p.weighted,
        flt=p.filters.edge_filter(avoid),
    )


@router.get(
    "/paths",
    response_model=PathsOut,
    summary="Paths between two entities",
    responses=problem_responses(404),
)
async def get_paths(graph: GraphDep, params: PathDep) -> Response:
    """How `source` and `target` are connected, each hop a cited sentence.

    Every path lists its entities (`nodes`), its relationships (`edges`) and one sentence per
    hop with footnote markers such as `[1]`; `footnotes` gives the sources in order of first
    citation, so `[n]` is `footnotes[n-1]`, and each hop also carries its own `citations`.
    Paths ignore direction unless `directed`. When nothing connects the two within
    `max_hops` (and the filters), `paths` is empty and `message` says so; that is a 200.
    """
    params.filters.edge_filter()  # reject bad filters before using a worker thread
    return await graph.read_json(lambda s: PathsOut.from_domain(run_paths(s, params)))


@router.get(
    "/common",
    response_model=CommonOut,
    summary="Common connections of several entities",
    responses=problem_responses(404),
)
async def get_common(
    graph: GraphDep,
    filters: FilterDep,
    entities: Annotated[
        RefList,
        Query(
            min_length=1,
            max_length=10,
            description="Two to ten entities (ids or names). Repeat or separate with commas.",
        ),
    ],
    max_hops: Annotated[
        int, Query(ge=1, le=2, description="1: direct links only; 2: also two hops away.")
    ] = 1,
    limit: Annotated[int, Query(ge=1, le=200, description="Most connections, 1 to 200.")] = 25,
) -> Response:
    """Entities linked to every one of the given entities (interlocks), ranked.

    The score adds up 1 / distance over the queried entities, so direct links count most; ties
    go to the better-connected entity. `via` gives, per queried entity, the relationship ids of
    one shortest route.
    """
    refs = split_list("entities", entities) or []
    flt = filters.edge_filter()
    return await graph.read_json(
        lambda s: CommonOut.from_domain(common_connections(s, refs, max_hops=max_hops, limit=limit, flt=flt))
    )
