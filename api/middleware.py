"""ASGI middleware: request deadlines, refused control characters, body size limit, ETags.

Both are plain ASGI (not ``BaseHTTPMiddleware``) so they can answer before the app runs: a
body announced as too large gets 413 without being read, and a matching ``If-None-Match``
gets 304 without running the query.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem
from api.runner import REQUEST_DEADLINE
from graph.errors import GraphError

if TYPE_CHECKING:
    from api.deps import Service
    from api.runner import GraphRunner

__all__ = [
    "BodyLimitMiddleware",
    "DeadlineMiddleware",
    "ETagMiddleware",
    "TextGuardMiddleware",
    "document_etags",
    "etag_for",
    "etag_matches",
]

#: Changes the ETags of every response when the API's output shape changes.
ETAG_SALT = "cryptokg-api-1"


class DeadlineMiddleware:
    """Start each request's clock as it arrives: every wait and query it causes ends by then.

    Added outermost, so the time the request spends queued in the app counts too.
    """

    def __init__(self, app: ASGIApp, *, timeout: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.timeout = timeout
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = REQUEST_DEADLINE.set(self.clock() + self.timeout)
        try:
            await self.app(scope, receive, send)
        finally:
            REQUEST_DEADLINE.reset(token)


_CONTROL = re.compile("[\x00-\x1f\x7f]")


class TextGuardMiddleware:
    """422 for a path or query parameter holding NUL or another control character.

    Such a value never names anything in the graph; refusing it here keeps it out of queries,
    logs and pages (``graph.guards`` refuses the same characters in data).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        errors = []
        if _CONTROL.search(scope.get("path", "")):
            errors.append({"location": "path", "name": None, "message": "control character in the path"})
        query = scope.get("query_string", b"").decode("latin-1")
        if "%" in query or _CONTROL.search(query):
            try:
                pairs = parse_qsl(query, keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                pairs = []
                errors.append({"location": "query", "name": None, "message": "query string is not UTF-8"})
            for name, value in pairs:
                if _CONTROL.search(name) or _CONTROL.search(value):
                    errors.append(
                        {
                            "location": "query",
                            "name": name,
                            "message": "control character (such as NUL) in the value: not allowed",
                        }
                    )
        if errors:
            where = ", ".join(str(e["name"] or e["location"]) for e in errors)
            await problem(
                422,
                title="Invalid parameter",
                detail=f"{where}: control characters are not allowed",
                instance=scope.get("path"),
                errors=errors,
            )(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _too_large(limit: int) -> str:
    return f"the request body is larger than {limit} bytes (CRYPTOKG_MAX_BODY_BYTES)"


class BodyLimitMiddleware:
    """Refuse request bodies over ``limit`` bytes with 413, by ``Content-Length`` or as they stream."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await problem(413, detail=_too_large(self.limit), instance=scope["path"])(scope, receive, send)
            return
        received = 0
        started = False

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # FastAPI lets HTTPException through its body parsing; the handler makes it a problem.
                    raise HTTPException(413, _too_large(self.limit))
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, tracking_send)
        except HTTPException as exc:
            if exc.status_code != 413 or started:
                raise
            await problem(413, detail=str(exc.detail), instance=scope["path"])(scope, receive, send)


async def _same_version(runner: GraphRunner, version: str) -> bool:
    try:
        return await runner.version() == version
    except GraphError:
        return False


def etag_for(version: str, scope: Scope) -> str:
    """Weak ETag of a read response: the graph version plus the request's path and query."""
    target = scope["path"] + "?" + scope.get("query_string", b"").decode("latin-1")
    digest = hashlib.sha256(f"{ETAG_SALT}|{version}|{target}".encode()).hexdigest()[:20]
    return f'W/"{digest}"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison of ``If-None-Match`` (a list or ``*``) with ``etag`` (RFC 9110 13.1.2)."""
    want = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == want:
            return True
    return False


class ETagMiddleware:
    """ETags on ``GET``/``HEAD`` responses under ``prefix``; 304 when ``If-None-Match`` matches.

    The tag is derived from the graph version, so any write or re-ingest changes every tag.
    A response gets a tag only if the version did not change while it was computed.
    """

    def __init__(self, app: ASGIApp, *, service: Service, prefix: str = "/api/") -> None:
        self.app = app
        self.service = service
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not scope["path"].startswith(self.prefix)
        ):
            await self.app(scope, receive, send)
            return
        try:
            runner = await self.service.runner()
            await runner.sync()
            version = await runner.version()
        except GraphError:
            # The route's own dependency raises it again and the error handlers answer.
            await self.app(scope, receive, send)
            return
        tag = etag_for(version, scope)
        if_none_match = Headers(scope=scope).get("if-none-match")
        not_modified = [(b"etag", tag.encode()), (b"cache-control", b"no-cache")]
        # A tag the client can only have from an earlier 200 for this very URL and graph version
        # answers 304 at once, without running the query. `*` (any representation) cannot tell
        # a valid request from an invalid one, so the request runs and a 200 becomes a 304.
        if if_none_match and if_none_match.strip() != "*" and etag_matches(if_none_match, tag):
            await send({"type": "http.response.start", "status": 304, "headers": not_modified})
            await send({"type": "http.response.body", "body": b""})
            return
        dropping = False

        async def tagging_send(message: Message) -> None:
            nonlocal dropping
            if message["type"] == "http.response.start":
                if message["status"] == 200 and await _same_version(runner, version):
                    if if_none_match and etag_matches(if_none_match, tag):
                        dropping = True
                        await send({"type": "http.response.start", "status": 304, "headers": not_modified})
                        return
                    headers = MutableHeaders(scope=message)
                    headers["ETag"] = tag
                    headers.setdefault("Cache-Control", "no-cache")
            elif dropping:
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app(scope, receive, tagging_send)


def document_etags(openapi: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Document the ``ETag`` header and the 304 answer on every ``GET`` under ``prefix``."""
    header = {
        "ETag": {
            "description": "Weak tag of this response for this graph version; send it back in `If-None-Match`.",
            "schema": {"type": "string"},
        }
    }
    for path, item in openapi.get("paths", {}).items():
        op = item.get("get")
        if not path.startswith(prefix) or op is None:
            continue
        responses = op.setdefault("responses", {})
        if "200" in responses:
            responses["200"].setdefault("headers", {}).update(header)
        responses["304"] = {
            "description": "Not modified: the graph has not changed since the `ETag` sent in `If-None-Match`.",
            "headers": header,
        }
        params = op.setdefault("parameters", [])
        params.append(
            {
                "name": "If-None-Match",
                "in": "header",
                "required": False,
                "description": "An `ETag` from an earlier answer; 304 if the answer would be the same.",
                "schema": {"type": "string"},
            }
        )
    return openapi
