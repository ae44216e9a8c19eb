"""Ingestion: every problem reported at once with file, line and field (graph/ingest/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.errors import InvalidRecord, Problem
from graph.ingest.pipeline import load_dataset


def _problems(path: Path) -> list[Problem]:
    with pytest.raises(InvalidRecord) as info:
        load_dataset(path)
    return info.value.problems


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _where(p: Problem, root: Path) -> tuple[str, int | None, str | None, str | None]:
    return (str(Path(p.file).relative_to(root)), p.line, p.record, p.field)


def test_mini_loads(mini_copy: Path) -> None:
    ds = load_dataset(mini_copy)
    assert ds.counts() == {"sources": 3, "entities": 12, "relationships": 16}
    assert ds.relationships["r11"].amount == 2_000_000_000
    assert ds.entities["alice"].aliases == ["AE", "阿丽斯"]
    assert ds.entities["acme"].founded == "2017"  # YAML ints and dates stay as typed


# (file, old text, new text, expected (file, line, record, field), message fragment)
CASES = [
    pytest.param(
        "relationships.csv",
        "r05,acme,",
        "r05,acmee,",
        ("relationships.csv", 6, "r05", "source"),
        "unknown entity 'acmee'",
        id="unknown-entity-reference",
    ),
    pytest.param(
        "entities.yaml",
        "kind: court",
        "kind: tribunal",
        ("entities.yaml", 32, "court", "kind"),
        "unknown value 'tribunal'",
        id="unknown-kind",
    ),
    pytest.param(
        "relationships.csv",
        "r13,acme,listed,",
        "r13,acme,shilled,",
        ("relationships.csv", 14, "r13", "type"),
        "unknown relationship type 'shilled'",
        id="unknown-type",
    ),
    pytest.param(
        "relationships.csv",
        "r08,court,accepted_plea,acme,,2024-02,",
        "r08,court,accepted_plea,acme,,2024-02-30,",
        ("relationships.csv", 9, "r08", "start"),
        "impossible date '2024-02-30'",
        id="impossible-date",
    ),
    pytest.param(
        "relationships.csv",
        ",2021,,,,confirmed,,s3,",
        ",21.3.2021,,,,confirmed,,s3,",
        ("relationships.csv", 10, "r09", "start"),
        "bad date '21.3.2021'",
        id="bad-date",
    ),
    pytest.param(
        "relationships.csv",
        "r02,alice,ceo_of,acme,,2017-07,2023-11-21",
        "r02,alice,ceo_of,acme,,2017-07,2016-01",
        ("relationships.csv", 3, "r02", "end"),
        "end 2016-01 is before start 2017-07",
        id="end-before-start",
    ),
    pytest.param(
        "relationships.csv",
        "reported,,s2,\nr14",
        "reported,,,\nr14",
        ("relationships.csv", 14, "r13", "sources"),
        "at least one source is required",
        id="missing-source",
    ),
    pytest.param(
        "relationships.csv",
        "r12,carol,owns_stake_in,venture,,,,,,alleged,,s3,",
        "r12,carol,owns_stake_in,venture,,,,,,alleged,,s9,",
        ("relationships.csv", 13, "r12", "sources"),
        "unknown source 's9'",
        id="unknown-source-id",
    ),
    pytest.param(
        "relationships.csv",
        "r15,alice,met,carol,,2024-12,,,,reported,alice,",
        "r15,alice,met,carol,,2024-12,,,,reported,alicia,",
        ("relationships.csv", 16, "r15", "denied_by"),
        "unknown entity 'alicia'",
        id="unknown-denier",
    ),
    pytest.param(
        "entities.yaml",
        "  sources: [s2]\n- id: carol",
        "  sources: [s7]\n- id: carol",
        ("entities.yaml", 8, "bob", "sources"),
        "unknown source 's7'",
        id="entity-unknown-source",
    ),
]


@pytest.mark.parametrize(("fname", "old", "new", "where", "message"), CASES)
def test_each_problem_is_located(
    mini_copy: Path, fname: str, old: str, new: str, where: tuple[str, int, str, str], message: str
) -> None:
    _edit(mini_copy / fname, old, new)
    problems = _problems(mini_copy)
    assert [_where(p, mini_copy) for p in problems] == [where]
    assert message in problems[0].message


def test_duplicate_id_with_conflicting_content(mini_copy: Path) -> None:
    (mini_copy / "zz_more").mkdir()
    (mini_copy / "zz_more" / "relationships.csv").write_text(
        "id,source,type,target,status,sources\n"
        "r01,alice,founded,acme,confirmed,s1\n"  # differs: no start date
        "r02,alice,ceo_of,acme,confirmed,s1\n",
        encoding="utf-8",
    )
    problems = _problems(mini_copy)
    located = [_where(p, mini_copy) for p in problems]
    assert located == [
        ("zz_more/relationships.csv", 2, "r01", "id"),
        ("zz_more/relationships.csv", 3, "r02", "id"),
    ]
    assert "duplicate id 'r01' with different content (first at" in problems[0].message


def test_identical_duplicate_is_accepted(mini_copy: Path) -> None:
    (mini_copy / "again").mkdir()
    (mini_copy / "again" / "relationships.csv").write_text(
        (mini_copy / "relationships.csv").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert load_dataset(mini_copy).counts()["relationships"] == 16


def test_every_problem_is_reported_at_once(mini_copy: Path) -> None:
    _edit(mini_copy / "relationships.csv", "r05,acme,", "r05,acmee,")
    _edit(
        mini_copy / "relationships.csv",
        "r08,court,accepted_plea,acme,,2024-02,",
        "r08,court,accepted_plea,acme,,2024-13,",
    )
    _edit(mini_copy / "entities.yaml", "kind: court", "kind: tribunal")
    fields = sorted((p.record, p.field) for p in _problems(mini_copy))
    # r08 also points at the invalid court entity; that is not reported twice
    assert fields == [("court", "kind"), ("r05", "source"), ("r08", "start")]


def test_malformed_yaml(mini_copy: Path) -> None:
    _edit(mini_copy / "entities.yaml", "  name: Bob Müller", "  name: [Bob Müller")
    problems = _problems(mini_copy)
    # the unreadable file is the only problem: references into it are not reported again
    assert [_where(p, mini_copy) for p in problems] == [("entities.yaml", 10, None, None)]
    assert "malformed YAML" in problems[0].message


def test_malformed_csv(mini_copy: Path) -> None:
    _edit(
        mini_copy / "relationships.csv",
        "r04,acme-us,affiliate_of,acme,,,,,,reported,,s2,",
        "r04,acme-us,affiliate_of,acme,,,,,,reported,,s2,,extra,cells",
    )
    problems = _problems(mini_copy)
    assert [_where(p, mini_copy) for p in problems] == [("relationships.csv", 5, "r04", None)]
    assert "more cells than header columns" in problems[0].message


def test_malformed_json(mini_copy: Path) -> None:
    (mini_copy / "entities.yaml").unlink()
    (mini_copy / "relationships.csv").unlink()
    (mini_copy / "entities.json").write_text(
        '[{"id": "x", "kind": "person",\n "name": "X" "sources": ["s1"]}]'
    )
    problems = _problems(mini_copy)
    assert [(Path(p.file).name, p.line) for p in problems] == [("entities.json", 2)]
    assert "malformed JSON" in problems[0].message


def test_jsonl_lines_are_located(mini_copy: Path) -> None:
    (mini_copy / "extra").mkdir()
    rows = [
        {"id": "dave", "kind": "person", "name": "Dave", "sources": ["s1"]},
        {"id": "erin", "kind": "person", "name": "Erin", "sources": ["nope"]},
    ]
    (mini_copy / "extra" / "entities.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    problems = _problems(mini_copy)
    assert [_where(p, mini_copy) for p in problems] == [("extra/entities.jsonl", 2, "erin", "sources")]


def test_wrong_encoding(mini_copy: Path) -> None:
    raw = (mini_copy / "entities.yaml").read_text(encoding="utf-8").encode("latin-1", errors="replace")
    (mini_copy / "entities.yaml").write_bytes(raw)
    problems = _problems(mini_copy)
    assert [(Path(p.file).name, p.line) for p in problems] == [("entities.yaml", 10)]
    assert "not UTF-8" in problems[0].message


def test_unclassifiable_file(mini_copy: Path) -> None:
    (mini_copy / "notes.csv").write_text("a,b\n1,2\n")
    problems = _problems(mini_copy)
    assert Path(problems[0].file).name == "notes.csv"
    assert "cannot tell what this file holds" in problems[0].message


def test_missing_path(tmp_path: Path) -> None:
    problems = _problems(tmp_path / "nope")
    assert problems[0].message == "no such file or directory"


def test_problem_lines_read_well(mini_copy: Path) -> None:
    _edit(mini_copy / "relationships.csv", "r05,acme,", "r05,acmee,")
    (problem,) = _problems(mini_copy)
    assert str(problem).endswith("relationships.csv:6: record r05: field source: unknown entity 'acmee'")


def test_relationship_without_id_gets_a_stable_one(mini_copy: Path) -> None:
    _edit(mini_copy / "relationships.csv", "r16,alice,", ",alice,")
    first = load_dataset(mini_copy)
    again = load_dataset(mini_copy)
    new_ids = sorted(set(first.relationships) - {f"r{i:02d}" for i in range(1, 16)})
    assert new_ids == ["r-alice-participated_in-meeting-2025-03"]
    assert sorted(again.relationships) == sorted(first.relationships)
