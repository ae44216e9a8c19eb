"""The entity page and its embed: profile, relationships by category, network, timeline."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import QueryParams

from api.ui.history import propose_choices, record_history
from api.ui.render import (
    DEFAULT_NODES,
    Filters,
    Footnotes,
    download_links,
    embed_page,
    int_param,
    network_fragment,
    qs,
    render_page,
    serve,
    share_links,
    with_entity_sources,
)
from graph.model import Relationship, Subgraph
from graph.narrate import date_phrase
from graph.queries.lookup import profile, resolve
from graph.queries.neighbourhood import MAX_DEPTH, neighbourhood
from graph.queries.timeline import timeline
from graph.results import Profile
from graph.store.base import GraphStore
from graph.viz import (
    MAX_VIEW_NODES,
    NetworkView,
    network_view,
)
from graph.vocabulary import REL_TYPES

router = APIRouter(include_in_schema=False)

# -- entity ------------------------------------------------------------------------------


def entity_params(qp: QueryParams) -> tuple[int, int, Filters]:
    depth = int_param(qp, "depth", 1, 1, MAX_DEPTH)
    max_nodes = int_param(qp, "max_nodes", DEFAULT_NODES, 10, MAX_VIEW_NODES)
    flt = Filters.read(qp)
    flt.extra = {
        "depth": depth if depth != 1 else None,
        "max_nodes": max_nodes if max_nodes != DEFAULT_NODES else None,
    }
    return depth, max_nodes, flt


def entity_view(
    store: GraphStore, eid: str, depth: int, max_nodes: int, flt: Filters
) -> tuple[Subgraph, NetworkView]:
    sub = neighbourhood(store, eid, depth=depth, max_nodes=max_nodes, flt=flt.edge_filter())
    sub = with_entity_sources(store, sub)
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
                role = ""
                if rel.role:
                    # the role belongs to the relationship's source: name it when that is the other side
                    role = (
                        f"({v.other.name}: {rel.role})" if t.symmetric and not v.forward else f"as {rel.role}"
                    )
                rows.append(
                    {
                        "view": v,
                        "verb": (t.verb if v.forward or t.symmetric else t.reverse_verb).capitalize(),
                        "dates": date_phrase(rel.start, rel.end, rel.last_checked, lasting=t.lasting),
                        "role": role,
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
    return await serve(request, _entity_page, ref, embed=False)


def _entity_page(store: GraphStore, request: Request, ref: str) -> Response:
    eid, redirect = _canonical(store, request, ref, "/entity/")
    if redirect:
        return redirect
    depth, max_nodes, flt = entity_params(request.query_params)
    prof = profile(store, eid, evidence=flt.evidence)
    _sub, view = entity_view(store, eid, depth, max_nodes, flt)
    items = timeline(store, [eid], limit=300, evidence=flt.evidence)
    notes = Footnotes()
    ent_cites = notes.cite(prof.sources)
    groups = _relationship_rows(store, prof, notes)
    dated = [(it, notes.cite(it.sources)) for it in items]
    params = flt.params()
    name = prof.entity.name
    return render_page(
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
        history=record_history(store, eid),
        choices=propose_choices(),
        network=network_fragment(
            request,
            view,
            title=f"Network around {name}",
            embed=False,
            downloads=download_links(request, f"/export/entity/{eid}", params),
            expand_query=qs(flt.params(), max_nodes=None, depth=None),
        ),
        share=share_links(
            request,
            f"/entity/{eid}",
            f"/embed/entity/{eid}",
            params,
            f"cryptokg: {name}",
            map_query=qs({"from": "entity", "id": eid, "depth": depth if depth != 1 else None}),
        ),
    )


@router.get("/embed/entity/{ref}", response_class=HTMLResponse, response_model=None)
async def entity_embed(request: Request, ref: str) -> Response:
    """Embeddable neighbourhood network of an entity (switches: search, legend, controls)."""
    return await serve(request, _entity_embed, ref, embed=True)


def _entity_embed(store: GraphStore, request: Request, ref: str) -> Response:
    eid, redirect = _canonical(store, request, ref, "/embed/entity/")
    if redirect:
        return redirect
    depth, max_nodes, flt = entity_params(request.query_params)
    sub, view = entity_view(store, eid, depth, max_nodes, flt)
    name = next(n.name for n in sub.nodes if n.id == eid)
    return embed_page(
        request,
        view,
        heading=name,
        title=f"Network around {name}",
        page_path=f"/entity/{eid}",
        export_path=f"/export/entity/{eid}",
        params=flt.params(),
        expand_query=qs(flt.params(), max_nodes=None, depth=None),
    )
