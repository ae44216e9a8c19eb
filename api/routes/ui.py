"""The web UI: server-rendered pages over the query engine, their embeds and their assets.

Pages read their parameters from the query string, so every view has a stable URL
(``/entity/binance?depth=2&min_status=reported``) and an ``/embed/...`` twin with minimal
chrome. Networks are drawn by ``graph.viz``; every asset (vis-network included) is served
from ``/static/...`` by this router, and every HTML response carries a Content-Security-Policy
that lets pages load and fetch from their own origin only.
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
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from starlette.datastructures import QueryParams

from graph.errors import EntityNotFound, GraphError, InvalidParameter
from graph.export import FORMATS, export, paths_subgraph, self_contained
from graph.filters import EdgeFilter, make_filter
from graph.model import Relationship, Source, Subgraph
from graph.narrate import date_phrase
from graph.queries.common import common_connections
from graph.queries.lookup import profile, resolve, search
from graph.queries.metrics import rank
from graph.queries.neighbourhood import MAX_DEPTH, neighbourhood, subgraph_of
from graph.queries.paths import MAX_HOPS, MAX_K, find_paths
from graph.queries.timeline import timeline
from graph.results import CommonResult, PathResult, Profile, TimelineItem
from graph.store.base import GraphStore
from graph.viz import (
    MAX_VIEW_NODES,
    NetworkView,
    cap_subgraph,
    common_view,
    network_view,
    path_view,
    render_fragment,
    script_json,
    static_files,
)
from graph.viz.styles import STATUS_STYLES, kind_style
from graph.vocabulary import CATEGORY_HELP, REL_TYPES, STATUS_HELP, Category, EntityKind, Status

router = APIRouter(include_in_schema=False)
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
_MARKERS = re.compile(r"(?:\s*\[\d+\])+\.$")


# -- rendering ---------------------------------------------------------------------------


def _static_map() -> dict[str, Path]:
    files = {
        f"ui/{p.name}": p for p in sorted(STATIC.iterdir()) if p.is_file() and not p.name.startswith(".")
    }
    files.update(static_files())
    return files


@lru_cache(maxsize=1)
def _assets() -> tuple[dict[str, Path], str]:
    files = _static_map()
    h = hashlib.sha256()
    for name, p in sorted(files.items()):
        st = p.stat()
        h.update(f"{name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return files, h.hexdigest()[:10]


def _qs(params: Mapping[str, Any] | None = None, **more: Any) -> str:
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
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["script_json"] = script_json
    env.filters["kind_label"] = lambda k: kind_style(str(k)).label
    env.filters["strip_markers"] = lambda s: _MARKERS.sub(".", str(s))
    env.globals.update(
        qs=_qs,
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


def _csp(embed: bool) -> str:
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


def _headers(embed: bool = False) -> dict[str, str]:
    return {
        "Content-Security-Policy": _csp(embed),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


def _page(
    request: Request, template: str, *, status: int = 200, embed: bool = False, **ctx: Any
) -> HTMLResponse:
    root = request.scope.get("root_path", "") or ""
    _files, version = _assets()

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
    html = _env().get_template(template).render(**base)
    return HTMLResponse(html, status_code=status, headers=_headers(embed))


def _error_page(request: Request, exc: GraphError, *, embed: bool = False) -> HTMLResponse:
    suggestions = exc.suggestions if isinstance(exc, EntityNotFound) else []
    return _page(
        request,
        "error.html",
        status=exc.status,
        embed=embed,
        title=exc.title,
        message=exc.detail,
        suggestions=suggestions,
    )


async def _read(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """``fn(store, *args)`` in a worker thread.

    With the API's service on ``app.state`` (``api.main.create_app``) the call goes through its
    runner: the shared read lock, the query time budget and the reload of a re-ingested
    workspace. An app that only sets ``app.state.store`` gets a plain worker thread.
    """
    service = getattr(request.app.state, "service", None)
    if service is not None:
        runner = await service.runner()
        await runner.sync()
        result: T = await runner.read(fn, *args)
        return result
    store: GraphStore = request.app.state.store
    return await anyio.to_thread.run_sync(partial(fn, store, *args))


async def _serve(request: Request, fn: Callable[..., Response], *args: Any, embed: bool = False) -> Response:
    """Run a page builder off the event loop; store and time-budget errors become error pages."""
    try:
        return await _read(request, fn, request, *args)
    except GraphError as exc:
        return _error_page(request, exc, embed=embed)


# -- parameters --------------------------------------------------------------------------


def _int(qp: QueryParams, name: str, default: int, lo: int, hi: int) -> int:
    try:
        value = int(qp.get(name, default))
    except ValueError:
        return default
    return min(max(value, lo), hi)


def _text(qp: QueryParams, name: str) -> str | None:
    value = (qp.get(name) or "").strip()
    return value or None


def _flag(qp: QueryParams, name: str, default: bool) -> bool:
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
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, qp: QueryParams) -> Filters:
        cats = [c for c in qp.getlist("category") if c in CATEGORIES]
        status = _text(qp, "min_status")
        return cls(
            categories=sorted(set(cats)) if cats and set(cats) != set(CATEGORIES) else None,
            min_status=status if status in STATUSES else None,
            as_of=_text(qp, "as_of"),
        )

    def edge_filter(self) -> EdgeFilter:
        return make_filter(categories=self.categories, min_status=self.min_status, as_of=self.as_of)

    def params(self) -> dict[str, Any]:
        return {
            "category": self.categories or [],
            "min_status": self.min_status,
            "as_of": self.as_of,
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


def _abs(request: Request, path: str, params: Mapping[str, Any] | None = None) -> str:
    base = str(request.base_url).rstrip("/")
    q = _qs(params or {})
    return f"{base}{path}{'?' + q if q else ''}"


def _share(
    request: Request, path: str, embed_path: str, params: Mapping[str, Any], title: str
) -> dict[str, Any]:
    """Permalink and embed snippet data for a view."""
    root = request.scope.get("root_path", "") or ""
    embed_url = _abs(request, root + embed_path, params)
    return {
        "permalink": _abs(request, root + path, params),
        "embed_url": embed_url,
        "embed_preview": f"{root}{embed_path}{'?' + _qs(params) if _qs(params) else ''}",
        "title": title,
        # The snippet is HTML for another site: its attribute values are escaped here, and the
        # whole snippet again by the template that shows it.
        "iframe": (
            f'<iframe src="{escape(embed_url)}" title="{escape(title)}" width="100%" height="600" '
            'style="border:1px solid #d0d7de" loading="lazy"></iframe>'
        ),
    }


def _downloads(request: Request, path: str, params: Mapping[str, Any]) -> list[tuple[str, str]]:
    root = request.scope.get("root_path", "") or ""
    labels = {
        "json": "JSON",
        "graphml": "GraphML",
        "gexf": "GEXF",
        "csv": "CSV (zip)",
        "cypher": "Cypher",
        "ftm": "FtM",
    }
    return [(labels.get(f, f), f"{root}{path}?{_qs(params, format=f)}") for f in FORMATS]


def _fragment(
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


def _with_entity_sources(store: GraphStore, sub: Subgraph) -> Subgraph:
    """The subgraph with the sources its entities cite (queries bring only the relationships')."""
    wanted = {s for n in sub.nodes for s in n.sources} - set(sub.sources)
    if not wanted:
        return sub
    sources = dict(sub.sources)
    sources.update(store.get_sources(wanted))
    return sub.model_copy(update={"sources": sources})


def _embed_switches(qp: QueryParams) -> dict[str, bool]:
    return {
        "search": _flag(qp, "search", False),
        "legend": _flag(qp, "legend", True),
        "controls": _flag(qp, "controls", True),
    }


def _embed(
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
    sw = _embed_switches(request.query_params)
    root = request.scope.get("root_path", "") or ""
    query = _qs(params)
    return _page(
        request,
        "embed.html",
        embed=True,
        title=title,
        heading=heading,
        full_url=f"{root}{page_path}{'?' + query if query else ''}",
        switches=sw,
        summary=summary,
        network=_fragment(
            request,
            view,
            title=title,
            embed=True,
            downloads=_downloads(request, export_path, params) if sw["controls"] else [],
            expand_query=expand_query,
            legend=sw["legend"],
            controls=sw["controls"],
        ),
    )


# -- assets ------------------------------------------------------------------------------


@router.get("/static/{name:path}")
def static(name: str) -> Response:
    """Serve one of the UI's own files (a fixed list: nothing outside it is reachable)."""
    files, _version = _assets()
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
    return await _serve(request, _home, embed=False)


def _home(store: GraphStore, request: Request) -> Response:
    stats = store.stats()
    present = store.get_entities([e for e, _ in ENTRY_ENTITIES] + [i for q in ENTRY_QUESTIONS for i in q[3]])
    entries = [(present[e], why) for e, why in ENTRY_ENTITIES if e in present]
    questions = [
        (text, path, _qs(params))
        for text, path, params, needs in ENTRY_QUESTIONS
        if set(needs) <= set(present)
    ]
    top = rank(store, top=8) if stats.entities else []
    return _page(
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
    return await _serve(request, _search_page)


def _search_page(store: GraphStore, request: Request) -> Response:
    q = _text(request.query_params, "q")
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
    return _page(
        request, "search.html", title=f"Search: {q}" if q else "Search", q=q or "", hits=hits, message=message
    )


# -- entity ------------------------------------------------------------------------------


def _entity_params(qp: QueryParams) -> tuple[int, int, Filters]:
    depth = _int(qp, "depth", 1, 1, MAX_DEPTH)
    max_nodes = _int(qp, "max_nodes", DEFAULT_NODES, 10, MAX_VIEW_NODES)
    flt = Filters.read(qp)
    flt.extra = {
        "depth": depth if depth != 1 else None,
        "max_nodes": max_nodes if max_nodes != DEFAULT_NODES else None,
    }
    return depth, max_nodes, flt


def _entity_view(
    store: GraphStore, eid: str, depth: int, max_nodes: int, flt: Filters
) -> tuple[Subgraph, NetworkView]:
    sub = neighbourhood(store, eid, depth=depth, max_nodes=max_nodes, flt=flt.edge_filter())
    sub = _with_entity_sources(store, sub)
    return sub, network_view(sub, max_nodes=max_nodes)


def _canonical(store: GraphStore, request: Request, ref: str, prefix: str) -> tuple[str, Response | None]:
    """The entity id for ``ref``, and a redirect to the id's URL when ``ref`` was a name."""
    eid = resolve(store, ref)
    if eid != ref:
        root = request.scope.get("root_path", "") or ""
        q = request.url.query
        return eid, RedirectResponse(f"{root}{prefix}{eid}{'?' + q if q else ''}", status_code=308)
    return eid, None


def _amount(rel: Relationship) -> str:
    if rel.amount is None:
        return ""
    value = f"{rel.amount:,.0f}" if float(rel.amount).is_integer() else f"{rel.amount:,.2f}"
    return f"{rel.currency or ''} {value}".strip()


def _relationship_rows(
    store: GraphStore, prof: Profile, notes: Footnotes
) -> list[tuple[str, int, list[dict[str, Any]]]]:
    """Table rows of a profile, by category: verb, other entity, dates, status, cited numbers."""
    views = [v for types in prof.groups.values() for vs in types.values() for v in vs]
    deniers = store.get_entities({d for v in views for d in v.relationship.denied_by})
    out = []
    for cat, types in prof.groups.items():
        rows = []
        for rtype, vs in types.items():
            t = REL_TYPES[rtype]
            for v in vs:
                rel = v.relationship
                rows.append(
                    {
                        "view": v,
                        "verb": (t.verb if v.forward or t.symmetric else t.reverse_verb).capitalize(),
                        "dates": date_phrase(rel.start, rel.end),
                        "amount": _amount(rel),
                        "status": str(rel.status),
                        "denied": [deniers[d].name if d in deniers else d for d in rel.denied_by],
                        "nums": notes.cite(v.sources),
                    }
                )
        out.append((cat, len(rows), rows))
    return out


@router.get("/entity/{ref}", response_class=HTMLResponse, response_model=None)
async def entity_page(request: Request, ref: str) -> Response:
    """An entity: profile, relationships by category, neighbourhood network and timeline."""
    return await _serve(request, _entity_page, ref, embed=False)


def _entity_page(store: GraphStore, request: Request, ref: str) -> Response:
    eid, redirect = _canonical(store, request, ref, "/entity/")
    if redirect:
        return redirect
    depth, max_nodes, flt = _entity_params(request.query_params)
    prof = profile(store, eid)
    _sub, view = _entity_view(store, eid, depth, max_nodes, flt)
    items = timeline(store, [eid], limit=300)
    notes = Footnotes()
    ent_cites = notes.cite(prof.sources)
    groups = _relationship_rows(store, prof, notes)
    dated = [(it, notes.cite(it.sources)) for it in items]
    params = flt.params()
    name = prof.entity.name
    return _page(
        request,
        "entity.html",
        title=name,
        prof=prof,
        ent=prof.entity,
        ent_cites=ent_cites,
        groups=groups,
        items=dated,
        notes=notes.sources,
        depth=depth,
        max_nodes=max_nodes,
        flt=flt,
        network=_fragment(
            request,
            view,
            title=f"Network around {name}",
            embed=False,
            downloads=_downloads(request, f"/export/entity/{eid}", params),
            expand_query=_qs(flt.params(), max_nodes=None, depth=None),
        ),
        share=_share(request, f"/entity/{eid}", f"/embed/entity/{eid}", params, f"cryptokg: {name}"),
    )


@router.get("/embed/entity/{ref}", response_class=HTMLResponse, response_model=None)
async def entity_embed(request: Request, ref: str) -> Response:
    """Embeddable neighbourhood network of an entity (switches: search, legend, controls)."""
    return await _serve(request, _entity_embed, ref, embed=True)


def _entity_embed(store: GraphStore, request: Request, ref: str) -> Response:
    eid, redirect = _canonical(store, request, ref, "/embed/entity/")
    if redirect:
        return redirect
    depth, max_nodes, flt = _entity_params(request.query_params)
    sub, view = _entity_view(store, eid, depth, max_nodes, flt)
    name = next(n.name for n in sub.nodes if n.id == eid)
    return _embed(
        request,
        view,
        heading=name,
        title=f"Network around {name}",
        page_path=f"/entity/{eid}",
        export_path=f"/export/entity/{eid}",
        params=flt.params(),
        expand_query=_qs(flt.params(), max_nodes=None, depth=None),
    )


# -- paths -------------------------------------------------------------------------------


@dataclass
class PathParams:
    """What the path finder was asked."""

    source: str | None
    target: str | None
    mode: str
    k: int
    max_hops: int
    weighted: bool
    context: int
    filters: Filters

    @classmethod
    def read(cls, qp: QueryParams) -> PathParams:
        mode = _text(qp, "mode") or "shortest"
        return cls(
            source=_text(qp, "source"),
            target=_text(qp, "target"),
            mode=mode if mode in MODES else "shortest",
            k=_int(qp, "k", 3, 1, MAX_K),
            max_hops=_int(qp, "max_hops", 4, 1, MAX_HOPS),
            weighted=_flag(qp, "weighted", False),
            context=_int(qp, "context", PATH_CONTEXT, 0, 200),
            filters=Filters.read(qp),
        )

    def params(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "mode": self.mode if self.mode != "shortest" else None,
            "k": self.k if self.mode == "k" else None,
            "max_hops": self.max_hops if self.max_hops != 4 else None,
            "weighted": self.weighted,
            "context": self.context if self.context != PATH_CONTEXT else None,
            **self.filters.params(),
        }


def _find_paths(store: GraphStore, p: PathParams) -> PathResult:
    if not (p.source and p.target):
        raise InvalidParameter("source", "give a source and a target")
    return find_paths(
        store,
        p.source,
        p.target,
        mode=p.mode,
        k=p.k,
        max_hops=p.max_hops,
        weighted=p.weighted,
        flt=p.filters.edge_filter(),
    )


def _run_path(store: GraphStore, p: PathParams) -> tuple[PathResult, NetworkView]:
    """Paths, drawn inside the ``p.context`` best-connected neighbours of their entities."""
    result = _find_paths(store, p)
    flt = p.filters.edge_filter()
    on_path = sorted({n.id for path in result.paths for n in path.nodes})
    context = None
    if on_path and p.context:
        context = neighbourhood(store, on_path, depth=1, max_nodes=len(on_path) + p.context, flt=flt)
        context = _with_entity_sources(store, context)
        if context.truncated:
            context.note = (
                f"Around the path, only the {p.context} best-connected neighbours are drawn "
                f"({context.cut_nodes} more left out; see “Entities around”)."
            )
    return result, path_view(result, context)


@router.get("/path", response_class=HTMLResponse, response_model=None)
async def path_page(request: Request) -> Response:
    """Path finder: two entities, path options, cited narratives beside the highlighted network."""
    return await _serve(request, _path_page, embed=False)


def _path_page(store: GraphStore, request: Request) -> Response:
    p = PathParams.read(request.query_params)
    result = None
    view = None
    error: GraphError | None = None
    names = {e.id: e.name for e in store.get_entities([r for r in (p.source, p.target) if r]).values()}
    text, _path, example, needs = ENTRY_QUESTIONS[0]
    has_example = len(store.get_entities(needs)) == len(needs)
    if p.source and p.target:
        try:
            result, view = _run_path(store, p)
        except GraphError as exc:
            error = exc
    params = p.params()
    title = f"{result.source.name} → {result.target.name}" if result else "Path finder"
    numbers = {s.id: i for i, s in enumerate(result.footnotes, start=1)} if result else {}
    narratives = [
        (path, [(hop, [numbers[c.id] for c in hop.citations if c.id in numbers]) for hop in path.hops])
        for path in (result.paths if result else [])
    ]
    return _page(
        request,
        "path.html",
        status=error.status if error and not isinstance(error, EntityNotFound) else 200,
        title=title,
        p=p,
        names=names,
        result=result,
        narratives=narratives,
        example=(text, _qs(example)) if has_example else None,
        error=error,
        suggestions=error.suggestions if isinstance(error, EntityNotFound) else [],
        network=_fragment(
            request,
            view,
            title=f"Paths from {result.source.name} to {result.target.name}",
            embed=False,
            downloads=_downloads(request, "/export/path", params),
            expand_query=_qs(p.filters.params()),
        )
        if result and view and result.paths
        else None,
        share=_share(request, "/path", "/embed/path", params, f"cryptokg: {title}")
        if result and result.paths
        else None,
    )


@router.get("/embed/path", response_class=HTMLResponse, response_model=None)
async def path_embed(request: Request) -> Response:
    """Embeddable path network (switches: search, legend, controls)."""
    return await _serve(request, _path_embed, embed=True)


def _path_embed(store: GraphStore, request: Request) -> Response:
    p = PathParams.read(request.query_params)
    result, view = _run_path(store, p)
    heading = f"{result.source.name} → {result.target.name}"
    shortest = min((len(x.hops) for x in result.paths), default=0)
    count = len(result.paths)
    return _embed(
        request,
        view,
        heading=heading,
        title=f"Paths: {heading}",
        page_path="/path",
        export_path="/export/path",
        params=p.params(),
        expand_query=_qs(p.filters.params()),
        summary=result.message or f"{count} path{'s' if count != 1 else ''}; shortest {shortest} hop(s)",
    )


# -- common connections ------------------------------------------------------------------


def _common_sub(
    store: GraphStore, refs: list[str], max_hops: int, flt: Filters
) -> tuple[CommonResult, Subgraph]:
    """Common connections, and the subgraph that shows them: the entities and their routes."""
    result = common_connections(store, refs, max_hops=max_hops, limit=50, flt=flt.edge_filter())
    via = {r for c in result.connections for ids in c.via.values() for r in ids}
    ids = {e.id for e in result.entities} | {c.entity.id for c in result.connections}
    ids |= {x for r in store.get_relationships(via).values() for x in (r.source, r.target)}
    return result, subgraph_of(store, sorted(ids), flt=flt.edge_filter())


def _run_common(
    store: GraphStore, refs: list[str], max_hops: int, flt: Filters
) -> tuple[CommonResult, NetworkView]:
    result, sub = _common_sub(store, refs, max_hops, flt)
    return result, common_view(result, _with_entity_sources(store, sub))


def _common_params(qp: QueryParams) -> tuple[list[str], int, Filters]:
    refs = [r.strip() for r in qp.getlist("entity") if r.strip()][:10]
    max_hops = _int(qp, "max_hops", 1, 1, 2)
    flt = Filters.read(qp)
    flt.extra = {"entity": refs, "max_hops": max_hops if max_hops != 1 else None}
    return refs, max_hops, flt


@router.get("/common", response_class=HTMLResponse, response_model=None)
async def common_page(request: Request) -> Response:
    """Common connections of two or more entities, with their network."""
    return await _serve(request, _common_page, embed=False)


def _common_page(store: GraphStore, request: Request) -> Response:
    refs, max_hops, flt = _common_params(request.query_params)
    result = None
    view = None
    error: GraphError | None = None
    if len(refs) >= 2:
        try:
            result, view = _run_common(store, refs, max_hops, flt)
        except GraphError as exc:
            error = exc
    params = flt.params()
    names = {e.id: e.name for e in result.entities} if result else {}
    title = "Common connections" + (": " + " & ".join(names.values()) if names else "")
    return _page(
        request,
        "common.html",
        title=title,
        refs=refs + [""] * max(0, 2 - len(refs)),
        max_hops=max_hops,
        flt=flt,
        result=result,
        error=error,
        suggestions=error.suggestions if isinstance(error, EntityNotFound) else [],
        network=_fragment(
            request,
            view,
            title=title,
            embed=False,
            downloads=_downloads(request, "/export/common", params),
            expand_query=_qs(flt.params(), entity=None, max_hops=None),
        )
        if result and view
        else None,
        share=_share(request, "/common", "/embed/common", params, f"cryptokg: {title}") if result else None,
    )


@router.get("/embed/common", response_class=HTMLResponse, response_model=None)
async def common_embed(request: Request) -> Response:
    """Embeddable common-connections network (switches: search, legend, controls)."""
    return await _serve(request, _common_embed, embed=True)


def _common_embed(store: GraphStore, request: Request) -> Response:
    refs, max_hops, flt = _common_params(request.query_params)
    result, view = _run_common(store, refs, max_hops, flt)
    heading = "Common connections: " + " & ".join(e.name for e in result.entities)
    return _embed(
        request,
        view,
        heading=heading,
        title=heading,
        page_path="/common",
        export_path="/export/common",
        params=flt.params(),
        expand_query=_qs(flt.params(), entity=None, max_hops=None),
        summary=f"{len(result.connections)} shared connection(s) within {max_hops} hop(s)",
    )


# -- whole graph -------------------------------------------------------------------------


def _graph_params(qp: QueryParams) -> tuple[int, list[str] | None, Filters]:
    max_nodes = _int(qp, "max_nodes", MAX_VIEW_NODES, 10, MAX_VIEW_NODES)
    kinds = sorted({k for k in qp.getlist("kind") if k in KINDS}) or None
    if kinds and set(kinds) == set(KINDS):
        kinds = None
    flt = Filters.read(qp)
    flt.extra = {"kind": kinds or [], "max_nodes": max_nodes if max_nodes != MAX_VIEW_NODES else None}
    return max_nodes, kinds, flt


def _graph_sub(store: GraphStore, max_nodes: int, kinds: list[str] | None, flt: Filters) -> Subgraph:
    ids = [e.id for e in store.iter_entities() if kinds is None or str(e.kind) in kinds]
    sub = subgraph_of(store, ids, flt=flt.edge_filter())
    return _with_entity_sources(store, cap_subgraph(sub, max_nodes))


@router.get("/graph", response_class=HTMLResponse, response_model=None)
async def graph_page(request: Request) -> Response:
    """The whole graph, capped to the best-connected entities."""
    return await _serve(request, _graph_page, embed=False)


def _graph_page(store: GraphStore, request: Request) -> Response:
    max_nodes, kinds, flt = _graph_params(request.query_params)
    sub = _graph_sub(store, max_nodes, kinds, flt)
    view = network_view(sub, max_nodes=max_nodes)
    params = flt.params()
    total = store.stats()
    return _page(
        request,
        "graph.html",
        title="The whole graph",
        total=total,
        shown=len(sub.nodes),
        kinds=kinds or [],
        max_nodes=max_nodes,
        flt=flt,
        network=_fragment(
            request,
            view,
            title="The whole graph",
            embed=False,
            downloads=_downloads(request, "/export/graph", params),
            expand_query=_qs(flt.params(), kind=None, max_nodes=None),
            height="huge",
        ),
        share=_share(request, "/graph", "/embed/graph", params, "cryptokg: the whole graph"),
    )


@router.get("/embed/graph", response_class=HTMLResponse, response_model=None)
async def graph_embed(request: Request) -> Response:
    """Embeddable whole-graph network (switches: search, legend, controls)."""
    return await _serve(request, _graph_embed, embed=True)


def _graph_embed(store: GraphStore, request: Request) -> Response:
    max_nodes, kinds, flt = _graph_params(request.query_params)
    sub = _graph_sub(store, max_nodes, kinds, flt)
    return _embed(
        request,
        network_view(sub, max_nodes=max_nodes),
        heading="cryptokg: the whole graph",
        title="The whole graph",
        page_path="/graph",
        export_path="/export/graph",
        params=flt.params(),
        expand_query=_qs(flt.params(), kind=None, max_nodes=None),
        summary=sub.note,
    )


# -- timeline ----------------------------------------------------------------------------


@router.get("/timeline", response_class=HTMLResponse, response_model=None)
async def timeline_page(request: Request) -> Response:
    """Dated relationships and events, for the whole graph or a selection of entities."""
    return await _serve(request, _timeline_page, embed=False)


def _timeline_page(store: GraphStore, request: Request) -> Response:
    qp = request.query_params
    refs = [r.strip() for r in qp.getlist("entity") if r.strip()][:20]
    start, end = _text(qp, "start"), _text(qp, "end")
    ids = [resolve(store, r) for r in refs]
    items = timeline(store, ids or None, start=start, end=end, limit=2000)
    chosen = store.get_entities(ids)
    notes = Footnotes()
    years: dict[str, list[tuple[TimelineItem, list[int]]]] = {}
    for it in items:
        years.setdefault(it.date[:4], []).append((it, notes.cite(it.sources)))
    names = [chosen[i] for i in ids if i in chosen]
    title = "Timeline" + (": " + ", ".join(e.name for e in names) if names else " of the whole graph")
    return _page(
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


# -- fragments for the client script -----------------------------------------------------


@router.get("/ui/panel/{entity_id}", response_class=HTMLResponse, response_model=None)
async def panel(request: Request, entity_id: str) -> Response:
    """Side-panel HTML for one entity (fetched when a node is clicked)."""
    return await _serve(request, _panel, entity_id, embed=False)


def _panel(store: GraphStore, request: Request, entity_id: str) -> Response:
    qp = request.query_params
    try:
        prof = profile(store, entity_id)
    except GraphError as exc:
        return HTMLResponse(f"<p>{Markup.escape(exc.detail)}</p>", status_code=exc.status, headers=_headers())
    rels = [v for types in prof.groups.values() for views in types.values() for v in views]
    counts = {cat: sum(len(v) for v in types.values()) for cat, types in prof.groups.items()}
    target = _text(qp, "target")
    html = (
        _env()
        .get_template("_panel.html")
        .render(
            root=request.scope.get("root_path", "") or "",
            prof=prof,
            ent=prof.entity,
            rels=rels[:8],
            more=max(0, len(rels) - 8),
            counts=counts,
            expand=_flag(qp, "expand", False),
            target=target if target in ("_top", "_blank") else None,
        )
    )
    return HTMLResponse(html, headers=_headers())


@router.get("/ui/expand/{entity_id}")
async def expand(request: Request, entity_id: str) -> Response:
    """Neighbours of one entity as drawable nodes and edges (for "expand" in the panel)."""
    return await _serve(request, _expand, entity_id, embed=False)


def _expand(store: GraphStore, request: Request, entity_id: str) -> Response:
    flt = Filters.read(request.query_params)
    try:
        sub = neighbourhood(store, entity_id, depth=1, max_nodes=60, flt=flt.edge_filter())
    except GraphError as exc:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status)
    view = network_view(sub)
    return JSONResponse(
        {
            "nodes": view.nodes,
            "edges": view.edges,
            "entities": [{"id": n.id, "name": n.name, "kind_label": n.kind_label} for n in view.entities],
            "relations": [{"id": e.id, "sentence": e.sentence, "status": e.status} for e in view.relations],
            "note": view.note,
        }
    )


# -- downloads ---------------------------------------------------------------------------


def _download(store: GraphStore, sub: Subgraph, fmt: str, name: str) -> Response:
    if fmt not in FORMATS:
        raise InvalidParameter("format", f"expected one of {', '.join(FORMATS)}")
    f = FORMATS[fmt]
    body = export(self_contained(store, sub), fmt, title=f"cryptokg: {name}")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "cryptokg"
    return Response(
        body,
        media_type=f.media_type,
        headers={"Content-Disposition": f'attachment; filename="{safe}.{f.extension}"'},
    )


@router.get("/export/entity/{entity_id}", response_model=None)
async def export_entity(request: Request, entity_id: str) -> Response:
    """The neighbourhood an entity page draws, in an export format (``format=``)."""
    return await _serve(request, _export_entity, entity_id, embed=False)


def _export_entity(store: GraphStore, request: Request, entity_id: str) -> Response:
    qp = request.query_params
    depth, max_nodes, flt = _entity_params(qp)
    eid = resolve(store, entity_id)
    sub = neighbourhood(store, eid, depth=depth, max_nodes=max_nodes, flt=flt.edge_filter())
    return _download(store, sub, qp.get("format", "json"), f"{eid}-neighbourhood")


@router.get("/export/path", response_model=None)
async def export_path(request: Request) -> Response:
    """The paths the path finder draws, in an export format (``format=``)."""
    return await _serve(request, _export_path, embed=False)


def _export_path(store: GraphStore, request: Request) -> Response:
    result = _find_paths(store, PathParams.read(request.query_params))
    name = f"path-{result.source.id}-{result.target.id}"
    return _download(store, paths_subgraph(result), request.query_params.get("format", "json"), name)


@router.get("/export/common", response_model=None)
async def export_common(request: Request) -> Response:
    """The common-connections network, in an export format (``format=``)."""
    return await _serve(request, _export_common, embed=False)


def _export_common(store: GraphStore, request: Request) -> Response:
    refs, max_hops, flt = _common_params(request.query_params)
    _result, sub = _common_sub(store, refs, max_hops, flt)
    return _download(store, sub, request.query_params.get("format", "json"), "common-connections")


@router.get("/export/graph", response_model=None)
async def export_graph(request: Request) -> Response:
    """The whole-graph view (with its filters and cap), in an export format (``format=``)."""
    return await _serve(request, _export_graph, embed=False)


def _export_graph(store: GraphStore, request: Request) -> Response:
    max_nodes, kinds, flt = _graph_params(request.query_params)
    sub = _graph_sub(store, max_nodes, kinds, flt)
    return _download(store, sub, request.query_params.get("format", "json"), "graph")
