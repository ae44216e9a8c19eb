"""Datasets as records (``graph/datasets.py``): listing, replacing one, dropping one, the bundled one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import orjson
import pytest

from graph.datasets import CORE, DatasetConflict, drop_dataset, list_datasets, replace_core
from graph.errors import InvalidParameter, NotFound
from graph.importers import run_import
from graph.ingest.pipeline import load_dataset
from graph.queries.touches import touches
from graph.store.base import GraphStore
from graph.store.memory import MemoryStore
from tests.conftest import DATA
from tests.graph.importers.conftest import FIXTURES
from tests.graph.importers.support import ents, rels, snapshot, srcs

FTM = FIXTURES / "ftm" / "entities.ftm.json"
ICIJ = FIXTURES / "icij"


def _two(store: GraphStore) -> None:
    run_import(store, "ftm", [FTM], dataset="os")
    run_import(store, "icij", [ICIJ], dataset="icij")


def test_replacing_and_dropping_one_dataset_leaves_the_others_byte_identical(
    target: GraphStore, tmp_path: Path
) -> None:
    _two(target)
    core, icij = snapshot(target, None), snapshot(target, "icij")
    icij_records = (ents(target, "icij"), rels(target, "icij"), srcs(target, "icij"))

    def icij_without(ids: set[str]) -> bytes:
        e, r, s = icij_records
        return orjson.dumps([e, {k: v for k, v in r.items() if k not in ids}, s], option=orjson.OPT_SORT_KEYS)

    # re-import os from a smaller file: only os changes
    smaller = tmp_path / "smaller.ftm.json"
    lines = FTM.read_text(encoding="utf-8").splitlines(keepends=True)
    smaller.write_text("".join(line for line in lines if '"Family"' not in line), encoding="utf-8")
    summary = run_import(target, "ftm", [smaller], dataset="os")
    assert summary.removed["relationships"] == 9 and summary.relationships == 8
    assert target.get_relationship("os.fam-0001") is None
    assert snapshot(target, None) == core and snapshot(target, "icij") == icij
    # drop os: core stays byte for byte; icij loses exactly its two "possibly the same as" links
    # into os (a link cannot outlive its end) and nothing else
    to_os = {i for i, r in rels(target, "icij").items() if r["target"].startswith("os.")}
    assert len(to_os) == 2
    res = drop_dataset(target, "os")
    assert res.removed == {"sources": 2, "entities": 7, "relationships": 8}
    assert sorted(res.dangling) == sorted(to_os)
    assert ents(target, "os") == {}
    assert snapshot(target, None) == core
    assert snapshot(target, "icij") == icij_without(to_os)
    assert [i.name for i in list_datasets(target)] == ["core", "icij"]


def test_datasets_list_their_provenance_and_counts(target: GraphStore) -> None:
    _two(target)
    infos = {i.name: i for i in list_datasets(target)}
    assert list(infos) == ["core", "icij", "os"]
    core = load_dataset(DATA).counts()  # the bundled data, whatever it holds today
    assert infos["core"].counts == {k: core[k] for k in ("entities", "relationships", "sources")}
    # icij's 9 relationships, plus "possibly the same as" links to core (2) and to os (2)
    assert infos["icij"].counts == {"entities": 11, "relationships": 13, "sources": 6, "skipped": 0}
    assert infos["icij"].publisher == "International Consortium of Investigative Journalists (ICIJ)"
    assert infos["icij"].licence == "ODbL 1.0 (database), CC BY-SA 3.0 (contents)"
    assert infos["os"].format == "ftm" and infos["os"].input == "entities.ftm.json"
    assert infos["os"].imported_at is not None and infos["os"].imported_at.endswith("Z")


def test_ingest_replaces_only_the_bundled_data(target: GraphStore, tmp_path: Path) -> None:
    _two(target)
    os_before, icij_before = snapshot(target, "os"), snapshot(target, "icij")
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    people = data / "entities" / "people.yaml"
    people.write_text(
        people.read_text(encoding="utf-8").replace("name: Changpeng Zhao", "name: Changpeng Zhao (CZ)"),
        encoding="utf-8",
    )
    res = replace_core(target, load_dataset(data))
    n = len(load_dataset(DATA).entities)
    assert res.dataset == CORE and res.removed["entities"] == n
    cz = target.get_entity("changpeng-zhao")
    assert cz is not None and cz.name == "Changpeng Zhao (CZ)"
    assert snapshot(target, "os") == os_before and snapshot(target, "icij") == icij_before
    assert len(ents(target, None)) == n


def test_cross_dataset_links_go_when_the_other_side_goes(target: GraphStore) -> None:
    run_import(target, "ftm", [FTM], dataset="os")
    run_import(target, "icij", [ICIJ], dataset="icij")

    # icij's Changpeng Zhao is linked to both the bundled entity and the os one
    def linked() -> set[str]:
        return {
            r.target
            for r in target.iter_relationships()
            if r.source == "icij.12000001" and r.type == "possibly_same_as"
        }

    assert linked() == {"changpeng-zhao", "os.nk-cz0001-c8051f67"}
    res = drop_dataset(target, "os")
    assert "icij.12000001.same-as.os.nk-cz0001-c8051f67" in res.dangling
    assert linked() == {"changpeng-zhao"}


def test_touches_lists_where_a_dataset_meets_the_others(target: GraphStore) -> None:
    run_import(target, "ftm", [FTM], dataset="os")
    rows = touches(target, "os")
    assert [
        (r["entity"]["id"], r["verb"], r["other"]["id"], r["other"]["dataset"], r["match"]) for r in rows
    ] == [
        ("os.co-binance", "is possibly the same as", "binance", "core", "same name 'Binance Holdings Ltd'"),
        (
            "os.nk-cz0001-c8051f67",
            "is possibly the same as",
            "changpeng-zhao",
            "core",
            "same name 'Changpeng Zhao'",
        ),
    ]
    with pytest.raises(NotFound):
        touches(target, "nope")


def test_names_and_conflicts_are_checked() -> None:
    st = MemoryStore(None)
    with pytest.raises(InvalidParameter, match="bad dataset name"):
        run_import(st, "ftm", [FTM], dataset="Bad Name")
    with pytest.raises(InvalidParameter, match="'core' is the bundled data"):
        run_import(st, "ftm", [FTM], dataset="core")
    with pytest.raises(NotFound):
        drop_dataset(st, "never")
    st.replace_all(load_dataset(DATA))
    run_import(st, "ftm", [FTM], dataset="os")
    # a hand-written record that takes an id the dataset uses is refused on re-import
    from graph import writes

    writes.create(st, "entity", {"id": "os.x", "kind": "person", "name": "X", "sources": ["dataset-os"]})
    extra = FIXTURES / "ftm" / "entities.ftm.json"
    text = (
        extra.read_text(encoding="utf-8")
        + '{"id": "x", "schema": "Person", "properties": {"name": ["X2"]}}\n'
    )
    f = Path(os.environ.get("TMPDIR", "/tmp")) / f"cryptokg-conflict-{os.getpid()}.ftm.json"
    f.write_text(text, encoding="utf-8")
    try:
        with pytest.raises(DatasetConflict, match="already used by dataset 'core'"):
            run_import(st, "ftm", [f], dataset="os")
    finally:
        f.unlink()


def test_a_killed_import_leaves_the_workspace_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = tmp_path / "ws"
    st = MemoryStore(ws)
    st.replace_all(load_dataset(DATA))
    run_import(st, "ftm", [FTM], dataset="os")
    before = snapshot(st, None) + snapshot(st, "os")
    version = st.version

    def killed(src: object, dst: object) -> None:
        raise KeyboardInterrupt  # the process dies just before the new file is renamed into place

    monkeypatch.setattr("graph.store.memory.os.replace", killed)
    with pytest.raises(KeyboardInterrupt):
        run_import(st, "icij", [ICIJ], dataset="icij")
    monkeypatch.undo()
    reopened = MemoryStore(ws)
    assert reopened.version == version
    assert snapshot(reopened, None) + snapshot(reopened, "os") == before
    assert ents(reopened, "icij") == {}
    assert not [p for p in ws.iterdir() if ".tmp-" in p.name]
