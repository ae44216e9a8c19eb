"""Every error as one shape: RFC 9457 problem details (``application/problem+json``).

The mapping lives here and only here: ``graph.errors`` classes carry their own HTTP
``status`` and ``title``; request validation becomes 422 with one item per bad parameter;
Starlette's HTTP errors (unknown route, wrong method, auth) keep their status; anything
unexpected becomes a bare 500 without internals.
"""

from __future__ import annotations

import http
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope

from api.schemas import ProblemOut
from graph.errors import EntityNotFound, GraphError, InvalidParameter, InvalidRecord, ServerBusy

__all__ = [
    "HANDLERS",
    "PROBLEM_MEDIA_TYPE",
    "problem",
    "problem_responses",
    "problem_type",
    "use_problem_media_type",
]

log = logging.getLogger("cryptokg.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
#: Problem type URIs of cryptokg's own errors: ``urn:cryptokg:problem:<slug of the title>``.
TYPE_PREFIX = "urn:cryptokg:problem:"


def problem_type(title: str) -> str:
    """The problem type URI for a cryptokg error title: ``Entity not found`` -> ``urn:...:entity-not-found``."""
    return TYPE_PREFIX + re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def problem(
    status: int,
    *,
    title: str | None = None,
    detail: str | None = None,
    type_: str = "about:blank",
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """A problem+json response; ``title`` defaults to the HTTP status phrase."""
    body: dict[str, Any] = {
        "type": type_,
        "title": title or http.HTTPStatus(status).phrase,
        "status": status,
    }
    if detail is not None:
        body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    body.update({k: v for k, v in extensions.items() if v is not None})
    return JSONResponse(body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_MEDIA_TYPE)


async def graph_error(request: Request, exc: Exception) -> JSONResponse:
    """``GraphError`` subclasses: their own status and title."""
    assert isinstance(exc, GraphError)
    ext: dict[str, Any] = {}
    if isinstance(exc, EntityNotFound):
        ext["suggestions"] = exc.suggestions
    elif isinstance(exc, InvalidParameter):
        ext["errors"] = [{"location": None, "name": exc.parameter, "message": exc.detail.split(": ", 1)[-1]}]
    elif isinstance(exc, InvalidRecord):
        ext["errors"] = [
            {"file": p.file, "line": p.line, "record": p.record, "field": p.field, "message": p.message}
            for p in exc.problems
        ]
    detail = exc.detail if not isinstance(exc, InvalidRecord) else f"{len(exc.problems)} problem(s) in input"
    headers = {"Retry-After": "5"} if exc.status == 503 else None
    if isinstance(exc, ServerBusy):
        headers = {"Retry-After": str(exc.retry_after)}
    return problem(
        exc.status,
        title=exc.title,
        detail=detail,
        type_=problem_type(exc.title),
        instance=request.url.path,
        headers=headers,
        **ext,
    )


def _loc_name(loc: tuple[int | str, ...]) -> tuple[str | None, str | None]:
    """Where a validation error is: a parameter's name, or a dotted path into the body."""
    if not loc:
        return None, None
    location = str(loc[0])
    if location != "body":
        return location, str(loc[1]) if len(loc) > 1 else None
    return location, ".".join(str(x) for x in loc[1:]) or None


def _message(err: dict[str, Any]) -> str:
    """A pydantic error message for API users (long vocabulary patterns are not repeated)."""
    if err.get("type") == "string_pattern_mismatch":
        pattern = str(err.get("ctx", {}).get("pattern", ""))
        if len(pattern) > 80:
            return "unknown name; see /api/v1/schema for the names this parameter takes"
        return f"does not match {pattern}"
    return str(err.get("msg", "invalid"))


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """Request validation (FastAPI): 422 with one item per bad parameter."""
    assert isinstance(exc, RequestValidationError)
    errors = []
    for err in exc.errors():
        location, name = _loc_name(tuple(err.get("loc", ())))
        errors.append({"location": location, "name": name, "message": _message(dict(err))})
    names = ", ".join(sorted({e["name"] or e["location"] or "request" for e in errors}))
    return problem(
        422,
        title="Invalid parameter",
        detail=f"invalid value for {names}",
        type_=problem_type("Invalid parameter"),
        instance=request.url.path,
        errors=errors,
    )


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(scope: Scope) -> str | None:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    routes = scope["app"].routes
    allowed = [m for m in METHODS if any(r.matches({**scope, "method": m})[0] is Match.FULL for r in routes)]
    return ", ".join(allowed) or None


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette and FastAPI HTTP errors: same status, problem shape."""
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        allow = _allowed_methods(request.scope)
        if allow:
            headers["Allow"] = allow
    phrase = http.HTTPStatus(exc.status_code).phrase
    detail = exc.detail if exc.detail and exc.detail != phrase else None
    if exc.status_code == 404 and detail is None:
        detail = f"nothing at {request.url.path}; the API lives under /api/v1 (see /docs)"
    return problem(exc.status_code, detail=detail, instance=request.url.path, headers=headers)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """Anything unexpected: logged with its traceback, answered with a bare 500."""
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, detail="an unexpected error occurred; it has been logged", instance=request.url.path)


HANDLERS: dict[type[Exception], Callable[[Request, Exception], Awaitable[JSONResponse]]] = {
    GraphError: graph_error,
    RequestValidationError: validation_error,
    StarletteHTTPException: http_error,
    Exception: unexpected_error,
}

_DESCRIPTIONS = {
    304: "Not modified: the graph has not changed since the `ETag` sent in `If-None-Match`.",
    400: "Malformed request body.",
    401: "Missing or wrong API key.",
    403: "Writes are disabled (no `CRYPTOKG_API_KEY` configured).",
    404: "Unknown entity or record; `suggestions` lists close matches for entities.",
    409: "Conflict with the stored graph (existing id, record still cited).",
    413: "Request body too large.",
    415: "Unsupported body media type.",
    422: "Invalid parameter or invalid data; `errors` lists each problem.",
    429: "The server's queue is full; try again after `Retry-After` seconds.",
    503: "The store is unavailable, or another writer holds it; try again after `Retry-After` seconds.",
    504: "The query ran past its time budget.",
}


def problem_responses(
    *statuses: int, base: tuple[int, ...] = (422, 429, 503, 504)
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for these error statuses, each a ``ProblemOut``.

    ``base`` (bad parameters, store down, time budget) is added to every route that takes
    parameters and reads the store; ``use_problem_media_type`` then moves the schemas to
    ``application/problem+json``.
    """
    out: dict[int | str, dict[str, Any]] = {}
    for status in sorted({*statuses, *base}):
        out[status] = {"model": ProblemOut, "description": _DESCRIPTIONS.get(status, "Error.")}
    return out


def use_problem_media_type(schema: dict[str, Any]) -> dict[str, Any]:
    """Rewrite an OpenAPI document so every 4xx/5xx response is ``application/problem+json``."""
    for item in schema.get("paths", {}).values():
        for op in item.values():
            if not isinstance(op, dict):
                continue
            for status, resp in op.get("responses", {}).items():
                content = resp.get("content")
                if str(status)[:1] not in ("4", "5") or not content:
                    continue
                body = content.pop("application/json", None)
                if body is not None:
                    content[PROBLEM_MEDIA_TYPE] = body
    return schema
