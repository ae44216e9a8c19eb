"""Common connections of two or more entities, and their embed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import QueryParams

from api.ui.render import (
    Filters,
    download_links,
    embed_page,
    int_param,
    network_fragment,
    qs,
    render_page,
    serve,
    share_links,
    with_entity_sources,
)
from graph.errors import EntityNotFound, GraphError
from graph.model import Subgraph
from graph.queries.common import common_connections
from graph.queries.neighbourhood import subgraph_of
from graph.results import CommonResult
from graph.store.base import GraphStore
from graph.viz import (
    NetworkView,
    common_view,
)

router = APIRouter(include_in_schema=False)

# -- common connections ------------------------------------------------------------------


def common_sub(
    store: GraphStore, refs: list[str], max_hops: int, flt: Filters
) -> tuple[CommonResult, Subgraph]:
    """Common connections, and the subgraph that shows them: the entities and their routes."""
    result = common_connections(store, refs, max_hops=max_hops, limit=50, flt=flt.edge_filter())
    via = {r for c in result.connections for ids in c.via.values() for r in ids}
    ids = {e.id for e in result.entities} | {c.entity.id for c in result.connections}
    ids |= {x for r in store.get_relationships(via).values() for x in (r.source, r.target)}
    return result, subgraph_of(store, sorted(ids), flt=flt.edge_filter())


def _run_common(
    store: GraphStore, refs: list[str], max_hops: int, flt: Filters
) -> tuple[CommonResult, NetworkView]:
    result, sub = common_sub(store, refs, max_hops, flt)
    return result, common_view(result, with_entity_sources(store, sub))


def common_params(qp: QueryParams) -> tuple[list[str], int, Filters]:
    refs = [r.strip() for r in qp.getlist("entity") if r.strip()][:10]
    max_hops = int_param(qp, "max_hops", 1, 1, 2)
    flt = Filters.read(qp)
    flt.extra = {"entity": refs, "max_hops": max_hops if max_hops != 1 else None}
    return refs, max_hops, flt


@router.get("/common", response_class=HTMLResponse, response_model=None)
async def common_page(request: Request) -> Response:
    """Common connections of two or more entities, with their network."""
    return await serve(request, _common_page, embed=False)


def _common_page(store: GraphStore, request: Request) -> Response:
    refs, max_hops, flt = common_params(request.query_params)
    result = None
    view = None
    error: GraphError | None = None
    if len(refs) >= 2:
        try:
            result, view = _run_common(store, refs, max_hops, flt)
        except GraphError as exc:
            error = exc
    params = flt.params()
    names = {e.id: e.name for e in result.entities} if result else {}
    title = "Common connections" + (": " + " & ".join(names.values()) if names else "")
    return render_page(
        request,
        "common.html",
        title=title,
        refs=refs + [""] * max(0, 2 - len(refs)),
        max_hops=max_hops,
        flt=flt,
        result=result,
        error=error,
        suggestions=error.suggestions if isinstance(error, EntityNotFound) else [],
        network=network_fragment(
            request,
            view,
            title=title,
            embed=False,
            downloads=download_links(request, "/export/common", params),
            expand_query=qs(flt.params(), entity=None, max_hops=None),
        )
        if result and view
        else None,
        share=share_links(
            request,
            "/common",
            "/embed/common",
            params,
            f"cryptokg: {title}",
            map_query=qs({"from": "common", **params}),
        )
        if result
        else None,
    )


@router.get("/embed/common", response_class=HTMLResponse, response_model=None)
async def common_embed(request: Request) -> Response:
    """Embeddable common-connections network (switches: search, legend, controls)."""
    return await serve(request, _common_embed, embed=True)


def _common_embed(store: GraphStore, request: Request) -> Response:
    refs, max_hops, flt = common_params(request.query_params)
    result, view = _run_common(store, refs, max_hops, flt)
    heading = "Common connections: " + " & ".join(e.name for e in result.entities)
    return embed_page(
        request,
        view,
        heading=heading,
        title=heading,
        page_path="/common",
        export_path="/export/common",
        params=flt.params(),
        expand_query=qs(flt.params(), entity=None, max_hops=None),
        summary=f"{len(result.connections)} shared connection(s) within {max_hops} hop(s)",
    )
