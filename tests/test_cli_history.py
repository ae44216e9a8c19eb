"""``cryptokg ingest --reason``, ``cryptokg history`` and ``cryptokg diff`` on a re-ingested workspace."""

from __future__ import annotations

import getpass
import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from graph.cli import app
from graph.testing import MINI_DIR

runner = CliRunner()


def _ingest(data: Path, ws: Path, *extra: str) -> None:
    res = runner.invoke(app, ["ingest", str(data), "--workspace", str(ws), *extra])
    assert res.exit_code == 0, res.stderr


def test_history_and_diff_show_exactly_the_edit_of_a_reingest(tmp_path: Path) -> None:
    data, ws = tmp_path / "data", tmp_path / "ws"
    shutil.copytree(MINI_DIR, data)
    _ingest(data, ws)
    _ingest(data, ws)  # the same files: no change is logged
    rels = data / "relationships.csv"
    old_line = "r03,bob,ceo_of,acme,,2023-11-22,,,,reported,,s2,"
    assert old_line in rels.read_text()
    rels.write_text(
        rels.read_text().replace(old_line, "r03,bob,ceo_of,acme,,2023-11-22,,,,confirmed,,s2;s1,")
    )
    _ingest(data, ws, "--reason", "plea confirmed")

    res = runner.invoke(app, ["history", "r03", "--workspace", str(ws), "--json"])
    assert res.exit_code == 0, res.stderr
    page = json.loads(res.stdout)
    assert page["total"] == 2
    latest = page["entries"][0]
    assert latest["who"] == getpass.getuser()
    assert latest["reason"].startswith("plea confirmed; input sha256 ")
    assert [r["id"] for r in latest["records"]] == ["r03"]
    assert latest["sentences"] == [
        f"relationship r03: status changed from reported to confirmed on {latest['at'][:10]}: source s1 added"
    ]

    text = runner.invoke(app, ["history", "r03", "--workspace", str(ws)]).stdout
    assert "status changed from reported to confirmed" in text

    a, b = latest["version_before"], latest["version_after"]
    res = runner.invoke(app, ["diff", a, b, "--workspace", str(ws), "--json"])
    assert res.exit_code == 0, res.stderr
    got = json.loads(res.stdout)
    assert got["relationships"]["changed"][0]["fields"] == {
        "status": {"old": "reported", "new": "confirmed"},
        "sources": {"old": ["s2"], "new": ["s2", "s1"]},
    }
    assert [
        len(got[k][op])
        for k in ("sources", "entities", "relationships")
        for op in ("added", "removed", "changed")
    ] == [0, 0, 0, 0, 0, 0, 0, 0, 1]
    # Backwards, the same record changes back.
    back = json.loads(runner.invoke(app, ["diff", b, a, "--workspace", str(ws), "--json"]).stdout)
    assert back["relationships"]["changed"][0]["fields"]["status"] == {"old": "confirmed", "new": "reported"}


def test_diff_of_an_unknown_version_is_a_clear_error(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _ingest(MINI_DIR, ws)
    res = runner.invoke(app, ["diff", "nope", "empty", "--workspace", str(ws)])
    assert res.exit_code == 1
    assert "from: no graph version 'nope' in the change log" in res.stderr
