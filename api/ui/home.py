"""Home page, search results and the UI's own files (``/static/...``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from api.ui.render import ENTRY_ENTITIES, ENTRY_QUESTIONS, assets, qs, render_page, serve, text_param
from graph.errors import InvalidParameter
from graph.queries.lookup import search
from graph.queries.metrics import rank
from graph.store.base import GraphStore

router = APIRouter(include_in_schema=False)

# -- assets ------------------------------------------------------------------------------


@router.get("/static/{name:path}")
def static(name: str) -> Response:
    """Serve one of the UI's own files (a fixed list: nothing outside it is reachable)."""
    files, _version = assets()
    path = files.get(name)
    if path is None:
        return Response("not found", status_code=404, media_type="text/plain")
    media = None
    if name.endswith(".js"):
        media = "text/javascript; charset=utf-8"
    elif name.endswith(".css"):
        media = "text/css; charset=utf-8"
    elif name.endswith(".svg"):
        media = "image/svg+xml"
    return FileResponse(
        path,
        media_type=media,
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/favicon.ico")
def favicon(request: Request) -> Response:
    """The site icon (browsers ask for this path on their own)."""
    root = request.scope.get("root_path", "") or ""
    return RedirectResponse(f"{root}/static/ui/favicon.svg", status_code=308)


# -- home and search ---------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    """Home page: search, the graph's counts and entry points into the story."""
    return await serve(request, _home, embed=False)


def _home(store: GraphStore, request: Request) -> Response:
    stats = store.stats()
    present = store.get_entities([e for e, _ in ENTRY_ENTITIES] + [i for q in ENTRY_QUESTIONS for i in q[3]])
    entries = [(present[e], why) for e, why in ENTRY_ENTITIES if e in present]
    questions = [
        (text, path, qs(params))
        for text, path, params, needs in ENTRY_QUESTIONS
        if set(needs) <= set(present)
    ]
    top = rank(store, top=8) if stats.entities else []
    return render_page(
        request,
        "home.html",
        title="cryptokg",
        stats=stats,
        entries=entries,
        questions=questions,
        top=top,
        site_search=False,
    )


@router.get("/search", response_class=HTMLResponse, response_model=None)
async def search_page(request: Request) -> Response:
    """Search results; a single exact name or alias match goes straight to the entity."""
    return await serve(request, _search_page)


def _search_page(store: GraphStore, request: Request) -> Response:
    q = text_param(request.query_params, "q")
    hits = []
    message = None
    if q:
        try:
            hits = search(store, q, limit=30)
        except InvalidParameter as exc:
            message = exc.detail
        strong = [h for h in hits if h.match in ("exact", "alias")]
        if len(strong) == 1 and (len(hits) == 1 or hits[1].match not in ("exact", "alias")):
            root = request.scope.get("root_path", "") or ""
            return RedirectResponse(f"{root}/entity/{strong[0].id}", status_code=303)
    return render_page(
        request, "search.html", title=f"Search: {q}" if q else "Search", q=q or "", hits=hits, message=message
    )
