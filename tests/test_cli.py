"""The cryptokg command line (graph/cli.py, graph/cli_queries.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.cli import app
from tests.conftest import DATA, MINI

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture()
def ws(tmp_path: Path) -> Path:
    """A workspace holding the mini graph."""
    code, _, err = run("ingest", str(MINI), "--workspace", str(tmp_path / "ws"))
    assert code == 0, err
    return tmp_path / "ws"


def test_ingest_and_stats_json(ws: Path) -> None:
    code, out, _ = run("stats", "--workspace", str(ws), "--json")
    assert code == 0
    stats = json.loads(out)
    assert (stats["entities"], stats["relationships"], stats["sources"]) == (12, 16, 3)
    assert stats["relationships_without_source"] == 0
    assert stats["entities_by_kind"]["person"] == 4


def test_ingest_prints_a_summary(tmp_path: Path) -> None:
    code, out, _ = run("ingest", str(MINI), "--workspace", str(tmp_path / "w"))
    assert code == 0
    assert "entities: 12  relationships: 16  sources: 3" in out
    assert "ceo_of" in out


def test_bundled_dataset_done_when(tmp_path: Path) -> None:
    """`cryptokg ingest data/ && cryptokg stats`: >= 60 entities, >= 120 relationships, 0 unsourced."""
    w = str(tmp_path / "w")
    assert run("ingest", str(DATA), "--workspace", w)[0] == 0
    stats = json.loads(run("stats", "--workspace", w, "--json")[1])
    assert stats["entities"] >= 60
    assert stats["relationships"] >= 120
    assert stats["relationships_without_source"] == 0


def test_bad_copy_is_refused_and_old_workspace_survives(tmp_path: Path) -> None:
    w = str(tmp_path / "w")
    assert run("ingest", str(DATA), "--workspace", w)[0] == 0
    before = json.loads(run("stats", "--workspace", w, "--json")[1])
    bad = tmp_path / "bad"
    shutil.copytree(DATA, bad)
    f = bad / "relationships" / "pardon.csv"
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    # line 2: a bad date; line 3: a dangling reference
    cells = lines[1].split(",")
    cells[5] = "2025-02-31"
    lines[1] = ",".join(cells)
    cells = lines[2].split(",")
    cells[1] = "nobody-at-all"
    lines[2] = ",".join(cells)
    f.write_text("".join(lines), encoding="utf-8")
    code, _, err = run("ingest", str(bad), "--workspace", w)
    assert code == 1
    problem_lines = [ln for ln in err.splitlines() if "pardon.csv:" in ln]
    assert len(problem_lines) == 2
    assert (
        f"{f}:2: record" in problem_lines[0]
        and "field start: impossible date '2025-02-31'" in problem_lines[0]
    )
    assert (
        f"{f}:3: record" in problem_lines[1]
        and "field source: unknown entity 'nobody-at-all'" in problem_lines[1]
    )
    assert "nothing was written" in err
    after = json.loads(run("stats", "--workspace", w, "--json")[1])
    assert after == before


def test_show_json(ws: Path) -> None:
    code, out, _ = run("show", "Carol Official", "--workspace", str(ws), "--json")
    assert code == 0
    prof = json.loads(out)
    assert prof["entity"]["id"] == "carol"
    assert sorted(prof["groups"]) == ["financial", "personal", "political"]
    view = prof["groups"]["political"]["holds_office"][0]
    assert (
        view["sentence"]
        == "Carol Official held office at Federal Regulator as Director (since 2021; single source)."
    )
    assert [s["id"] for s in view["sources"]] == ["s3"]


def test_show_text_lists_sources(ws: Path) -> None:
    code, out, _ = run("show", "alice", "--workspace", str(ws))
    assert code == 0
    assert "Alice Example founded Acme Exchange (2017; single source)." in out
    assert "https://example.org/plea" in out


def test_unknown_entity_suggests(ws: Path) -> None:
    code, _, err = run("show", "Alise Exampel", "--workspace", str(ws))
    assert code == 1
    assert "did you mean: Alice Example (alice)" in err


@pytest.mark.parametrize(
    ("args", "check"),
    [
        (["search", "Bobby"], lambda d: d[0]["id"] == "bob"),
        (
            ["neighbours", "carol", "--depth", "1"],
            lambda d: (
                sorted(n["id"] for n in d["nodes"]) == ["alice", "bob", "carol", "regulator", "venture"]
            ),
        ),
        (
            ["path", "bob", "regulator", "--mode", "all"],
            lambda d: (
                [[n["id"] for n in p["nodes"]] for p in d["paths"]]
                == [["bob", "acme", "regulator"], ["bob", "carol", "regulator"]]
            ),
        ),
        (
            ["common", "bob", "regulator"],
            lambda d: [c["entity"]["id"] for c in d["connections"]] == ["acme", "carol"],
        ),
        (["timeline", "bob"], lambda d: [i["date"] for i in d] == ["2023-11-22"]),
        (["rank", "--top", "2"], lambda d: [r["entity"]["id"] for r in d] == ["acme", "carol"]),
        (["rank", "--communities"], lambda d: sum(c["size"] for c in d) == 11),
        (
            ["rank", "--group-a", "bob", "--group-b", "regulator"],
            lambda d: [r["entity"]["id"] for r in d["brokers"]] == ["acme", "carol"],
        ),
        (
            ["conflicts"],
            lambda d: (
                [(m["pattern"], m["official"]["id"]) for m in d]
                == [("power-and-family", "carol"), ("power-and-money", "carol")]
            ),
        ),
    ],
)
def test_query_commands_json(ws: Path, args: list[str], check: object) -> None:
    code, out, err = run(*args, "--workspace", str(ws), "--json")
    assert code == 0, err
    assert check(json.loads(out))  # type: ignore[operator]


def test_bad_parameter_is_a_clear_error(ws: Path) -> None:
    code, _, err = run("path", "alice", "bob", "--max-hops", "9", "--workspace", str(ws))
    assert code == 1
    assert "max_hops: must be between 1 and 6" in err


def test_every_command_has_help() -> None:
    for cmd in [
        "ingest",
        "stats",
        "show",
        "serve",
        "search",
        "neighbours",
        "path",
        "common",
        "timeline",
        "rank",
        "conflicts",
    ]:
        code, out, _ = run(cmd, "--help")
        assert code == 0
        assert "Usage" in out
