"""The change log over HTTP: history (paged), diffs between versions and the change feed.

Read from the embedded workspace's log (``graph.history``); a store that keeps no log answers
422 naming ``store``.
"""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request, Response

from api.deps import MAX_PAGE, ServiceDep
from api.errors import problem_responses
from api.runner import GraphRunner
from graph.history.feed import ATOM_TYPE, atom
from graph.history.queries import change_log, diff
from graph.store.base import GraphStore

__all__ = ["router"]

router = APIRouter(tags=["history"])

Since = Annotated[
    str | None, Query(max_length=40, description="From this day or UTC time (YYYY-MM-DD or ...THH:MM:SSZ).")
]
Until = Annotated[str | None, Query(max_length=40, description="Up to this day (inclusive) or UTC time.")]


async def _runner(service: ServiceDep) -> GraphRunner:
    runner = await service.runner()
    await runner.sync()
    return runner


def _json(data: object) -> Response:
    return Response(orjson.dumps(data), media_type="application/json")


@router.get("/history", summary="Change history", responses=problem_responses())
async def history(
    service: ServiceDep,
    entity: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="Only changes to this record and its relationships."),
    ] = None,
    since: Since = None,
    until: Until = None,
    dataset: Annotated[
        str | None, Query(min_length=1, max_length=200, description="Only this dataset.")
    ] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Changes to skip.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Most changes to return.")] = 50,
) -> Response:
    """Logged changes, newest first: versions before and after, time, who, why, and per record the
    field-level difference (`fields`: old and new values) with a sentence for each."""
    runner = await _runner(service)

    def work(store: GraphStore) -> bytes:
        page = change_log(
            store, entity=entity, since=since, until=until, dataset=dataset, offset=offset, limit=limit
        )
        return orjson.dumps(page.to_json())

    return Response(await runner.read(work), media_type="application/json")


@router.get("/diff", summary="Diff of two versions", responses=problem_responses())
async def diff_of(
    service: ServiceDep,
    from_: Annotated[str, Query(alias="from", min_length=1, max_length=64, description="A graph version.")],
    to: Annotated[str, Query(min_length=1, max_length=64, description="Another graph version.")],
) -> Response:
    """Sources, entities and relationships added, removed and changed from one version to another,
    each with field-level detail (either version may be the earlier)."""
    runner = await _runner(service)
    return _json(await runner.read(lambda store: diff(store, from_, to)))


@router.get("/changes", summary="Change feed (JSON)", responses=problem_responses())
async def changes(
    service: ServiceDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Most changes to return.")] = 50,
) -> Response:
    """The latest changes, newest first (the JSON twin of `/api/v1/changes.atom`)."""
    return await history(service, limit=limit)


@router.get(
    "/changes.atom",
    summary="Change feed (Atom)",
    responses={200: {"content": {ATOM_TYPE: {}}, "description": "An Atom feed."}, **problem_responses()},
)
async def changes_atom(
    request: Request,
    service: ServiceDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Most changes to return.")] = 50,
) -> Response:
    """The latest changes as an Atom feed a newsroom can subscribe to; each entry links to its diff."""
    runner = await _runner(service)
    base = str(request.base_url).rstrip("/")

    def work(store: GraphStore) -> bytes:
        page = change_log(store, limit=limit)
        return atom(page.entries, base_url=base, self_url=str(request.url))

    return Response(await runner.read(work), media_type=ATOM_TYPE)
