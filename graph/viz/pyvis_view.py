"""Network views of query results, built with pyvis (the only module that imports it).

Input is what the query engine returns (``Subgraph``, ``PathResult``, ``CommonResult``); output
is a ``NetworkView``: vis-network nodes, edges and options built through pyvis's ``Network``,
plus a text version of the same graph (entities, cited relationship sentences and numbered
sources). Turning views into HTML (``render_fragment``, ``static_files``, ``standalone_html``,
``notebook_html``, ``NotebookView``) is ``graph.viz.html``'s job; those names are re-exported
here.

Layout is deterministic: the node and edge order is fixed (sorted by id), vis-network's
``layout.randomSeed`` is set, and the client turns physics off once stabilisation is done.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyvis.network import Network

from graph.dates import date_bounds, sort_key
from graph.model import Entity, Relationship, Source, Subgraph
from graph.narrate import date_phrase, sentence
from graph.results import CommonResult, PathResult
from graph.viz.styles import (
    FADED_OPACITY,
    HIGHLIGHT,
    NODE_LABEL,
    STATUS_STYLES,
    edge_label,
    edge_style,
    kind_style,
    node_size,
    truncate,
)
from graph.vocabulary import REL_TYPES

__all__ = [
    "MAX_VIEW_NODES",
    "NOTEBOOK_HEIGHT",
    "SEED",
    "NetworkView",
    "NotebookView",
    "TextEdge",
    "TextNode",
    "cap_subgraph",
    "common_view",
    "network_view",
    "notebook_html",
    "path_view",
    "render_fragment",
    "script_json",
    "standalone_html",
    "static_files",
]

#: Seed of vis-network's initial layout: the same graph is always drawn the same way.
SEED = 7
#: Largest number of entities a view draws; larger subgraphs are capped (see ``cap_subgraph``).
MAX_VIEW_NODES = 300
#: Above this many relationships, edge labels start hidden (shown for the selected entity).
LABELS_MAX_EDGES = 80
#: In views of more than ``LANDMARKS_FROM`` entities, the ``LANDMARKS`` best-connected keep
#: their labels at every zoom level.
LANDMARKS_FROM = 60
LANDMARKS = 15

_HERE = Path(__file__).resolve().parent
_ROLE_LABELS = {
    "center": "starting point",
    "path": "on the path",
    "common": "common connection",
    "context": "",
}


@dataclass
class TextNode:
    """One entity in the text version of a view."""

    id: str
    name: str
    kind: str
    kind_label: str
    role: str
    degree: int
    description: str | None = None
    sources: list[int] = field(default_factory=list)

    @property
    def role_label(self) -> str:
        """How the entity takes part in the view, in words ("" for plain context)."""
        return _ROLE_LABELS.get(self.role, "")


@dataclass
class TextEdge:
    """One relationship in the text version of a view: its sentence and source numbers."""

    id: str
    source: str
    target: str
    type: str
    category: str
    status: str
    sentence: str
    highlighted: bool = False
    sources: list[int] = field(default_factory=list)


@dataclass
class NetworkView:
    """A network ready to draw: vis-network data plus its text version."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    options: dict[str, Any]
    entities: list[TextNode]
    relations: list[TextEdge]
    footnotes: list[Source]
    highlight: list[str] = field(default_factory=list)
    highlight_edges: list[str] = field(default_factory=list)
    note: str | None = None
    truncated: bool = False
    #: Every node has its saved x and y: drawn where they are, without a layout.
    positioned: bool = False
    #: Communities the client folds into cluster nodes at first (see ``graph.viz.clusters``).
    clusters: list[dict[str, Any]] = field(default_factory=list)

    @property
    def kinds(self) -> set[str]:
        """Entity kinds present in the view (the legend lists only these)."""
        return {n.kind for n in self.entities}

    def data(self) -> dict[str, Any]:
        """What the client script needs: nodes, edges, options and the highlighted ids."""
        return {
            "nodes": self.nodes,
            "edges": self.edges,
            "options": self.options,
            "highlight": self.highlight,
            "highlight_edges": self.highlight_edges,
            "labels": self.show_labels,
            "positioned": self.positioned,
            "clusters": self.clusters,
        }

    @property
    def years(self) -> tuple[int, int] | None:
        """First and last year the view's relationships mention (None: fewer than two years)."""
        found = sorted(int(d[:4]) for e in self.edges for d in (e.get("from_day"), e.get("until_day")) if d)
        if not found or found[0] == found[-1]:
            return None
        return found[0], found[-1]

    @property
    def show_labels(self) -> bool:
        """Whether edge labels start shown (small views) or only for the selected entity."""
        return len(self.edges) <= LABELS_MAX_EDGES


# -- capping -----------------------------------------------------------------------------


def cap_subgraph(sub: Subgraph, max_nodes: int = MAX_VIEW_NODES, *, keep: Iterable[str] = ()) -> Subgraph:
    """``sub`` with at most ``max_nodes`` entities, the most central kept.

    Always kept: the subgraph's ``center`` and the ids in ``keep`` (a path's entities), even
    beyond the cap. The others are ranked by distance from the centre when ``sub.depth``
    knows it, then by how many relationships they have inside the subgraph (more first),
    then by id; relationships to entities left out are dropped. ``truncated``,
    ``cut_nodes`` and ``note`` say what was cut (added to what an earlier cap cut).

    >>> from graph.testing import mini_store
    >>> from graph.queries.neighbourhood import subgraph_of
    >>> store = mini_store()
    >>> whole = subgraph_of(store, [e.id for e in store.iter_entities()])
    >>> small = cap_subgraph(whole, 3)
    >>> [n.id for n in small.nodes], small.cut_nodes
    (['acme', 'alice', 'carol'], 9)
    """
    if max_nodes < 1:
        msg = "max_nodes must be at least 1"
        raise ValueError(msg)
    if len(sub.nodes) <= max_nodes:
        return sub
    present = {n.id for n in sub.nodes}
    pinned = (set(sub.center) | set(keep)) & present
    degree: Counter[str] = Counter()
    for rel in sub.edges:
        degree[rel.source] += 1
        degree[rel.target] += 1
    far = max(sub.depth.values(), default=0) + 1
    rest = sorted(
        (n.id for n in sub.nodes if n.id not in pinned),
        key=lambda i: (sub.depth.get(i, far), -degree[i], i),
    )
    kept = {n.id for n in sub.nodes if n.id in pinned} | set(rest[: max(max_nodes - len(pinned), 0)])
    cut = len(sub.nodes) - len(kept)
    edges = [r for r in sub.edges if r.source in kept and r.target in kept]
    cited = {s for r in edges for s in r.sources} | {s for n in sub.nodes if n.id in kept for s in n.sources}
    note = f"{cut} less connected entities are not drawn (the view shows at most {max_nodes})."
    return sub.model_copy(
        update={
            "nodes": [n for n in sub.nodes if n.id in kept],
            "edges": edges,
            "sources": {k: v for k, v in sub.sources.items() if k in cited},
            "depth": {k: v for k, v in sub.depth.items() if k in kept},
            "truncated": True,
            "cut_nodes": sub.cut_nodes + cut,
            "note": f"{sub.note}; {note}" if sub.note else note,
        }
    )


# -- building a view ---------------------------------------------------------------------


def _kind(ent: Entity) -> str:
    return str(getattr(ent.kind, "value", ent.kind))


def _status(rel: Relationship) -> str:
    return str(getattr(rel.status, "value", rel.status))


def _cite(sources: Mapping[str, Source], numbers: dict[str, int], ids: Iterable[str]) -> list[int]:
    out = []
    for sid in ids:
        if sid in sources:
            out.append(numbers.setdefault(sid, len(numbers) + 1))
    return out


def _source_line(num: int, src: Source) -> str:
    parts = [src.title]
    if src.publisher:
        parts.append(src.publisher)
    if src.date:
        parts.append(src.date)
    kind = src.kind.value.replace("_", " ")
    parts.append(f"{kind}, copy of {src.copy_of}" if src.copy_of else kind)
    return f"[{num}] " + ", ".join(parts)


def _node_tooltip(
    ent: Entity, degree: int, role: str, cites: list[int], sources: Mapping[str, Source], nums: dict[int, str]
) -> str:
    lines = [
        ent.name,
        kind_style(_kind(ent)).label + (f" · {_ROLE_LABELS[role]}" if _ROLE_LABELS[role] else ""),
    ]
    if ent.aliases:
        lines.append("Also known as: " + ", ".join(ent.aliases[:5]))
    if ent.country or ent.jurisdiction:
        lines.append("Country: " + " / ".join(x for x in (ent.country, ent.jurisdiction) if x))
    if ent.founded:
        lines.append(f"Founded: {ent.founded}")
    if ent.description:
        lines.append(truncate(ent.description, 300))
    lines.append(f"{degree} relationship{'s' if degree != 1 else ''} in this view")
    if cites:
        lines.append("Sources:")
        lines.extend(_source_line(n, sources[nums[n]]) for n in cites[:6])
    return "\n".join(lines)


def _edge_tooltip(
    rel: Relationship,
    text: str,
    names: Mapping[str, str],
    cites: list[int],
    sources: Mapping[str, Source],
    nums: dict[int, str],
) -> str:
    st = STATUS_STYLES.get(_status(rel))
    lines = [text]
    lines.append(f"Status: {_status(rel)}" + (f" ({st.help})" if st else ""))
    if rel.role:
        lines.append(f"Role: {rel.role}")
    dates = date_phrase(rel.start, rel.end)
    lines.append(f"Dates: {dates}" if dates else "Dates: unknown")
    if rel.last_checked:
        lines.append(f"Last checked: {rel.last_checked}")
    if rel.denied_by:
        lines.append("Denied by: " + ", ".join(names.get(d, d) for d in rel.denied_by))
    if rel.notes:
        lines.append("Note: " + truncate(rel.notes, 300))
    if cites:
        lines.append("Sources:")
        lines.extend(_source_line(n, sources[nums[n]]) for n in cites[:8])
    return "\n".join(lines)


def _options(n_nodes: int, seed: int) -> dict[str, Any]:
    small = n_nodes <= 40
    return {
        "autoResize": True,
        "layout": {"randomSeed": seed, "improvedLayout": n_nodes <= 100},
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -120 if small else -60,
                "centralGravity": 0.01,
                "springLength": 170 if small else 100,
                "springConstant": 0.05,
                "damping": 0.6,
                "avoidOverlap": 0.8,
            },
            "maxVelocity": 50,
            "minVelocity": 0.75,
            "timestep": 0.5,
            "stabilization": {
                "enabled": True,
                "iterations": 1000 if n_nodes <= 150 else 600,
                "updateInterval": 50,
                "fit": True,
            },
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            # The client script handles keys on the focused canvas (vis-network's own binding
            # only works after a click).
            "keyboard": {"enabled": False},
            "navigationButtons": False,
            "hideEdgesOnDrag": n_nodes > 150,
            "multiselect": False,
        },
        "nodes": {
            "borderWidth": 1.5,
            "borderWidthSelected": 3,
            "font": {
                "size": 14 if n_nodes <= 150 else 12,
                "face": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
                "color": "#1f2328",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
            "scaling": {"label": {"drawThreshold": 6}},
        },
        "edges": {
            "font": {
                "size": 12,
                "align": "middle",
                "color": "#3d434b",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
                "face": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
            },
            # Edge labels are hidden below this on-screen size: large views stay readable when
            # zoomed out and show their labels when zoomed in.
            "scaling": {"label": {"drawThreshold": 9}},
            "smooth": {"enabled": True, "type": "continuous", "roundness": 0.2},
            "selectionWidth": 2,
            "hoverWidth": 0.8,
        },
    }


def network_view(
    sub: Subgraph,
    *,
    highlight_nodes: Iterable[str] = (),
    highlight_edges: Iterable[str] = (),
    roles: Mapping[str, str] | None = None,
    first_sources: Iterable[Source] = (),
    edge_order: Iterable[str] = (),
    max_nodes: int = MAX_VIEW_NODES,
    seed: int = SEED,
) -> NetworkView:
    """Draw a subgraph: kinds as colours and shapes, statuses as line styles, sources as text.

    ``highlight_nodes`` and ``highlight_edges`` are drawn strongly and everything else faded
    (paths in their context); ``roles`` names how entities take part (``center``, ``path``,
    ``common``; the subgraph's centre is ``center`` by default). ``first_sources`` take the
    first footnote numbers, so a page's own footnotes and the view's agree; ``edge_order``
    lists relationships to put first in the text version (a path's hops). The subgraph is
    capped to ``max_nodes`` entities first (``cap_subgraph``).

    >>> from graph.testing import mini_store
    >>> from graph.queries.neighbourhood import neighbourhood
    >>> view = network_view(neighbourhood(mini_store(), "carol"))
    >>> [n["id"] for n in view.nodes], view.nodes[2]["shape"]
    (['alice', 'bob', 'carol', 'regulator', 'venture'], 'dot')
    >>> [(e["id"], e["dashes"]) for e in view.edges][:3]
    [('r09', False), ('r10', [8, 5]), ('r12', [2, 5])]
    """
    hl_nodes = set(highlight_nodes)
    hl_edges = set(highlight_edges)
    sub = cap_subgraph(sub, max_nodes, keep=hl_nodes)
    role_of = {c: "center" for c in sub.center}
    role_of.update(roles or {})
    focus = bool(hl_nodes or hl_edges)

    ents = sorted(sub.nodes, key=lambda e: e.id)
    names = {e.id: e.name for e in ents}
    # Text order: highlighted relationships first, then by category and date. Footnotes are
    # numbered in that order; vis-network gets nodes and edges sorted by id.
    first = {rid: i for i, rid in enumerate(dict.fromkeys(edge_order))}
    rels = sorted(
        sub.edges,
        key=lambda r: (
            first.get(r.id, len(first)),
            r.id not in hl_edges,
            REL_TYPES[r.type].category.value,
            sort_key(r.start),
            r.id,
        ),
    )
    sources: dict[str, Source] = dict(sub.sources)
    numbers: dict[str, int] = {}
    for src in first_sources:
        sources.setdefault(src.id, src)
        numbers.setdefault(src.id, len(numbers) + 1)
    degree: Counter[str] = Counter()
    for r in rels:
        degree[r.source] += 1
        degree[r.target] += 1

    # In large views labels vanish when zoomed out; the hubs keep theirs, as landmarks.
    landmarks = set()
    if len(ents) > LANDMARKS_FROM:
        landmarks = {e.id for e in sorted(ents, key=lambda e: (-degree[e.id], e.id))[:LANDMARKS]}
    rel_cites = {r.id: _cite(sources, numbers, r.sources) for r in rels}
    ent_cites = {e.id: _cite(sources, numbers, e.sources) for e in ents}
    by_number = {n: sid for sid, n in numbers.items()}

    net = Network(height="600px", width="100%", directed=True, cdn_resources="local")
    text_nodes: list[TextNode] = []
    for ent in ents:
        kind = _kind(ent)
        style = kind_style(kind)
        role = role_of.get(ent.id, "context")
        strong = ent.id in hl_nodes or role == "center"
        faded = focus and not strong
        opts: dict[str, Any] = {
            "title": _node_tooltip(ent, degree[ent.id], role, ent_cites[ent.id], sources, by_number),
            "size": node_size(degree[ent.id], center=role == "center"),
            "borderWidth": 4 if strong and focus else (3 if role == "center" else 1.5),
            "color": {
                "background": style.colour,
                "border": HIGHLIGHT if strong and focus else style.border,
                "highlight": {"background": style.colour, "border": HIGHLIGHT},
                "hover": {"background": style.colour, "border": style.border},
            },
            "kind": kind,
        }
        if style.dashed_border:
            opts["shapeProperties"] = {"borderDashes": [4, 3]}
        if faded:
            opts["opacity"] = FADED_OPACITY
        if role == "center" or (focus and strong):
            opts["font"] = {"size": 16, "bold": True}
            opts["mass"] = 2
        if ent.id in landmarks or (len(ents) > LANDMARKS_FROM and strong):
            # Zoomed to fit, a large view is drawn at about a third of its size.
            opts["font"] = {"size": 18 if len(ents) <= 150 else 30, "bold": True}
            opts["scaling"] = {"label": {"drawThreshold": 1, "maxVisible": 22}}
        net.add_node(ent.id, label=truncate(ent.name, NODE_LABEL), name=ent.name, shape=style.shape, **opts)
        text_nodes.append(
            TextNode(
                id=ent.id,
                name=ent.name,
                kind=kind,
                kind_label=style.label,
                role=role,
                degree=degree[ent.id],
                description=ent.description,
                sources=ent_cites[ent.id],
            )
        )

    # Parallel relationships between the same two entities get curves of growing roundness
    # so that each stays visible.
    pair_seen: Counter[frozenset[str]] = Counter()
    text_edges: list[TextEdge] = []
    for rel in sorted(rels, key=lambda r: r.id):
        pair = frozenset((rel.source, rel.target))
        nth = pair_seen[pair]
        pair_seen[pair] += 1
        t = REL_TYPES[rel.type]
        es = edge_style(rel.type, _status(rel))
        strong = rel.id in hl_edges
        colour = HIGHLIGHT if strong else es.colour
        opacity = es.opacity if not focus or strong else FADED_OPACITY
        said = sentence(rel, True, names)
        eopts: dict[str, Any] = {
            "id": rel.id,
            "label": edge_label(rel.type, rel.role),
            "title": _edge_tooltip(rel, said, names, rel_cites[rel.id], sources, by_number),
            "dashes": es.dashes,
            "width": es.width * (2.2 if strong else 1.0),
            "color": {"color": colour, "highlight": HIGHLIGHT, "hover": colour, "opacity": opacity},
            "arrows": {"to": {"enabled": not t.symmetric, "scaleFactor": 0.6}},
            "status": _status(rel),
            "category": t.category.value,
            # First and last day the relationship may hold (ISO; None: unknown or still holding),
            # for the as-of slider that hides and shows relationships in the browser.
            "from_day": date_bounds(rel.start)[0] if rel.start else None,
            "until_day": date_bounds(rel.end)[1] if rel.end else None,
        }
        if nth:
            curve = "curvedCW" if nth % 2 else "curvedCCW"
            eopts["smooth"] = {"enabled": True, "type": curve, "roundness": 0.18 * ((nth + 1) // 2)}
        net.add_edge(rel.source, rel.target, **eopts)
        text_edges.append(
            TextEdge(
                id=rel.id,
                source=rel.source,
                target=rel.target,
                type=rel.type,
                category=t.category.value,
                status=_status(rel),
                sentence=said,
                highlighted=strong,
                sources=rel_cites[rel.id],
            )
        )
    net.options = _options(len(ents), seed)
    nodes, edges, _heading, _height, _width, options_json = net.get_network_data()
    role_rank = {"center": 0, "path": 1, "common": 2, "context": 3}
    text_nodes.sort(key=lambda n: (role_rank.get(n.role, 3), n.name.casefold(), n.id))
    order = {r.id: i for i, r in enumerate(rels)}
    text_edges.sort(key=lambda e: order[e.id])
    return NetworkView(
        nodes=list(nodes),
        edges=list(edges),
        options=json.loads(options_json),
        entities=text_nodes,
        relations=text_edges,
        footnotes=[sources[by_number[n]] for n in sorted(by_number)],
        highlight=sorted(hl_nodes | set(sub.center)),
        highlight_edges=sorted(hl_edges & {r.id for r in rels}),
        note=sub.note,
        truncated=sub.truncated,
    )


def path_view(
    result: PathResult,
    context: Subgraph | None = None,
    *,
    max_nodes: int = MAX_VIEW_NODES,
    seed: int = SEED,
) -> NetworkView:
    """Draw the paths of a ``PathResult`` highlighted inside ``context`` (e.g. their neighbours).

    Footnote numbers follow the result's own footnotes, so ``[1]`` in a hop's sentence and
    ``[1]`` in the view's text version are the same source.

    >>> from graph.testing import mini_store
    >>> from graph.queries.paths import find_paths
    >>> view = path_view(find_paths(mini_store(), "alice", "regulator"))
    >>> view.highlight, [e.id for e in view.relations if e.highlighted]
    (['acme', 'alice', 'regulator'], ['r01', 'r05'])
    """
    ents: dict[str, Entity] = {}
    rels: dict[str, Relationship] = {}
    sources: dict[str, Source] = {s.id: s for s in result.footnotes}
    if context is not None:
        ents.update({e.id: e for e in context.nodes})
        rels.update({r.id: r for r in context.edges})
        sources.update(context.sources)
    on_path: set[str] = set()
    hop_ids: list[str] = []
    for p in result.paths:
        for e in p.nodes:
            ents[e.id] = e
            on_path.add(e.id)
        for h in p.hops:
            rels[h.relationship.id] = h.relationship
            hop_ids.append(h.relationship.id)
            sources.update({c.id: c for c in h.citations})
    ends = [result.source.id, result.target.id]
    sub = Subgraph(
        nodes=sorted(ents.values(), key=lambda e: e.id),
        edges=sorted(rels.values(), key=lambda r: r.id),
        sources=sources,
        center=[i for i in ends if i in ents],
        depth={i: (0 if i in on_path else 1) for i in ents},
        truncated=context.truncated if context else False,
        cut_nodes=context.cut_nodes if context else 0,
        note=context.note if context else None,
    )
    roles = {i: "path" for i in on_path}
    return network_view(
        sub,
        highlight_nodes=on_path,
        highlight_edges=hop_ids,
        roles=roles,
        first_sources=result.footnotes,
        edge_order=hop_ids,
        max_nodes=max_nodes,
        seed=seed,
    )


def common_view(
    result: CommonResult, sub: Subgraph, *, max_nodes: int = MAX_VIEW_NODES, seed: int = SEED
) -> NetworkView:
    """Draw common connections: the queried entities as centres, the connections marked.

    ``sub`` holds the entities and relationships to draw (e.g. ``subgraph_of`` the queried
    entities, the connections and the entities on their ``via`` routes).

    >>> from graph.testing import mini_store
    >>> from graph.queries.common import common_connections
    >>> from graph.queries.neighbourhood import subgraph_of
    >>> res = common_connections(mini_store(), ["bob", "regulator"])
    >>> view = common_view(res, subgraph_of(mini_store(), ["bob", "regulator", "acme", "carol"]))
    >>> [(n.id, n.role) for n in view.entities]
    [('bob', 'center'), ('regulator', 'center'), ('acme', 'common'), ('carol', 'common')]
    """
    centers = [e.id for e in result.entities]
    common = [c.entity.id for c in result.connections]
    via = {r for c in result.connections for ids in c.via.values() for r in ids}
    sub = sub.model_copy(update={"center": centers})
    roles = {i: "common" for i in common}
    return network_view(
        sub,
        highlight_nodes=set(centers) | set(common),
        highlight_edges=via,
        roles=roles,
        max_nodes=max_nodes,
        seed=seed,
    )


# The HTML side (fragments, assets, offline pages, notebooks) lives in ``graph.viz.html``; its
# names stay importable from here. Imported last: ``graph.viz.html`` uses the views above.
from graph.viz.html import (  # noqa: E402
    NOTEBOOK_HEIGHT,
    NotebookView,
    notebook_html,
    render_fragment,
    script_json,
    standalone_html,
    static_files,
)
