"""How the network views look: colour and shape per entity kind, line style per status, legend.

Plain data and small pure functions, no pyvis: ``graph.viz.pyvis_view`` turns these into
vis-network options, and the legend and the tests read them directly.

Colours come from the Tableau 10 palette (distinguishable for most colour-blind readers);
shape repeats the kind so that colour is never the only cue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from graph.vocabulary import CATEGORY_HELP, REL_TYPES, STATUS_HELP, Category, EntityKind, Status

__all__ = [
    "CATEGORY_COLOURS",
    "HIGHLIGHT",
    "KIND_STYLES",
    "NODE_LABEL",
    "STATUS_STYLES",
    "EdgeStyle",
    "KindStyle",
    "StatusStyle",
    "edge_label",
    "edge_style",
    "kind_style",
    "legend",
    "node_size",
    "truncate",
]


@dataclass(frozen=True, slots=True)
class KindStyle:
    """Look of the nodes of one entity kind."""

    kind: str
    label: str
    colour: str
    border: str
    shape: str
    #: Dashed outline: distinguishes kinds that share a shape with another kind.
    dashed_border: bool = False


@dataclass(frozen=True, slots=True)
class StatusStyle:
    """Line style of relationships of one status."""

    status: str
    label: str
    #: vis-network ``dashes``: False for a solid line, else [dash, gap] in pixels.
    dashes: bool | list[int]
    width: float
    opacity: float
    help: str

    @property
    def dasharray(self) -> str:
        """The same pattern as an SVG ``stroke-dasharray`` (for the legend)."""
        return "none" if self.dashes is False else " ".join(str(x) for x in self.dashes)  # type: ignore[union-attr]


@dataclass(frozen=True, slots=True)
class EdgeStyle:
    """Look of one relationship: colour from its category, dashes from its status."""

    colour: str
    dashes: bool | list[int]
    width: float
    opacity: float


KIND_STYLES: dict[str, KindStyle] = {
    s.kind: s
    for s in [
        KindStyle("person", "Person", "#4e79a7", "#2d4a6b", "dot"),
        KindStyle("company", "Company", "#f28e2b", "#a85a12", "square"),
        KindStyle("organization", "Organization", "#59a14f", "#356330", "hexagon"),
        KindStyle("agency", "Agency", "#e15759", "#9c2d2f", "triangle"),
        KindStyle("court", "Court", "#b07aa1", "#6f4763", "triangleDown"),
        KindStyle("agreement", "Agreement", "#edc948", "#9a7f14", "diamond"),
        KindStyle("asset", "Asset", "#76b7b2", "#3f7b77", "star"),
        KindStyle("event", "Event", "#ff9da7", "#b3545f", "dot", dashed_border=True),
        KindStyle("document", "Document", "#9c755f", "#5e4435", "square", dashed_border=True),
        KindStyle("address", "Address", "#bab0ac", "#6e6663", "triangle", dashed_border=True),
    ]
}
_FALLBACK_KIND = KindStyle("other", "Other", "#bab0ac", "#6e6663", "dot")

STATUS_STYLES: dict[str, StatusStyle] = {
    s.status: s
    for s in [
        StatusStyle("confirmed", "Confirmed", False, 2.0, 1.0, STATUS_HELP[Status.CONFIRMED]),
        StatusStyle("reported", "Reported", [8, 5], 1.6, 0.9, STATUS_HELP[Status.REPORTED]),
        StatusStyle("alleged", "Alleged", [2, 5], 1.6, 0.9, STATUS_HELP[Status.ALLEGED]),
        StatusStyle("denied", "Denied", [1, 9], 1.2, 0.6, STATUS_HELP[Status.DENIED]),
    ]
}

CATEGORY_COLOURS: dict[str, str] = {
    Category.PERSONAL.value: "#8e6bb8",
    Category.PROFESSIONAL.value: "#4a6f99",
    Category.FINANCIAL.value: "#2f8a57",
    Category.LEGAL.value: "#b8433d",
    Category.POLITICAL.value: "#c77c12",
    Category.MENTION.value: "#8a8a8a",
}

#: Colour of what a path or a selection highlights, and the fade of everything else.
HIGHLIGHT = "#d62728"
FADED_OPACITY = 0.3

#: Longest node or edge label drawn on the canvas; the tooltip and text version keep it all.
MAX_LABEL = 32
#: Node labels are shorter: the full name shows on hover, on selection and in the panel.
NODE_LABEL = 24


def kind_style(kind: str) -> KindStyle:
    """The style of an entity kind (a neutral grey dot for anything unknown).

    >>> kind_style("person").shape, kind_style("nonsense").shape
    ('dot', 'dot')
    """
    return KIND_STYLES.get(str(kind), _FALLBACK_KIND)


def edge_style(rel_type: str, status: str) -> EdgeStyle:
    """Colour by the relationship's category, dashes, width and opacity by its status.

    >>> s = edge_style("founded", "reported")
    >>> s.colour == CATEGORY_COLOURS["professional"], s.dashes
    (True, [8, 5])
    """
    t = REL_TYPES.get(rel_type)
    colour = CATEGORY_COLOURS.get(t.category.value, "#8a8a8a") if t else "#8a8a8a"
    st = STATUS_STYLES.get(str(status), STATUS_STYLES["reported"])
    return EdgeStyle(colour=colour, dashes=st.dashes, width=st.width, opacity=st.opacity)


def truncate(text: str, limit: int = MAX_LABEL) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis.

    >>> truncate("Binance Holdings Ltd.", 10)
    'Binance H…'
    """
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def edge_label(rel_type: str, role: str | None = None, *, forward: bool = True) -> str:
    """The label drawn on an edge: the relationship verb, with the role when there is one.

    >>> edge_label("party_to", "defendant"), edge_label("founded")
    ('is a party to (defendant)', 'founded')
    """
    t = REL_TYPES.get(rel_type)
    verb = (t.verb if forward or t.symmetric else t.reverse_verb) if t else rel_type.replace("_", " ")
    return truncate(f"{verb} ({role})" if role else verb)


def node_size(degree: int, *, center: bool = False) -> float:
    """Node size grows with the square root of its degree in the view (12 to 36 pixels).

    >>> node_size(0), node_size(9), node_size(400), node_size(1, center=True)
    (12.0, 19.5, 36.0, 30.0)
    """
    size = min(12.0 + 2.5 * math.sqrt(max(degree, 0)), 36.0)
    return max(size, 30.0) if center else size


def legend(kinds: set[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """What the legend shows: every kind (or only ``kinds``), every status and category.

    >>> [k["kind"] for k in legend({"person", "agency"})["kinds"]]
    ['person', 'agency']
    """
    order = [k.value for k in EntityKind]
    return {
        "kinds": [
            {
                "kind": s.kind,
                "label": s.label,
                "colour": s.colour,
                "border": s.border,
                "shape": s.shape,
                "dashed_border": s.dashed_border,
            }
            for k in order
            if (s := KIND_STYLES[k]) and (kinds is None or k in kinds)
        ],
        "statuses": [
            {"status": s.status, "label": s.label, "dasharray": s.dasharray, "help": s.help}
            for s in STATUS_STYLES.values()
        ],
        "categories": [
            {
                "category": c.value,
                "label": c.value.capitalize(),
                "colour": CATEGORY_COLOURS[c.value],
                "help": CATEGORY_HELP[c],
            }
            for c in Category
        ],
    }
