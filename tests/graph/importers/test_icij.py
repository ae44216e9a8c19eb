"""ICIJ Offshore Leaks CSV bundle (``graph/importers/icij.py``).

The fixture folder holds the six files under their published names and columns, with a BOM,
ICIJ's date forms (``23-MAR-2006``, ``Mar 02, 1999``, ``12/05/2010``, ``31.12.2015``, ``2017``),
a node without a name, a Cyrillic name, an unknown officer role, a "similar" link and an
identical duplicate row.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from graph.datasets import list_datasets
from graph.errors import InvalidRecord
from graph.importers import FORMATS, run_import
from graph.store.base import GraphStore
from graph.store.memory import MemoryStore
from tests.graph.importers.conftest import FIXTURES
from tests.graph.importers.support import edges, ents, snapshot

ICIJ = FIXTURES / "icij"
R = "reported"

EXPECTED_ENTITIES = {
    # id: (kind, name, country, jurisdiction, founded, cites the leak source)
    "icij.10000001": (
        "company",
        "FIXTURE HOLDINGS LIMITED",
        "British Virgin Islands",
        "British Virgin Islands",
        "2006-03-23",
        "icij.source-panama-papers",
    ),
    "icij.10000002": (
        "company",
        "Binance Holdings Ltd",
        "Cayman Islands",
        "Cayman Islands",
        "2017",
        "icij.source-paradise-papers-appleby",
    ),
    "icij.10000003": (
        "organization",
        "Fixture Family Trust",
        "Bahamas",
        "Bahamas",
        "1999-03-02",
        "icij.source-bahamas-leaks",
    ),
    "icij.11000001": ("company", "MOSSACK FIXTURE & CO.", "Panama", None, None, "icij.source-panama-papers"),
    "icij.12000001": (
        "person",
        "Changpeng Zhao",
        "Canada",
        None,
        None,
        "icij.source-paradise-papers-appleby",
    ),
    "icij.12000002": ("person", "Иван Фикстуров", "Russia", None, None, "icij.source-panama-papers"),
    "icij.12000003": (
        "person",
        "(unnamed officer 12000003)",
        "Panama",
        None,
        None,
        "icij.source-panama-papers",
    ),
    "icij.12000004": ("company", "THE BEARER", None, None, None, "icij.source-panama-papers"),
    "icij.12000005": ("person", "Ivan Fiksturov", "Russia", None, None, "icij.source-offshore-leaks"),
    "icij.14000001": (
        "address",
        "1 Fixture Road, Road Town, British Virgin Islands",
        "British Virgin Islands",
        None,
        None,
        "icij.source-panama-papers",
    ),
    "icij.85000001": (
        "organization",
        "FIXTURE FOUNDATION",
        "Malta",
        "Malta",
        "2010-05-12",
        "icij.source-paradise-papers-malta-corporate-registry",
    ),
}
EXPECTED_EDGES = {
    ("icij.12000001", "shareholder_of", "icij.10000002", "shareholder", "2018-01-01", None, None, None, R),
    ("icij.12000002", "role_at", "icij.10000001", "director", "2006-03-23", "2011-02-14", None, None, R),
    ("icij.12000003", "role_at", "icij.10000001", "protector of the fixture", "2007", None, None, None, R),
    ("icij.12000004", "owns_stake_in", "icij.10000001", "beneficial owner", None, None, None, None, R),
    ("icij.11000001", "intermediary_of", "icij.10000001", None, None, None, None, None, R),
    ("icij.10000001", "registered_at", "icij.14000001", None, None, None, None, None, R),
    (
        "icij.12000002",
        "possibly_same_as",
        "icij.12000005",
        "similar name and address as",
        None,
        None,
        None,
        None,
        R,
    ),
    ("icij.12000005", "role_at", "icij.85000001", "director", "2010-05-12", None, None, None, R),
    ("icij.10000003", "affiliated_with", "icij.10000002", "connected to", None, None, None, None, R),
    # cross-dataset: where the leak touches the Binance story (names only: never merged)
    ("icij.10000002", "possibly_same_as", "binance", None, None, None, None, None, R),
    ("icij.12000001", "possibly_same_as", "changpeng-zhao", None, None, None, None, None, R),
}


def test_icij_bundle_gives_the_expected_graph(target: GraphStore) -> None:
    core = snapshot(target, None)
    summary = run_import(target, "icij", [ICIJ], dataset="icij")
    got = {
        i: (e["kind"], e["name"], e.get("country"), e.get("jurisdiction"), e.get("founded"), e["sources"][1])
        for i, e in ents(target, "icij").items()
    }
    assert got == EXPECTED_ENTITIES
    assert edges(target, "icij") == EXPECTED_EDGES
    notice = FORMATS["icij"].notice
    assert notice and "does not imply wrongdoing" in notice
    # ICIJ's notice travels with every ICIJ fact, and the original labels are kept
    assert all(e["attributes"]["notice"] == notice for e in ents(target, "icij").values())
    rels = [r for r in target.iter_relationships() if r.dataset == "icij" and "icij_rel_type" in r.attributes]
    assert len(rels) == 9 and all(r.attributes["notice"] == notice for r in rels)
    similar = next(r for r in rels if r.attributes["icij_rel_type"] == "similar")
    assert similar.attributes["confidence"] == "low"
    struck = target.get_entity("icij.10000001")
    assert struck is not None and struck.attributes["struck_off_date"] == "2012-06-15"
    assert struck.attributes["source"] == "Panama Papers" and struck.aliases == ["FIXTURE HOLDINGS LTD."]
    unnamed = target.get_entity("icij.12000003")
    assert unnamed is not None and unnamed.attributes["name_missing"] == "true"
    info = {i.name: i for i in list_datasets(target)}["icij"]
    assert info.notice == notice and info.licence == FORMATS["icij"].licence
    assert summary.skipped == {"duplicate record (identical)": 1}
    assert snapshot(target, None) == core


def test_the_published_zip_reads_like_the_folder(tmp_path: Path) -> None:
    archive = tmp_path / "full-oldb.LATEST.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in sorted(ICIJ.iterdir()):
            zf.write(f, f"full-oldb/{f.name}")
    a, b = MemoryStore(None), MemoryStore(None)
    run_import(a, "icij", [ICIJ], dataset="icij")
    run_import(b, "icij", [archive], dataset="icij")
    assert ents(a, "icij") == ents(b, "icij")
    assert edges(a, "icij") == edges(b, "icij")


def test_bad_rows_are_reported_with_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bundle"
    shutil.copytree(ICIJ, bad)
    with (bad / "relationships.csv").open("a", encoding="utf-8") as f:
        f.write("12000001,99999999,officer_of,director of,,,,Panama Papers\n")
        f.write("12000002,10000002,officer_of,secretary of,,31-FOO-2001,,Panama Papers\n")
    st = MemoryStore(None)
    with pytest.raises(InvalidRecord) as exc:
        run_import(st, "icij", [bad], dataset="icij")
    got = [(Path(p.file).name, p.line, p.field, p.message) for p in exc.value.problems]
    assert got == [
        ("relationships.csv", 12, "start_date", "unrecognised date '31-FOO-2001'"),
        ("relationships.csv", 11, "target", "unknown entity 'icij.99999999': the input never defines it"),
    ]
    assert st.stats().entities == 0


def test_a_folder_without_icij_files_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidRecord) as exc:
        run_import(MemoryStore(None), "icij", [tmp_path], dataset="icij")
    assert "no ICIJ files" in exc.value.problems[0].message
