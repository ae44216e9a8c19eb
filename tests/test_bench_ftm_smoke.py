"""A tiny run of ``bench/ftm_import.py`` (the FtM import benchmark), so it cannot rot."""

from __future__ import annotations

from pathlib import Path

from bench.ftm_import import _section, generate, work_floor, work_graph, work_import, write_results


def test_the_stream_is_seeded_and_imports_whole(tmp_path: Path) -> None:
    a, b = tmp_path / "a.ftm.json", tmp_path / "b.ftm.json"
    generate(700, a)
    generate(700, b)
    assert a.read_bytes() == b.read_bytes()
    floor = work_floor(a)
    assert floor["records"] == 700
    imp = work_import(a, tmp_path / "ws")
    # half node schemata, half link schemata, every link between two nodes of the stream
    assert (imp["records"], imp["entities"], imp["relationships"]) == (700, 350, 350)
    g = work_graph(tmp_path / "ws")
    assert (g["entities"], g["relationships"]) == (350, 350)
    results = tmp_path / "RESULTS.md"
    results.write_text("# Results\n\nkept\n", encoding="utf-8")
    write_results(_section(700, {"floor": floor, "import": imp, "graph": g}, 0.1), results)
    write_results(_section(700, {"floor": floor, "import": imp, "graph": g}, 0.1), results)
    text = results.read_text(encoding="utf-8")
    assert text.startswith("# Results\n\nkept\n") and text.count("ftm_import:begin") == 1
    assert "700 entities" in text
