"""Entities: search, list, profile and neighbourhood."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from api.deps import NO_CONTROL, EntityIdPath, FilterDep, GraphDep, PageDep
from api.errors import problem_responses
from api.schemas import EntityOut, Page, ProfileOut, SearchHitOut, SearchOut, SubgraphOut
from graph.queries.lookup import MAX_LIMIT, normalize, profile, search
from graph.queries.neighbourhood import MAX_DEPTH, MAX_NODES, neighbourhood
from graph.store.base import GraphStore
from graph.vocabulary import EntityKind

__all__ = ["router"]

router = APIRouter(tags=["entities"])

#: Most relationships a profile lists per type.
MAX_PER_TYPE = 1000

DepthQuery = Annotated[int, Query(ge=1, le=MAX_DEPTH, description=f"Hops from the entity, 1 to {MAX_DEPTH}.")]
DirectionQuery = Annotated[
    Literal["both", "out", "in"],
    Query(description="Follow relationships both ways, only outgoing or only incoming."),
]
MaxNodesQuery = Annotated[
    int,
    Query(
        ge=1,
        le=MAX_NODES,
        description=f"Node cap, 1 to {MAX_NODES}: the closest, best-connected entities are kept.",
    ),
]


@router.get(
    "/search",
    response_model=SearchOut,
    summary="Search entities by name or alias",
    responses=problem_responses(),
)
async def search_entities(
    graph: GraphDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            pattern=NO_CONTROL,
            description="Name, alias, prefix or misspelling.",
        ),
    ],
    kind: Annotated[EntityKind | None, Query(description="Only entities of this kind.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Most results, 1 to {MAX_LIMIT}.")] = 10,
) -> SearchOut | Response:
    """Find entities by name or alias, best match first.

    Matching ignores case, accents and punctuation and works for aliases in any script
    (`赵长鹏` finds Changpeng Zhao). Whole names and aliases rank first, then prefixes, then
    fuzzy matches (typos); within each, people and organisations come before assets, events,
    agreements and documents, then exact names before aliases; ties go to the
    better-connected entity. A query without letters or digits matches nothing.
    """
    if not normalize(q):
        return SearchOut(query=q, kind=kind, results=[])

    def work(store: GraphStore) -> SearchOut:
        hits = search(store, q, kind=kind.value if kind else None, limit=limit)
        return SearchOut(query=q, kind=kind, results=[SearchHitOut.from_domain(h) for h in hits])

    return await graph.read_json(work)


@router.get(
    "/entities",
    response_model=Page[EntityOut],
    summary="List entities",
    responses=problem_responses(),
)
async def list_entities(
    graph: GraphDep,
    page: PageDep,
    kind: Annotated[EntityKind | None, Query(description="Only entities of this kind.")] = None,
) -> Response:
    """Entities ordered by id, one page at a time, with the total number matching."""

    def work(store: GraphStore) -> Page[EntityOut]:
        items, total = store.list_entities(
            kind=kind.value if kind else None, offset=page.offset, limit=page.limit
        )
        return Page[EntityOut](
            items=[EntityOut.from_domain(e) for e in items], total=total, offset=page.offset, limit=page.limit
        )

    return await graph.read_json(work)


@router.get(
    "/entities/{id}",
    response_model=ProfileOut,
    summary="Profile of an entity",
    responses=problem_responses(404),
)
async def get_entity_profile(
    graph: GraphDep,
    id: EntityIdPath,
    limit: Annotated[
        int,
        Query(ge=1, le=MAX_PER_TYPE, description=f"Most relationships listed per type, 1 to {MAX_PER_TYPE}."),
    ] = 100,
    evidence: Annotated[
        Literal["any", "primary"],
        Query(description="`primary`: only relationships citing a primary record."),
    ] = "any",
) -> Response:
    """One entity with every relationship it has, grouped by category and then by type.

    Each relationship comes with the other entity, a sentence read from this entity's side,
    its dates, status and sources; each type lists at most `limit` relationships, oldest first,
    and `counts` gives how many there are (`truncated` says whether some were left out). An
    unknown id answers 404 with close matches in `suggestions`.
    """
    return await graph.read_json(
        lambda s: ProfileOut.from_domain(profile(s, id, evidence=evidence), limit=limit)
    )


@router.get(
    "/entities/{id}/neighbours",
    response_model=SubgraphOut,
    summary="Neighbourhood of an entity",
    responses=problem_responses(404),
)
async def get_neighbours(
    graph: GraphDep,
    id: EntityIdPath,
    filters: FilterDep,
    depth: DepthQuery = 1,
    direction: DirectionQuery = "both",
    max_nodes: MaxNodesQuery = 150,
) -> Response:
    """Entities within `depth` hops of the entity and every relationship among them.

    The walk uses only relationships that pass the filters. When more than `max_nodes`
    entities are reached, the closest are kept, and within a distance the best-connected;
    `truncated`, `cut_nodes` and `note` say what was left out. `sources` holds every source
    the relationships cite.
    """
    flt = filters.edge_filter()
    return await graph.read_json(
        lambda s: SubgraphOut.from_domain(
            neighbourhood(s, id, depth=depth, direction=direction, max_nodes=max_nodes, flt=flt)
        )
    )
