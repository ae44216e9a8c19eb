"""The change log: every write path logs exactly one entry with its field-level diff."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from graph import writes
from graph.history import attributed, hooks
from graph.history.log import entries
from graph.ingest.pipeline import load_dataset
from graph.store.memory import MemoryStore
from graph.testing import MINI_DIR


def _data(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(MINI_DIR, d)
    return d


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_first_ingest_logs_every_record_added_and_reingest_of_same_files_logs_nothing(
    tmp_path: Path,
) -> None:
    data = _data(tmp_path)
    st = MemoryStore(tmp_path / "ws")
    st.replace_all(load_dataset(data))
    got, total = entries(st.db_path)
    assert total == 1
    e = got[0]
    assert e.action == "ingest"
    assert e.version_before == "empty"
    assert e.version_after == st.version
    assert e.counts == {"added": 12 + 16 + 3}
    MemoryStore(tmp_path / "ws").replace_all(load_dataset(data))
    assert entries(st.db_path)[1] == 1


def test_reingest_of_edited_files_logs_exactly_the_edits(tmp_path: Path) -> None:
    data = _data(tmp_path)
    st = MemoryStore(tmp_path / "ws")
    st.replace_all(load_dataset(data))
    before = st.version
    _edit(
        data / "relationships.csv",
        "r03,bob,ceo_of,acme,,2023-11-22,,,,reported,,s2,",
        "r03,bob,ceo_of,acme,,2023-11-22,,,,confirmed,,s2;s1,",
    )
    _edit(data / "entities.yaml", "name: Alice Example", "name: Alice Examplé")
    st2 = MemoryStore(tmp_path / "ws")
    with attributed("tester", "weekly re-ingest"):
        st2.replace_all(load_dataset(data))
    got, total = entries(st2.db_path)
    assert total == 2
    e = got[0]
    assert (e.who, e.reason, e.version_before, e.version_after) == (
        "tester",
        "weekly re-ingest",
        before,
        st2.version,
    )
    by_id = {r.id: r for r in e.records}
    assert sorted(by_id) == ["alice", "r03"]
    assert by_id["alice"].fields == {"name": ("Alice Example", "Alice Examplé")}
    assert by_id["r03"].op == "changed"
    assert by_id["r03"].fields == {"status": ("reported", "confirmed"), "sources": (["s2"], ["s2", "s1"])}


def test_each_api_write_path_logs_one_entry_with_its_diff(tmp_path: Path) -> None:
    st = MemoryStore(tmp_path / "ws")
    st.replace_all(load_dataset(MINI_DIR))
    with attributed("ed", "new person"):
        writes.create(st, "entity", {"id": "dave", "kind": "person", "name": "Dave", "sources": ["s1"]})
    with attributed("ed", "rename"):
        writes.update(st, "entity", "dave", {"name": "David"})
    with attributed("ed", "no change"):
        writes.update(st, "entity", "dave", {"name": "David"})
    with attributed("ed", "remove"):
        writes.delete(st, "entity", "dave")
    got, total = entries(st.db_path, entity="dave", newest_first=False)
    assert total == 3
    assert [e.reason for e in got] == ["new person", "rename", "remove"]
    assert [e.records[0].op for e in got] == ["added", "changed", "removed"]
    assert got[1].records[0].fields == {"name": ("Dave", "David")}
    assert got[2].records[0].before == {"id": "dave", "kind": "person", "name": "David", "sources": ["s1"]}
    # Versions chain: each entry starts where the previous one ended.
    assert got[1].version_before == got[0].version_after
    assert got[2].version_after == st.version


def test_deleting_an_entity_logs_its_relationships_in_the_same_entry(tmp_path: Path) -> None:
    st = MemoryStore(tmp_path / "ws")
    st.replace_all(load_dataset(MINI_DIR))
    rels = sorted({a.rel_id for a in st.adjacent("bob")})
    writes.delete(st, "entity", "bob")
    got, total = entries(st.db_path, entity="bob")
    assert total == 2  # the first ingest (bob added) and the delete
    e = got[0]
    assert e.action == "delete"
    assert sorted(r.id for r in e.records) == sorted(["bob", *rels])


def test_a_failed_full_replace_writes_no_entry(tmp_path: Path) -> None:
    data = _data(tmp_path)
    MemoryStore(tmp_path / "ws").replace_all(load_dataset(data))
    _edit(data / "entities.yaml", "name: Alice Example", "name: Alice Changed")

    class Failing(MemoryStore):
        def _before_swap(self) -> None:
            raise OSError("disk full")

    st = Failing(tmp_path / "ws")
    with pytest.raises(OSError, match="disk full"):
        st.replace_all(load_dataset(data))
    assert entries(st.db_path)[1] == 1
    assert MemoryStore(tmp_path / "ws").get_entity("alice").name == "Alice Example"  # type: ignore[union-attr]


def test_a_write_killed_inside_its_transaction_writes_no_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    st = MemoryStore(tmp_path / "ws")
    st.replace_all(load_dataset(MINI_DIR))
    real = hooks.record

    def record_then_die(con: sqlite3.Connection, **kw: Any) -> int | None:
        real(con, **kw)  # rows and log entry written, then the write dies before its commit
        raise RuntimeError("killed mid-write")

    monkeypatch.setattr(hooks, "record", record_then_die)
    with pytest.raises(RuntimeError):
        writes.update(st, "entity", "alice", {"name": "Nobody"})
    again = MemoryStore(tmp_path / "ws")
    assert entries(again.db_path)[1] == 1
    assert again.get_entity("alice").name == "Alice Example"  # type: ignore[union-attr]
