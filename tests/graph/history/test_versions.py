"""Past versions rebuilt from the log equal the graph as it was; stores without a log say so;
proposals and the log survive a full replace."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import writes
from graph.errors import InvalidParameter
from graph.history import attributed, proposals
from graph.history.queries import change_log, diff
from graph.history.versions import PastVersions, known_versions
from graph.ingest.pipeline import load_dataset
from graph.model import dump
from graph.store.base import GraphStore
from graph.store.memory import MemoryStore
from graph.testing import MINI_DIR


def _snapshot(store: GraphStore) -> dict[str, object]:
    return {
        "sources": [dump(s) for s in store.iter_sources()],
        "entities": [dump(e) for e in store.iter_entities()],
        "relationships": [dump(r) for r in store.iter_relationships()],
        "adjacent": [tuple(a) for a in store.adjacent("alice")],
    }


def test_every_logged_version_rebuilds_to_the_graph_of_that_time(tmp_path: Path) -> None:
    st = MemoryStore(tmp_path / "ws")
    st.replace_all(load_dataset(MINI_DIR))
    seen = {st.version: _snapshot(st)}
    steps = [
        lambda: writes.update(st, "entity", "alice", {"name": "Alice B"}),
        lambda: writes.create(
            st, "entity", {"id": "dave", "kind": "person", "name": "Dave", "sources": ["s2"]}
        ),
        lambda: writes.update(st, "relationship", "r03", {"status": "confirmed"}),
        lambda: writes.delete(st, "entity", "bob"),
        lambda: writes.delete(st, "entity", "dave"),
    ]
    for step in steps:
        with attributed("t", "step"):
            step()
        seen[st.version] = _snapshot(st)
    assert known_versions(st.db_path) == ["empty", *seen]
    past = PastVersions(keep=2)
    for version, snap in seen.items():
        got = past.store_at(st, st.db_path, version)
        assert got.version == version
        assert _snapshot(got) == snap, version
    assert len(past._built) == 2  # only the last two built are kept


def test_diff_between_versions_combines_the_entries_between(tmp_path: Path) -> None:
    st = MemoryStore(tmp_path / "ws")
    st.replace_all(load_dataset(MINI_DIR))
    v0 = st.version
    writes.update(st, "entity", "alice", {"name": "Alice B"})
    writes.update(st, "entity", "alice", {"name": "Alice C", "country": None})
    writes.create(st, "entity", {"id": "tmp", "kind": "person", "name": "T", "sources": ["s1"]})
    writes.delete(st, "entity", "tmp")
    got = diff(st, v0, st.version)
    assert got["entities"]["changed"] == [
        {
            "id": "alice",
            "op": "changed",
            "fields": {
                "country": {"old": "Canada", "new": None},
                "name": {"old": "Alice Example", "new": "Alice C"},
            },
            "before": got["entities"]["changed"][0]["before"],
            "after": got["entities"]["changed"][0]["after"],
        }
    ]
    assert got["entities"]["added"] == [] and got["entities"]["removed"] == []  # tmp came and went
    with pytest.raises(InvalidParameter, match="to: no graph version 'nope'"):
        diff(st, v0, "nope")


def test_a_store_without_a_workspace_keeps_no_log_and_says_so(store: GraphStore) -> None:
    # Both backends: the memory-only embedded store and the Bolt store.
    with pytest.raises(InvalidParameter) as info:
        change_log(store)
    assert info.value.parameter == "store"
    assert "keeps no change log" in info.value.detail


def test_the_log_and_open_proposals_survive_a_full_replace(tmp_path: Path) -> None:
    st = MemoryStore(tmp_path / "ws")
    st.replace_all(load_dataset(MINI_DIR))
    p = proposals.propose(
        st, "change", {"kind": "entity", "id": "alice", "changes": {"name": "Al"}}, proposer="c", reason="r"
    )
    writes.update(st, "entity", "alice", {"name": "Alice B"})
    again = MemoryStore(tmp_path / "ws")
    again.replace_all(load_dataset(MINI_DIR))  # back to the files: alice's name changes back
    assert change_log(again).total == 3
    assert [x.id for x in proposals.listing(again)] == [p.id]
    assert proposals.listing(again)[0].changes[0].fields == {"name": ("Alice Example", "Al")}  # type: ignore[index]
