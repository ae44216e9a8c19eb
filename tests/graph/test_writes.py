"""Validated writes (``graph/writes.py``): single records, deletes and bulk ingest."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from graph import writes
from graph.errors import InvalidParameter, InvalidRecord, NotFound
from graph.export import to_node_link, whole_graph
from graph.ingest.pipeline import load_dataset
from graph.ingest.validate import Dataset
from graph.model import Entity, Relationship, dump
from graph.store.base import GraphStore
from graph.store.memory import MemoryStore
from graph.testing import MINI_DIR

DAVE: dict[str, Any] = {"id": "dave", "kind": "person", "name": "Dave", "sources": ["s1"]}


@pytest.fixture
def store(tmp_path: Path) -> MemoryStore:
    """A fresh, writable mini graph persisted in a workspace."""
    st = MemoryStore(tmp_path / "ws")
    st.replace_all(load_dataset(MINI_DIR))
    return st


def problems(exc: pytest.ExceptionInfo[InvalidRecord]) -> list[tuple[str | None, str]]:
    return [(p.field, p.message) for p in exc.value.problems]


def test_create_entity_persists(store: MemoryStore, tmp_path: Path) -> None:
    ent = writes.create(store, "entity", DAVE)
    assert isinstance(ent, Entity) and ent.name == "Dave"
    assert MemoryStore(tmp_path / "ws").get_entity("dave") == ent


def test_create_existing_is_a_conflict(store: MemoryStore) -> None:
    with pytest.raises(writes.Conflict, match="entity 'bob' already exists") as err:
        writes.create(store, "entity", {**DAVE, "id": "bob"})
    assert err.value.status == 409


def test_create_relationship_checks_every_reference(store: MemoryStore) -> None:
    with pytest.raises(InvalidRecord) as err:
        writes.create(
            store,
            "relationship",
            {
                "source": "ghost",
                "target": "bob",
                "type": "met",
                "status": "reported",
                "denied_by": ["phantom"],
                "sources": ["s1", "s7"],
            },
        )
    assert problems(err) == [
        ("source", "unknown entity 'ghost'"),
        ("sources", "unknown source 's7'"),
        ("denied_by", "unknown entity 'phantom'"),
    ]
    assert {p.record for p in err.value.problems} == {"r-ghost-met-bob"}


def test_create_reports_model_problems_by_field(store: MemoryStore) -> None:
    with pytest.raises(InvalidRecord) as err:
        writes.create(store, "entity", {"id": "Bad Id", "kind": "robot", "website": "ftp://x", "sources": []})
    assert [f for f, _ in problems(err)] == ["id", "kind", "name", "website", "sources"]


def test_amounts_must_be_finite(store: MemoryStore) -> None:
    rel = {"source": "bob", "target": "carol", "type": "funded", "status": "reported", "sources": ["s1"]}
    with pytest.raises(InvalidRecord) as err:
        writes.create(store, "relationship", {**rel, "amount": "inf"})
    assert problems(err) == [("amount", "Input should be a finite number")]
    assert writes.create(store, "relationship", {**rel, "amount": 10}).id == "r-bob-funded-carol"


def test_replace_and_update(store: MemoryStore) -> None:
    new = writes.replace(store, "source", "s3", {"title": "Renamed", "kind": "reference"})
    assert dump(new) == {"id": "s3", "kind": "reference", "title": "Renamed"}
    rel = writes.update(store, "relationship", "r02", {"end": None, "notes": "still there"})
    assert isinstance(rel, Relationship)
    assert (rel.end, rel.notes, rel.start) == (None, "still there", "2017-07")
    assert store.get_relationship("r02") == rel
    with pytest.raises(NotFound):
        writes.update(store, "relationship", "r99", {})
    with pytest.raises(InvalidRecord) as err:
        writes.replace(store, "entity", "bob", {"id": "robert"})
    assert problems(err)[0] == ("id", "the body's id 'robert' differs from 'bob'")
    with pytest.raises(InvalidRecord):
        writes.update(store, "entity", "bob", ["not", "an", "object"])  # type: ignore[arg-type]


def test_update_keeps_the_store_unchanged_when_invalid(store: MemoryStore) -> None:
    version = store.version
    with pytest.raises(InvalidRecord):
        writes.update(store, "entity", "acme", {"sources": ["s9"]})
    assert store.version == version


def test_delete(store: MemoryStore) -> None:
    gone = writes.delete(store, "entity", "carol")
    assert (gone.entities, gone.relationships) == (["carol"], ["r09", "r10", "r12", "r15"])
    assert store.stats().relationships == 12
    assert writes.delete(store, "relationship", "r01").relationships == ["r01"]
    with pytest.raises(NotFound):
        writes.delete(store, "relationship", "r01")


def test_delete_refuses_dangling_references(store: MemoryStore) -> None:
    with pytest.raises(writes.Conflict, match=r"source 's3' is cited by 2 entities and 5 relationships"):
        writes.delete(store, "source", "s3")
    writes.create(
        store,
        "relationship",
        {
            "source": "bob",
            "target": "court",
            "type": "met",
            "status": "denied",
            "denied_by": ["coin"],
            "sources": ["s1"],
        },
    )
    with pytest.raises(writes.Conflict, match="named in denied_by of r-bob-met-court"):
        writes.delete(store, "entity", "coin")


def test_unknown_record_kind(store: MemoryStore) -> None:
    with pytest.raises(InvalidParameter):
        writes.create(store, "person", DAVE)


def test_ingest_merge_and_replace(store: MemoryStore) -> None:
    doc = {
        "entities": [DAVE],
        "relationships": [
            {"source": "dave", "target": "alice", "type": "met", "status": "reported", "sources": ["s2"]}
        ],
    }
    ds = writes.dataset_from_json(doc, store=store)
    assert writes.ingest(store, ds) == {"sources": 0, "entities": 1, "relationships": 1}
    assert store.stats().entities == 13
    with pytest.raises(InvalidRecord) as err:
        writes.dataset_from_json(doc)  # without the store, s2 and alice are unknown
    assert problems(err) == [
        ("sources", "unknown source 's1'"),
        ("target", "unknown entity 'alice'"),
        ("sources", "unknown source 's2'"),
    ]
    mini = writes.dataset_from_json(
        to_node_link(whole_graph(MemoryStore(None))) | {"sources": [{"id": "s1", "title": "t"}]}
    )
    assert writes.ingest(store, mini, mode="replace") == {"sources": 1, "entities": 0, "relationships": 0}
    assert store.stats().entities == 0
    with pytest.raises(InvalidParameter):
        writes.ingest(store, mini, mode="append")


def test_dataset_from_json_shape_problems() -> None:
    with pytest.raises(InvalidRecord) as err:
        writes.dataset_from_json({"entities": "x", "people": []})
    assert problems(err) == [("people", "unknown key"), ("entities", "expected a list")]
    with pytest.raises(InvalidRecord) as err:
        writes.dataset_from_json({})
    assert problems(err) == [(None, "no records")]
    with pytest.raises(InvalidRecord):
        writes.dataset_from_json("text")


def zipped(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


def test_dataset_from_zip_reads_like_ingest() -> None:
    files = {p.relative_to(MINI_DIR).as_posix(): p.read_text() for p in MINI_DIR.iterdir() if p.is_file()}
    ds = writes.dataset_from_zip(zipped(files))
    assert ds.counts() == {"sources": 3, "entities": 12, "relationships": 16}


def test_dataset_from_zip_guards() -> None:
    with pytest.raises(InvalidRecord, match="unsafe file name"):
        writes.dataset_from_zip(zipped({"/abs/sources.csv": "id,title\n"}))
    bomb = zipped({"sources.csv": "id,title\n" + "s,t\n" * 100_000})
    assert len(bomb) < 10_000
    with pytest.raises(InvalidRecord) as err:
        writes.dataset_from_zip(bomb, max_unpacked=50_000)
    assert problems(err) == [(None, "unpacks to more than 50000 bytes")]
    with pytest.raises(InvalidRecord) as err:
        writes.dataset_from_zip(zipped({"notes.txt": "hello"}))
    assert problems(err) == [(None, "no data files found")]
    assert err.value.problems[0].file == "upload.zip"


@pytest.fixture
def any_store(
    backend: str, mini_dataset: Dataset, request: pytest.FixtureRequest, tmp_path: Path
) -> GraphStore:
    """A fresh, writable mini graph in the backend under test (embedded or Bolt)."""
    if backend == "embedded":
        st = MemoryStore(tmp_path / "ws")
        st.replace_all(mini_dataset)
        return st
    factory = request.getfixturevalue("bolt_store_factory")
    bolt: GraphStore = factory("writes", mini_dataset, backend)
    return bolt


def test_writes_agree_across_backends(any_store: GraphStore) -> None:
    writes.create(any_store, "entity", DAVE)
    rel = writes.create(
        any_store,
        "relationship",
        {"source": "dave", "target": "acme", "type": "funded", "status": "reported", "sources": ["s1"]},
    )
    assert any_store.get_relationship(rel.id) == rel
    updated = writes.update(any_store, "entity", "dave", {"country": "Malta"})
    assert any_store.get_entity("dave") == updated
    with pytest.raises(writes.Conflict):
        writes.delete(any_store, "source", "s1")
    gone = writes.delete(any_store, "entity", "dave")
    assert gone.relationships == [rel.id]
    assert any_store.get_entity("dave") is None and any_store.get_relationship(rel.id) is None
    ds = writes.dataset_from_json({"sources": [{"id": "s4", "title": "New"}]}, store=any_store)
    assert writes.ingest(any_store, ds) == {"sources": 1, "entities": 0, "relationships": 0}
    assert any_store.stats().sources == 4
