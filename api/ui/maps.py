"""Story maps in the web UI: the list, the editor, the map itself, its embed and its JSON.

Reading is public. Creating (or importing), replacing and deleting a map need the API key,
as every write does (``api.auth``): ``POST /maps``, ``PUT /maps/{id}``, ``DELETE /maps/{id}``
take and give JSON; problems come back as problem details naming the field. Maps are kept
by ``graph.storymaps.MapStore`` in the workspace.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup

from api.auth import WriterDep
from api.ui.common import common_params, common_sub
from api.ui.path import PathParams, path_result
from api.ui.render import (
    Filters,
    int_param,
    render_page,
    run_read,
    serve,
    share_links,
    text_param,
    with_entity_sources,
)
from graph.export import paths_subgraph
from graph.model import Subgraph
from graph.queries.lookup import resolve
from graph.queries.neighbourhood import neighbourhood, subgraph_of
from graph.store.base import GraphStore
from graph.storymaps import MAX_MAP_NODES, MapStore, StoryMap, changes
from graph.viz import NetworkView, network_view, render_fragment

router = APIRouter(include_in_schema=False)


def _maps(request: Request) -> MapStore:
    return MapStore(request.app.state.settings.workspace)


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "") or "")


def _fragment(
    request: Request, view: NetworkView, title: str, *, embed: bool, credit: str | None = None
) -> Markup:
    root = _root(request)
    return render_fragment(
        view,
        dom_id="network",
        title=title,
        entity_url=f"{root}/entity/",
        panel_url=f"{root}/ui/panel/",
        expand_url=None,
        show_legend=True,
        show_controls=True,
        link_target="_top" if embed else None,
        height="tall",
        credit=credit,
    )


# -- the list ------------------------------------------------------------------------------


@router.get("/maps", response_class=HTMLResponse, response_model=None)
async def maps_page(request: Request) -> Response:
    """Saved story maps, newest first, and how to make or import one."""
    return await serve(request, _maps_page)


def _maps_page(store: GraphStore, request: Request) -> Response:
    return render_page(request, "maps.html", title="Story maps", maps=_maps(request).list())


# -- the editor ----------------------------------------------------------------------------


def _draft_sub(store: GraphStore, request: Request) -> tuple[Subgraph, str]:
    """The entities and relationships a new map starts from, and a title for it."""
    qp = request.query_params
    origin = text_param(qp, "from") or "ids"
    if origin == "path":
        result = path_result(store, PathParams.read(qp))
        return paths_subgraph(result), f"{result.source.name} → {result.target.name}"
    if origin == "entity":
        eid = resolve(store, text_param(qp, "id") or "")
        depth = int_param(qp, "depth", 1, 1, 2)
        sub = neighbourhood(store, eid, depth=depth, max_nodes=int_param(qp, "max_nodes", 40, 2, 150))
        return sub, next((n.name for n in sub.nodes if n.id == eid), eid)
    if origin == "common":
        refs, max_hops, flt = common_params(qp)
        common, sub = common_sub(store, refs, max_hops, flt)
        return sub, "Common connections: " + " & ".join(e.name for e in common.entities)
    ids = sorted({resolve(store, r.strip()) for r in qp.getlist("ids") if r.strip()})
    return subgraph_of(store, ids, flt=Filters().edge_filter()), "A story map"


@router.get("/maps/new", response_class=HTMLResponse, response_model=None)
async def new_map(request: Request) -> Response:
    """The editor, starting from a path, a neighbourhood, common connections or chosen ids."""
    return await serve(request, _new_map)


def _new_map(store: GraphStore, request: Request) -> Response:
    sub, title = _draft_sub(store, request)
    sub = with_entity_sources(store, sub)
    view = network_view(sub, max_nodes=MAX_MAP_NODES)
    return _editor(request, view, None, title)


@router.get("/maps/{map_id}/edit", response_class=HTMLResponse, response_model=None)
async def edit_map(request: Request, map_id: str) -> Response:
    """The editor, on a saved map."""
    return await serve(request, _edit_map, map_id)


def _edit_map(store: GraphStore, request: Request, map_id: str) -> Response:
    m = _maps(request).get(map_id)
    view, _sub = map_view(store, m, include_hidden=True)
    return _editor(request, view, m, m.title)


def _editor(request: Request, view: NetworkView, m: StoryMap | None, title: str) -> Response:
    node_caps = {n.id: n for n in m.nodes} if m else {}
    edge_caps = {e.id: e for e in m.edges} if m else {}
    return render_page(
        request,
        "map_edit.html",
        title=f"Edit: {title}" if m else "New story map",
        m=m,
        draft_title=title,
        view=view,
        node_caps=node_caps,
        edge_caps=edge_caps,
        steps=m.steps if m else [],
        network=_fragment(request, view, title, embed=False),
    )


# -- a map ---------------------------------------------------------------------------------


def map_view(store: GraphStore, m: StoryMap, *, include_hidden: bool = False) -> tuple[NetworkView, Subgraph]:
    """The map drawn as saved: its entities where they were placed, captions in the tooltips."""
    nodes = [n for n in m.nodes if include_hidden or not n.hidden]
    ents = store.get_entities(n.id for n in nodes)
    wanted = [e for e in m.edges if include_hidden or not e.hidden]
    rels = {
        k: r
        for k, r in store.get_relationships(e.id for e in wanted).items()
        if r.source in ents and r.target in ents
    }
    sources = store.get_sources(
        {s for r in rels.values() for s in r.sources} | {s for e in ents.values() for s in e.sources}
    )
    sub = Subgraph(
        nodes=sorted(ents.values(), key=lambda e: e.id),
        edges=sorted(rels.values(), key=lambda r: r.id),
        sources=sources,
    )
    view = network_view(sub, max_nodes=MAX_MAP_NODES, edge_order=[e.id for e in wanted])
    placed = {n.id: n for n in nodes}
    captions = {e.id: e for e in wanted}
    for node in view.nodes:
        p = placed.get(node["id"])
        if p is None:
            continue
        if p.x is not None and p.y is not None:
            node["x"], node["y"] = p.x, p.y
        if p.caption:
            node["title"] = f"{p.caption}\n\n{node['title']}"
        if p.hidden:
            node["hidden"] = True
    for edge in view.edges:
        c = captions.get(edge["id"])
        if c and c.caption:
            edge["title"] = f"{c.caption}\n\n{edge['title']}"
        if c and c.hidden:
            edge["hidden"] = True
    if view.nodes and all(n.x is not None and n.y is not None for n in nodes):
        view.positioned = True
        view.options["physics"]["enabled"] = False
    return view, sub


@router.get("/maps/{map_id}.json", response_model=None)
async def export_map(request: Request, map_id: str) -> Response:
    """The saved map as JSON, to keep or to import elsewhere (``POST /maps``)."""

    def work(store: GraphStore) -> StoryMap:
        return _maps(request).get(map_id)

    m = await run_read(request, work)
    return Response(
        m.model_dump_json(indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{m.id}.json"'},
    )


@router.get("/maps/{map_id}", response_class=HTMLResponse, response_model=None)
async def map_page(request: Request, map_id: str) -> Response:
    """A story map: the network as arranged, captions, steps, cited facts, legend and credit."""
    return await serve(request, _map_page, map_id, False)


@router.get("/embed/maps/{map_id}", response_class=HTMLResponse, response_model=None)
async def map_embed(request: Request, map_id: str) -> Response:
    """A story map to embed: the same story, captions and footnotes, with minimal chrome."""
    return await serve(request, _map_page, map_id, True, embed=True)


def _map_page(store: GraphStore, request: Request, map_id: str, embed: bool) -> Response:
    m = _maps(request).get(map_id)
    view, sub = map_view(store, m)
    names = {e.id: e.name for e in sub.nodes}
    relations = {r.id: r for r in view.relations}
    facts = [(e, relations[e.id]) for e in m.edges if not e.hidden and e.id in relations]
    notes = [(n, names[n.id]) for n in m.nodes if not n.hidden and n.caption and n.id in names]
    share = share_links(request, f"/maps/{m.id}", f"/embed/maps/{m.id}", {}, f"Story map: {m.title}")
    return render_page(
        request,
        "map.html",
        embed=embed,
        title=m.title,
        m=m,
        view=view,
        facts=facts,
        notes=notes,
        names=names,
        changed=changes(store, m),
        share=None if embed else share,
        permalink=share["permalink"],
        credit=_credit(m),
        network=_fragment(request, view, m.title, embed=embed, credit=_credit(m)),
    )


def _credit(m: StoryMap) -> str:
    return (
        f"Story map made with cryptokg from graph version {m.graph_version[:12] or 'unknown'}, "
        f"saved {m.updated[:10]}. Every relationship cites its sources."
    )


# -- writes --------------------------------------------------------------------------------


async def _body(request: Request) -> Any:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype and ctype != "application/json" and not ctype.endswith("+json"):
        raise HTTPException(415, f"send JSON (Content-Type: application/json), not {ctype}")
    raw = await request.body()
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPException(400, f"malformed JSON: {exc}") from None


def _saved(request: Request, m: StoryMap, status: int) -> JSONResponse:
    return JSONResponse(
        {"id": m.id, "url": f"{_root(request)}/maps/{m.id}", "map": m.model_dump(mode="json")},
        status_code=status,
        headers={"Location": f"{_root(request)}/maps/{m.id}"},
    )


@router.post("/maps", dependencies=[WriterDep])
async def create_map(request: Request) -> Response:
    """Save a new map (or import an exported one); needs the API key."""
    data = await _body(request)
    m = await run_read(request, lambda store: _maps(request).save(store, data))
    return _saved(request, m, 201)


@router.put("/maps/{map_id}", dependencies=[WriterDep])
async def replace_map(request: Request, map_id: str) -> Response:
    """Replace a saved map with the body; needs the API key."""
    data = await _body(request)
    m = await run_read(request, lambda store: _maps(request).save(store, data, map_id, create=False))
    return _saved(request, m, 200)


@router.delete("/maps/{map_id}", dependencies=[WriterDep])
async def delete_map(request: Request, map_id: str) -> Response:
    """Delete a saved map; needs the API key."""
    await run_read(request, lambda store: _maps(request).delete(map_id))
    return Response(status_code=204)
