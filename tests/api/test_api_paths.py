"""Paths and common connections (``api/routes/paths.py``)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.api_support import ref, rel, source


def hop(rid: str, forward: bool, sentence: str) -> dict[str, object]:
    r = rel(rid)
    return {
        "relationship": r,
        "forward": forward,
        "sentence": sentence,
        "citations": [source(s) for s in r["sources"]],
    }


def test_shortest_path_is_cited_hop_by_hop(client: TestClient) -> None:
    # alice -r01 founded-> acme -r05 pleaded_guilty-> regulator; r01 beats r02 (both confirmed and
    # dated) by id. Both cite s1, footnote [1].
    r = client.get("/api/v1/paths", params={"source": "alice", "target": "regulator"})
    assert r.status_code == 200
    assert r.json() == {
        "source": ref("alice"),
        "target": ref("regulator"),
        "mode": "shortest",
        "paths": [
            {
                "nodes": [ref("alice"), ref("acme"), ref("regulator")],
                "edges": [rel("r01"), rel("r05")],
                "hops": [
                    hop("r01", True, "Alice Example founded Acme Exchange (2017; single source) [1]."),
                    hop(
                        "r05",
                        True,
                        "Acme Exchange pleaded guilty to charges brought by Federal Regulator (2023-11-21; single source) [1].",
                    ),
                ],
                "cost": 2.0,
                "length": 2,
            }
        ],
        "message": None,
        "footnotes": [{**source("s1"), "number": 1}],
    }


def test_names_work_as_endpoints(client: TestClient) -> None:
    body = client.get("/api/v1/paths", params={"source": "Alice Example", "target": "FEDREG"}).json()
    assert [n["id"] for n in body["paths"][0]["nodes"]] == ["alice", "acme", "regulator"]


def test_no_path_is_a_200_with_a_message(client: TestClient) -> None:
    r = client.get("/api/v1/paths", params={"source": "alice", "target": "lonely"})
    assert r.status_code == 200
    assert r.json() == {
        "source": ref("alice"),
        "target": ref("lonely"),
        "mode": "shortest",
        "paths": [],
        "message": "No path between Alice Example and Lonely Person within 4 hops.",
        "footnotes": [],
    }


def node_ids(body: dict[str, list[dict[str, list[dict[str, str]]]]]) -> list[list[str]]:
    return [[n["id"] for n in p["nodes"]] for p in body["paths"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # every shortest path: the four two-hop routes from carol to acme
        (
            {"source": "carol", "target": "acme", "mode": "all"},
            [
                ["carol", "alice", "acme"],
                ["carol", "bob", "acme"],
                ["carol", "regulator", "acme"],
                ["carol", "venture", "acme"],
            ],
        ),
        # the three shortest simple paths
        (
            {"source": "bob", "target": "coin", "mode": "k", "k": 3},
            [
                ["bob", "acme", "coin"],
                ["bob", "acme", "venture", "coin"],
                ["bob", "carol", "venture", "coin"],
            ],
        ),
        # following directions: r10 carol->bob, r03 bob->acme (r09/r05 meet head to head at regulator)
        ({"source": "carol", "target": "acme", "directed": "true"}, [["carol", "bob", "acme"]]),
        # avoiding acme leaves the route through carol
        ({"source": "alice", "target": "regulator", "avoid": "acme"}, [["alice", "carol", "regulator"]]),
        ({"source": "alice", "target": "regulator", "max_hops": 1}, []),
        # only personal links: r15 alice-carol, r10 carol-bob
        ({"source": "alice", "target": "bob", "categories": "personal"}, [["alice", "carol", "bob"]]),
    ],
)
def test_path_modes_and_filters(
    client: TestClient, params: dict[str, object], expected: list[list[str]]
) -> None:
    assert node_ids(client.get("/api/v1/paths", params=params).json()) == expected


def test_weighted_paths_cost_by_evidence(client: TestClient) -> None:
    # r01 + r05 are confirmed (1 + 1); r15 is reported (1.5) + r09 confirmed (1).
    body = client.get(
        "/api/v1/paths",
        params={"source": "alice", "target": "regulator", "weighted": "true", "mode": "k", "k": 2},
    ).json()
    assert [(p["cost"], p["length"]) for p in body["paths"]] == [(2.0, 2), (2.5, 2)]


def test_footnotes_number_sources_in_order_of_first_citation(client: TestClient) -> None:
    body = client.get(
        "/api/v1/paths", params={"source": "carol", "target": "acme", "directed": "true"}
    ).json()
    assert [h["sentence"] for h in body["paths"][0]["hops"]] == [
        "Carol Official is the sibling of Bob Müller (reported; single source) [1].",
        "Bob Müller served as CEO of Acme Exchange (since 2023-11-22; reported; single source) [2].",
    ]
    assert [(f["number"], f["id"]) for f in body["footnotes"]] == [(1, "s3"), (2, "s2")]


@pytest.mark.parametrize(
    ("params", "status", "name"),
    [
        ({"source": "alice", "target": "regulator", "max_hops": 7}, 422, "max_hops"),
        ({"source": "alice", "target": "regulator", "mode": "k", "k": 21}, 422, "k"),
        ({"source": "alice", "target": "regulator", "mode": "every"}, 422, "mode"),
        ({"source": "alice", "target": "regulator", "avoid": "alice"}, 422, "avoid"),
        ({"target": "regulator"}, 422, "source"),
    ],
)
def test_bad_path_parameters(client: TestClient, params: dict[str, object], status: int, name: str) -> None:
    r = client.get("/api/v1/paths", params=params)
    assert r.status_code == status
    assert [e["name"] for e in r.json()["errors"]] == [name]


def test_unknown_endpoint_entity_is_404_with_suggestions(client: TestClient) -> None:
    r = client.get("/api/v1/paths", params={"source": "alise", "target": "regulator"})
    assert r.status_code == 404
    assert r.json()["suggestions"][0] == {"id": "alice", "name": "Alice Example"}


def test_common_connections(client: TestClient) -> None:
    # bob and regulator both touch acme (r03, r05) and carol (r10, r09); acme is better connected.
    r = client.get("/api/v1/common", params={"entities": "bob,regulator"})
    assert r.json() == {
        "entities": [ref("bob"), ref("regulator")],
        "max_hops": 1,
        "connections": [
            {
                "entity": ref("acme"),
                "score": 2.0,
                "distance": {"bob": 1, "regulator": 1},
                "via": {"bob": ["r03"], "regulator": ["r05"]},
            },
            {
                "entity": ref("carol"),
                "score": 2.0,
                "distance": {"bob": 1, "regulator": 1},
                "via": {"bob": ["r10"], "regulator": ["r09"]},
            },
        ],
    }


def test_common_connections_take_repeated_parameters(client: TestClient) -> None:
    body = client.get(
        "/api/v1/common", params=[("entities", "bob"), ("entities", "regulator"), ("limit", 1)]
    ).json()
    assert [c["entity"]["id"] for c in body["connections"]] == ["acme"]


def test_common_needs_two_entities(client: TestClient) -> None:
    r = client.get("/api/v1/common", params={"entities": "bob"})
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"location": None, "name": "entities", "message": "give at least two entities"}
    ]
