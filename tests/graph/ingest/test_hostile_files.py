"""Hostile and malformed data files: each is a located problem (file, line, field) and exit code 1,
never a traceback, and never costs more than a moment."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.cli import app
from graph.errors import InvalidRecord
from graph.guards import MAX_FIELD_CHARS
from graph.ingest.pipeline import load_dataset
from graph.store.memory import MemoryStore
from graph.testing import MINI_DIR

runner = CliRunner()

ENTITY = "- id: zed\n  kind: person\n  name: Zed\n  sources: [s1]\n"


def _dataset(tmp_path: Path, name: str, text: str | bytes) -> Path:
    root = tmp_path / "data"
    shutil.copytree(MINI_DIR, root)
    target = root / "entities" / name if "/" not in name else root / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text, encoding="utf-8")
    return root


def _problems(root: Path) -> list[str]:
    with pytest.raises(InvalidRecord) as info:
        load_dataset(root)
    return [str(p) for p in info.value.problems]


def _cli_refuses(root: Path, tmp_path: Path) -> str:
    ws = tmp_path / "ws"
    MemoryStore(ws).replace_all(load_dataset(MINI_DIR))
    before = MemoryStore(ws).version
    result = runner.invoke(app, ["ingest", str(root), "--workspace", str(ws)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert MemoryStore(ws).version == before  # nothing written
    return result.output


BILLION_LAUGHS = (
    'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"a{i}: &a{i} [{','.join(f'*a{i - 1}' for _ in range(9))}]\n" for i in range(1, 9))
    + "entities: [*a8]\n"
)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("- !!python/object/apply:os.system ['echo pwned']\n", 1, "tag 'tag:yaml.org,2002:python/object"),
        (ENTITY + "- &loop [*loop]\n", 5, "points into the list or map that contains it"),
        (BILLION_LAUGHS, 5, "aliases copy more than 10,000 values"),
        ("- " + "[" * 50_000 + "]" * 50_000 + "\n", 1, "nested deeper than 64 levels"),
        (
            ENTITY + "- id: dup\n  kind: person\n  name: One\n  name: Two\n  sources: [s1]\n",
            8,
            "'name' appears twice",
        ),
    ],
    ids=["python-tag", "recursive-alias", "billion-laughs", "deep", "duplicate-key"],
)
def test_hostile_yaml_is_a_located_problem(tmp_path: Path, text: str, line: int, words: str) -> None:
    root = _dataset(tmp_path, "bad.yaml", text)
    problems = _problems(root)
    assert len(problems) == 1
    assert f"bad.yaml:{line}:" in problems[0] and words in problems[0], problems
    assert "bad.yaml" in _cli_refuses(root, tmp_path)


def test_deep_json_is_a_located_problem(tmp_path: Path) -> None:
    root = _dataset(tmp_path, "bad.json", "[" * 200_000 + "]" * 200_000)
    assert _problems(root) == [f"{root}/entities/bad.json:1: refused JSON: nested deeper than 64 levels"]
    dup = _dataset(tmp_path / "d", "dup.json", '[{"id": "a", "id": "b"}]')
    assert "key 'id' appears twice" in _problems(dup)[0]


def test_csv_errors_name_the_line_of_the_broken_record(tmp_path: Path) -> None:
    head = "id,kind,name,sources\nzed,person,Zed,s1\n"
    for body, words in (
        ('bad,person,"B"x,s1\n', "',' expected after '\"'"),
        ('bad,person,"B,s1\nnext,person,N,s1\n', "unexpected end of data"),
    ):
        root = _dataset(tmp_path / str(len(body)), "extra.csv", head + body)
        (problem,) = _problems(root)
        assert problem.startswith(f"{root}/entities/extra.csv:3: malformed CSV")
        assert words in problem


def test_one_field_size_limit_in_every_format(tmp_path: Path) -> None:
    long = "x" * (MAX_FIELD_CHARS + 1)
    ok = "y" * MAX_FIELD_CHARS
    csv_root = _dataset(tmp_path / "c", "extra.csv", f"id,kind,name,sources\nzed,person,{long},s1\n")
    (problem,) = _problems(csv_root)
    assert "extra.csv:2:" in problem and f"longer than {MAX_FIELD_CHARS:,} characters" in problem
    yaml_root = _dataset(
        tmp_path / "y", "extra.yaml", f"- id: zed\n  kind: person\n  name: {long}\n  sources: [s1]\n"
    )
    (problem,) = _problems(yaml_root)
    assert "extra.yaml:1: record zed: field name: too long" in problem
    json_root = _dataset(
        tmp_path / "j",
        "extra.json",
        f'[{{"id": "zed", "kind": "person", "name": "{long}", "sources": ["s1"]}}]',
    )
    assert "field name: too long" in _problems(json_root)[0]
    for fmt, text in (
        ("extra.csv", f"id,kind,name,sources\nzed,person,{ok},s1\n"),
        ("extra.yaml", f"- id: zed\n  kind: person\n  name: {ok}\n  sources: [s1]\n"),
    ):
        assert len(load_dataset(_dataset(tmp_path / fmt, fmt, text)).entities["zed"].name) == MAX_FIELD_CHARS


@pytest.mark.parametrize(
    ("name", "text", "field"),
    [
        ("nul.csv", "id,kind,name,sources\nzed,person,Ze\x00d,s1\n", "name"),
        ("nul.yaml", '- id: zed\n  kind: person\n  name: "Ze\\0d"\n  sources: [s1]\n', "name"),
        ("newline.csv", 'id,kind,name,sources\nzed,person,"Ze\nd",s1\n', "name"),
        (
            "url.yaml",
            '- id: zed\n  kind: person\n  name: Zed\n  website: "https://a.org/\\0"\n  sources: [s1]\n',
            "website",
        ),
    ],
)
def test_control_characters_are_refused(tmp_path: Path, name: str, text: str, field: str) -> None:
    (problem,) = _problems(_dataset(tmp_path, name, text))
    assert f"field {field}:" in problem
    assert "control character" in problem or "line break" in problem


def test_amount_false_is_refused_not_zero(tmp_path: Path) -> None:
    text = "- source: acme\n  type: fined_by\n  target: regulator\n  amount: false\n  status: reported\n  sources: [s1]\n"
    (problem,) = _problems(_dataset(tmp_path, "relationships/amounts.yaml", text))
    assert "amounts.yaml:1:" in problem and "field amount: amount must be a number, not false" in problem


def test_relationship_without_id_and_a_list_role(tmp_path: Path) -> None:
    text = "- source: acme\n  type: founded\n  target: bob\n  role: [1, 2]\n  status: reported\n  sources: [s1]\n"
    root = _dataset(tmp_path, "relationships/roles.yaml", text)
    (problem,) = _problems(root)
    assert "roles.yaml:1:" in problem and "field role:" in problem
    assert "roles.yaml:1" in _cli_refuses(root, tmp_path)


def test_formula_escaped_cells_read_back_as_typed(tmp_path: Path) -> None:
    text = "id,kind,name,sources\nzed,person,'=SUM(A1),s1\nyan,person,'Quote,s1\n"
    ds = load_dataset(_dataset(tmp_path, "extra.csv", text))
    assert ds.entities["zed"].name == "=SUM(A1)"
    assert ds.entities["yan"].name == "'Quote"  # a quote before a plain letter is kept
