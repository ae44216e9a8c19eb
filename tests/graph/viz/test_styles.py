"""Tests of graph/viz/styles.py: the look of kinds and statuses, labels, sizes and the legend."""

from __future__ import annotations

import re

import pytest

from graph.viz.styles import (
    CATEGORY_COLOURS,
    KIND_STYLES,
    MAX_LABEL,
    STATUS_STYLES,
    edge_label,
    edge_style,
    kind_style,
    legend,
    node_size,
    truncate,
)
from graph.vocabulary import REL_TYPES, Category, EntityKind, Status

VIS_SHAPES_LABEL_OUTSIDE = {"dot", "square", "hexagon", "triangle", "triangleDown", "diamond", "star"}
HEX = re.compile(r"^#[0-9a-f]{6}$")


def test_every_kind_has_a_style() -> None:
    assert set(KIND_STYLES) == {k.value for k in EntityKind}


@pytest.mark.parametrize("kind", [k.value for k in EntityKind])
def test_kind_style_is_a_vis_shape_with_hex_colours(kind: str) -> None:
    style = kind_style(kind)
    assert style.shape in VIS_SHAPES_LABEL_OUTSIDE
    assert HEX.match(style.colour)
    assert HEX.match(style.border)


def test_kinds_differ_by_shape_or_outline_not_only_colour() -> None:
    looks = [(s.shape, s.dashed_border) for s in KIND_STYLES.values()]
    assert len(set(looks)) == len(looks)


def test_kinds_have_distinct_colours() -> None:
    colours = [s.colour for s in KIND_STYLES.values()]
    assert len(set(colours)) == len(colours)


def test_unknown_kind_falls_back_to_a_grey_dot() -> None:
    assert kind_style("spaceship").shape == "dot"
    assert kind_style("spaceship").label == "Other"


def test_every_status_has_a_line_style() -> None:
    assert set(STATUS_STYLES) == {s.value for s in Status}


@pytest.mark.parametrize(
    ("status", "dashes"),
    [("confirmed", False), ("reported", [8, 5]), ("alleged", [2, 5]), ("denied", [1, 9])],
)
def test_line_style_by_status(status: str, dashes: bool | list[int]) -> None:
    assert STATUS_STYLES[status].dashes == dashes
    assert edge_style("founded", status).dashes == dashes


def test_weaker_evidence_is_never_drawn_stronger() -> None:
    order = ["confirmed", "reported", "alleged", "denied"]
    widths = [STATUS_STYLES[s].width for s in order]
    opacities = [STATUS_STYLES[s].opacity for s in order]
    assert widths == sorted(widths, reverse=True)
    assert opacities == sorted(opacities, reverse=True)


@pytest.mark.parametrize(
    ("status", "dasharray"), [("confirmed", "none"), ("reported", "8 5"), ("alleged", "2 5")]
)
def test_dasharray_for_svg_legend(status: str, dasharray: str) -> None:
    assert STATUS_STYLES[status].dasharray == dasharray


def test_every_category_has_a_colour() -> None:
    assert set(CATEGORY_COLOURS) == {c.value for c in Category}
    assert len(set(CATEGORY_COLOURS.values())) == len(CATEGORY_COLOURS)


@pytest.mark.parametrize(
    "rel_type", ["founded", "pleaded_guilty", "invested_in", "pardoned", "mentions", "met"]
)
def test_edge_colour_comes_from_the_category(rel_type: str) -> None:
    category = REL_TYPES[rel_type].category.value
    assert edge_style(rel_type, "confirmed").colour == CATEGORY_COLOURS[category]


def test_edge_style_of_unknown_type_or_status_is_neutral() -> None:
    style = edge_style("nonsense", "nonsense")
    assert style.colour == "#8a8a8a"
    assert style.dashes == STATUS_STYLES["reported"].dashes


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        (("founded",), {}, "founded"),
        (("founded",), {"forward": False}, "was founded by"),
        (("met",), {"forward": False}, "met"),
        (("party_to", "defendant"), {}, "is a party to (defendant)"),
        (("holds_office", "Director"), {}, "held office at (Director)"),
        (("made_up_type",), {}, "made up type"),
    ],
)
def test_edge_label_is_the_verb(args: tuple[str, ...], kwargs: dict[str, bool], expected: str) -> None:
    assert edge_label(*args, **kwargs) == expected


def test_edge_label_is_cut_to_the_label_limit() -> None:
    label = edge_label("role_at", "Chief Executive Officer and Chair of the Board")
    assert len(label) == MAX_LABEL
    assert label.endswith("…")


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Binance", 10, "Binance"),
        ("Binance Holdings Ltd.", 10, "Binance H…"),
        ("  spaced   out\nname ", 40, "spaced out name"),
    ],
)
def test_truncate(text: str, limit: int, expected: str) -> None:
    assert truncate(text, limit) == expected


def test_node_size_grows_with_degree_within_bounds() -> None:
    sizes = [node_size(d) for d in range(0, 500, 7)]
    assert sizes == sorted(sizes)
    assert min(sizes) == 12.0
    assert max(sizes) == 36.0


def test_centre_nodes_are_at_least_30() -> None:
    assert node_size(0, center=True) == 30.0
    assert node_size(1000, center=True) == 36.0


def test_legend_lists_kinds_in_vocabulary_order() -> None:
    data = legend()
    assert [k["kind"] for k in data["kinds"]] == [k.value for k in EntityKind]
    assert [s["status"] for s in data["statuses"]] == ["confirmed", "reported", "alleged", "denied"]
    assert [c["category"] for c in data["categories"]] == [c.value for c in Category]


def test_legend_can_list_only_the_kinds_present() -> None:
    data = legend({"asset", "person"})
    assert [k["kind"] for k in data["kinds"]] == ["person", "asset"]
    assert len(data["statuses"]) == 4


def test_legend_entries_carry_what_the_swatches_need() -> None:
    person = legend({"person"})["kinds"][0]
    assert person == {
        "kind": "person",
        "label": "Person",
        "colour": KIND_STYLES["person"].colour,
        "border": KIND_STYLES["person"].border,
        "shape": "dot",
        "dashed_border": False,
    }
    assert all(s["help"] for s in legend()["statuses"])
