"""Each view's network in an export format (``/export/...?format=``)."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.ui.common import common_params, common_sub
from api.ui.entity import entity_params
from api.ui.graph import graph_params, graph_sub
from api.ui.path import PathParams, path_result
from api.ui.render import serve
from graph.errors import InvalidParameter
from graph.export import FORMATS, export, paths_subgraph, self_contained
from graph.model import Subgraph
from graph.queries.lookup import resolve
from graph.queries.neighbourhood import neighbourhood
from graph.store.base import GraphStore

router = APIRouter(include_in_schema=False)

# -- downloads ---------------------------------------------------------------------------


def _download(store: GraphStore, sub: Subgraph, fmt: str, name: str) -> Response:
    if fmt not in FORMATS:
        raise InvalidParameter("format", f"expected one of {', '.join(FORMATS)}")
    f = FORMATS[fmt]
    body = export(self_contained(store, sub), fmt, title=f"cryptokg: {name}")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "cryptokg"
    return Response(
        body,
        media_type=f.media_type,
        headers={"Content-Disposition": f'attachment; filename="{safe}.{f.extension}"'},
    )


@router.get("/export/entity/{entity_id}", response_model=None)
async def export_entity(request: Request, entity_id: str) -> Response:
    """The neighbourhood an entity page draws, in an export format (``format=``)."""
    return await serve(request, _export_entity, entity_id, embed=False)


def _export_entity(store: GraphStore, request: Request, entity_id: str) -> Response:
    qp = request.query_params
    depth, max_nodes, flt = entity_params(qp)
    eid = resolve(store, entity_id)
    sub = neighbourhood(store, eid, depth=depth, max_nodes=max_nodes, flt=flt.edge_filter())
    return _download(store, sub, qp.get("format", "json"), f"{eid}-neighbourhood")


@router.get("/export/path", response_model=None)
async def export_path(request: Request) -> Response:
    """The paths the path finder draws, in an export format (``format=``)."""
    return await serve(request, _export_path, embed=False)


def _export_path(store: GraphStore, request: Request) -> Response:
    result = path_result(store, PathParams.read(request.query_params))
    name = f"path-{result.source.id}-{result.target.id}"
    return _download(store, paths_subgraph(result), request.query_params.get("format", "json"), name)


@router.get("/export/common", response_model=None)
async def export_common(request: Request) -> Response:
    """The common-connections network, in an export format (``format=``)."""
    return await serve(request, _export_common, embed=False)


def _export_common(store: GraphStore, request: Request) -> Response:
    refs, max_hops, flt = common_params(request.query_params)
    _result, sub = common_sub(store, refs, max_hops, flt)
    return _download(store, sub, request.query_params.get("format", "json"), "common-connections")


@router.get("/export/graph", response_model=None)
async def export_graph(request: Request) -> Response:
    """The whole-graph view (with its filters and cap), in an export format (``format=``)."""
    return await serve(request, _export_graph, embed=False)


def _export_graph(store: GraphStore, request: Request) -> Response:
    max_nodes, kinds, flt = graph_params(request.query_params)
    sub = graph_sub(store, max_nodes, kinds, flt)
    return _download(store, sub, request.query_params.get("format", "json"), "graph")
