"""Datasets over the API: ``GET /api/v1/datasets``, ``POST /api/v1/import``, ``DELETE /api/v1/datasets/{name}``."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "import"
FTM = (FIX / "ftm" / "entities.ftm.json").read_bytes()


def test_datasets_lists_the_bundled_data(client: TestClient) -> None:
    r = client.get("/api/v1/datasets")
    assert r.status_code == 200
    [core] = r.json()["datasets"]
    assert core["name"] == "core" and core["counts"] == {"entities": 12, "relationships": 16, "sources": 3}
    assert client.get("/api/v1/datasets/core").json()["name"] == "core"
    r = client.get("/api/v1/datasets/nope")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


def test_import_needs_the_key(client: TestClient) -> None:
    r = client.post("/api/v1/import", params={"format": "ftm", "dataset": "os"}, content=FTM)
    assert r.status_code == 403  # writes are disabled on this server


def test_import_list_export_and_drop(writer: TestClient) -> None:
    r = writer.post("/api/v1/import", params={"format": "ftm", "dataset": "os"}, content=FTM)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["dataset"], body["records_read"], body["entities"]) == ("os", 13, 7)
    assert body["unknown"] == {"FtM schema 'Spaceship'": 1}
    names = [d["name"] for d in writer.get("/api/v1/datasets").json()["datasets"]]
    assert names == ["core", "os"]
    os_info = writer.get("/api/v1/datasets/os").json()
    assert os_info["licence"].startswith("CC BY-NC 4.0") and len(os_info["sha256"]) == 64
    ent = writer.get("/api/v1/entities/os.co-binance").json()["entity"]
    assert ent["dataset"] == "os" and ent["sources"] == ["dataset-os"]
    # every export shows the dataset of each fact
    exported = writer.get("/api/v1/export", params={"format": "ftm"})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("application/x-ndjson")
    assert b'"publisher":["os"]' in exported.content
    assert (
        b'<data key="n_dataset">os</data>'
        in writer.get("/api/v1/export", params={"format": "graphml"}).content
    )
    nl = writer.get("/api/v1/export", params={"format": "json"}).json()
    assert {n.get("dataset") for n in nl["nodes"]} == {None, "os"}
    page = writer.get("/entity/os.nk-cz0001-c8051f67")
    assert page.status_code == 200 and "dataset os" in page.text and "CC BY-NC 4.0" in page.text
    r = writer.delete("/api/v1/datasets/os")
    assert r.status_code == 200 and r.json()["removed"] == {"sources": 2, "entities": 7, "relationships": 7}
    assert writer.get("/api/v1/entities/os.co-binance").status_code == 404
    assert writer.delete("/api/v1/datasets/os").status_code == 404


def test_bad_input_is_a_422_naming_line_and_field(writer: TestClient) -> None:
    bad = (FIX / "ftm" / "bad.ftm.json").read_bytes()
    r = writer.post("/api/v1/import", params={"format": "ftm", "dataset": "bad"}, content=bad)
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert (errors[0]["file"], errors[0]["line"], errors[0]["field"]) == ("upload.ftm", 2, "properties.name")
    assert len(errors) == 6
    assert [d["name"] for d in writer.get("/api/v1/datasets").json()["datasets"]] == ["core"]
    r = writer.post(
        "/api/v1/import", params={"format": "ftm", "dataset": "bad", "skip_bad": "true"}, content=bad
    )
    assert r.status_code == 200
    rejects = r.json()["rejects"]
    assert [(x["file"], x["line"], x["field"]) for x in rejects][:2] == [
        ("upload.ftm", 2, "properties.name"),
        ("upload.ftm", 3, "properties.birthDate"),
    ]
    assert r.json()["rejected"] == 6 and r.json()["entities"] == 2


def test_icij_zip_upload(writer: TestClient) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in sorted((FIX / "icij").iterdir()):
            zf.write(f, f.name)
    r = writer.post(
        "/api/v1/import",
        params={"format": "icij", "dataset": "icij"},
        content=buf.getvalue(),
        headers={"Content-Type": "application/zip"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["entities"] == 11
    r = writer.post("/api/v1/import", params={"format": "icij", "dataset": "icij"}, content=b"not a zip")
    assert r.status_code == 422 and "send a zip archive" in r.json()["errors"][0]["message"]
    r = writer.post("/api/v1/import", params={"format": "ftm", "dataset": "Bad Name"}, content=FTM)
    assert r.status_code == 422


def test_mapped_zip_upload(writer: TestClient) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in sorted((FIX / "mapped").iterdir()):
            zf.write(f, f"tables/{f.name}")
    r = writer.post("/api/v1/import", params={"format": "mapped", "dataset": "enf"}, content=buf.getvalue())
    assert r.status_code == 200, r.text
    assert (r.json()["entities"], r.json()["relationships"]) == (8, 5)
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../escape.yaml", "edges: {}")
    r = writer.post("/api/v1/import", params={"format": "mapped", "dataset": "enf"}, content=evil.getvalue())
    assert r.status_code == 422 and r.json()["errors"][0]["message"] == "unsafe file name"
