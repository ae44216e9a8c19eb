"""The graph image (graph/store/snapshot.py): a reopen from it equals a reopen from the records."""

from __future__ import annotations

import sqlite3
from itertools import permutations
from pathlib import Path
from typing import Any

import pytest

from bench.generate import generate
from graph.ingest.pipeline import load_dataset
from graph.ingest.validate import Dataset
from graph.queries.neighbourhood import neighbourhood
from graph.queries.paths import find_paths
from graph.store import memory, snapshot
from graph.store.memory import MemoryStore
from tests.factory import rel


def _tables(path: Path) -> set[str]:
    con = sqlite3.connect(path / memory.DB_NAME)
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        con.close()


def _parts(path: Path) -> int:
    con = sqlite3.connect(path / memory.DB_NAME)
    try:
        n: int = con.execute("SELECT count(*) FROM graph_image").fetchone()[0]
        return n
    finally:
        con.close()


def _state(store: MemoryStore) -> tuple[Any, ...]:
    """Everything the store loaded, with dict order (as lists of items) made visible."""
    g = store.nx_graph

    def nested(adj: dict[str, dict[str, dict[str, Any]]]) -> list[Any]:
        return [(u, [(v, list(keyed.items())) for v, keyed in nbrs.items()]) for u, nbrs in adj.items()]

    return (
        list(g._node.items()),
        nested(g._succ),
        nested(g._pred),
        list(store._rels.items()),
        list(store._sources.items()),
        store.version,
    )


def _from_records(path: Path, monkeypatch: pytest.MonkeyPatch) -> MemoryStore:
    """The workspace reopened the old way, ignoring its image."""
    with monkeypatch.context() as m:
        m.setattr(memory, "_read_image", lambda con, version: None)
        store = MemoryStore(path)
        store.nx_graph  # noqa: B018 - loads now, while the patch holds
    return store


def _from_image(path: Path, monkeypatch: pytest.MonkeyPatch) -> MemoryStore:
    """The workspace reopened from its image; reading a record would fail the test."""

    def no_records(*args: object) -> Any:
        raise AssertionError("the records were read although the workspace has an image")

    with monkeypatch.context() as m:
        m.setattr(memory, "_records", no_records)
        store = MemoryStore(path)
        store.nx_graph  # noqa: B018
    return store


@pytest.fixture
def big(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every graph counts as big: full replaces write the image."""
    monkeypatch.setattr(memory, "EAGER_INDEX", 1)


def test_a_reopen_from_the_image_equals_a_reopen_from_the_records(
    tmp_path: Path, big: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A generated dataset: its CSV files go through the fast CSV reader, as at scale.
    generate(tmp_path / "data", 400, 1200, seed=3)
    ds = load_dataset(tmp_path / "data")
    ingested = MemoryStore(tmp_path / "ws")
    ingested.replace_all(ds)
    assert _parts(tmp_path / "ws") == 1
    image = _from_image(tmp_path / "ws", monkeypatch)
    records = _from_records(tmp_path / "ws", monkeypatch)
    assert _state(image) == _state(records) == _state(ingested)
    # Shared objects stay shared: one key dict per linked pair, the relationship's own dict in it.
    g = image.nx_graph
    for u, nbrs in g._succ.items():
        for v, keyed in nbrs.items():
            assert g._pred[v][u] is keyed
            for rid, d in keyed.items():
                assert image._rels[rid] is d
    assert g._adj is g._succ
    assert image._csr is not None and image._csr.version == image.version  # the stored side index
    ids = sorted(ds.entities)[:12]
    for s, t in permutations(ids, 2):
        a = find_paths(image, s, t, mode="all", max_hops=4)
        b = find_paths(records, s, t, mode="all", max_hops=4)
        assert a.model_dump() == b.model_dump()
    for c in ids:
        assert (
            neighbourhood(image, c, depth=2).model_dump() == neighbourhood(records, c, depth=2).model_dump()
        )


def test_a_write_drops_the_image_and_the_next_reopen_reads_the_records(
    tmp_path: Path, big: None, mini_dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    MemoryStore(tmp_path).replace_all(mini_dataset)
    assert "graph_image" in _tables(tmp_path)
    store = _from_image(tmp_path, monkeypatch)
    store.upsert(relationships=[rel("r99", "lonely", "met", "alice")])
    assert "graph_image" not in _tables(tmp_path)
    again = MemoryStore(tmp_path)
    assert [p.node_ids for p in find_paths(again, "lonely", "acme").paths] == [["lonely", "alice", "acme"]]
    assert _state(again) == _state(store)


def test_an_image_of_another_python_or_version_is_ignored(
    tmp_path: Path, big: None, mini_dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    MemoryStore(tmp_path).replace_all(mini_dataset)
    want = _state(_from_records(tmp_path, monkeypatch))
    con = sqlite3.connect(tmp_path / memory.DB_NAME)
    (data,) = con.execute("SELECT data FROM graph_image WHERE part = 0").fetchone()
    tag = snapshot.MAGIC + b" "
    assert data.startswith(tag)
    for forged in (
        data.replace(tag, tag + b"other-python-", 1),  # written by another interpreter
        data.replace(want[-1].encode(), b"0" * 16, 1),  # of another graph version
    ):
        with con:
            con.execute("UPDATE graph_image SET data = ? WHERE part = 0", (forged,))
        assert _state(MemoryStore(tmp_path)) == want
    con.close()


def test_a_big_image_is_stored_in_parts(
    tmp_path: Path, big: None, mini_dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot, "PART_BYTES", 500)
    MemoryStore(tmp_path).replace_all(mini_dataset)
    assert _parts(tmp_path) > 3
    assert _state(_from_image(tmp_path, monkeypatch)) == _state(_from_records(tmp_path, monkeypatch))


def test_small_graphs_have_no_image(tmp_path: Path, mini_dataset: Dataset) -> None:
    MemoryStore(tmp_path).replace_all(mini_dataset)
    assert _parts(tmp_path) == 0


def test_values_marshal_cannot_write_mean_no_image() -> None:
    assert snapshot.dump_parts(({"x": {"a": object()}}, {}, {}, {}, {}), "v1") is None
    parts = snapshot.dump_parts(({"x": {"a": 1}}, {}, {}, {}, {}), "v1")
    assert parts is not None
    assert snapshot.load_parts((bytes(p) for p in parts), "v1") == ({"x": {"a": 1}}, {}, {}, {}, {})
