"""Mapped CSV/JSON tables with a YAML mapping (``graph/importers/mapped.py``).

``enforcement.csv`` is a real-world-shaped table: a BOM, spaces around headers, one row per
event, amounts written as ``" $10,000,000.00 "``, ``USD 968,618,825`` and ``$3.4bn``, and dates
as ``06/05/2023`` (US order, declared in the mapping), ``" March 27, 2023"``, ISO,
``21-Nov-2023`` and a bare year. ``respondents.json`` is a JSON table of nodes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import InvalidRecord
from graph.importers import run_import
from graph.importers.tables import parse_amount, parse_date
from graph.store.base import GraphStore
from graph.store.memory import MemoryStore
from tests.graph.importers.conftest import FIXTURES
from tests.graph.importers.support import edges, ents

M = FIXTURES / "mapped"
C = "confirmed"
FX = "enf.r-1-80623b38"


def _run(store: GraphStore, mapping: Path = M / "mapping.yaml", **kw: object) -> object:
    return run_import(
        store, "mapped", [M / "enforcement.csv"], dataset="enf", options={"mapping": mapping}, **kw
    )  # type: ignore[arg-type]


def test_mapped_tables_give_the_expected_graph(target: GraphStore) -> None:
    _run(target)
    got = {
        i: (e["kind"], e["name"], e.get("aliases", []), e.get("country"), e.get("founded"))
        for i, e in ents(target, "enf").items()
    }
    assert got == {
        FX: ("company", "Fixture Exchange Inc.", ["FixEx", "Fixture Exchange"], "US", "2017-01"),
        "enf.r-2-e4dd604e": ("company", "Фикстура ООО", ["Fixtura LLC"], "RU", None),
        "enf.r-3-40e12745": ("person", "Jane Fixture", [], "GB", None),
        # created from the edge table's names
        "enf.binance-holdings-ltd": ("company", "Binance Holdings Ltd.", [], None, None),
        "enf.sec": ("agency", "SEC", [], None, None),
        "enf.cftc": ("agency", "CFTC", [], None, None),
        "enf.ofac": ("agency", "OFAC", [], None, None),
        "enf.fincen": ("agency", "FinCEN", [], None, None),
    }
    assert edges(target, "enf") == {
        ("enf.sec", "sued", "enf.binance-holdings-ltd", "civil complaint", "2023-06-05", None, None, None, C),
        (FX, "settled_with", "enf.cftc", "settlement", "2023-03-27", None, 10_000_000.0, "USD", C),
        (FX, "settled_with", "enf.ofac", "settlement", "2023-11-21", None, 968_618_825.0, "USD", C),
        (FX, "settled_with", "enf.fincen", "settlement", "2023-11-21", None, 3_400_000_000.0, "USD", C),
        ("enf.sec", "sued", "enf.r-2-e4dd604e", "civil complaint", "2024", None, None, None, C),
        # touches the bundled data: same names (short ones like "SEC" are not matched)
        ("enf.binance-holdings-ltd", "possibly_same_as", "binance", None, None, None, None, None, "reported"),
        ("enf.cftc", "possibly_same_as", "cftc", None, None, None, None, None, "reported"),
        ("enf.ofac", "possibly_same_as", "ofac", None, None, None, None, None, "reported"),
        ("enf.fincen", "possibly_same_as", "fincen", None, None, None, None, None, "reported"),
    }
    fx = target.get_entity(FX)
    assert fx is not None and fx.identifiers == {"lei": "5493000FIXTUREEXCH01", "source_id": "R-1"}
    rel = target.get_relationship("enf.fx-002-ceb45f38")
    assert rel is not None and rel.attributes == {"Case ID": "FX-002"}
    src = target.get_source(rel.sources[1])
    assert src is not None and (src.title, src.url) == (
        "CFTC fixture settlement",
        "https://www.cftc.gov/fixture/8680-23",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" $10,000,000.00 ", (10_000_000.0, "USD")),
        ("USD 968,618,825", (968_618_825.0, "USD")),
        ("$3.4bn", (3_400_000_000.0, "USD")),
        ("€2.5m", (2_500_000.0, "EUR")),
        ("1 500 GBP", (1500.0, "GBP")),
        ("", (None, None)),
    ],
)
def test_amounts(text: str, expected: tuple[float | None, str | None]) -> None:
    assert parse_amount(text) == expected


def test_amount_and_date_errors() -> None:
    with pytest.raises(ValueError, match="not an amount: 'about ten'"):
        parse_amount("about ten")
    with pytest.raises(ValueError, match="unrecognised date 'soon'"):
        parse_date("soon")
    assert parse_date("06/05/2023", ("%m/%d/%Y",)) == "2023-06-05"
    assert parse_date("06/05/2023") == "2023-05-06"  # day first unless the mapping says otherwise
    assert parse_date("November 2023") == "2023-11"


def test_bad_rows_and_bad_mappings_are_reported(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text(
        "Who,Agency,Action,Date,Penalty\nX Corp,SEC,fine,2023-02-30,$5\nY Corp,SEC,settlement,2023,lots\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "edges:\n  source: {column: Agency, create: agency}\n  target: {column: Who, create: company}\n"
        "  type: {column: Action, map: {settlement: settled_with}}\n  start: Date\n  amount: Penalty\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidRecord) as exc:
        run_import(MemoryStore(None), "mapped", [table], dataset="t", options={"mapping": mapping})
    got = [(p.line, p.field, p.message) for p in exc.value.problems]
    assert got == [
        (2, "Action", "unknown relationship type 'fine'; map it"),
        (3, "Penalty", "not an amount: 'lots'"),
    ]
    mapping.write_text("edges:\n  source: Agency\n  colour: red\n", encoding="utf-8")
    with pytest.raises(InvalidRecord) as exc:
        run_import(MemoryStore(None), "mapped", [table], dataset="t", options={"mapping": mapping})
    assert [(p.record, p.field) for p in exc.value.problems] == [
        ("edges", "colour"),
        ("edges", "target"),
        ("edges", "type"),
    ]
