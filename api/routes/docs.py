"""Interactive API documentation (``/docs``) that works offline.

FastAPI's own page loads Swagger UI from a CDN. This one loads it from the installed
``fastapi-offline`` package (Swagger UI 5, which reads OpenAPI 3.1), served under
``/static/docs/`` from a fixed list of files, so nothing leaves the server. ReDoc is not
offered: its page shows a logo from cdn.redoc.ly whatever its options.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse, Response

__all__ = ["ASSETS", "router"]

router = APIRouter(include_in_schema=False)

_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
#: The only files ``/static/docs/`` serves, with their media types.
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
}
OPENAPI_URL = "/openapi.json"
OAUTH_REDIRECT = "/docs/oauth2-redirect"


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "") or "")


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over ``/openapi.json``, with its script and style from this server."""
    root = _root(request)
    return get_swagger_ui_html(
        openapi_url=root + OPENAPI_URL,
        title="cryptokg API",
        swagger_js_url=f"{root}/static/docs/swagger-ui-bundle.js",
        swagger_css_url=f"{root}/static/docs/swagger-ui.css",
        swagger_favicon_url=f"{root}/static/ui/favicon.svg",
        oauth2_redirect_url=root + OAUTH_REDIRECT,
        # No badge that asks validator.swagger.io about the schema.
        swagger_ui_parameters={"validatorUrl": None, "tryItOutEnabled": False},
    )


@router.get(OAUTH_REDIRECT, response_class=HTMLResponse)
def swagger_ui_redirect() -> HTMLResponse:
    """The page Swagger UI's OAuth flow returns to (kept for completeness; no OAuth here)."""
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/static/docs/{name}")
def asset(name: str) -> Response:
    """One of the documentation pages' files (a fixed list: nothing else is reachable)."""
    media = ASSETS.get(name)
    if media is None:
        return Response("not found", status_code=404, media_type="text/plain")
    return FileResponse(
        _DIR / name,
        media_type=media,
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
