"""``evidence=primary`` on the API, and the evidence fields of sources and relationships."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_neighbours_with_primary_records_only(client: TestClient) -> None:
    every = client.get("/api/v1/entities/acme/neighbours").json()
    primary = client.get("/api/v1/entities/acme/neighbours", params={"evidence": "primary"}).json()
    assert len(primary["edges"]) < len(every["edges"])
    cited = {s for e in primary["edges"] for s in e["sources"]}
    # s1 is the only primary record (a court filing) in the mini graph
    assert primary["edges"] and all("s1" in e["sources"] for e in primary["edges"]), cited
    assert primary["sources"]["s1"]["primary"] is True


def test_profile_and_timeline_with_primary_records_only(client: TestClient) -> None:
    prof = client.get("/api/v1/entities/acme", params={"evidence": "primary"}).json()
    rels = [v["relationship"] for types in prof["groups"].values() for vs in types.values() for v in vs]
    assert rels and all("s1" in r["sources"] for r in rels)
    tl = client.get("/api/v1/timeline", params={"evidence": "primary"}).json()
    assert tl["items"] and all("s1" in i["relationship"]["sources"] for i in tl["items"] if i["relationship"])


def test_bad_evidence_value_is_a_422_naming_the_parameter(client: TestClient) -> None:
    r = client.get("/api/v1/entities/acme/neighbours", params={"evidence": "gossip"})
    assert r.status_code == 422
    assert "evidence" in r.text
