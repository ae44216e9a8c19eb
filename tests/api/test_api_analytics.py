"""Timeline, rankings, communities, brokers and conflicts (``api/routes/analytics.py``)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.api_support import ENTITIES, ref, rel, source


def rel_item(rid: str, date: str, sentence: str, end: str | None = None) -> dict[str, object]:
    r = rel(rid)
    return {
        "date": date,
        "end": end,
        "kind": "relationship",
        "sentence": sentence,
        "relationship": r,
        "entity": None,
        "sources": [source(s) for s in r["sources"]],
    }


MEETING = {
    "date": "2025-03",
    "end": None,
    "kind": "event",
    "sentence": "Secret meeting (2025-03).",
    "relationship": None,
    "entity": ref("meeting"),
    "sources": [source("s2")],
}


def test_timeline_of_alice(client: TestClient) -> None:
    # Alice's four dated relationships and the event she took part in; the event (id "meeting")
    # sorts before r16 on the same month.
    r = client.get("/api/v1/timeline", params={"entities": "alice"})
    assert r.json() == {
        "entities": ["alice"],
        "items": [
            rel_item("r01", "2017", "Alice Example founded Acme Exchange (2017; single source)."),
            rel_item(
                "r02",
                "2017-07",
                "Alice Example served as CEO of Acme Exchange (2017-07 – 2023-11-21; single source).",
                end="2023-11-21",
            ),
            rel_item(
                "r15",
                "2024-12",
                "Alice Example met Carol Official (2024-12; reported; denied by Alice Example; single source).",
            ),
            MEETING,
            rel_item("r16", "2025-03", "Alice Example participated in Secret meeting (2025-03; reported)."),
        ],
    }


@pytest.mark.parametrize(
    ("params", "dates"),
    [
        ({"start": "2024"}, ["2024-12", "2025-03", "2025-03"]),
        ({"end": "2017"}, ["2017", "2017-07"]),
        ({"start": "2017-07", "end": "2024-12-31", "limit": 1}, ["2017-07"]),
    ],
)
def test_timeline_bounds(client: TestClient, params: dict[str, object], dates: list[str]) -> None:
    body = client.get("/api/v1/timeline", params={"entities": "alice", **params}).json()
    assert [i["date"] for i in body["items"]] == dates


def test_whole_graph_timeline_is_ordered(client: TestClient) -> None:
    items = client.get("/api/v1/timeline").json()["items"]
    # 13 dated relationships (r04, r10, r12 have no start) and the meeting; the plea agreement has no date.
    assert len(items) == 14
    assert items[0]["relationship"]["id"] == "r01"
    assert items[-1]["date"] == "2025-05"


def test_timeline_bad_date_is_422(client: TestClient) -> None:
    r = client.get("/api/v1/timeline", params={"start": "2023-02-30"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["name"] == "start"


def test_rankings_by_degree(client: TestClient) -> None:
    # Parallel relationships count once: acme has 9 relationships but 8 neighbours.
    r = client.get("/api/v1/analytics/rankings", params={"top": 3})
    assert r.json() == {
        "metric": "degree",
        "items": [
            {"entity": ref("acme"), "score": 8.0},
            {"entity": ref("carol"), "score": 4.0},
            {"entity": ref("alice"), "score": 3.0},
        ],
    }


def test_rankings_of_one_kind(client: TestClient) -> None:
    body = client.get("/api/v1/analytics/rankings", params={"kind": "person", "top": 2}).json()
    assert [(i["entity"]["id"], i["score"]) for i in body["items"]] == [("carol", 4.0), ("alice", 3.0)]


def test_communities_cover_every_connected_entity(client: TestClient) -> None:
    body = client.get("/api/v1/analytics/communities").json()
    assert body["seed"] == 42
    members = [m["id"] for c in body["communities"] for m in c["members"]]
    assert sorted(members) == sorted(set(ENTITIES) - {"lonely"})
    assert [c["id"] for c in body["communities"]] == list(range(len(body["communities"])))
    sizes = [c["size"] for c in body["communities"]]
    assert sizes == sorted(sizes, reverse=True)
    assert body["total"] == len(body["communities"])
    assert body == client.get("/api/v1/analytics/communities", params={"seed": 42}).json()


def test_communities_are_bounded(client: TestClient) -> None:
    full = client.get("/api/v1/analytics/communities").json()
    body = client.get("/api/v1/analytics/communities", params={"limit": 1, "members": 2}).json()
    assert body["total"] == full["total"]
    (first,) = body["communities"]
    assert first["size"] == full["communities"][0]["size"]
    assert first["members"] == full["communities"][0]["members"][:2]


def test_brokers_between_two_groups(client: TestClient) -> None:
    # bob and regulator are joined by two shortest paths, through acme and through carol.
    r = client.get("/api/v1/analytics/brokers", params={"group_a": "bob", "group_b": "regulator"})
    assert r.json() == {
        "group_a": [ref("bob")],
        "group_b": [ref("regulator")],
        "brokers": [{"entity": ref("acme"), "score": 0.5}, {"entity": ref("carol"), "score": 0.5}],
    }


def test_conflicts(client: TestClient) -> None:
    # The regulator, where carol holds office, obtained acme's guilty plea (r05); carol is tied to
    # acme by family (r10 sister of bob, r03 bob leads acme) and by money (r12 stake in venture,
    # r11 venture invested in acme).
    body = client.get("/api/v1/conflicts").json()
    assert [(m["pattern"], m["official"]["id"], m["party"]["id"]) for m in body["items"]] == [
        ("power-and-family", "carol", "acme"),
        ("power-and-money", "carol", "acme"),
    ]
    family, money = body["items"]
    assert [n["id"] for n in family["chain"]["nodes"]] == ["acme", "regulator", "carol", "bob", "acme"]
    assert [h["sentence"] for h in family["chain"]["hops"]] == [
        "Acme Exchange pleaded guilty to charges brought by Federal Regulator (2023-11-21; single source) [1].",
        "Federal Regulator had in office Carol Official as Director (since 2021; single source) [2].",
        "Carol Official is the sibling of Bob Müller (reported; single source) [2].",
        "Bob Müller served as CEO of Acme Exchange (since 2023-11-22; reported; single source) [3].",
    ]
    assert [e["id"] for e in money["chain"]["edges"]] == ["r05", "r09", "r12", "r11"]
    assert [(f["number"], f["id"]) for f in body["footnotes"]] == [(1, "s1"), (2, "s3"), (3, "s2")]
    assert "not evidence of wrongdoing" in body["note"]


def test_conflicts_filtered(client: TestClient) -> None:
    # Without alleged links the money chain (r12 is alleged) disappears.
    body = client.get("/api/v1/conflicts", params={"min_status": "reported", "entity": "acme"}).json()
    assert [m["pattern"] for m in body["items"]] == ["power-and-family"]
    assert client.get("/api/v1/conflicts", params={"entity": "lonely"}).json()["items"] == []
