"""The fast CSV path gives exactly what the ordinary path gives (graph/ingest/fastcsv.py).

``reference`` is the ingest pipeline as it was before the fast path: every file through
``readers.read_file``, every record through ``validate_records``. Random CSV files, valid and
broken in every way the validation knows, must give the same records and the same problems
(file, line, record, field, message, in the same order).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import InvalidRecord, Problem
from graph.ingest.pipeline import load_dataset
from graph.ingest.readers import RawRecord, discover, read_file
from graph.ingest.validate import Dataset, validate_records
from graph.model import dump

SOURCES = "id,title,url\ns1,One,https://example.org/1\ns2,Two,https://example.org/2\n"


def reference(root: Path) -> tuple[dict[str, list[dict[str, Any]]] | None, list[Problem]]:
    """The pipeline without the fast path."""
    files, problems = discover([root])
    records: list[RawRecord] = []
    unreadable: set[str] = set()
    order = {"source": 0, "entity": 1, "relationship": 2}
    for f, kind in sorted(files, key=lambda fk: (order[fk[1]], str(fk[0]))):
        res = read_file(f, kind)
        records.extend(res.records)
        problems.extend(res.problems)
        if res.problems and not res.records:
            unreadable.add(kind)
    ds, vproblems = validate_records(records, unchecked_kinds=unreadable)
    problems.extend(vproblems)
    return (None if problems else _content(ds)), problems


def fast(root: Path) -> tuple[dict[str, list[dict[str, Any]]] | None, list[Problem]]:
    try:
        ds = load_dataset(root, progress=False)
    except InvalidRecord as exc:
        return None, exc.problems
    return _content(ds), []


def _content(ds: Dataset) -> dict[str, list[dict[str, Any]]]:
    return {
        "sources": [dump(v) for v in ds.sources.values()],
        "entities": [dump(v) for v in ds.entities.values()],
        "relationships": [dump(v) for v in ds.relationships.values()],
    }


def _write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


ENTITY_IDS = ["alice", "bob", "carol", "acme"]
IDS = st.sampled_from([*ENTITY_IDS, "nobody", "Bad Id", "", " alice ", "r-1", "x" * 201])
CELLS = {
    "id": st.sampled_from(["r1", "r2", "r3", "r2", "", "R 9", "r-4", " r5 "]),
    "source": IDS,
    "target": IDS,
    "type": st.sampled_from(["met", "founded", "owns", "shilled", "", " ceo_of "]),
    "role": st.sampled_from(["", "Director", "  CEO "]),
    "start": st.sampled_from(["", "2017", "2023-11", "2024-02-30", "21.3.2021", "2020-13", " 2019 "]),
    "end": st.sampled_from(["", "2016", "2025-01-31", "bad"]),
    "amount": st.sampled_from(["", "100", "12.5", "-5", "1e3", "1,000", "0007", "inf"]),
    "currency": st.sampled_from(["", "USD"]),
    "status": st.sampled_from(["confirmed", "reported", "alleged", "denied", "Confirmed", ""]),
    "denied_by": st.sampled_from(["", "alice", "alice;bob", "nobody", "Bad Id", ";"]),
    "sources": st.sampled_from(["s1", "s1;s2", "s2; s1", "s9", "", ";", " s1 ", "s1;;s2", "Bad Id"]),
    "notes": st.sampled_from(["", "a note", "with, comma", "two\nlines"]),
}
ENTITY_CELLS = {
    "id": st.sampled_from([*ENTITY_IDS, "acme", "", "Bad Id"]),
    "kind": st.sampled_from(["person", "company", "tribunal", ""]),
    "name": st.sampled_from(["Alice", "", "  Bob  ", "Ünïcode Näme", "a,b"]),
    "aliases": st.sampled_from(["", "AE", "AE;AE; ae", ";", "阿丽斯"]),
    "country": st.sampled_from(["", "Canada"]),
    "founded": st.sampled_from(["", "2017", "2017-02-29", "20x7"]),
    "website": st.sampled_from(["", "https://example.org", "ftp://x", "https://a b", "http://x"]),
    "identifiers": st.sampled_from(["", "lei:123", "lei:1;wd:Q2"]),
    "sector": st.sampled_from(["", "crypto"]),
    "sources": st.sampled_from(["s1", "s9", "", "s1;s2"]),
}


@st.composite
def tables(draw: st.DrawFn, cells: dict[str, st.SearchStrategy[str]], required: list[str]) -> str:
    optional = [c for c in cells if c not in required]
    header = required + draw(st.lists(st.sampled_from(optional), unique=True))
    if draw(st.integers(0, 9)) == 0:
        header = [*header, draw(st.sampled_from(["bogus", "id", " type", ""]))]
    header = draw(st.permutations(header))
    rows: list[list[str]] = [list(header)]
    for _ in range(draw(st.integers(0, 8))):
        row = [
            draw(cells[h.strip()]) if h.strip() in cells else draw(st.sampled_from(["", "x"])) for h in header
        ]
        shape = draw(st.integers(0, 14))
        if shape == 0:
            row = [*row, "surplus"]
        elif shape == 1 and row:
            row = row[:-1]
        elif shape == 2:
            row = []
        rows.append(row)
    text = _csv(rows)
    if draw(st.integers(0, 19)) == 0:
        text = text.replace("\n", '\n"unclosed', 1)
    return text


SETTINGS = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@SETTINGS
@given(
    entities=tables(ENTITY_CELLS, ["id", "kind", "name", "sources"]),
    relationships=tables(CELLS, ["source", "target", "type", "status", "sources"]),
)
def test_fast_path_matches_the_reference(
    tmp_path_factory: pytest.TempPathFactory, entities: str, relationships: str
) -> None:
    root = tmp_path_factory.mktemp("data")
    _write(root, "sources.csv", SOURCES)
    _write(
        root,
        "entities/people.csv",
        _csv([["id", "kind", "name", "sources"]] + [[i, "person", i.title(), "s1"] for i in ENTITY_IDS]),
    )
    _write(root, "entities/more.csv", entities)
    _write(root, "relationships/rels.csv", relationships)
    assert fast(root) == reference(root)


def test_bundled_data_matches_the_reference() -> None:
    root = Path(__file__).resolve().parents[3] / "data"
    got, want = fast(root), reference(root)
    assert got == want
    assert got[0] is not None


def test_blank_rows_and_quoted_newlines_keep_csv_reader_lines(tmp_path: Path) -> None:
    _write(tmp_path, "sources.csv", SOURCES)
    _write(
        tmp_path,
        "entities.csv",
        'id,kind,name,sources\nalice,person,Alice,s1\n\nbob,person,"Bob\nB",s9\n\n\ncarol,person,C,s9\n',
    )
    _, problems = fast(tmp_path)
    assert problems == reference(tmp_path)[1]
    assert [(p.line, p.record) for p in problems] == [(3, "bob"), (6, "carol")]
