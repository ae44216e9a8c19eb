"""Tests of api/client.py against a real uvicorn server on a free loopback port.

The server runs in a thread over a workspace ingested from the hand-drawn ``mini`` graph
(tests/fixtures/mini, drawn in its README), so every expected value is worked out by hand.
Read tests share one server per module; write tests get their own server and workspace.
"""

from __future__ import annotations

import inspect
import io
import json
import re
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from api.client import ApiProblem, ClientError, CryptoKGClient, Filters
from api.main import create_app
from api.schemas import (
    CommonOut,
    EntityOut,
    HealthOut,
    Page,
    ParameterError,
    PathsOut,
    ProfileOut,
    RecordError,
    SearchOut,
    SubgraphOut,
)
from graph.ingest.pipeline import load_dataset
from graph.settings import Settings
from graph.store.memory import MemoryStore
from graph.testing import MINI_DIR
from tests.api.api_support import API_KEY

MINI_ENTITIES = 12
MINI_RELATIONSHIPS = 16


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread on a free 127.0.0.1 port; yield its root URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # the OS picks a free port; the server listens on this socket
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            pytest.fail("the uvicorn server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


def mini_workspace(path: Path) -> Path:
    """A workspace holding the mini graph, as ``cryptokg ingest tests/fixtures/mini`` writes it."""
    MemoryStore(path).replace_all(load_dataset(MINI_DIR))
    return path


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    ws = mini_workspace(tmp_path_factory.mktemp("client") / "ws")
    with live_server(create_app(Settings(workspace=ws))) as url:
        yield url


@pytest.fixture
def kg(server_url: str) -> Iterator[CryptoKGClient]:
    with CryptoKGClient(server_url, timeout=10) as client:
        yield client


@pytest.fixture
def writable(tmp_path: Path) -> Iterator[str]:
    """A server of its own, with an API key, over a fresh mini workspace."""
    ws = mini_workspace(tmp_path / "ws")
    with live_server(create_app(Settings(workspace=ws, api_key=API_KEY))) as url:
        yield url


# -- meta ------------------------------------------------------------------------------------


def test_health(kg: CryptoKGClient) -> None:
    health = kg.health()
    assert isinstance(health, HealthOut)
    assert (health.status, health.backend) == ("ok", "embedded")
    assert (health.entities, health.relationships) == (MINI_ENTITIES, MINI_RELATIONSHIPS)


def test_stats_count_the_mini_graph(kg: CryptoKGClient) -> None:
    stats = kg.stats()
    assert (stats.entities, stats.relationships, stats.sources) == (12, 16, 3)
    assert stats.entities_by_kind == {
        "person": 4,
        "company": 3,
        "agency": 1,
        "court": 1,
        "agreement": 1,
        "asset": 1,
        "event": 1,
    }
    # confirmed: r01 r02 r05 r06 r07 r09; alleged: r12; the other nine are reported
    assert stats.relationships_by_status == {"confirmed": 6, "reported": 9, "alleged": 1}
    assert stats.relationships_by_type["ceo_of"] == 2
    assert stats.relationships_without_source == 0
    assert stats.version == kg.health().version


def test_schema_is_the_data_dictionary(kg: CryptoKGClient) -> None:
    schema = kg.schema()
    assert [s.name for s in schema.statuses] == ["confirmed", "reported", "alleged", "denied"]
    assert {f.name for f in schema.export_formats} == {"json", "graphml", "gexf", "csv", "cypher", "ftm"}
    founded = next(t for t in schema.relationship_types if t.name == "founded")
    assert (founded.verb, founded.reverse_verb, founded.category) == (
        "founded",
        "was founded by",
        "professional",
    )


# -- entities ----------------------------------------------------------------------------------


def test_search_ranks_alias_then_prefixes_actors_first(kg: CryptoKGClient) -> None:
    res = kg.search("acme")
    assert isinstance(res, SearchOut)
    assert [(h.id, h.match, h.degree) for h in res.results] == [
        ("acme", "alias", 9),
        ("acme-us", "prefix", 1),
        ("plea", "prefix", 2),
        ("coin", "prefix", 2),
    ]
    only = kg.search("acme", kind="company", limit=1)
    assert (only.kind, [h.id for h in only.results]) == ("company", ["acme"])


@pytest.mark.parametrize(("q", "first"), [("阿丽斯", "alice"), ("Bobby", "bob"), ("Alise Exampel", "alice")])
def test_search_any_script_and_typos(kg: CryptoKGClient, q: str, first: str) -> None:
    assert kg.search(q).results[0].id == first


def test_entities_page_by_id(kg: CryptoKGClient) -> None:
    page = kg.entities(offset=2, limit=3)
    assert isinstance(page, Page)
    assert all(isinstance(e, EntityOut) for e in page.items)
    assert [e.id for e in page.items] == ["alice", "bob", "carol"]
    assert (page.total, page.offset, page.limit) == (12, 2, 3)
    assert [e.id for e in kg.entities(kind="company").items] == ["acme", "acme-us", "venture"]


def test_profile_by_id_name_or_alias(kg: CryptoKGClient) -> None:
    prof = kg.entity("acme")
    assert isinstance(prof, ProfileOut)
    assert (prof.entity.name, prof.degree) == ("Acme Exchange", 9)
    assert prof.counts["professional"] == {"founded": 1, "ceo_of": 2, "affiliate_of": 1, "listed": 1}
    assert [v.relationship.id for v in prof.groups["professional"]["ceo_of"]] == ["r02", "r03"]
    # names and aliases are path segments too, quoted by the client
    assert kg.entity("Alice Example").entity.id == "alice"
    assert kg.entity("ACME", limit=1).truncated is True


def test_unknown_entity_raises_with_suggestions(kg: CryptoKGClient) -> None:
    with pytest.raises(ApiProblem) as info:
        kg.entity("alise")
    problem = info.value
    assert isinstance(problem, ClientError)
    assert (problem.status, problem.title) == (404, "Entity not found")
    assert problem.type == "urn:cryptokg:problem:entity-not-found"
    assert problem.instance == "/api/v1/entities/alise"
    assert problem.detail is not None and "alise" in problem.detail
    assert (problem.suggestions[0].id, problem.suggestions[0].name) == ("alice", "Alice Example")
    assert str(problem).startswith("404 Entity not found: ")


def test_neighbours_of_carol(kg: CryptoKGClient) -> None:
    sub = kg.neighbours("carol")
    assert isinstance(sub, SubgraphOut)
    assert sorted(n.id for n in sub.nodes) == ["alice", "bob", "carol", "regulator", "venture"]
    assert sorted(e.id for e in sub.edges) == ["r09", "r10", "r12", "r15"]
    assert sorted(sub.sources) == ["s3"]
    assert (sub.center, sub.truncated) == (["carol"], False)


def test_neighbours_filters(kg: CryptoKGClient) -> None:
    # r12 (carol -> venture) is the only alleged link at carol
    confirmed_or_reported = kg.neighbours("carol", min_status="reported")
    assert sorted(n.id for n in confirmed_or_reported.nodes) == ["alice", "bob", "carol", "regulator"]
    typed = kg.neighbours("carol", types=["family_of", "holds_office"])
    assert sorted(n.id for n in typed.nodes) == ["bob", "carol", "regulator"]
    outgoing = kg.neighbours("carol", direction="in")
    assert sorted(n.id for n in outgoing.nodes) == ["alice", "carol"]  # only r15 alice -> carol ends at carol


# -- paths -------------------------------------------------------------------------------------


def test_all_shortest_paths(kg: CryptoKGClient) -> None:
    res = kg.paths("alice", "regulator", mode="all")
    assert isinstance(res, PathsOut)
    assert [[n.id for n in p.nodes] for p in res.paths] == [
        ["alice", "acme", "regulator"],
        ["alice", "carol", "regulator"],
    ]
    assert res.mode == "all"
    assert res.message is None


def test_shortest_path_is_cited_hop_by_hop(kg: CryptoKGClient) -> None:
    res = kg.paths("Alice Example", "FEDREG")
    (path,) = res.paths
    assert [h.sentence for h in path.hops] == [
        "Alice Example founded Acme Exchange (2017; single source) [1].",
        "Acme Exchange pleaded guilty to charges brought by Federal Regulator (2023-11-21; single source) [1].",
    ]
    assert [(f.number, f.id, f.title) for f in res.footnotes] == [(1, "s1", "Acme plea agreement")]
    assert (path.length, path.cost) == (2, 2.0)


def test_path_options(kg: CryptoKGClient) -> None:
    avoided = kg.paths("alice", "regulator", avoid=["acme"])
    assert [[n.id for n in p.nodes] for p in avoided.paths] == [["alice", "carol", "regulator"]]
    k = kg.paths("bob", "coin", mode="k", k=3)
    assert [[n.id for n in p.nodes] for p in k.paths] == [
        ["bob", "acme", "coin"],
        ["bob", "acme", "venture", "coin"],
        ["bob", "carol", "venture", "coin"],
    ]
    directed = kg.paths("carol", "acme", directed=True)
    assert [[n.id for n in p.nodes] for p in directed.paths] == [["carol", "bob", "acme"]]
    personal = kg.paths("alice", "bob", categories=["personal"])
    assert [[n.id for n in p.nodes] for p in personal.paths] == [["alice", "carol", "bob"]]


def test_no_path_is_a_result_not_an_error(kg: CryptoKGClient) -> None:
    res = kg.paths("alice", "lonely")
    assert res.paths == []
    assert res.message == "No path between Alice Example and Lonely Person within 4 hops."


def test_common_connections(kg: CryptoKGClient) -> None:
    res = kg.common(["bob", "regulator"])
    assert isinstance(res, CommonOut)
    assert [(c.entity.id, c.score, c.via) for c in res.connections] == [
        ("acme", 2.0, {"bob": ["r03"], "regulator": ["r05"]}),
        ("carol", 2.0, {"bob": ["r10"], "regulator": ["r09"]}),
    ]
    assert [c.entity.id for c in kg.common(["bob", "regulator"], limit=1).connections] == ["acme"]


# -- analytics ---------------------------------------------------------------------------------


def test_timeline(kg: CryptoKGClient) -> None:
    alice = kg.timeline(["alice"])
    assert alice.entities == ["alice"]
    # r01 2017, r02 2017-07, r15 2024-12, the meeting event and r16 in 2025-03
    assert [i.date for i in alice.items] == ["2017", "2017-07", "2024-12", "2025-03", "2025-03"]
    assert [i.kind for i in alice.items] == ["relationship"] * 3 + ["event", "relationship"]
    assert [i.date for i in kg.timeline(["alice"], start="2024").items] == ["2024-12", "2025-03", "2025-03"]
    # 13 dated relationships (r04, r10, r12 have no start) and the meeting
    assert len(kg.timeline().items) == 14


def test_rankings(kg: CryptoKGClient) -> None:
    # parallel relationships count once: acme has 9 relationships but 8 neighbours
    res = kg.rankings(top=3)
    assert [(i.entity.id, i.score) for i in res.items] == [("acme", 8.0), ("carol", 4.0), ("alice", 3.0)]
    people = kg.rankings(kind="person", top=2)
    assert [i.entity.id for i in people.items] == ["carol", "alice"]


def test_communities_cover_every_connected_entity(kg: CryptoKGClient) -> None:
    res = kg.communities()
    assert res.seed == 42
    members = sorted(m.id for c in res.communities for m in c.members)
    assert members == sorted(
        [
            "acme",
            "acme-us",
            "alice",
            "bob",
            "carol",
            "coin",
            "court",
            "meeting",
            "plea",
            "regulator",
            "venture",
        ]
    )
    first = kg.communities(limit=1, members=2).communities[0]
    assert first.members == res.communities[0].members[:2]


def test_brokers(kg: CryptoKGClient) -> None:
    res = kg.brokers(["bob"], ["regulator"])
    assert [(b.entity.id, b.score) for b in res.brokers] == [("acme", 0.5), ("carol", 0.5)]


def test_conflicts(kg: CryptoKGClient) -> None:
    res = kg.conflicts()
    assert [(m.pattern, m.official.id, m.party.id) for m in res.items] == [
        ("power-and-family", "carol", "acme"),
        ("power-and-money", "carol", "acme"),
    ]
    assert [n.id for n in res.items[0].chain.nodes] == ["acme", "regulator", "carol", "bob", "acme"]
    assert [(f.number, f.id) for f in res.footnotes] == [(1, "s1"), (2, "s3"), (3, "s2")]
    assert "not evidence of wrongdoing" in res.note
    # without alleged links the money chain (r12 is alleged) disappears
    filtered = kg.conflicts(entity="acme", min_status="reported")
    assert [m.pattern for m in filtered.items] == ["power-and-family"]


# -- records -----------------------------------------------------------------------------------


def test_relationships(kg: CryptoKGClient) -> None:
    assert [r.id for r in kg.relationships(type="ceo_of").items] == ["r02", "r03"]
    assert [r.id for r in kg.relationships(entity="carol", status="confirmed").items] == ["r09"]
    page = kg.relationships(offset=1, limit=2)
    assert ([r.id for r in page.items], page.total) == (["r02", "r03"], 16)
    detail = kg.relationship("r15")
    assert (
        detail.sentence
        == "Alice Example met Carol Official (2024-12; reported; denied by Alice Example; single source)."
    )
    assert [d.id for d in detail.denied_by] == ["alice"]
    assert [s.id for s in detail.sources] == ["s3"]


def test_unknown_relationship_is_a_plain_not_found(kg: CryptoKGClient) -> None:
    with pytest.raises(ApiProblem) as info:
        kg.relationship("r99")
    assert (info.value.status, info.value.title, info.value.detail) == (
        404,
        "Not found",
        "no relationship 'r99'",
    )
    assert info.value.suggestions == []


def test_sources_and_citations(kg: CryptoKGClient) -> None:
    assert [s.id for s in kg.sources().items] == ["s1", "s2", "s3"]
    assert [s.id for s in kg.sources(kind="news_report").items] == ["s2", "s3"]
    s1 = kg.source("s1")
    assert (s1.title, s1.publisher, s1.date) == ("Acme plea agreement", "District Court", "2023-11-21")
    cites = kg.citations("s3")
    # s3 documents carol and lonely, and r09 r10 r12 r15 r16
    assert [e.id for e in cites.entities] == ["carol", "lonely"]
    assert [r.id for r in cites.relationships] == ["r09", "r10", "r12", "r15", "r16"]
    assert (cites.entities_total, cites.relationships_total) == (2, 5)


# -- exports -----------------------------------------------------------------------------------


def test_export_whole_graph(kg: CryptoKGClient) -> None:
    data = json.loads(kg.export())
    assert (len(data["nodes"]), len(data["links"])) == (12, 16)
    with zipfile.ZipFile(io.BytesIO(kg.export("csv"))) as zf:
        assert {"sources.csv", "entities.csv", "relationships.csv"} <= set(zf.namelist())
    assert kg.export("cypher").startswith(b"//")


def test_export_neighbours_and_paths(kg: CryptoKGClient) -> None:
    hood = json.loads(kg.export_neighbours("carol"))
    assert sorted(n["id"] for n in hood["nodes"]) == ["alice", "bob", "carol", "regulator", "venture"]
    assert kg.export_neighbours("carol", "graphml", min_status="reported").startswith(b"<?xml")
    path = json.loads(kg.export_paths("alice", "regulator", mode="all"))
    assert sorted(n["id"] for n in path["nodes"]) == ["acme", "alice", "carol", "regulator"]
    assert sorted(link["id"] for link in path["links"]) == ["r01", "r05", "r09", "r15"]


# -- errors --------------------------------------------------------------------------------------


def param_names(problem: ApiProblem) -> list[str | None]:
    assert all(isinstance(e, ParameterError) for e in problem.errors)
    return [e.name for e in problem.errors if isinstance(e, ParameterError)]


def test_bad_parameters_raise_with_one_error_each(kg: CryptoKGClient) -> None:
    with pytest.raises(ApiProblem) as info:
        kg.neighbours("carol", depth=9)
    assert (info.value.status, info.value.title) == (422, "Invalid parameter")
    assert param_names(info.value) == ["depth"]
    with pytest.raises(ApiProblem) as info:
        kg.timeline(start="2023-02-30")
    assert param_names(info.value) == ["start"]
    with pytest.raises(ApiProblem) as info:
        kg.common(["bob"])
    assert info.value.errors[0].message == "give at least two entities"


def test_an_error_without_problem_details_still_raises() -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>bad gateway</html>")

    with CryptoKGClient("http://kg.invalid", transport=httpx.MockTransport(gateway)) as client:
        with pytest.raises(ApiProblem) as info:
            client.stats()
    assert (info.value.status, info.value.title) == (502, "Bad Gateway")
    assert info.value.detail == "<html>bad gateway</html>"
    assert info.value.instance == "/api/v1/stats"


def test_no_server_is_an_httpx_transport_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # free, and nothing listens on it
    with CryptoKGClient(f"http://127.0.0.1:{port}", timeout=2) as client:
        with pytest.raises(httpx.TransportError):
            client.health()


def test_base_url_may_name_the_api_prefix(server_url: str) -> None:
    with CryptoKGClient(server_url + "/api/v1/") as client:
        assert client.base_url == server_url
        assert client.stats().entities == 12
    assert client._http.is_closed


# -- writes --------------------------------------------------------------------------------------

DAVE = {"id": "dave", "kind": "person", "name": "Dave Donor", "sources": ["s2"]}


def test_writes_are_refused_without_a_configured_key(kg: CryptoKGClient) -> None:
    with pytest.raises(ApiProblem) as info:
        kg.create("entity", DAVE)
    assert info.value.status == 403
    assert info.value.detail == "writes are disabled: the server has no CRYPTOKG_API_KEY configured"


def test_writes_need_the_right_key(writable: str) -> None:
    for key in (None, "wrong-key"):
        with (
            CryptoKGClient(writable, api_key=key, reason="client test") as client,
            pytest.raises(ApiProblem) as info,
        ):
            client.create("entity", DAVE)
        assert info.value.status == 401


def test_create_update_delete(writable: str) -> None:
    with CryptoKGClient(writable, api_key=API_KEY, reason="client test") as kg:
        dave = kg.create("entity", DAVE)
        assert (dave.id, dave.name, dave.aliases) == ("dave", "Dave Donor", [])
        rel = kg.create(
            "relationship",
            {
                "source": "dave",
                "type": "funded",
                "target": "venture",
                "status": "reported",
                "sources": ["s2"],
            },
        )
        assert (rel.id, rel.category) == ("r-dave-funded-venture", "financial")
        assert [n.id for n in kg.paths("dave", "acme").paths[0].nodes] == ["dave", "venture", "acme"]
        assert kg.update("entity", "dave", {"aliases": ["DD"]}).aliases == ["DD"]
        assert kg.replace(
            "entity", "dave", {"kind": "person", "name": "David Donor", "sources": ["s2"]}
        ).name == ("David Donor")
        gone = kg.delete("entity", "dave")
        assert (gone.entities, gone.relationships) == (["dave"], ["r-dave-funded-venture"])
        with pytest.raises(ApiProblem) as info:
            kg.create("entity", {**DAVE, "id": "alice"})
        assert info.value.status == 409
        with pytest.raises(ApiProblem) as info:
            kg.create("entity", {**DAVE, "sources": ["s9"]})
        assert info.value.status == 422
        (problem,) = info.value.errors
        assert isinstance(problem, RecordError)
        assert (problem.record, problem.field, problem.message) == ("dave", "sources", "unknown source 's9'")
        assert kg.stats().entities == 12


def test_bulk_ingest_json_and_zip(writable: str) -> None:
    with CryptoKGClient(writable, api_key=API_KEY, reason="client test") as kg:
        out = kg.ingest({"entities": [DAVE]})
        assert (out.mode, out.entities, out.relationships) == ("merge", 1, 0)
        assert kg.stats().entities == 13
        # the csv export is a zip that ingests back into the same graph; a full replace gives a
        # content-derived version, so replacing with the same content twice gives the same one
        whole = kg.export("csv")
        replaced = kg.ingest(whole, mode="replace")
        assert (replaced.mode, replaced.entities, replaced.relationships, replaced.sources) == (
            "replace",
            13,
            16,
            3,
        )
        assert kg.entity("dave").entity.name == "Dave Donor"
        assert kg.ingest(whole, mode="replace").version == replaced.version


def test_datasets_import_and_drop(writable: str) -> None:
    ftm = (
        Path(__file__).resolve().parents[1] / "fixtures" / "import" / "ftm" / "entities.ftm.json"
    ).read_bytes()
    with CryptoKGClient(writable, api_key=API_KEY) as kg:
        out = kg.import_dataset(ftm, format="ftm", dataset="os")
        assert (out.dataset, out.entities, out.unknown) == ("os", 7, {"FtM schema 'Spaceship'": 1})
        assert [d.name for d in kg.datasets().datasets] == ["core", "os"]
        assert kg.dataset("os").licence is not None
        assert b'"publisher":["os"]' in kg.export("ftm")
        assert kg.drop_dataset("os").removed["entities"] == 7
        with pytest.raises(ApiProblem) as info:
            kg.dataset("os")
        assert info.value.status == 404


# -- the client covers the API -----------------------------------------------------------------

#: Every read route of the API and the client method that calls it.
READ_METHODS = {
    "/api/v1/search": "search",
    "/api/v1/entities": "entities",
    "/api/v1/entities/{id}": "entity",
    "/api/v1/entities/{id}/neighbours": "neighbours",
    "/api/v1/paths": "paths",
    "/api/v1/common": "common",
    "/api/v1/timeline": "timeline",
    "/api/v1/analytics/rankings": "rankings",
    "/api/v1/analytics/communities": "communities",
    "/api/v1/analytics/brokers": "brokers",
    "/api/v1/conflicts": "conflicts",
    "/api/v1/relationships": "relationships",
    "/api/v1/relationships/{id}": "relationship",
    "/api/v1/sources": "sources",
    "/api/v1/sources/{id}": "source",
    "/api/v1/sources/{id}/citations": "citations",
    "/api/v1/export": "export",
    "/api/v1/entities/{id}/neighbours/export": "export_neighbours",
    "/api/v1/paths/export": "export_paths",
    "/api/v1/stats": "stats",
    "/api/v1/schema": "schema",
    "/api/v1/datasets": "datasets",
    "/api/v1/datasets/{name}": "dataset",
    "/api/v1/history": "history",
    "/api/v1/diff": "diff",
    "/api/v1/changes": "changes",
    "/api/v1/changes.atom": "changes_atom",
    "/api/v1/proposals": "proposals",
    "/health": "health",
}


def _method_params(name: str) -> set[str]:
    """The parameter names a client method sends: its own, plus the filters it takes."""
    sig = inspect.signature(getattr(CryptoKGClient, name))
    # A trailing underscore stands for a Python keyword (``from_`` sends ``from``).
    names = {
        p.name.rstrip("_")
        for p in sig.parameters.values()
        if p.kind is not p.VAR_KEYWORD and p.name != "self"
    }
    if any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
        names |= set(Filters.__annotations__)
    return names


def test_every_read_route_has_a_method_with_the_same_parameters(server_url: str) -> None:
    spec = httpx.get(server_url + "/openapi.json").json()
    gets = {path: item["get"] for path, item in spec["paths"].items() if "get" in item}
    assert set(gets) == set(READ_METHODS)
    for path, op in gets.items():
        api_params = {p["name"] for p in op.get("parameters", []) if p["in"] in ("query", "path")}
        assert _method_params(READ_METHODS[path]) == api_params, path


def test_every_write_route_is_reachable(server_url: str) -> None:
    spec = httpx.get(server_url + "/openapi.json").json()
    writes = {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in ("post", "put", "patch", "delete")
    }
    expected = {("POST", "/api/v1/ingest"), ("POST", "/api/v1/import"), ("DELETE", "/api/v1/datasets/{name}")}
    expected |= {("POST", "/api/v1/proposals")}
    expected |= {("POST", f"/api/v1/proposals/{{id}}/{verb}") for verb in ("approve", "reject")}
    for collection in ("entities", "relationships", "sources"):
        expected |= {("POST", f"/api/v1/{collection}")}
        expected |= {(m, f"/api/v1/{collection}/{{id}}") for m in ("PUT", "PATCH", "DELETE")}
    assert (
        writes == expected
    )  # create, replace, update, delete, ingest, import, drop, propose, approve, reject


# -- notebook 03 starts its own server: none is left behind ------------------------------------


def test_notebook_03_stops_its_server_when_a_cell_fails() -> None:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = Path(__file__).resolve().parents[2] / "notebooks" / "03-api-client.ipynb"
    nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    starts = next(i for i, c in enumerate(nb.cells) if "server.start()" in c.source)
    nb.cells.insert(starts + 1, nbformat.v4.new_code_cell("raise RuntimeError('a cell fails')"))  # type: ignore[no-untyped-call]
    client = NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    with pytest.raises(CellExecutionError, match="a cell fails"):
        client.execute()
    printed = "".join(o.get("text", "") for o in nb.cells[starts].outputs)
    found = re.search(r"serves http://127\.0\.0\.1:(\d+) \(pid (\d+)\)", printed)
    assert found, printed
    port, pid = int(found[1]), int(found[2])
    deadline = time.monotonic() + 20
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)  # the kernel's exit hook terminates the server; give it a moment
    assert not Path(f"/proc/{pid}").exists(), "the server outlived the notebook's kernel"
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0
