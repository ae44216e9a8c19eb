"""Export endpoints (``api/routes/exports.py``): formats, files, and round trips through ingest."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from graph.ingest.pipeline import load_dataset
from graph.model import dump
from graph.testing import MINI_DIR


def test_formats_and_file_names(client: TestClient) -> None:
    expected = {
        "json": ("application/json", "cryptokg.json"),
        "graphml": ("application/graphml+xml", "cryptokg.graphml"),
        "gexf": ("application/gexf+xml", "cryptokg.gexf"),
        "csv": ("application/zip", "cryptokg.zip"),
        "cypher": ("text/plain; charset=utf-8", "cryptokg.cypher"),
    }
    for fmt, (media, name) in expected.items():
        r = client.get("/api/v1/export", params={"format": fmt})
        assert r.status_code == 200, fmt
        assert r.headers["content-type"] == media
        assert r.headers["content-disposition"] == f'attachment; filename="{name}"'
        assert r.headers["etag"]


def test_csv_export_ingests_back_into_the_same_graph(client: TestClient, tmp_path: Path) -> None:
    data = client.get("/api/v1/export", params={"format": "csv"}).content
    zipfile.ZipFile(io.BytesIO(data)).extractall(tmp_path / "export")
    again = load_dataset(tmp_path / "export")
    original = load_dataset(MINI_DIR)
    for table in ("sources", "entities", "relationships"):
        assert {k: dump(v) for k, v in getattr(again, table).items()} == {
            k: dump(v) for k, v in getattr(original, table).items()
        }


def test_json_export_round_trips_through_bulk_ingest(client: TestClient, writer: TestClient) -> None:
    doc = client.get("/api/v1/export", params={"format": "json"}).json()
    before = writer.get("/api/v1/stats").json()
    writer.post("/api/v1/relationships/r01", json={})  # nothing: wrong method, graph unchanged
    assert writer.delete("/api/v1/entities/bob").status_code == 200
    r = writer.post("/api/v1/ingest", params={"mode": "replace"}, json=doc)
    assert r.status_code == 200
    assert writer.get("/api/v1/stats").json() == before
    assert writer.get("/api/v1/export", params={"format": "json"}).json() == doc


def test_graphml_and_gexf_read_back_in_networkx(client: TestClient) -> None:
    g = nx.read_graphml(
        io.BytesIO(client.get("/api/v1/export?format=graphml").content), force_multigraph=True
    )
    assert (g.number_of_nodes(), g.number_of_edges()) == (12, 16)
    assert g.nodes["alice"]["name"] == "Alice Example"
    gx = nx.read_gexf(io.BytesIO(client.get("/api/v1/export?format=gexf").content))
    assert gx.number_of_nodes() == 12
    assert gx.nodes["bob"]["label"] == "Bob Müller"


def test_neighbourhood_export_is_self_contained(client: TestClient) -> None:
    r = client.get("/api/v1/entities/carol/neighbours/export", params={"format": "json"})
    assert r.headers["content-disposition"] == 'attachment; filename="neighbours-carol.json"'
    doc = r.json()
    assert [n["id"] for n in doc["nodes"]] == ["alice", "bob", "carol", "regulator", "venture"]
    assert [e["id"] for e in doc["links"]] == ["r09", "r10", "r12", "r15"]
    # The neighbourhood's relationships all cite s3; its entities also cite s1 and s2.
    assert [s["id"] for s in doc["sources"]] == ["s1", "s2", "s3"]
    assert doc["graph"] == {"name": "cryptokg: neighbourhood of carol", "center": ["carol"]}


def test_neighbourhood_export_takes_the_same_filters(client: TestClient) -> None:
    doc = client.get("/api/v1/entities/acme/neighbours/export", params={"types": "founded,listed"}).json()
    assert [n["id"] for n in doc["nodes"]] == ["acme", "alice", "coin"]


def test_paths_export(client: TestClient) -> None:
    r = client.get(
        "/api/v1/paths/export", params={"source": "carol", "target": "acme", "mode": "all", "format": "json"}
    )
    doc = r.json()
    assert [n["id"] for n in doc["nodes"]] == ["acme", "alice", "bob", "carol", "regulator", "venture"]
    assert [e["id"] for e in doc["links"]] == ["r01", "r03", "r05", "r09", "r10", "r11", "r12", "r15"]
    none = client.get("/api/v1/paths/export", params={"source": "alice", "target": "lonely"}).json()
    assert (none["nodes"], none["links"]) == ([], [])


def test_cypher_export(client: TestClient) -> None:
    text = client.get(
        "/api/v1/paths/export", params={"source": "alice", "target": "regulator", "format": "cypher"}
    ).text
    lines = text.splitlines()
    assert lines[0] == (
        "// cryptokg: shortest paths from Alice Example to Federal Regulator: 3 entities, 2 relationships, "
        "1 sources. Load with: cypher-shell -f <file>"
    )
    assert sum(line.startswith("UNWIND") for line in lines) == 6  # sources; agency, company, person; 2 types


@pytest.mark.parametrize("fmt", ["pdf", ""])
def test_unknown_format_is_422(client: TestClient, fmt: str) -> None:
    assert client.get("/api/v1/export", params={"format": fmt}).status_code == 422
