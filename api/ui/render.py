"""What every page of the web UI shares: templates, security headers, parameters, share links.

Pages read their parameters from the query string, so every view has a stable URL
(``/entity/binance?depth=2&min_status=reported``) and an ``/embed/...`` twin with minimal
chrome. Networks are drawn by ``graph.viz``; every HTML response carries a
Content-Security-Policy that lets pages load and fetch from their own origin only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import anyio.to_thread
import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape
from starlette.datastructures import QueryParams

from graph.errors import EntityNotFound, GraphError
from graph.export import FORMATS
from graph.filters import EdgeFilter, make_filter
from graph.model import Source, Subgraph
from graph.queries.neighbourhood import MAX_DEPTH
from graph.queries.paths import MAX_HOPS, MAX_K
from graph.store.base import GraphStore
from graph.viz import (
    MAX_VIEW_NODES,
    NetworkView,
    render_fragment,
    script_json,
    static_files,
)
from graph.viz.styles import STATUS_STYLES, kind_style
from graph.vocabulary import CATEGORY_HELP, STATUS_HELP, Category, EntityKind, Status

T = TypeVar("T")

HERE = Path(__file__).resolve().parent.parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

CATEGORIES = [c.value for c in Category]
STATUSES = [s.value for s in Status]
KINDS = [k.value for k in EntityKind]
MODES = ("shortest", "k", "all")
#: Entities drawn around a path by default (besides the path's own).
PATH_CONTEXT = 30
#: Entities a neighbourhood draws by default, and at most.
DEFAULT_NODES = 150
#: Curated entry points into the bundled story; those missing from the store are not shown.
ENTRY_ENTITIES = [
    ("changpeng-zhao", "Founder of Binance; pleaded guilty in 2023, pardoned in 2025."),
    ("binance", "The exchange at the centre of the 2023 resolution with US agencies."),
    ("world-liberty-financial", "The Trump family's crypto venture and its USD1 stablecoin."),
    ("donald-trump", "The president who pardoned Changpeng Zhao."),
    ("doj", "Prosecuted Binance; later dissolved its crypto enforcement team."),
]
ENTRY_QUESTIONS: list[tuple[str, str, dict[str, Any], tuple[str, ...]]] = [
    (
        "How is Changpeng Zhao linked to Donald Trump?",
        "/path",
        {"source": "changpeng-zhao", "target": "donald-trump", "mode": "k", "k": "3"},
        ("changpeng-zhao", "donald-trump"),
    ),
    (
        "What connects Binance and World Liberty Financial?",
        "/common",
        {"entity": ["binance", "world-liberty-financial"]},
        ("binance", "world-liberty-financial"),
    ),
    (
        "Binance and the Justice Department, in order",
        "/timeline",
        {"entity": ["binance", "doj"]},
        ("binance", "doj"),
    ),
]
MARKERS = re.compile(r"(?:\s*\[\d+\])+\.$")


# -- rendering ---------------------------------------------------------------------------


def static_map() -> dict[str, Path]:
    files = {
        f"ui/{p.name}": p for p in sorted(STATIC.iterdir()) if p.is_file() and not p.name.startswith(".")
    }
    files.update(static_files())
    return files


@lru_cache(maxsize=1)
def assets() -> tuple[dict[str, Path], str]:
    files = static_map()
    h = hashlib.sha256()
    for name, p in sorted(files.items()):
        st = p.stat()
        h.update(f"{name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return files, h.hexdigest()[:10]


def qs(params: Mapping[str, Any] | None = None, **more: Any) -> str:
    """A query string from params, leaving out empty values; lists repeat the key."""
    merged = {**(params or {}), **more}
    pairs: list[tuple[str, str]] = []
    for key, value in merged.items():
        values = value if isinstance(value, list | tuple) else [value]
        for v in values:
            if v is None or v == "" or v is False:
                continue
            pairs.append((key, "1" if v is True else str(v)))
    return urlencode(pairs)


@lru_cache(maxsize=1)
def jinja_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["script_json"] = script_json
    env.filters["kind_label"] = lambda k: kind_style(str(k)).label
    env.filters["strip_markers"] = lambda s: MARKERS.sub(".", str(s))
    env.globals.update(
        qs=qs,
        CATEGORIES=CATEGORIES,
        CATEGORY_HELP={c.value: h for c, h in CATEGORY_HELP.items()},
        STATUSES=STATUSES,
        STATUS_HELP={s.value: h for s, h in STATUS_HELP.items()},
        STATUS_STYLES=STATUS_STYLES,
        KINDS=KINDS,
        MODES=MODES,
        MAX_HOPS=MAX_HOPS,
        MAX_K=MAX_K,
        MAX_DEPTH=MAX_DEPTH,
        MAX_VIEW_NODES=MAX_VIEW_NODES,
    )
    return env


def csp(embed: bool) -> str:
    parts = [
        "default-src 'none'",
        "script-src 'self'",
        # vis-network positions its tooltip and canvas with inline styles.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
    ]
    if not embed:
        # Full pages are not framed by other sites; embeds exist to be.
        parts.append("frame-ancestors 'self'")
    return "; ".join(parts)


def security_headers(embed: bool = False) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp(embed),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


def render_page(
    request: Request, template: str, *, status: int = 200, embed: bool = False, **ctx: Any
) -> HTMLResponse:
    root = request.scope.get("root_path", "") or ""
    _files, version = assets()

    def asset(name: str) -> str:
        return f"{root}/static/{name}?v={version}"

    base: dict[str, Any] = {
        "request": request,
        "root": root,
        "asset": asset,
        "network": None,
        "embed": embed,
        "title": "cryptokg",
        "error": None,
        "share": None,
        "site_search": True,
    }
    base.update(ctx)
    html = jinja_env().get_template(template).render(**base)
    return HTMLResponse(html, status_code=status, headers=security_headers(embed))


def error_page(request: Request, exc: GraphError, *, embed: bool = False) -> HTMLResponse:
    suggestions = exc.suggestions if isinstance(exc, EntityNotFound) else []
    return render_page(
        request,
        "error.html",
        status=exc.status,
        embed=embed,
        title=exc.title,
        message=exc.detail,
        suggestions=suggestions,
    )


async def run_read(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """``fn(store, *args)`` in a worker thread.

    With the API's service on ``app.state`` (``api.main.create_app``) the call goes through its
    runner: the shared read lock, the query time budget and the reload of a re-ingested
    workspace. An app that only sets ``app.state.store`` gets a plain worker thread.
    """
    service = getattr(request.app.state, "service", None)
    if service is not None:
        runner = await service.runner()
        await runner.sync()
        version = request.query_params.get("version")
        if version:  # a permalink to a past version (api.versions)
            from api.versions import past_runner

            runner = await past_runner(runner, version, service.settings.history_versions)
        result: T = await runner.read(fn, *args)
        return result
    store: GraphStore = request.app.state.store
    return await anyio.to_thread.run_sync(partial(fn, store, *args))


async def serve(request: Request, fn: Callable[..., Response], *args: Any, embed: bool = False) -> Response:
    """Run a page builder off the event loop; store and time-budget errors become error pages."""
    try:
        return await run_read(request, fn, request, *args)
    except GraphError as exc:
        return error_page(request, exc, embed=embed)


# -- parameters --------------------------------------------------------------------------


def int_param(qp: QueryParams, name: str, default: int, lo: int, hi: int) -> int:
    try:
        value = int(qp.get(name, default))
    except ValueError:
        return default
    return min(max(value, lo), hi)


def text_param(qp: QueryParams, name: str) -> str | None:
    value = (qp.get(name) or "").strip()
    return value or None


def flag_param(qp: QueryParams, name: str, default: bool) -> bool:
    value = qp.get(name)
    if value is None:
        return default
    return value.strip().lower() not in ("0", "false", "no", "off", "")


@dataclass
class Filters:
    """The relationship filters a view was asked for, and how to put them back in a URL."""

    categories: list[str] | None = None
    min_status: str | None = None
    as_of: str | None = None
    evidence: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, qp: QueryParams) -> Filters:
        cats = [c for c in qp.getlist("category") if c in CATEGORIES]
        status = text_param(qp, "min_status")
        return cls(
            categories=sorted(set(cats)) if cats and set(cats) != set(CATEGORIES) else None,
            min_status=status if status in STATUSES else None,
            as_of=text_param(qp, "as_of"),
            evidence="primary" if text_param(qp, "evidence") == "primary" else None,
        )

    def edge_filter(self) -> EdgeFilter:
        return make_filter(
            categories=self.categories, min_status=self.min_status, as_of=self.as_of, evidence=self.evidence
        )

    def params(self) -> dict[str, Any]:
        return {
            "category": self.categories or [],
            "min_status": self.min_status,
            "as_of": self.as_of,
            "evidence": self.evidence,
            **self.extra,
        }


class Footnotes:
    """Numbers sources in order of first citation, for one page."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.sources: list[Source] = []

    def cite(self, sources: Iterable[Source]) -> list[int]:
        out = []
        for s in sources:
            if s.id not in self.numbers:
                self.numbers[s.id] = len(self.numbers) + 1
                self.sources.append(s)
            out.append(self.numbers[s.id])
        return out


def absolute_url(request: Request, path: str, params: Mapping[str, Any] | None = None) -> str:
    base = str(request.base_url).rstrip("/")
    q = qs(params or {})
    return f"{base}{path}{'?' + q if q else ''}"


def share_links(
    request: Request,
    path: str,
    embed_path: str,
    params: Mapping[str, Any],
    title: str,
    map_query: str | None = None,
) -> dict[str, Any]:
    """Permalink and embed snippet data for a view."""
    root = request.scope.get("root_path", "") or ""
    embed_url = absolute_url(request, root + embed_path, params)
    return {
        "permalink": absolute_url(request, root + path, params),
        "embed_url": embed_url,
        "embed_preview": f"{root}{embed_path}{'?' + qs(params) if qs(params) else ''}",
        "title": title,
        # The story-map editor, starting from this view (None: not offered).
        "map_url": f"{root}/maps/new?{map_query}" if map_query else None,
        # The snippet is HTML for another site: its attribute values are escaped here, and the
        # whole snippet again by the template that shows it.
        "iframe": (
            f'<iframe src="{escape(embed_url)}" title="{escape(title)}" width="100%" height="600" '
            'style="border:1px solid #d0d7de" loading="lazy"></iframe>'
        ),
    }


def download_links(request: Request, path: str, params: Mapping[str, Any]) -> list[tuple[str, str]]:
    root = request.scope.get("root_path", "") or ""
    labels = {
        "json": "JSON",
        "graphml": "GraphML",
        "gexf": "GEXF",
        "csv": "CSV (zip)",
        "cypher": "Cypher",
        "ftm": "FtM",
    }
    return [(labels.get(f, f), f"{root}{path}?{qs(params, format=f)}") for f in FORMATS]


def network_fragment(
    request: Request,
    view: NetworkView,
    *,
    title: str,
    embed: bool,
    downloads: list[tuple[str, str]],
    expand_query: str = "",
    legend: bool = True,
    controls: bool = True,
    height: str = "tall",
) -> Markup:
    root = request.scope.get("root_path", "") or ""
    return render_fragment(
        view,
        dom_id="network",
        title=title,
        entity_url=f"{root}/entity/",
        panel_url=f"{root}/ui/panel/",
        expand_url=f"{root}/ui/expand/",
        expand_query=expand_query,
        downloads=downloads,
        show_legend=legend,
        show_controls=controls,
        link_target="_top" if embed else None,
        height="fill" if embed else height,
    )


def with_entity_sources(store: GraphStore, sub: Subgraph) -> Subgraph:
    """The subgraph with the sources its entities cite (queries bring only the relationships')."""
    wanted = {s for n in sub.nodes for s in n.sources} - set(sub.sources)
    if not wanted:
        return sub
    sources = dict(sub.sources)
    sources.update(store.get_sources(wanted))
    return sub.model_copy(update={"sources": sources})


def embed_switches(qp: QueryParams) -> dict[str, bool]:
    return {
        "search": flag_param(qp, "search", False),
        "legend": flag_param(qp, "legend", True),
        "controls": flag_param(qp, "controls", True),
    }


def embed_page(
    request: Request,
    view: NetworkView,
    *,
    heading: str,
    title: str,
    page_path: str,
    export_path: str,
    params: Mapping[str, Any],
    expand_query: str,
    summary: str | None = None,
) -> Response:
    """An embed: the view with minimal chrome, its switches read from the query string."""
    sw = embed_switches(request.query_params)
    root = request.scope.get("root_path", "") or ""
    query = qs(params)
    return render_page(
        request,
        "embed.html",
        embed=True,
        title=title,
        heading=heading,
        full_url=f"{root}{page_path}{'?' + query if query else ''}",
        switches=sw,
        summary=summary,
        network=network_fragment(
            request,
            view,
            title=title,
            embed=True,
            downloads=download_links(request, export_path, params) if sw["controls"] else [],
            expand_query=expand_query,
            legend=sw["legend"],
            controls=sw["controls"],
        ),
    )
