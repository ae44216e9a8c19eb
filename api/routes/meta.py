"""Health, counts and the data dictionary."""

from __future__ import annotations

import types
import typing
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel

from api.deps import GraphDep, ServiceDep
from api.errors import problem_responses
from api.schemas import (
    EntityKindOut,
    FieldOut,
    FormatOut,
    HealthOut,
    NamedHelp,
    RelTypeOut,
    SchemaOut,
    StatsOut,
    StatusOut,
)
from graph.export import FORMATS
from graph.model import Entity, Relationship, Source
from graph.store.base import GraphStore
from graph.vocabulary import (
    CATEGORY_HELP,
    ENTITY_KIND_HELP,
    REL_TYPES,
    SOURCE_KIND_HELP,
    STATUS_HELP,
    STATUS_RANK,
    label_for_kind,
    neo4j_rel_type,
)

__all__ = ["health_router", "router", "schema_of"]

router = APIRouter(tags=["meta"])
health_router = APIRouter(tags=["meta"])


def _health(store: GraphStore) -> HealthOut:
    store.ping()
    stats = store.stats()
    return HealthOut(
        status="ok",
        backend=store.backend,
        store=store.describe(),
        version=store.version,
        entities=stats.entities,
        relationships=stats.relationships,
    )


@health_router.get(
    "/health", response_model=HealthOut, summary="Health check", responses=problem_responses(base=(503, 504))
)
async def health(service: ServiceDep) -> HealthOut:
    """`ok` with the store's backend, location, graph version and counts; 503 when the store is down.

    Never cached: it answers without an `ETag`.
    """
    runner = await service.runner()
    await runner.sync()
    return await runner.read(_health)


@router.get(
    "/stats",
    response_model=StatsOut,
    summary="Counts of the graph",
    responses=problem_responses(base=(503, 504)),
)
async def stats(graph: GraphDep) -> Response:
    """Entities, relationships and sources, by kind, type and status, and the graph version."""
    return await graph.read_json(lambda s: StatsOut.from_domain(s.stats(), s.backend))


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(a) for a in typing.get_args(annotation) if a is not type(None))
    if origin is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0])
    if origin is not None:
        args = ", ".join(_type_name(a) for a in typing.get_args(annotation))
        return f"{getattr(origin, '__name__', str(origin))}[{args}]"
    return getattr(annotation, "__name__", str(annotation))


def _fields(model: type[BaseModel]) -> list[FieldOut]:
    return [
        FieldOut(
            name=name,
            type=_type_name(info.annotation),
            required=info.is_required(),
            description=info.description,
        )
        for name, info in model.model_fields.items()
    ]


def schema_of() -> SchemaOut:
    """The data dictionary, built from the vocabulary and the record models."""
    return SchemaOut(
        entity_kinds=[
            EntityKindOut(name=k.value, description=h, label=label_for_kind(k.value))
            for k, h in ENTITY_KIND_HELP.items()
        ],
        relationship_types=[
            RelTypeOut(
                name=t.name,
                category=t.category.value,
                verb=t.verb,
                reverse_verb=t.reverse_verb,
                description=t.description,
                symmetric=t.symmetric,
                power=t.power,
                tie=t.tie,
                neo4j_type=neo4j_rel_type(t.name),
            )
            for t in REL_TYPES.values()
        ],
        categories=[NamedHelp(name=c.value, description=h) for c, h in CATEGORY_HELP.items()],
        statuses=[
            StatusOut(name=s.value, description=h, rank=STATUS_RANK[s]) for s, h in STATUS_HELP.items()
        ],
        source_kinds=[NamedHelp(name=k.value, description=h) for k, h in SOURCE_KIND_HELP.items()],
        records={"source": _fields(Source), "entity": _fields(Entity), "relationship": _fields(Relationship)},
        export_formats=[
            FormatOut(name=f.name, description=f.description, media_type=f.media_type)
            for f in FORMATS.values()
        ],
    )


@router.get("/schema", response_model=SchemaOut, summary="Data dictionary")
async def schema() -> SchemaOut:
    """Every entity kind, relationship type (with its verbs and category), category, status and
    source kind, the fields of each record kind, and the export formats.

    Generated from the model, so it always matches what the API accepts and returns.
    """
    return schema_of()
