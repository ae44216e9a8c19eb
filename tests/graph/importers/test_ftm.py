"""FollowTheMoney / OpenSanctions import and export (``graph/importers/ftm.py``, ``graph/export_ftm.py``).

The fixture ``entities.ftm.json`` follows the OpenSanctions export layout (``id, caption, schema,
properties, datasets, referents, first_seen, last_seen, last_change, target``) with plain
``{id, schema, properties}`` records mixed in, and awkward records: a link to an entity defined
later, partial dates, a role our vocabulary does not know, a Cyrillic name, an identical
duplicate and an unknown schema.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from graph.datasets import list_datasets
from graph.errors import InvalidRecord
from graph.export import export, self_contained, whole_graph
from graph.importers import run_import
from graph.store.base import GraphStore
from graph.store.memory import MemoryStore
from tests.graph.importers.conftest import FIXTURES
from tests.graph.importers.support import edges, ents, rels, snapshot

FTM = FIXTURES / "ftm" / "entities.ftm.json"
BAD = FIXTURES / "ftm" / "bad.ftm.json"
CZ = "os.nk-cz0001-c8051f67"
GARY = "os.nk-gp0002-80174291"
AUTH = "os.authority-ministry-of-fixtures-b7106d41"
URL_SRC = "os.url-https-sanctions-example-gov-list-99001-9f85ace6"

EXPECTED_ENTITIES = {
    # id: (kind, name, aliases, country, jurisdiction, founded, identifiers)
    CZ: (
        "person",
        "Changpeng Zhao",
        ["赵长鹏", "CZ"],
        "ca",
        None,
        None,
        {"ftm_id": "NK-cz0001", "wikidataId": "Q24835115", "referents": ["ofac-99001", "Q24835115"]},
    ),
    GARY: ("person", "Гэри Пример", ["Gary Primer"], None, None, None, {"ftm_id": "NK-gp0002"}),
    "os.co-binance": (
        "company",
        "Binance Holdings Ltd",
        [],
        None,
        "ky",
        "2017-07",
        {"registrationNumber": "KY-332211", "leiCode": "5493001KJTIIGC8Y1R12"},
    ),
    "os.addr-0001": (
        "address",
        "1 Fixture Road, George Town, Cayman Islands",
        [],
        "ky",
        None,
        None,
        {},  # "addr-0001" is spelled in the id "os.addr-0001": no ftm_id needed
    ),
    "os.plain-co": ("company", "Nest Services Ltd", [], "ky", None, None, {}),
    "os.wallet-0001": (
        "asset",
        "bc1qfixture0000wallet",
        [],
        None,
        None,
        None,
        {"publicKey": "bc1qfixture0000wallet"},
    ),
    AUTH: ("agency", "Ministry of Fixtures", [], None, None, None, {}),
}
EXPECTED_EDGES = {
    # (source, type, target, role, start, end, amount, currency, status)
    (
        CZ,
        "owns_stake_in",
        "os.co-binance",
        "founder and majority owner",
        "2017",
        None,
        None,
        None,
        "reported",
    ),
    (GARY, "role_at", "os.co-binance", "chief strategy wizard", "2018-05", "2022", None, None, "reported"),
    (CZ, "family_of", GARY, "cousin", None, None, None, None, "reported"),
    ("os.co-binance", "funded", GARY, "payment", "2021-06-30", None, 250000.5, "USD", "reported"),
    (AUTH, "sanctioned", CZ, "Fixture Sanctions Regulations", "2024-03-15", None, None, None, "confirmed"),
    (CZ, "holds", "os.wallet-0001", None, None, None, None, None, "reported"),
    ("os.plain-co", "registered_at", "os.addr-0001", None, None, None, None, None, "reported"),
    # where the dataset touches the bundled Binance story: same names, linked, never merged
    ("os.co-binance", "possibly_same_as", "binance", None, None, None, None, None, "reported"),
    (CZ, "possibly_same_as", "changpeng-zhao", None, None, None, None, None, "reported"),
}


def _import(store: GraphStore, path: Path = FTM, name: str = "os", **kw: object) -> object:
    return run_import(store, "ftm", [path], dataset=name, **kw)  # type: ignore[arg-type]


def test_ftm_fixture_gives_the_expected_graph(target: GraphStore) -> None:
    core_before = snapshot(target, None)
    summary = _import(target)
    got = {
        e["id"]: (
            e["kind"],
            e["name"],
            e.get("aliases", []),
            e.get("country"),
            e.get("jurisdiction"),
            e.get("founded"),
            e.get("identifiers", {}),
        )
        for e in ents(target, "os").values()
    }
    assert got == EXPECTED_ENTITIES
    assert edges(target, "os") == EXPECTED_EDGES
    cz = target.get_entity(CZ)
    assert cz is not None and cz.attributes["birthDate"] == "1977-02-10"
    assert cz.attributes["ftm_schema"] == "Person" and cz.attributes["target"] == "true"
    assert (
        cz.attributes["citizenship"] == "ae"
        and cz.attributes["datasets"] == "us_doj_press; ca_sanctions_fixture"
    )
    assert cz.sources == ["dataset-os"]
    sanction = target.get_relationship("os.sanc-0001")
    assert sanction is not None and sanction.sources == ["dataset-os", URL_SRC]
    assert sanction.attributes["ftm_schema"] == "Sanction"
    assert target.get_source(URL_SRC) is not None
    assert summary.records_read == 13  # type: ignore[attr-defined]
    assert summary.unknown == {"FtM schema 'Spaceship'": 1}  # type: ignore[attr-defined]
    assert summary.skipped == {"duplicate record (identical)": 1}  # type: ignore[attr-defined]
    # the bundled data is untouched
    assert snapshot(target, None) == core_before
    info = {i.name: i for i in list_datasets(target)}["os"]
    assert info.licence is not None and "CC BY-NC 4.0" in info.licence
    assert info.counts == {"entities": 7, "relationships": 9, "sources": 2, "skipped": 0}
    assert info.sha256 is not None and len(info.sha256) == 64


def test_reimport_is_idempotent(target: GraphStore) -> None:
    _import(target)
    first_e, first_r = ents(target, "os"), rels(target, "os")
    summary = _import(target)
    assert ents(target, "os") == first_e and rels(target, "os") == first_r
    assert summary.removed == {"sources": 2, "entities": 7, "relationships": 9}  # type: ignore[attr-defined]
    assert [i.name for i in list_datasets(target)] == ["core", "os"]


def test_bad_input_stops_the_import_and_writes_nothing(target: GraphStore) -> None:
    before = target.version
    with pytest.raises(InvalidRecord) as exc:
        _import(target, BAD, "bad")
    got = [(p.line, p.record, p.field, p.message) for p in exc.value.problems]
    assert got == [
        (2, "p-noname", "properties.name", "no name: the record has no caption or name property"),
        (3, "p-baddate", "properties.birthDate", "impossible date '1990-13-45'"),
        (5, None, None, got[2][3]),
        (6, "p-ok", "id", "duplicate id 'bad.p-ok' with different content (first at line 1)"),
        (7, "pay-bad", "properties.amount", "not a number: 'lots'"),
        (4, "bad.own-dangling", "target", "unknown entity 'bad.never-defined': the input never defines it"),
    ]
    assert got[2][3].startswith("not valid JSON")
    assert all(p.file == str(BAD) for p in exc.value.problems)
    assert target.version == before
    assert [i.name for i in list_datasets(target)] == ["core"]


def test_skip_bad_imports_the_rest_and_writes_the_rejects(target: GraphStore, tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.jsonl"
    summary = _import(target, BAD, "bad", skip_bad=True, rejects=rejects)
    assert set(ents(target, "bad")) == {"bad.p-ok", "bad.p-ok2"}
    assert rels(target, "bad") == {}
    rows = [orjson.loads(line) for line in rejects.read_bytes().splitlines()]
    assert [(r["line"], r["field"], r["reason"].split(":")[0]) for r in rows] == [
        (2, "properties.name", "no name"),
        (3, "properties.birthDate", "impossible date '1990-13-45'"),
        (5, None, "not valid JSON"),
        (6, "id", "duplicate id 'bad.p-ok' with different content (first at line 1)"),
        (7, "properties.amount", "not a number"),
        (4, "target", "unknown entity 'bad.never-defined'"),
    ]
    assert rows[0]["raw"] == '{"id": "p-noname", "schema": "Person", "properties": {"nationality": ["fr"]}}'
    assert rows[2]["raw"] == "{not json at all"
    assert summary.rejected == 6 and summary.rejects_file == str(rejects)  # type: ignore[attr-defined]
    info = {i.name: i for i in list_datasets(target)}["bad"]
    assert info.counts["skipped"] == 6


def test_official_publisher_makes_every_fact_confirmed() -> None:
    st = MemoryStore(None)
    run_import(st, "ftm", [FTM], dataset="os", options={"official": True}, match=False)
    assert {str(r.status) for r in st.iter_relationships()} == {"confirmed"}


def test_ftm_export_round_trips_through_the_importer(tmp_path: Path) -> None:
    st = MemoryStore(None)
    run_import(st, "ftm", [FTM], dataset="os", match=False)
    data = export(self_contained(st, whole_graph(st)), "ftm")
    lines = [orjson.loads(line) for line in data.splitlines()]
    assert {line["schema"] for line in lines} >= {"Person", "Company", "Address", "CryptoWallet", "Sanction"}
    assert all(line["properties"]["publisher"] == ["os"] for line in lines)
    back = MemoryStore(None)
    f = tmp_path / "export.ftm.json"
    f.write_bytes(data)
    summary = run_import(back, "ftm", [f], dataset="os", match=False)
    assert summary.records_read == len(lines)
    assert summary.unknown == {}

    def shape(store: GraphStore) -> tuple[object, object]:
        e = {
            (x.id, str(x.kind), x.name, tuple(sorted(x.aliases)), x.country, x.jurisdiction, x.founded)
            for x in store.iter_entities()
        }
        r = {
            (x.source, x.type, x.target, x.role, x.start, x.end, x.amount, str(x.status))
            for x in store.iter_relationships()
        }
        return e, r

    assert shape(back) == shape(st)


def test_third_party_names_with_line_breaks_and_controls_are_tidied(tmp_path: Path) -> None:
    # Published datasets carry stray line breaks, tabs and control characters in names; an
    # import makes them one line (curated data/ files are refused instead, see test_hostile_files).
    path = tmp_path / "messy.ftm.json"
    path.write_text(
        '{"id": "p1", "schema": "Person", "properties": {"name": ["ZHAO\\r\\nChangpeng\\u0000\\t"]}}\n',
        encoding="utf-8",
    )
    store = MemoryStore(None)
    run_import(store, "ftm", [path], dataset="messy")
    (ent,) = [e for e in store.iter_entities() if e.dataset == "messy" and e.kind == "person"]
    assert ent.name == "ZHAO Changpeng"
