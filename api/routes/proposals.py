"""Proposals and their review: contributors propose, editors approve or reject.

Proposing needs any API key (contributor or editor) and a reason; approving and rejecting need
an editor's key and a reason. An approved proposal is applied in one write and logged with both
names (``graph.history.proposals``). The queue is listed publicly, marked as unreviewed.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Query, Request, Response

from api.auth import ContributorDep, EditorDep
from api.deps import GraphDep
from api.errors import problem_responses
from api.routes.writes import _json_body
from graph.errors import InvalidRecord, Problem
from graph.history import proposals
from graph.store.base import GraphStore

__all__ = ["router"]

router = APIRouter(tags=["proposals"])
ERRORS = (400, 401, 403, 404, 409, 415)
ProposalId = Annotated[int, Path(ge=1, le=2**62, description="The proposal's number.")]


def _json(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


@router.post("/proposals", status_code=201, summary="Propose a change", responses=problem_responses(*ERRORS))
async def propose(request: Request, graph: GraphDep, writer: ContributorDep) -> Response:
    """Propose a change for an editor to review: `{"action": "add", "sources": [...],
    "relationships": [...]}` (a new fact with its source, validated like ingest),
    `{"action": "change", "kind", "id", "changes": {...}}` (a correction, like PATCH) or
    `{"action": "delete", "kind", "id"}`. The graph is not changed; the answer shows the diff."""
    body = await _json_body(request)
    if not isinstance(body, dict):
        raise InvalidRecord([Problem(proposals.BODY, None, None, None, "expected a JSON object")])
    action = body.pop("action", None)

    def work(store: GraphStore) -> dict[str, Any]:
        return proposals.propose(
            store, str(action), body, proposer=writer.name, reason=writer.reason
        ).to_json()

    return _json(await graph.write(work), 201)


@router.get("/proposals", summary="Review queue", responses=problem_responses())
async def queue(
    graph: GraphDep,
    status: Annotated[
        Literal["open", "approved", "rejected"] | None, Query(description="Default: open.")
    ] = "open",
    limit: Annotated[int, Query(ge=1, le=500, description="Most proposals to return.")] = 100,
) -> Response:
    """Proposals, newest first; open ones with the diff they would apply to the graph now (or the
    problem that stops them)."""
    got = await graph.read(
        lambda store: [p.to_json() for p in proposals.listing(store, status=status, limit=limit)]
    )
    return _json({"proposals": got})


@router.post("/proposals/{id}/approve", summary="Approve a proposal", responses=problem_responses(*ERRORS))
async def approve(graph: GraphDep, writer: EditorDep, id: ProposalId) -> Response:
    """Apply an open proposal atomically (validated again against the graph as it is now); the
    change log names the editor, the proposer and both reasons."""
    return _json(
        await graph.write(
            lambda s: proposals.approve(s, id, editor=writer.name, reason=writer.reason).to_json()
        )
    )


@router.post("/proposals/{id}/reject", summary="Reject a proposal", responses=problem_responses(*ERRORS))
async def reject(graph: GraphDep, writer: EditorDep, id: ProposalId) -> Response:
    """Close an open proposal with the editor's reason; the graph does not change."""
    return _json(
        await graph.write(
            lambda s: proposals.reject(s, id, editor=writer.name, reason=writer.reason).to_json()
        )
    )
