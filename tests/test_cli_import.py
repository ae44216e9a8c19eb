"""``cryptokg import``, ``datasets``, ``drop`` and ``touches`` (graph/cli_import.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.ingest.pipeline import load_dataset
from tests.conftest import DATA
from tests.test_cli import run

FIX = Path(__file__).resolve().parent / "fixtures" / "import"


@pytest.fixture()
def ws(tmp_path: Path) -> Path:
    """A workspace holding the bundled data."""
    code, _, err = run("ingest", str(DATA), "--workspace", str(tmp_path / "ws"))
    assert code == 0, err
    return tmp_path / "ws"


def test_import_then_datasets_lists_licences_and_touches_finds_the_story(ws: Path) -> None:
    w = str(ws)
    code, out, err = run(
        "import", "ftm", str(FIX / "ftm" / "entities.ftm.json"), "--dataset", "os", "--workspace", w
    )
    assert code == 0, err
    assert "13 records read -> 7 entities, 9 relationships, 2 sources" in " ".join(out.split())
    assert "unknown FtM schema 'Spaceship': 1 record(s)" in out
    code, out, _ = run("import", "icij", str(FIX / "icij"), "--dataset", "icij", "--workspace", w, "--json")
    assert code == 0
    assert json.loads(out)["entities"] == 11
    code, out, _ = run("datasets", "--workspace", w, "--json")
    infos = {d["name"]: d for d in json.loads(out)}
    assert list(infos) == ["core", "icij", "os"]
    assert infos["os"]["licence"].startswith("CC BY-NC 4.0")
    assert infos["icij"]["licence"] == "ODbL 1.0 (database), CC BY-SA 3.0 (contents)"
    assert "does not imply wrongdoing" in infos["icij"]["notice"]
    code, out, _ = run("datasets", "--workspace", w)
    assert code == 0 and "CC BY-NC 4.0" in out and "ODbL" in out
    code, out, _ = run("touches", "icij", "--workspace", w, "--json")
    assert {(r["entity"]["id"], r["other"]["id"]) for r in json.loads(out)} >= {
        ("icij.10000002", "binance"),
        ("icij.12000001", "changpeng-zhao"),
    }
    # and a cited path from the leak into the story
    code, out, _ = run("path", "icij.10000003", "changpeng-zhao", "--workspace", w, "--json")
    assert code == 0, out
    ids = json.loads(out)["paths"][0]["nodes"]
    assert ids[0]["id"] == "icij.10000003" and ids[-1]["id"] == "changpeng-zhao"
    code, out, _ = run("drop", "os", "--workspace", w)
    assert code == 0 and "dropped os" in out
    code, out, _ = run("datasets", "--workspace", w, "--json")
    assert [d["name"] for d in json.loads(out)] == ["core", "icij"]


def test_bad_input_exits_1_with_every_problem_and_writes_nothing(ws: Path, tmp_path: Path) -> None:
    w = str(ws)
    bad = FIX / "ftm" / "bad.ftm.json"
    code, _, err = run("import", "ftm", str(bad), "--dataset", "bad", "--workspace", w)
    assert code == 1
    assert f"{bad}:3: record p-baddate: field properties.birthDate: impossible date '1990-13-45'" in err
    assert "6 problem(s); nothing was written." in err
    assert "Traceback" not in err
    assert [d["name"] for d in json.loads(run("datasets", "--workspace", w, "--json")[1])] == ["core"]
    rejects = tmp_path / "rejects.jsonl"
    code, out, err = run(
        "import",
        "ftm",
        str(bad),
        "--dataset",
        "bad",
        "--skip-bad",
        "--rejects",
        str(rejects),
        "--workspace",
        w,
    )
    assert code == 0, err
    assert f"6 rejected record(s) written to {rejects}" in " ".join(out.split())
    assert len(rejects.read_text(encoding="utf-8").splitlines()) == 6


def test_usage_errors_are_clear(ws: Path) -> None:
    w = str(ws)
    code, _, err = run("import", "ftm", str(FIX / "ftm" / "entities.ftm.json"), "--workspace", w)
    assert code == 1 and "--dataset NAME is required" in err
    code, _, err = run("import", "banana", "x", "--dataset", "d", "--workspace", w)
    assert code == 1 and "unknown format 'banana'" in err
    code, _, err = run("import", "ftm", "/no/such/file", "--dataset", "d", "--workspace", w)
    assert code == 1 and "no such file" in err
    code, _, err = run("drop", "never", "--workspace", w)
    assert code == 1 and "no dataset 'never'" in err
    code, _, err = run(
        "import", "mapped", str(FIX / "mapped" / "enforcement.csv"), "--dataset", "m", "--workspace", w
    )
    assert code == 1 and "--mapping" in err


def test_text_import_writes_a_review_file_and_review_ingests_it(ws: Path, tmp_path: Path) -> None:
    w = str(ws)
    review = tmp_path / "r.yaml"
    before = json.loads(run("stats", "--workspace", w, "--json")[1])["version"]
    code, out, err = run(
        "import", "text", str(FIX / "text" / "article.txt"), "--title", "Fixture article", "--url",
        "https://news.example.com/a", "--publisher", "Fixture News", "--date", "2025-10-23",
        "--review", str(review), "--dataset", "news-a", "--workspace", w,
    )  # fmt: skip
    assert code == 0, err
    assert "6 mention(s) of known entities, 2 unmatched name(s); nothing was written" in " ".join(out.split())
    assert json.loads(run("stats", "--workspace", w, "--json")[1])["version"] == before
    code, out, err = run("import", "review", str(review), "--workspace", w, "--json")
    assert code == 0, err
    assert json.loads(out)["relationships"] == 6  # the six accepted mentions
    code, out, _ = run("show", "changpeng-zhao", "--workspace", w, "--json")
    assert "news-a.article-document" in out


def test_export_ftm_of_one_dataset_round_trips(ws: Path, tmp_path: Path) -> None:
    w = str(ws)
    assert (
        run("import", "ftm", str(FIX / "ftm" / "entities.ftm.json"), "--dataset", "os", "--workspace", w)[0]
        == 0
    )
    out_file = tmp_path / "os.ftm.json"
    code, _, err = run("export", "--format", "ftm", "--dataset", "os", "-o", str(out_file), "--workspace", w)
    assert code == 0, err
    lines = [json.loads(line) for line in out_file.read_text(encoding="utf-8").splitlines()]
    assert len([x for x in lines if x["schema"] in ("Person", "Company", "Address", "CryptoWallet")]) == 6
    assert all(x["properties"]["publisher"] == ["os"] for x in lines)
    code, out, _ = run(
        "import", "ftm", str(out_file), "--dataset", "os2", "--workspace", w, "--json", "--no-match"
    )
    assert code == 0 and json.loads(out)["entities"] == 7
    code, out, _ = run("export", "--format", "json", "--dataset", "core", "--workspace", w)
    assert code == 0 and len(json.loads(out)["nodes"]) == len(load_dataset(DATA).entities)
    code, _, err = run("export", "--format", "pdf", "--workspace", w)
    assert code == 1 and "unknown format 'pdf'" in err
