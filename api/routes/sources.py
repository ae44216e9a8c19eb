"""Sources: list, detail, and the facts that cite a source."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from api.deps import NO_CONTROL, GraphDep, PageDep
from api.errors import problem_responses
from api.schemas import CitationsOut, EntitySummary, Page, RelationshipOut, SourceOut
from graph.errors import NotFound
from graph.model import Source
from graph.store.base import GraphStore
from graph.vocabulary import SourceKind

__all__ = ["router"]

router = APIRouter(tags=["sources"])

SourceIdPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=200,
        pattern=NO_CONTROL,
        description="Source id.",
        examples=["doj-2023-11-21-binance-plea"],
    ),
]


def _list(store: GraphStore, kind: str | None, offset: int, limit: int) -> Page[SourceOut]:
    hits = [s for s in store.iter_sources() if kind is None or str(s.kind) == kind]
    items = [SourceOut.from_domain(s) for s in hits[offset : offset + limit]]
    return Page[SourceOut](items=items, total=len(hits), offset=offset, limit=limit)


@router.get(
    "/sources",
    response_model=Page[SourceOut],
    summary="List sources",
    responses=problem_responses(),
)
async def list_sources(
    graph: GraphDep,
    page: PageDep,
    kind: Annotated[SourceKind | None, Query(description="Only sources of this kind.")] = None,
) -> Response:
    """Sources ordered by id, one page at a time, optionally of one kind."""
    return await graph.read_json(_list, kind.value if kind else None, page.offset, page.limit)


def _get(store: GraphStore, source_id: str) -> Source:
    src = store.get_source(source_id)
    if src is None:
        msg = f"no source {source_id!r}"
        raise NotFound(msg)
    return src


@router.get(
    "/sources/{id}",
    response_model=SourceOut,
    summary="One source",
    responses=problem_responses(404),
)
async def get_source(graph: GraphDep, id: SourceIdPath) -> Response:
    """A source: its kind, title, publisher, URL, date and summary."""
    return await graph.read_json(lambda s: SourceOut.from_domain(_get(s, id)))


def _citations(store: GraphStore, source_id: str, offset: int, limit: int) -> CitationsOut:
    src = _get(store, source_id)
    ent_ids, rel_ids = store.citing(source_id)
    ent_page, rel_page = ent_ids[offset : offset + limit], rel_ids[offset : offset + limit]
    ents = store.get_entities(ent_page)
    rels = store.get_relationships(rel_page)
    return CitationsOut(
        source=SourceOut.from_domain(src),
        entities=[EntitySummary.from_domain(ents[i]) for i in ent_page if i in ents],
        relationships=[RelationshipOut.from_domain(rels[i]) for i in rel_page if i in rels],
        entities_total=len(ent_ids),
        relationships_total=len(rel_ids),
        offset=offset,
        limit=limit,
    )


@router.get(
    "/sources/{id}/citations",
    response_model=CitationsOut,
    summary="Facts that cite a source",
    responses=problem_responses(404),
)
async def get_citations(graph: GraphDep, id: SourceIdPath, page: PageDep) -> Response:
    """The entities and relationships that cite this source, ordered by id.

    `offset` and `limit` page both lists at once; `entities_total` and `relationships_total`
    say how many there are.
    """
    return await graph.read_json(_citations, id, page.offset, page.limit)
