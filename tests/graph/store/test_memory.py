"""The embedded store: durability, atomic writes, idempotency (graph/store/memory.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from graph.errors import StoreUnavailable
from graph.ingest.validate import Dataset
from graph.store.memory import DB_NAME, MemoryStore
from tests.factory import person, rel, source


def _snapshot(store: MemoryStore) -> tuple[list[str], list[str], list[str], str]:
    return (
        [e.model_dump_json() for e in store.iter_entities()],
        [r.model_dump_json() for r in store.iter_relationships()],
        [s.model_dump_json() for s in store.iter_sources()],
        store.version,
    )


def test_reopen_gives_the_same_graph(tmp_path: Path, mini_dataset: Dataset) -> None:
    store = MemoryStore(tmp_path)
    store.replace_all(mini_dataset)
    again = MemoryStore(tmp_path)
    assert _snapshot(again) == _snapshot(store)
    assert again.stats().entities == 12
    assert again.stats().relationships == 16


def test_ingesting_twice_is_identical(tmp_path: Path, mini_dataset: Dataset) -> None:
    store = MemoryStore(tmp_path)
    store.replace_all(mini_dataset)
    first = _snapshot(MemoryStore(tmp_path))
    store.replace_all(mini_dataset)
    assert _snapshot(MemoryStore(tmp_path)) == first


class Boom(RuntimeError):
    pass


def test_failure_before_the_swap_keeps_the_old_workspace(tmp_path: Path, mini_dataset: Dataset) -> None:
    store = MemoryStore(tmp_path)
    store.replace_all(mini_dataset)
    before = _snapshot(MemoryStore(tmp_path))

    class Failing(MemoryStore):
        def _before_swap(self) -> None:
            raise Boom

    failing = Failing(tmp_path)
    with pytest.raises(Boom):
        failing.replace_all(Dataset({"s1": source()}, {"x": person("x")}, {}))
    assert _snapshot(MemoryStore(tmp_path)) == before
    assert _snapshot(failing) == before  # the in-memory graph was not touched either
    assert not list(tmp_path.glob(DB_NAME + ".tmp-*"))


def test_failure_in_the_middle_of_inserting(tmp_path: Path, mini_dataset: Dataset) -> None:
    store = MemoryStore(tmp_path)
    store.replace_all(mini_dataset)
    before = _snapshot(MemoryStore(tmp_path))
    bad = Dataset(dict(mini_dataset.sources), dict(mini_dataset.entities), dict(mini_dataset.relationships))
    # Two relationships with the same id cannot be inserted: the database refuses mid-way.
    dup = rel("r01", "alice", "founded", "acme")
    bad.relationships["zz"] = dup
    with pytest.raises(sqlite3.IntegrityError):
        store.replace_all(bad)
    assert _snapshot(MemoryStore(tmp_path)) == before


def test_a_crash_leaves_no_half_written_file(tmp_path: Path, mini_dataset: Dataset) -> None:
    store = MemoryStore(tmp_path)
    store.replace_all(mini_dataset)
    before = _snapshot(MemoryStore(tmp_path))
    (tmp_path / f"{DB_NAME}.tmp-99999").write_bytes(b"half written")  # a process died mid-write
    reopened = MemoryStore(tmp_path)
    assert _snapshot(reopened) == before
    assert not list(tmp_path.glob(DB_NAME + ".tmp-*"))


def test_failed_upsert_rolls_back(tmp_path: Path, mini_dataset: Dataset) -> None:
    store = MemoryStore(tmp_path)
    store.replace_all(mini_dataset)
    before = _snapshot(MemoryStore(tmp_path))
    con = sqlite3.connect(tmp_path / DB_NAME)
    con.execute(
        "CREATE TRIGGER no_zed BEFORE INSERT ON relationships WHEN NEW.id = 'zed' "
        "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
    )
    con.commit()
    con.close()
    with pytest.raises(sqlite3.IntegrityError, match="injected failure"):
        store.upsert(entities=[person("dave")], relationships=[rel("zed", "dave", "met", "alice")])
    assert _snapshot(MemoryStore(tmp_path)) == before
    assert not store.has_entity("dave")


def test_upsert_and_delete(tmp_path: Path, mini_dataset: Dataset) -> None:
    store = MemoryStore(tmp_path)
    store.replace_all(mini_dataset)
    v0 = store.version
    store.upsert(
        entities=[person("dave", "Dave Example")], relationships=[rel("r99", "dave", "met", "alice")]
    )
    assert store.version != v0
    reopened = MemoryStore(tmp_path)
    assert reopened.get_entity("dave") is not None
    assert [a.rel_id for a in reopened.adjacent("dave")] == ["r99"]
    store.upsert(relationships=[rel("r99", "dave", "met", "bob")])  # moved to another target
    assert [a.other for a in MemoryStore(tmp_path).adjacent("dave")] == ["bob"]
    store.delete(entities=["dave"])
    reopened = MemoryStore(tmp_path)
    assert reopened.get_entity("dave") is None
    assert reopened.get_relationship("r99") is None
    assert reopened.stats().relationships == 16


def test_refresh_sees_another_process_write(tmp_path: Path, mini_dataset: Dataset) -> None:
    reader = MemoryStore(tmp_path)
    assert reader.stats().entities == 0
    MemoryStore(tmp_path).replace_all(mini_dataset)
    assert reader.refresh() is True
    assert reader.stats().entities == 12
    assert reader.refresh() is False


def test_unreadable_workspace(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreUnavailable, match="not a readable cryptokg database"):
        MemoryStore(tmp_path)


def test_workspace_is_browsable_sql(tmp_path: Path, mini_dataset: Dataset) -> None:
    MemoryStore(tmp_path).replace_all(mini_dataset)
    con = sqlite3.connect(tmp_path / DB_NAME)
    rows = con.execute("SELECT source, type, target FROM relationships WHERE id = 'r11'").fetchall()
    assert rows == [("venture", "invested_in", "acme")]
