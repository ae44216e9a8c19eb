"""The review queue page: open proposals with their diffs in words, approve and reject buttons."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.ui.render import render_page, serve
from graph.history import proposals
from graph.history.words import sentence
from graph.store.base import GraphStore

router = APIRouter(include_in_schema=False)


@router.get("/review", response_class=HTMLResponse, response_model=None)
async def review_page(request: Request) -> Response:
    """Open proposals for an editor to approve or reject."""
    return await serve(request, _review_page)


def _review_page(store: GraphStore, request: Request) -> Response:
    items = []
    for p in proposals.listing(store, status="open"):
        when = p.created
        items.append(
            {
                "id": p.id,
                "action": p.action,
                "proposer": p.proposer,
                "reason": p.reason,
                "created": p.created,
                "problem": p.problem,
                "sentences": [sentence(c, when) for c in p.changes or []],
            }
        )
    return render_page(request, "review.html", title="Review queue", items=items)
