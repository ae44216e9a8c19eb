"""Conflict matches name each hop's status and evidence, and flag weak chains."""

from __future__ import annotations

import re

from graph.ingest.validate import Dataset
from graph.model import Entity
from graph.queries.conflicts import conflicts
from graph.store.base import GraphStore
from graph.store.memory import MemoryStore
from tests.factory import company, person, rel, source


def _agency(id: str) -> Entity:
    return Entity.model_validate({"id": id, "kind": "agency", "name": id.title(), "sources": ["s1"]})


def _store(power_sources: list[str], power_status: str = "reported") -> MemoryStore:
    srcs = {
        "s1": source("s1", kind="news_report"),
        "s2": source("s2", kind="news_report"),
        "own": source("own", kind="company_statement"),
        "court": source("court", kind="court_filing"),
    }
    ents = {"reg": _agency("reg"), "firm": company("firm"), "olga": person("olga")}
    rels = {
        "p1": rel("p1", "reg", "sued", "firm", status=power_status, sources=power_sources),
        "o1": rel("o1", "olga", "holds_office", "reg", role="Director", sources=["s1", "s2"]),
        "t1": rel("t1", "olga", "owns_stake_in", "firm", sources=["s1"]),
    }
    st = MemoryStore(None)
    st.replace_all(Dataset(srcs, ents, rels))
    return st


def test_each_hop_is_named_with_its_status_and_kinds_of_evidence() -> None:
    m = next(m for m in conflicts(_store(["court"], "confirmed")) if m.official.id == "olga")
    text = m.explanation
    for i, hop in enumerate(m.chain.hops, start=1):
        assert f"hop {i} ({hop.relationship.type.replace('_', ' ')}): {hop.relationship.status}" in text
    assert "court filing" in text and "news report" in text
    # the stake rests on one news report: flagged; the suit rests on a court filing: not flagged
    stake = 1 + [h.relationship.id for h in m.chain.hops].index("t1")
    assert f"Hop {stake} rests on a single source" in text or re.search(rf"Hops [\d, and]*{stake}", text)
    assert "one party's own claim" not in text


def test_a_power_hop_resting_on_a_partys_own_claim_is_labelled() -> None:
    m = next(m for m in conflicts(_store(["own"])) if m.official.id == "olga")
    assert m.explanation.startswith("Power claimed by one party only.")
    assert "The power hop rests only on one party's own claim." in m.explanation


def test_story_matches_flag_reported_and_single_source_hops(story: GraphStore) -> None:
    for m in conflicts(story, entity="donald-trump"):
        hops = m.chain.hops
        assert all(f"hop {i} (" in m.explanation for i in range(1, len(hops) + 1)), m.explanation
        if any(h.relationship.status != "confirmed" for h in hops):
            assert "not confirmed by a primary record" in m.explanation
        if any(len(set(h.relationship.sources)) == 1 for h in hops):
            assert "on a single source" in m.explanation
