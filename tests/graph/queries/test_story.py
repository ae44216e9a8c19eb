"""Story-level checks on the bundled dataset — runs against every store."""

from __future__ import annotations

import pytest

from graph.filters import make_filter
from graph.queries.conflicts import conflicts
from graph.queries.lookup import search
from graph.queries.neighbourhood import neighbourhood
from graph.queries.paths import find_paths
from graph.store.base import GraphStore


@pytest.mark.parametrize(
    ("q", "first"),
    [
        ("CZ", "changpeng-zhao"),
        ("赵长鹏", "changpeng-zhao"),
        ("Changpeng Zaho", "changpeng-zhao"),
        ("Binanse", "binance"),
        ("DOJ", "doj"),
        ("WLFI", "wlfi-token"),
        ("world liberty", "world-liberty-financial"),
    ],
)
def test_search_ranks_the_right_entity_first(story: GraphStore, q: str, first: str) -> None:
    assert search(story, q)[0].id == first


def test_path_from_zhao_to_trump_is_cited(story: GraphStore) -> None:
    res = find_paths(story, "Changpeng Zhao", "Donald Trump", max_hops=3, mode="k", k=5)
    assert res.paths, res.message
    assert all(p.length <= 3 for p in res.paths)
    for p in res.paths:
        assert p.nodes[0].id == "changpeng-zhao" and p.nodes[-1].id == "donald-trump"
        for hop in p.hops:
            assert hop.citations, hop.sentence
            assert any(c.url and c.url.startswith("http") for c in hop.citations)
            assert hop.sentence.endswith("].")


@pytest.mark.parametrize(("day", "holds"), [("2022-01-01", True), ("2024-06-01", False)])
def test_zhao_ceo_role_as_of(story: GraphStore, day: str, holds: bool) -> None:
    sub = neighbourhood(story, "changpeng-zhao", types=["ceo_of"], as_of=day)
    assert ("binance" in {n.id for n in sub.nodes}) is holds
    flt = make_filter(types=["ceo_of"], as_of=day)
    assert any(a.other == "binance" for a in story.adjacent("changpeng-zhao", flt=flt)) is holds


def test_pardon_conflict_is_found(story: GraphStore) -> None:
    matches = conflicts(story, entity="donald-trump")
    pairs = {(m.pattern, m.official.id, m.party.id) for m in matches}
    assert ("power-and-money", "donald-trump", "changpeng-zhao") in pairs
    money = next(m for m in matches if m.pattern == "power-and-money" and m.party.id == "changpeng-zhao")
    assert money.chain.hops[0].relationship.type in {"pardoned", "sought_pardon_from"}
    assert all(h.citations for h in money.chain.hops)


@pytest.mark.parametrize(("day", "suing"), [("2024-06-01", True), ("2025-06-01", False)])
def test_sec_suing_binance_as_of(story: GraphStore, day: str, suing: bool) -> None:
    flt = make_filter(types=["sued"], as_of=day)
    assert any(a.other == "binance" for a in story.adjacent("sec", flt=flt)) is suing


@pytest.mark.parametrize("day", ["2025-01-15", "2025-06-01", "2025-06-30", "2026-03-01"])
def test_one_wlf_holdco_stake_as_of(story: GraphStore, day: str) -> None:
    flt = make_filter(types=["owns_stake_in"], as_of=day)
    stakes = [a for a in story.adjacent("dt-marks-defi", flt=flt) if a.other == "wlf-holdco"]
    assert len(stakes) == 1


def test_confirmed_filter_keeps_the_2023_resolution(story: GraphStore) -> None:
    sub = neighbourhood(story, "binance", min_status="confirmed")
    ids = {n.id for n in sub.nodes}
    assert {"doj", "cftc", "ofac"} <= ids


def test_primary_records_only_keeps_the_record_and_drops_press_only_facts(story: GraphStore) -> None:
    from graph.evidence import primary_relationship_ids

    primary = primary_relationship_ids(story)
    sub = neighbourhood(story, "binance", evidence="primary")
    ids = {n.id for n in sub.nodes}
    assert {"doj", "cftc", "ofac"} <= ids  # the 2023 resolution rests on agency and court records
    assert "dow-jones" not in ids  # the 2026 defamation suit is known from the press only
    assert sub.edges and all(e.id in primary for e in sub.edges)
    full = neighbourhood(story, "binance")
    assert len(full.edges) > len(sub.edges)


def test_primary_paths_cite_a_primary_record_on_every_hop(story: GraphStore) -> None:
    res = find_paths(story, "Changpeng Zhao", "Binance", max_hops=2, mode="k", k=5, evidence="primary")
    assert res.paths, res.message
    for p in res.paths:
        for hop in p.hops:
            assert any(c.is_primary for c in hop.citations), hop.sentence
