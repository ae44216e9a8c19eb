"""Dated relationships and events, for the whole graph or a selection of entities."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.ui.render import Footnotes, render_page, serve, text_param
from graph.queries.lookup import resolve
from graph.queries.timeline import timeline
from graph.results import TimelineItem
from graph.store.base import GraphStore

router = APIRouter(include_in_schema=False)

# -- timeline ----------------------------------------------------------------------------


@router.get("/timeline", response_class=HTMLResponse, response_model=None)
async def timeline_page(request: Request) -> Response:
    """Dated relationships and events, for the whole graph or a selection of entities."""
    return await serve(request, _timeline_page, embed=False)


def _timeline_page(store: GraphStore, request: Request) -> Response:
    qp = request.query_params
    refs = [r.strip() for r in qp.getlist("entity") if r.strip()][:20]
    start, end = text_param(qp, "start"), text_param(qp, "end")
    ids = [resolve(store, r) for r in refs]
    evidence = "primary" if text_param(qp, "evidence") == "primary" else None
    items = timeline(store, ids or None, start=start, end=end, limit=2000, evidence=evidence)
    chosen = store.get_entities(ids)
    notes = Footnotes()
    years: dict[str, list[tuple[TimelineItem, list[int]]]] = {}
    for it in items:
        years.setdefault(it.date[:4], []).append((it, notes.cite(it.sources)))
    names = [chosen[i] for i in ids if i in chosen]
    title = "Timeline" + (": " + ", ".join(e.name for e in names) if names else " of the whole graph")
    return render_page(
        request,
        "timeline.html",
        title=title,
        chosen=names,
        refs=refs,
        start=start or "",
        end=end or "",
        years=years,
        count=len(items),
        notes=notes.sources,
    )
