"""Compare two dates side by side: the same network twice, entities in the same places.

``/compare/entity/{id}?a=2022&b=2025`` and ``/compare/path?source=..&target=..&a=..&b=..`` draw
the view once per date from one layout (the client script copies the first network's
positions to the second) and set each network's as-of slider to its year.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from api.ui.entity import entity_params, entity_view
from api.ui.path import PathParams, run_path
from api.ui.render import int_param, qs, render_page, serve
from graph.queries.lookup import resolve
from graph.store.base import GraphStore
from graph.viz import NetworkView, render_fragment

router = APIRouter(include_in_schema=False)


def _years(request: Request, view: NetworkView) -> tuple[int, int]:
    lo, hi = view.years or (2000, dt.date.today().year)
    a = int_param(request.query_params, "a", max(lo, hi - 3), lo, hi)
    b = int_param(request.query_params, "b", hi, lo, hi)
    return a, b


def _pair(request: Request, view: NetworkView, title: str) -> tuple[Markup, Markup]:
    root = str(request.scope.get("root_path", "") or "")

    def one(dom: str) -> Markup:
        return render_fragment(
            view,
            dom_id=dom,
            title=title,
            entity_url=f"{root}/entity/",
            panel_url=f"{root}/ui/panel/",
            show_legend=dom == "compare-b",
            height="tall",
        )

    return one("compare-a"), one("compare-b")


def _page(request: Request, view: NetworkView, title: str, back: str) -> Response:
    a, b = _years(request, view)
    left, right = _pair(request, view, title)
    return render_page(
        request,
        "compare.html",
        title=f"{title}: {a} and {b}",
        heading=title,
        a=a,
        b=b,
        years=view.years,
        back=back,
        left=left,
        right=right,
        network=left,
    )


@router.get("/compare/entity/{ref}", response_class=HTMLResponse, response_model=None)
async def compare_entity(request: Request, ref: str) -> Response:
    """An entity's network at the end of two years, side by side."""
    return await serve(request, _compare_entity, ref)


def _compare_entity(store: GraphStore, request: Request, ref: str) -> Response:
    eid = resolve(store, ref)
    depth, max_nodes, flt = entity_params(request.query_params)
    sub, view = entity_view(store, eid, depth, max_nodes, flt)
    name = next(n.name for n in sub.nodes if n.id == eid)
    root = str(request.scope.get("root_path", "") or "")
    return _page(request, view, f"Network around {name}", f"{root}/entity/{eid}?{qs(flt.params())}")


@router.get("/compare/path", response_class=HTMLResponse, response_model=None)
async def compare_path(request: Request) -> Response:
    """The path finder's answer at the end of two years, side by side."""
    return await serve(request, _compare_path)


def _compare_path(store: GraphStore, request: Request) -> Response:
    p = PathParams.read(request.query_params)
    result, view = run_path(store, p)
    root = str(request.scope.get("root_path", "") or "")
    title = f"Paths from {result.source.name} to {result.target.name}"
    return _page(request, view, title, f"{root}/path?{qs(p.params())}")
