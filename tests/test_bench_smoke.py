"""A tiny run of the benchmark scripts (bench/), so they cannot rot between real runs.

The generator, every worker except the Bolt server and ``wrk`` (which need servers of their
own) and the Markdown writer run on 2,000 entities; the figures themselves are not checked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.generate import generate
from bench.run import run_all, write_section
from graph.ingest.pipeline import load_dataset


def test_generated_data_is_valid_and_seeded(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", 500, 1500, seed=3)
    generate(tmp_path / "b", 500, 1500, seed=3)
    for f in ("sources.csv", "entities/entities.csv", "relationships/part-000.csv"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()
    ds = load_dataset(tmp_path / "a", progress=False)
    assert ds.counts() == {"sources": a.sources, "entities": 500, "relationships": 1500}
    assert a.hub_degrees[0] >= 0.15 * 500
    statuses = {r.status.value for r in ds.relationships.values()}
    assert statuses == {"confirmed", "reported", "alleged", "denied"}
    assert any(r.start for r in ds.relationships.values())


@pytest.mark.timeout(120)
def test_a_tiny_run_writes_every_row(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text("# Results\n\n<!-- load_api:begin -->\nkept\n<!-- load_api:end -->\n")
    merged = run_all("tiny", tmp_path / "out", results, {"bolt", "http"}, command="pytest")
    for name in ("ingest", "ours", "networkx", "csr"):
        assert "error" not in merged[name], merged[name]
    text = results.read_text()
    assert "<!-- load_api:begin -->\nkept\n<!-- load_api:end -->" in text
    assert "## Size tiny: 2,000 entities, 6,000 relationships" in text
    for row in (
        "ingest from CSV",
        "shortest path, undirected",
        "all shortest paths",
        "5 shortest simple paths",
        "2-hop neighbourhood",
        "fuzzy name search",
    ):
        assert row in text
    assert "path lengths agree with networkx 20/20, CSR 20/20" in text
    assert json.loads((tmp_path / "out" / "results.json").read_text())["size"] == "tiny"


def test_sections_are_replaced_in_place(tmp_path: Path) -> None:
    path = tmp_path / "R.md"
    write_section(path, "S", "first")
    write_section(path, "L", "large")
    write_section(path, "S", "second")
    text = path.read_text()
    assert "first" not in text and "second" in text and "large" in text
    assert text.index("second") < text.index("large")
