"""Search, entity list, profile and neighbourhood endpoints (``api/routes/entities.py``)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.api_support import entity, ref, rel, source


def hit(eid: str, match: str, matched: str, score: float, degree: int) -> dict[str, object]:
    return {**ref(eid), "match": match, "matched": matched, "score": score, "degree": degree}


def test_search_ranks_alias_then_prefixes_actors_first(client: TestClient) -> None:
    # "acme" is an alias of Acme Exchange; three names start with it. Among prefixes the
    # company acme-us comes before the agreement and the asset, which tie (degree 2) by name.
    r = client.get("/api/v1/search", params={"q": "acme"})
    assert r.status_code == 200
    assert r.json() == {
        "query": "acme",
        "kind": None,
        "results": [
            hit("acme", "alias", "acme", 100.0, 9),
            hit("acme-us", "prefix", "acme us", 57.14, 1),
            hit("plea", "prefix", "acme plea agreement", 21.05, 2),
            hit("coin", "prefix", "acmecoin", 50.0, 2),
        ],
    }


def test_search_kind_and_limit(client: TestClient) -> None:
    r = client.get("/api/v1/search", params={"q": "acme", "kind": "company", "limit": 1})
    assert r.json() == {
        "query": "acme",
        "kind": "company",
        "results": [hit("acme", "alias", "acme", 100.0, 9)],
    }


@pytest.mark.parametrize(("q", "first"), [("阿丽斯", "alice"), ("Bobby", "bob"), ("fedreg", "regulator")])
def test_search_finds_aliases_in_any_script(client: TestClient, q: str, first: str) -> None:
    assert client.get("/api/v1/search", params={"q": q}).json()["results"][0]["id"] == first


def test_search_without_letters_matches_nothing(client: TestClient) -> None:
    assert client.get("/api/v1/search", params={"q": "!!!"}).json() == {
        "query": "!!!",
        "kind": None,
        "results": [],
    }


def test_list_entities_pages_by_id(client: TestClient) -> None:
    r = client.get("/api/v1/entities", params={"offset": 2, "limit": 3})
    assert r.json() == {
        "items": [entity("alice"), entity("bob"), entity("carol")],
        "total": 12,
        "offset": 2,
        "limit": 3,
    }


def test_list_entities_of_one_kind(client: TestClient) -> None:
    r = client.get("/api/v1/entities", params={"kind": "company"})
    assert r.json() == {
        "items": [entity("acme"), entity("acme-us"), entity("venture")],
        "total": 3,
        "offset": 0,
        "limit": 50,
    }


def view(rid: str, other: str, forward: bool, sentence: str) -> dict[str, object]:
    r = rel(rid)
    return {
        "relationship": r,
        "other": ref(other),
        "forward": forward,
        "category": r["category"],
        "sentence": sentence,
        "sources": [source(s) for s in r["sources"]],
    }


def test_profile_groups_relationships_by_category_and_type(client: TestClient) -> None:
    r = client.get("/api/v1/entities/carol")
    assert r.status_code == 200
    assert r.json() == {
        "entity": entity("carol"),
        "degree": 4,
        "sources": [source("s3")],
        "groups": {
            "financial": {
                "owns_stake_in": [
                    view(
                        "r12",
                        "venture",
                        True,
                        "Carol Official owns a stake in Venture Fund (alleged; single source).",
                    )
                ]
            },
            "personal": {
                "family_of": [
                    view(
                        "r10",
                        "bob",
                        True,
                        "Carol Official is the sibling of Bob Müller (reported; single source).",
                    )
                ],
                "met": [
                    view(
                        "r15",
                        "alice",
                        False,
                        "Carol Official met Alice Example (2024-12; reported; denied by Alice Example; single source).",
                    )
                ],
            },
            "political": {
                "holds_office": [
                    view(
                        "r09",
                        "regulator",
                        True,
                        "Carol Official held office at Federal Regulator as Director (since 2021; single source).",
                    )
                ]
            },
        },
        "counts": {
            "financial": {"owns_stake_in": 1},
            "personal": {"family_of": 1, "met": 1},
            "political": {"holds_office": 1},
        },
        "truncated": False,
    }


def test_profile_lists_at_most_limit_per_type(client: TestClient) -> None:
    # acme has two ceo_of relationships: r02 (alice, from 2017-07) and r03 (bob, from 2023-11-22).
    body = client.get("/api/v1/entities/acme", params={"limit": 1}).json()
    assert [v["relationship"]["id"] for v in body["groups"]["professional"]["ceo_of"]] == ["r02"]
    assert body["counts"]["professional"] == {"affiliate_of": 1, "ceo_of": 2, "founded": 1, "listed": 1}
    assert body["truncated"] is True
    assert body["degree"] == 9


def test_profile_resolves_an_exact_alias(client: TestClient) -> None:
    assert client.get("/api/v1/entities/Bobby").json()["entity"]["id"] == "bob"


def test_profile_of_an_unknown_entity_suggests_close_matches(client: TestClient) -> None:
    r = client.get("/api/v1/entities/Alise Exampel")
    assert r.status_code == 404
    body = r.json()
    assert body["suggestions"][0] == {"id": "alice", "name": "Alice Example"}
    assert body["detail"].startswith("no entity 'Alise Exampel'; did you mean: Alice Example (alice)")


def test_neighbours_of_carol(client: TestClient) -> None:
    r = client.get("/api/v1/entities/carol/neighbours", params={"depth": 1})
    assert r.status_code == 200
    assert r.json() == {
        "nodes": [entity(i) for i in ("alice", "bob", "carol", "regulator", "venture")],
        "edges": [rel(i) for i in ("r09", "r10", "r12", "r15")],
        "sources": {"s3": source("s3")},
        "center": ["carol"],
        "depth": {"alice": 1, "bob": 1, "carol": 0, "regulator": 1, "venture": 1},
        "truncated": False,
        "cut_nodes": 0,
        "note": None,
    }


def test_neighbours_node_cap_keeps_the_best_connected(client: TestClient) -> None:
    # Acme has 8 neighbours; with room for 3, Alice (4), Federal Regulator (3) and Venture Fund (3) stay.
    body = client.get("/api/v1/entities/acme/neighbours", params={"max_nodes": 4}).json()
    assert [n["id"] for n in body["nodes"]] == ["acme", "alice", "regulator", "venture"]
    assert [e["id"] for e in body["edges"]] == ["r01", "r02", "r05", "r11"]
    assert sorted(body["sources"]) == ["s1", "s2"]
    assert (body["truncated"], body["cut_nodes"]) == (True, 5)
    assert body["note"] == "5 more entities at distance 1 were left out by the cap of 4"


@pytest.mark.parametrize(
    "params",
    [
        [("types", "founded,ceo_of,listed")],
        [("types", "founded"), ("types", "ceo_of,listed")],
        [("types", "founded"), ("types", "ceo_of"), ("types", "listed")],
    ],
)
def test_neighbours_list_filters_take_repeats_and_commas(
    client: TestClient, params: list[tuple[str, str]]
) -> None:
    body = client.get("/api/v1/entities/acme/neighbours", params=params).json()
    assert [n["id"] for n in body["nodes"]] == ["acme", "alice", "bob", "coin"]
    assert [e["id"] for e in body["edges"]] == ["r01", "r02", "r03", "r13"]


def test_neighbours_depth_two_with_status_and_date_filters(client: TestClient) -> None:
    # Only confirmed links holding on 2022-01-01: carol -r09-> regulator -r05/r07-> acme, plea are later.
    body = client.get(
        "/api/v1/entities/carol/neighbours",
        params={"depth": 2, "min_status": "confirmed", "as_of": "2022-01-01"},
    ).json()
    assert body["depth"] == {"carol": 0, "regulator": 1}
    assert [e["id"] for e in body["edges"]] == ["r09"]


def test_neighbours_kinds_limit_the_entities_reached(client: TestClient) -> None:
    body = client.get("/api/v1/entities/acme/neighbours", params={"kinds": "person"}).json()
    assert [n["id"] for n in body["nodes"]] == ["acme", "alice", "bob"]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"depth": 4}, "depth"),
        ({"max_nodes": 2001}, "max_nodes"),
        ({"types": "founded,nonsense"}, "types"),
        ({"types": "founded,"}, "types"),
        ({"as_of": "2024-02-30"}, "as_of"),
        ({"min_status": "rumoured"}, "min_status"),
        ({"direction": "sideways"}, "direction"),
    ],
)
def test_neighbours_bad_parameters_are_422(client: TestClient, params: dict[str, object], name: str) -> None:
    r = client.get("/api/v1/entities/acme/neighbours", params=params)
    assert r.status_code == 422
    assert [e["name"] for e in r.json()["errors"]] == [name]
