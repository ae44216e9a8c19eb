"""The FastAPI application: the JSON API under ``/api/v1``, ``/health`` and the web UI.

``cryptokg serve`` runs ``create_app`` as a uvicorn factory; tests call it with their own
settings and store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

import api.routes.datasets as dataset_routes
from api.deps import Service
from api.errors import HANDLERS, use_problem_media_type
from api.middleware import (
    BodyLimitMiddleware,
    DeadlineMiddleware,
    ETagMiddleware,
    TextGuardMiddleware,
    document_etags,
)
from api.routes import (
    analytics,
    docs,
    entities,
    exports,
    history,
    meta,
    paths,
    proposals,
    relationships,
    sources,
    ui,
    writes,
)
from graph.settings import Settings, get_settings
from graph.store import GraphStore

__all__ = ["API_PREFIX", "create_app"]

API_PREFIX = "/api/v1"

DESCRIPTION = """\
A sourced knowledge graph of crypto entities and politics. Every relationship carries its
dates, a status (confirmed, reported, alleged, denied) and the sources that document it.

* Read endpoints are public; they answer with an `ETag` and honour `If-None-Match` (304).
* Errors are [RFC 9457](https://www.rfc-editor.org/rfc/rfc9457) problem details
  (`application/problem+json`): 404 for an unknown entity (with `suggestions`), 422 for bad
  parameters or data (with `errors`), 413 for a body that is too large, 503 when the store is
  down and 504 when a query runs past its time budget.
* Write endpoints need `CRYPTOKG_API_KEY` on the server and the same key in `X-API-Key` (or
  `Authorization: Bearer`); without a configured key they answer 403.
* List parameters (`types`, `categories`, `kinds`, `avoid`, `entities`, ...) take repeated
  parameters or comma-separated values.
"""

TAGS = [
    {"name": "entities", "description": "Search, list and profile entities; their neighbourhoods."},
    {"name": "paths", "description": "How entities are connected: paths and common connections."},
    {"name": "analytics", "description": "Timelines, rankings, communities, brokers and conflict patterns."},
    {"name": "relationships", "description": "Relationships by id."},
    {"name": "sources", "description": "The documents facts cite, and which facts cite them."},
    {
        "name": "exports",
        "description": "Graphs as node-link JSON, GraphML, GEXF, CSV, Cypher or FollowTheMoney.",
    },
    {"name": "writes", "description": "Create, change and delete records; bulk ingest. Needs the API key."},
    {"name": "history", "description": "The change log, diffs between versions and the change feed."},
    {
        "name": "proposals",
        "description": "Changes proposed by contributors, approved or rejected by editors.",
    },
    {"name": "meta", "description": "Health, counts and the data dictionary."},
    {
        "name": "datasets",
        "description": "Datasets with their provenance and licences; imports (need the API key).",
    },
]


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """Build the app. Without ``store``, the lifespan opens one from ``settings`` and closes it."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service: Service = app.state.service
        await service.open()
        try:
            yield
        finally:
            service.close()

    app = FastAPI(
        title="cryptokg",
        version="1.0.0",
        summary="Knowledge graph of crypto entities and politics, every fact sourced.",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        # /docs comes from api.routes.docs, its assets served locally; no /redoc (its logo is on a CDN).
        docs_url=None,
        redoc_url=None,
    )
    service = Service(settings, store, state=app.state)
    app.state.service = service
    app.state.settings = settings
    for exc_class, handler in HANDLERS.items():
        app.add_exception_handler(exc_class, handler)

    for module in (
        entities,
        paths,
        analytics,
        relationships,
        sources,
        exports,
        writes,
        meta,
        dataset_routes,
        history,
        proposals,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(dataset_routes.writer_router, prefix=API_PREFIX)
    app.include_router(meta.health_router)
    app.include_router(docs.router)
    app.include_router(ui.router)

    # Added last = runs first: CORS headers go on every answer, errors included.
    app.add_middleware(ETagMiddleware, service=service, prefix=API_PREFIX + "/")
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes)
    app.add_middleware(TextGuardMiddleware)
    app.add_middleware(DeadlineMiddleware, timeout=settings.query_timeout)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Content-Type", "X-API-Key", "Authorization", "If-None-Match"],
            expose_headers=["ETag"],
        )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            app.openapi_schema = document_etags(
                writes.add_body_schemas(use_problem_media_type(schema)), API_PREFIX
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
