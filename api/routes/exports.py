"""Exports of the whole graph, a neighbourhood or a path result, in six formats."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from api.deps import EntityIdPath, FilterDep, FilterParams, GraphDep
from api.errors import problem_responses
from api.routes.entities import DepthQuery, DirectionQuery, MaxNodesQuery
from api.routes.paths import PathDep, PathParams, run_paths
from graph.export import FORMATS, export, paths_subgraph, self_contained, whole_graph
from graph.queries.neighbourhood import neighbourhood
from graph.store.base import GraphStore

__all__ = ["router"]

router = APIRouter(tags=["exports"])

FormatQuery = Annotated[
    Literal["json", "graphml", "gexf", "csv", "cypher", "ftm"],
    Query(
        description=(
            "`json`: node-link JSON (re-ingestible through `POST /api/v1/ingest`); `graphml`; "
            "`gexf` (Gephi, dates as time intervals); `csv`: a zip of sources, entities and "
            "relationships that `cryptokg ingest` reads once unzipped; `cypher`: a script for Neo4j 5; "
            "`ftm`: FollowTheMoney entities, JSON Lines, that `cryptokg import ftm` reads back."
        )
    ),
]


def _content() -> dict[int | str, dict[str, Any]]:
    media = {
        f.media_type.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
        for f in FORMATS.values()
    }
    media["application/json"] = {"schema": {"type": "object"}}
    responses: dict[int | str, dict[str, Any]] = {200: {"description": "The export file.", "content": media}}
    return {**responses, **problem_responses(404)}


def _file(data: bytes, fmt: str, stem: str) -> Response:
    f = FORMATS[fmt]
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem)[:100] or "export"
    return Response(
        content=data,
        media_type=f.media_type,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{f.extension}"'},
    )


def _graph_export(store: GraphStore, fmt: str) -> bytes:
    return export(self_contained(store, whole_graph(store)), fmt)


@router.get(
    "/export",
    summary="Export the whole graph",
    response_class=Response,
    response_model=None,
    responses=_content(),
)
async def export_graph(graph: GraphDep, format: FormatQuery = "json") -> Response:
    """Every entity, relationship and source in one file.

    The `csv` and `json` exports ingest back into the same graph (`cryptokg ingest` on the
    unzipped folder, or `POST /api/v1/ingest`).
    """
    data = await graph.read(_graph_export, format)
    return _file(data, format, "cryptokg")


def _neighbours_export(
    store: GraphStore, ref: str, fmt: str, depth: int, direction: str, max_nodes: int, filters: FilterParams
) -> bytes:
    sub = neighbourhood(
        store, ref, depth=depth, direction=direction, max_nodes=max_nodes, flt=filters.edge_filter()
    )
    return export(
        self_contained(store, sub), fmt, title=f"cryptokg: neighbourhood of {', '.join(sub.center)}"
    )


@router.get(
    "/entities/{id}/neighbours/export",
    summary="Export a neighbourhood",
    response_class=Response,
    response_model=None,
    responses=_content(),
)
async def export_neighbours(
    graph: GraphDep,
    id: EntityIdPath,
    filters: FilterDep,
    format: FormatQuery = "json",
    depth: DepthQuery = 1,
    direction: DirectionQuery = "both",
    max_nodes: MaxNodesQuery = 150,
) -> Response:
    """The neighbourhood that `GET /api/v1/entities/{id}/neighbours` returns, as a file.

    Takes the same parameters. The file also holds the entities named in `denied_by` and every
    source cited, so it can be ingested on its own.
    """
    filters.edge_filter()
    data = await graph.read(_neighbours_export, id, format, depth, direction, max_nodes, filters)
    return _file(data, format, f"neighbours-{id}")


def _paths_export(store: GraphStore, params: PathParams, fmt: str) -> bytes:
    res = run_paths(store, params)
    title = f"cryptokg: {res.mode} paths from {res.source.name} to {res.target.name}"
    return export(self_contained(store, paths_subgraph(res)), fmt, title=title)


@router.get(
    "/paths/export",
    summary="Export a path result",
    response_class=Response,
    response_model=None,
    responses=_content(),
)
async def export_paths(graph: GraphDep, params: PathDep, format: FormatQuery = "json") -> Response:
    """The entities and relationships of the paths that `GET /api/v1/paths` finds, as a file.

    Takes the same parameters. With no path, the file holds an empty graph.
    """
    params.filters.edge_filter()
    data = await graph.read(_paths_export, params, format)
    return _file(data, format, "paths")
