"""The path finder and its embed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import QueryParams

from api.ui.render import (
    ENTRY_QUESTIONS,
    MODES,
    PATH_CONTEXT,
    Filters,
    download_links,
    embed_page,
    flag_param,
    int_param,
    network_fragment,
    qs,
    render_page,
    serve,
    share_links,
    text_param,
    with_entity_sources,
)
from graph.errors import AmbiguousEntity, EntityNotFound, GraphError, InvalidParameter
from graph.periods import period_warning
from graph.queries.neighbourhood import neighbourhood
from graph.queries.paths import MAX_HOPS, MAX_K, find_paths
from graph.results import PathResult
from graph.store.base import GraphStore
from graph.viz import (
    NetworkView,
    path_view,
)

router = APIRouter(include_in_schema=False)

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
        mode = text_param(qp, "mode") or "shortest"
        return cls(
            source=text_param(qp, "source"),
            target=text_param(qp, "target"),
            mode=mode if mode in MODES else "shortest",
            k=int_param(qp, "k", 3, 1, MAX_K),
            max_hops=int_param(qp, "max_hops", 4, 1, MAX_HOPS),
            weighted=flag_param(qp, "weighted", False),
            context=int_param(qp, "context", PATH_CONTEXT, 0, 200),
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


def path_result(store: GraphStore, p: PathParams) -> PathResult:
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


def run_path(store: GraphStore, p: PathParams) -> tuple[PathResult, NetworkView]:
    """Paths, drawn inside the ``p.context`` best-connected neighbours of their entities."""
    result = path_result(store, p)
    flt = p.filters.edge_filter()
    on_path = sorted({n.id for path in result.paths for n in path.nodes})
    context = None
    if on_path and p.context:
        context = neighbourhood(store, on_path, depth=1, max_nodes=len(on_path) + p.context, flt=flt)
        context = with_entity_sources(store, context)
        if context.truncated:
            context.note = (
                f"Around the path, only the {p.context} best-connected neighbours are drawn "
                f"({context.cut_nodes} more left out; see “Entities around”)."
            )
    return result, path_view(result, context)


@router.get("/path", response_class=HTMLResponse, response_model=None)
async def path_page(request: Request) -> Response:
    """Path finder: two entities, path options, cited narratives beside the highlighted network."""
    return await serve(request, _path_page, embed=False)


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
            result, view = run_path(store, p)
        except GraphError as exc:
            error = exc
    params = p.params()
    title = f"{result.source.name} → {result.target.name}" if result else "Path finder"
    numbers = {s.id: i for i, s in enumerate(result.footnotes, start=1)} if result else {}
    narratives = [
        (
            path,
            [(hop, [numbers[c.id] for c in hop.citations if c.id in numbers]) for hop in path.hops],
            period_warning(h.relationship for h in path.hops),
        )
        for path in (result.paths if result else [])
    ]
    suggestions = error.suggestions if isinstance(error, EntityNotFound) else []
    # Each suggestion is a link to the same question with that entity in place of the name.
    side = "source" if isinstance(error, EntityNotFound) and error.ref == p.source else "target"
    choices = [(s, qs(params, **{side: s["id"]})) for s in suggestions]
    return render_page(
        request,
        "path.html",
        status=error.status if error and not isinstance(error, EntityNotFound) else 200,
        title=title,
        p=p,
        names=names,
        result=result,
        narratives=narratives,
        example=(text, qs(example)) if has_example else None,
        error=error,
        choices=choices,
        ambiguous=isinstance(error, AmbiguousEntity),
        network=network_fragment(
            request,
            view,
            title=f"Paths from {result.source.name} to {result.target.name}",
            embed=False,
            downloads=download_links(request, "/export/path", params),
            expand_query=qs(p.filters.params()),
        )
        if result and view and result.paths
        else None,
        share=share_links(
            request,
            "/path",
            "/embed/path",
            params,
            f"cryptokg: {title}",
            map_query=qs({"from": "path", **params}),
        )
        if result and result.paths
        else None,
    )


@router.get("/embed/path", response_class=HTMLResponse, response_model=None)
async def path_embed(request: Request) -> Response:
    """Embeddable path network (switches: search, legend, controls)."""
    return await serve(request, _path_embed, embed=True)


def _path_embed(store: GraphStore, request: Request) -> Response:
    p = PathParams.read(request.query_params)
    result, view = run_path(store, p)
    heading = f"{result.source.name} → {result.target.name}"
    shortest = min((len(x.hops) for x in result.paths), default=0)
    count = len(result.paths)
    return embed_page(
        request,
        view,
        heading=heading,
        title=f"Paths: {heading}",
        page_path="/path",
        export_path="/export/path",
        params=p.params(),
        expand_query=qs(p.filters.params()),
        summary=result.message or f"{count} path{'s' if count != 1 else ''}; shortest {shortest} hop(s)",
    )
