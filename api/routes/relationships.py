"""Relationships: list and detail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from api.deps import NO_CONTROL, GraphDep, PageDep, one_of
from api.errors import problem_responses
from api.schemas import EntitySummary, Page, RelationshipDetailOut, RelationshipOut, SourceOut
from graph.errors import NotFound
from graph.narrate import sentence
from graph.store.base import GraphStore
from graph.vocabulary import REL_TYPES, Status

__all__ = ["router"]

router = APIRouter(tags=["relationships"])

RelIdPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=200,
        pattern=NO_CONTROL,
        description="Relationship id.",
        examples=["r-cz-founded-binance"],
    ),
]


def _list(
    store: GraphStore, *, type_: str | None, status: str | None, entity: str | None, offset: int, limit: int
) -> Page[RelationshipOut]:
    if entity is not None:
        rels = store.get_relationships({a.rel_id for a in store.adjacent(entity)})
        pool = [rels[k] for k in sorted(rels)]
    else:
        pool = list(store.iter_relationships())
    hits = [
        r for r in pool if (type_ is None or r.type == type_) and (status is None or str(r.status) == status)
    ]
    items = [RelationshipOut.from_domain(r) for r in hits[offset : offset + limit]]
    return Page[RelationshipOut](items=items, total=len(hits), offset=offset, limit=limit)


@router.get(
    "/relationships",
    response_model=Page[RelationshipOut],
    summary="List relationships",
    responses=problem_responses(),
)
async def list_relationships(
    graph: GraphDep,
    page: PageDep,
    type: Annotated[
        str | None, Query(pattern=one_of(sorted(REL_TYPES)), description="Only this relationship type.")
    ] = None,
    status: Annotated[Status | None, Query(description="Only this status.")] = None,
    entity: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            pattern=NO_CONTROL,
            description="Only relationships at this entity id.",
        ),
    ] = None,
) -> Response:
    """Relationships ordered by id, one page at a time, optionally of one type, status or entity."""
    return await graph.read_json(
        _list,
        type_=type,
        status=status.value if status else None,
        entity=entity,
        offset=page.offset,
        limit=page.limit,
    )


def _detail(store: GraphStore, rel_id: str) -> RelationshipDetailOut:
    rel = store.get_relationship(rel_id)
    if rel is None:
        msg = f"no relationship {rel_id!r}"
        raise NotFound(msg)
    ents = store.get_entities({rel.source, rel.target, *rel.denied_by})
    srcs = store.get_sources(rel.sources)
    names = {i: e.name for i, e in ents.items()}
    return RelationshipDetailOut(
        relationship=RelationshipOut.from_domain(rel),
        source=EntitySummary.from_domain(ents[rel.source]),
        target=EntitySummary.from_domain(ents[rel.target]),
        denied_by=[EntitySummary.from_domain(ents[d]) for d in rel.denied_by if d in ents],
        sentence=sentence(rel, True, names),
        sources=[SourceOut.from_domain(srcs[s]) for s in rel.sources if s in srcs],
    )


@router.get(
    "/relationships/{id}",
    response_model=RelationshipDetailOut,
    summary="One relationship",
    responses=problem_responses(404),
)
async def get_relationship(graph: GraphDep, id: RelIdPath) -> Response:
    """A relationship with its two entities, those who deny it, its sentence and its sources."""
    return await graph.read_json(_detail, id)
