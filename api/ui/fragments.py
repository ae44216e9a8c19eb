"""HTML and JSON fragments the client script fetches: the side panel and node expansion."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup

from api.ui.render import Filters, Footnotes, flag_param, jinja_env, security_headers, serve, text_param
from graph.errors import GraphError
from graph.queries.lookup import profile
from graph.queries.neighbourhood import neighbourhood
from graph.store.base import GraphStore
from graph.viz import (
    network_view,
)

router = APIRouter(include_in_schema=False)

# -- fragments for the client script -----------------------------------------------------


@router.get("/ui/panel/{entity_id}", response_class=HTMLResponse, response_model=None)
async def panel(request: Request, entity_id: str) -> Response:
    """Side-panel HTML for one entity (fetched when a node is clicked)."""
    return await serve(request, _panel, entity_id, embed=False)


def _panel(store: GraphStore, request: Request, entity_id: str) -> Response:
    qp = request.query_params
    try:
        prof = profile(store, entity_id)
    except GraphError as exc:
        return HTMLResponse(
            f"<p>{Markup.escape(exc.detail)}</p>", status_code=exc.status, headers=security_headers()
        )
    rels = [v for types in prof.groups.values() for views in types.values() for v in views]
    counts = {cat: sum(len(v) for v in types.values()) for cat, types in prof.groups.items()}
    target = text_param(qp, "target")
    notes = Footnotes()
    ent_nums = notes.cite(prof.sources)
    shown = [(v, notes.cite(v.sources)) for v in rels[:8]]
    html = (
        jinja_env()
        .get_template("_panel.html")
        .render(
            root=request.scope.get("root_path", "") or "",
            prof=prof,
            ent=prof.entity,
            ent_nums=ent_nums,
            rels=shown,
            notes=notes.sources,
            more=max(0, len(rels) - 8),
            counts=counts,
            expand=flag_param(qp, "expand", False),
            target=target if target in ("_top", "_blank") else None,
        )
    )
    return HTMLResponse(html, headers=security_headers())


@router.get("/ui/expand/{entity_id}")
async def expand(request: Request, entity_id: str) -> Response:
    """Neighbours of one entity as drawable nodes and edges (for "expand" in the panel)."""
    return await serve(request, _expand, entity_id, embed=False)


def _expand(store: GraphStore, request: Request, entity_id: str) -> Response:
    flt = Filters.read(request.query_params)
    try:
        sub = neighbourhood(store, entity_id, depth=1, max_nodes=60, flt=flt.edge_filter())
    except GraphError as exc:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status)
    view = network_view(sub)
    return JSONResponse(
        {
            "nodes": view.nodes,
            "edges": view.edges,
            "entities": [{"id": n.id, "name": n.name, "kind_label": n.kind_label} for n in view.entities],
            "relations": [{"id": e.id, "sentence": e.sentence, "status": e.status} for e in view.relations],
            "note": view.note,
        }
    )
