"""Whole-graph analytics are computed once per graph version (and filter), and refused up front
when they cannot fit the time budget."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pytest

import graph.queries.metrics as metrics
from graph.errors import InvalidParameter
from graph.ingest.pipeline import load_dataset
from graph.queries.metrics import communities, rank
from graph.store.memory import MemoryStore
from graph.testing import MINI_DIR
from tests.factory import person


def fresh() -> MemoryStore:
    store = MemoryStore(None)
    store.replace_all(load_dataset(MINI_DIR))
    return store


def test_rankings_and_communities_are_cached_per_version(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: dict[str, int] = {"betweenness": 0, "louvain": 0}
    real_b, real_l = nx.betweenness_centrality, nx.community.louvain_communities

    def counted_b(*a: Any, **kw: Any) -> Any:
        calls["betweenness"] += 1
        return real_b(*a, **kw)

    def counted_l(*a: Any, **kw: Any) -> Any:
        calls["louvain"] += 1
        return real_l(*a, **kw)

    monkeypatch.setattr(metrics.nx, "betweenness_centrality", counted_b)
    monkeypatch.setattr(metrics.nx.community, "louvain_communities", counted_l)
    store = fresh()
    first = rank(store, metric="betweenness")
    assert rank(store, metric="betweenness") == first
    c1 = communities(store)
    assert communities(store) == c1
    assert calls == {"betweenness": 1, "louvain": 1}
    store.upsert(entities=[person("newcomer")])
    rank(store, metric="betweenness")
    communities(store)
    assert calls == {"betweenness": 2, "louvain": 2}
    rank(store, metric="betweenness", min_status="confirmed")  # another filter: its own entry
    assert calls["betweenness"] == 3


def test_betweenness_that_cannot_fit_the_budget_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    store = fresh()
    monkeypatch.setattr(metrics, "BETWEENNESS_RATE", 1.0)  # pretend the machine is very slow
    with pytest.raises(InvalidParameter, match="more than the time budget of 0.5 s"):
        rank(store, metric="betweenness", budget=0.5)
    assert rank(store, metric="betweenness")  # no budget given: computed
    assert rank(store, metric="degree", budget=0.5)  # degree is never refused


def test_communities_that_cannot_fit_the_budget_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    store = fresh()
    monkeypatch.setattr(metrics, "LOUVAIN_RATE", 1.0)
    with pytest.raises(InvalidParameter, match="communities over 12 entities"):
        communities(store, budget=0.5)
    assert communities(store)  # no budget: computed
