"""The whole graph, capped to the best-connected entities, and its embed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import QueryParams

from api.ui.render import (
    KINDS,
    Filters,
    download_links,
    embed_page,
    flag_param,
    int_param,
    network_fragment,
    qs,
    render_page,
    serve,
    share_links,
    with_entity_sources,
)
from graph.model import Subgraph
from graph.queries.neighbourhood import subgraph_of
from graph.store.base import GraphStore
from graph.viz import (
    MAX_VIEW_NODES,
    cap_subgraph,
    network_view,
)
from graph.viz.clusters import add_communities

router = APIRouter(include_in_schema=False)

# -- whole graph -------------------------------------------------------------------------


def graph_params(qp: QueryParams) -> tuple[int, list[str] | None, Filters]:
    max_nodes = int_param(qp, "max_nodes", MAX_VIEW_NODES, 10, MAX_VIEW_NODES)
    kinds = sorted({k for k in qp.getlist("kind") if k in KINDS}) or None
    if kinds and set(kinds) == set(KINDS):
        kinds = None
    flt = Filters.read(qp)
    flt.extra = {
        "kind": kinds or [],
        "max_nodes": max_nodes if max_nodes != MAX_VIEW_NODES else None,
        "clusters": None if flag_param(qp, "clusters", True) else "0",
    }
    return max_nodes, kinds, flt


def graph_sub(store: GraphStore, max_nodes: int, kinds: list[str] | None, flt: Filters) -> Subgraph:
    ids = [e.id for e in store.iter_entities() if kinds is None or str(e.kind) in kinds]
    sub = subgraph_of(store, ids, flt=flt.edge_filter())
    return with_entity_sources(store, cap_subgraph(sub, max_nodes))


@router.get("/graph", response_class=HTMLResponse, response_model=None)
async def graph_page(request: Request) -> Response:
    """The whole graph, capped to the best-connected entities."""
    return await serve(request, _graph_page, embed=False)


def _graph_page(store: GraphStore, request: Request) -> Response:
    max_nodes, kinds, flt = graph_params(request.query_params)
    sub = graph_sub(store, max_nodes, kinds, flt)
    view = network_view(sub, max_nodes=max_nodes)
    if flag_param(request.query_params, "clusters", True):
        add_communities(view, sub)
    params = flt.params()
    total = store.stats()
    return render_page(
        request,
        "graph.html",
        title="The whole graph",
        total=total,
        shown=len(sub.nodes),
        kinds=kinds or [],
        max_nodes=max_nodes,
        flt=flt,
        network=network_fragment(
            request,
            view,
            title="The whole graph",
            embed=False,
            downloads=download_links(request, "/export/graph", params),
            expand_query=qs(flt.params(), kind=None, max_nodes=None),
            height="huge",
        ),
        share=share_links(request, "/graph", "/embed/graph", params, "cryptokg: the whole graph"),
    )


@router.get("/embed/graph", response_class=HTMLResponse, response_model=None)
async def graph_embed(request: Request) -> Response:
    """Embeddable whole-graph network (switches: search, legend, controls)."""
    return await serve(request, _graph_embed, embed=True)


def _graph_embed(store: GraphStore, request: Request) -> Response:
    max_nodes, kinds, flt = graph_params(request.query_params)
    sub = graph_sub(store, max_nodes, kinds, flt)
    view = network_view(sub, max_nodes=max_nodes)
    if flag_param(request.query_params, "clusters", True):
        add_communities(view, sub)
    return embed_page(
        request,
        view,
        heading="cryptokg: the whole graph",
        title="The whole graph",
        page_path="/graph",
        export_path="/export/graph",
        params=flt.params(),
        expand_query=qs(flt.params(), kind=None, max_nodes=None),
        summary=sub.note,
    )
