"""Conflict-of-interest patterns (graph/queries/conflicts.py) — runs against every store."""

from __future__ import annotations

from graph.queries.conflicts import conflicts
from graph.store.base import GraphStore


def test_family_and_money_matches(store: GraphStore) -> None:
    matches = conflicts(store)
    assert [(m.pattern, m.official.id, m.party.id) for m in matches] == [
        ("power-and-family", "carol", "acme"),
        ("power-and-money", "carol", "acme"),
    ]
    family, money = matches
    assert [h.relationship.id for h in family.chain.hops] == ["r05", "r09", "r10", "r03"]
    assert [h.sentence for h in family.chain.hops] == [
        "Acme Exchange pleaded guilty to charges brought by Federal Regulator (2023-11-21; single source) [1].",
        "Federal Regulator had in office Carol Official as Director (since 2021; single source) [2].",
        "Carol Official is the sibling of Bob Müller (reported; single source) [2].",
        "Bob Müller served as CEO of Acme Exchange (since 2023-11-22; reported; single source) [3].",
    ]
    assert [h.relationship.id for h in money.chain.hops] == ["r05", "r09", "r12", "r11"]
    assert "not evidence of wrongdoing" in money.explanation
    assert money.explanation.startswith(
        "Carol Official, through Federal Regulator, where Carol Official holds office,"
    )


def test_status_filter_removes_weak_chains(store: GraphStore) -> None:
    assert conflicts(store, min_status="confirmed") == []
    assert [m.pattern for m in conflicts(store, min_status="reported")] == ["power-and-family"]


def test_focus_entity(store: GraphStore) -> None:
    assert len(conflicts(store, entity="carol")) == 2
    assert conflicts(store, entity="coin") == []


def test_chain_length_limit(store: GraphStore) -> None:
    assert conflicts(store, max_chain=1) == []
