"""LittleSis API documents and bulk dumps (``graph/importers/littlesis.py``).

``relationship-9000001.json`` is an API answer (``data`` and ``included``: the relationship
comes before the entities it links); ``entities.json`` and ``relationships.json`` are bulk
dumps. Awkward records: ``00`` month and day parts, a Japanese alias, an entity repeated in the
API document and the dump, and a category that does not exist.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import InvalidRecord
from graph.importers import run_import
from graph.importers.littlesis import CATEGORIES
from graph.store.base import GraphStore
from graph.store.memory import MemoryStore
from tests.graph.importers.conftest import FIXTURES
from tests.graph.importers.support import edges, ents

LS = FIXTURES / "littlesis"
R = "reported"

EXPECTED_ENTITIES = {
    # id: (kind, name, aliases, description)
    "ls.800001": ("person", "Fixture Donor", ["F. Donor"], "Crypto investor (fixture)"),
    "ls.800002": ("organization", "Fixture Victory PAC", [], None),
    "ls.800003": (
        "person",
        "Donald J. Trump",
        ["Donald Trump"],
        "45th and 47th President of the United States",
    ),
    "ls.800004": ("company", "Fixture Capital LLC", ["フィクスチャー・キャピタル"], None),
    "ls.800005": ("agency", "Department of Fixtures", [], None),
}
EXPECTED_EDGES = {
    ("ls.800001", "donated_to", "ls.800002", "Donation", "2024-03", "2024-09-15", 250000.0, "USD", R),
    ("ls.800001", "role_at", "ls.800004", "Managing Partner", "2019", None, None, None, R),
    (
        "ls.800004",
        "lobbied",
        "ls.800003",
        "lobbied on digital asset policy",
        "2025-02",
        "2025-06-30",
        40000.0,
        "USD",
        R,
    ),
    ("ls.800001", "associate_of", "ls.800003", "friend", None, None, None, None, R),
    ("ls.800001", "owns_stake_in", "ls.800004", "Owner", "2020", None, None, None, R),
    ("ls.800003", "possibly_same_as", "donald-trump", None, None, None, None, None, R),
}


def test_littlesis_documents_give_the_expected_graph(target: GraphStore) -> None:
    summary = run_import(target, "littlesis", [LS], dataset="ls")
    got = {
        i: (e["kind"], e["name"], e.get("aliases", []), e.get("description"))
        for i, e in ents(target, "ls").items()
    }
    assert got == EXPECTED_ENTITIES
    assert edges(target, "ls") == EXPECTED_EDGES
    donor = target.get_entity("ls.800001")
    assert donor is not None and donor.identifiers == {"littlesis": "800001"}
    donation = target.get_relationship("ls.rel-9000001")
    assert donation is not None
    assert donation.attributes["description1"] == "Donation" and donation.attributes["is_current"] == "false"
    assert donation.attributes["littlesis_category"] == "Donation"
    own = target.get_relationship("ls.rel-9000006")
    assert own is not None and own.attributes["description2"] == "Holding"
    assert summary.unknown == {"LittleSis category 99": 1}
    assert summary.skipped == {"duplicate record (identical)": 1}


def test_all_twelve_categories_are_mapped() -> None:
    assert sorted(CATEGORIES) == list(range(1, 13))
    assert [c for c, _t in CATEGORIES.values()] == [
        "Position",
        "Education",
        "Membership",
        "Family",
        "Donation",
        "Transaction",
        "Lobbying",
        "Social",
        "Professional",
        "Ownership",
        "Hierarchy",
        "Generic",
    ]


def test_bad_records_name_the_record_and_field(tmp_path: Path) -> None:
    f = tmp_path / "relationships.json"
    f.write_text(
        '[{"type": "relationships", "id": 1, "attributes": {"entity1_id": 5, "entity2_id": 6, "category_id": 1,'
        ' "start_date": "2019-13-00"}},'
        ' {"type": "entities", "id": 5, "attributes": {"name": "", "primary_ext": "Person"}},'
        ' {"type": "relationships", "id": 2, "attributes": {"entity1_id": 5, "category_id": "x"}}]',
        encoding="utf-8",
    )
    with pytest.raises(InvalidRecord) as exc:
        run_import(MemoryStore(None), "littlesis", [f], dataset="ls")
    got = [(p.line, p.record, p.field, p.message) for p in exc.value.problems]
    assert got == [
        (1, "relationships 1", "start_date", "impossible date '2019-13'"),
        (2, "entities 5", "name", "required field is missing"),
        (3, "relationships 2", "category_id", "not a category: 'x'"),
    ]
