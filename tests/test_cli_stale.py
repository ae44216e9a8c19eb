"""``cryptokg stale`` lists exactly the open-ended facts past the threshold; ``--evidence primary`` filters."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.cli import app
from graph.dates import date_bounds
from graph.ingest.validate import Dataset
from graph.vocabulary import REL_TYPES
from tests.conftest import DATA

runner = CliRunner()


@pytest.fixture(scope="module")
def bundled_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("stale") / "ws"
    res = runner.invoke(app, ["ingest", str(DATA), "--workspace", str(ws)])
    assert res.exit_code == 0, res.stderr
    return ws


def _expected(ds: Dataset, today: dt.date, days: int) -> set[str]:
    out = set()
    for r in ds.relationships.values():
        if r.end or not REL_TYPES[r.type].lasting:
            continue
        if (
            r.last_checked is None
            or (today - dt.date.fromisoformat(date_bounds(r.last_checked)[0])).days > days
        ):
            out.add(r.id)
    return out


@pytest.mark.parametrize(("today", "age", "days"), [("2026-12-04", "180d", 180), ("2026-06-30", "1y", 365)])
def test_stale_lists_exactly_the_open_ended_facts_past_the_threshold(
    bundled_ws: Path, bundled_dataset: Dataset, today: str, age: str, days: int
) -> None:
    res = runner.invoke(
        app, ["stale", "--older-than", age, "--today", today, "--workspace", str(bundled_ws), "--json"]
    )
    assert res.exit_code == 0, res.stderr
    got = json.loads(res.stdout)
    want = _expected(bundled_dataset, dt.date.fromisoformat(today), days)
    assert {f["id"] for f in got} == want
    assert want  # the bundled data has open-ended facts nobody re-checked (e.g. Trump's stake in DT Marks)
    assert ("rel-103" in want) is (days == 180) and "rel-064" not in want
    # errata-reviewed rows (2026-12) are fresh on 2026-12-04; ended rows never appear
    assert all(bundled_dataset.relationships[f["id"]].end is None for f in got)
    # a dated act (a guilty plea) is not an open-ended fact
    assert "rel-017" not in {f["id"] for f in got}


def test_stale_text_output_names_the_fact_and_its_check_date(bundled_ws: Path) -> None:
    res = runner.invoke(app, ["stale", "--today", "2026-12-04", "--workspace", str(bundled_ws)])
    assert res.exit_code == 0, res.stderr
    assert "rel-103" in res.stdout and "2025-09" in res.stdout


@pytest.mark.parametrize(
    ("args", "word"), [(["--older-than", "soon"], "older_than"), (["--today", "2026-13-01"], "today")]
)
def test_stale_bad_input_names_the_parameter(bundled_ws: Path, args: list[str], word: str) -> None:
    res = runner.invoke(app, ["stale", *args, "--workspace", str(bundled_ws)])
    assert res.exit_code != 0
    assert word in (res.stderr + res.stdout)
    assert "Traceback" not in (res.stderr + res.stdout)


def test_evidence_primary_on_the_command_line(bundled_ws: Path) -> None:
    def edges(*extra: str) -> set[str]:
        res = runner.invoke(app, ["neighbours", "binance", "--workspace", str(bundled_ws), "--json", *extra])
        assert res.exit_code == 0, res.stderr
        return {e["id"] for e in json.loads(res.stdout)["edges"]}

    every, primary = edges(), edges("--evidence", "primary")
    assert primary and primary < every
    assert "rel-017" in primary  # the guilty plea, backed by the USAO release
    assert "rel-197" not in primary  # the defamation suit, press only
    bad = runner.invoke(
        app, ["neighbours", "binance", "--workspace", str(bundled_ws), "--evidence", "gossip"]
    )
    assert bad.exit_code != 0 and "evidence" in (bad.stderr + bad.stdout)
