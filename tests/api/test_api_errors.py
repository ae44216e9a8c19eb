"""One error shape for every error path: RFC 9457 problem details (``api/errors.py``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from api.main import create_app
from api.schemas import ProblemOut
from graph.ingest.pipeline import load_dataset
from graph.model import Entity
from graph.settings import Settings
from graph.store.memory import MemoryStore
from graph.testing import MINI_DIR
from tests.api.api_support import API_KEY, PROBLEM, mini_app, mini_memory_store

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "suggestions", "errors"}


def assert_problem(r: Response, status: int, type_: str, *, path: str | None = None) -> dict[str, Any]:
    """The shared shape: media type, members, status echoed, type URI, instance = request path."""
    assert r.status_code == status
    assert r.headers["content-type"] == PROBLEM
    body: dict[str, Any] = r.json()
    assert set(body) <= PROBLEM_KEYS
    assert {"type", "title", "status"} <= set(body)
    assert body["status"] == status
    assert body["type"] == type_
    assert body["title"]
    assert body["instance"] == (path or r.request.url.path)
    ProblemOut.model_validate(body)
    return body


URN = "urn:cryptokg:problem:"


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Writes enabled, key sent; the store is a fresh mini graph (tests here do not change it)."""
    tmp = tmp_path_factory.mktemp("errors")
    with TestClient(mini_app(tmp, store=mini_memory_store(), api_key=API_KEY, max_body_bytes=2048)) as c:
        c.headers["X-API-Key"] = API_KEY
        c.headers["X-Change-Reason"] = "test write"
        yield c


# (client fixture, method, url, keyword arguments, status, problem type)
CASES: list[tuple[str, str, str, dict[str, Any], int, str]] = [
    ("client", "GET", "/api/v1/entities/nobody", {}, 404, URN + "entity-not-found"),
    ("client", "GET", "/api/v1/paths?source=alice&target=nobody", {}, 404, URN + "entity-not-found"),
    ("client", "GET", "/api/v1/relationships/r99", {}, 404, URN + "not-found"),
    ("client", "GET", "/api/v1/sources/s9", {}, 404, URN + "not-found"),
    ("client", "GET", "/api/v1/sources/s9/citations", {}, 404, URN + "not-found"),
    ("client", "GET", "/api/v1/nowhere", {}, 404, "about:blank"),
    ("client", "DELETE", "/api/v1/search", {}, 405, "about:blank"),
    ("client", "GET", "/api/v1/entities/acme/neighbours?depth=9", {}, 422, URN + "invalid-parameter"),
    ("client", "GET", "/api/v1/search", {}, 422, URN + "invalid-parameter"),
    ("client", "GET", "/api/v1/paths?source=a&target=b&as_of=2024-13-01", {}, 422, URN + "invalid-parameter"),
    ("client", "GET", "/api/v1/export?format=pdf", {}, 422, URN + "invalid-parameter"),
    ("client", "POST", "/api/v1/entities", {"json": {}}, 403, "about:blank"),
    (
        "keyed",
        "POST",
        "/api/v1/entities",
        {"json": {"id": "x"}, "headers": {"X-API-Key": "wrong"}},
        401,
        "about:blank",
    ),
    ("keyed", "POST", "/api/v1/entities", {"json": {"id": "x", "kind": "robot"}}, 422, URN + "invalid-data"),
    (
        "keyed",
        "POST",
        "/api/v1/entities",
        {"content": b"{nope", "headers": {"Content-Type": "application/json"}},
        400,
        "about:blank",
    ),
    (
        "keyed",
        "POST",
        "/api/v1/entities",
        {"content": b"x", "headers": {"Content-Type": "text/csv"}},
        415,
        "about:blank",
    ),
    (
        "keyed",
        "POST",
        "/api/v1/entities",
        {"json": {"id": "alice", "kind": "person", "name": "A", "sources": ["s1"]}},
        409,
        URN + "conflict",
    ),
    ("keyed", "DELETE", "/api/v1/sources/s1", {}, 409, URN + "conflict"),
    ("keyed", "PUT", "/api/v1/entities/nobody", {"json": {}}, 404, URN + "not-found"),
    ("keyed", "POST", "/api/v1/ingest", {"json": {"entities": "x" * 3000}}, 413, "about:blank"),
]


@pytest.mark.parametrize(("fixture", "method", "url", "kwargs", "status", "type_"), CASES)
def test_error_shape(
    request: pytest.FixtureRequest,
    fixture: str,
    method: str,
    url: str,
    kwargs: dict[str, Any],
    status: int,
    type_: str,
) -> None:
    c: TestClient = request.getfixturevalue(fixture)
    assert_problem(c.request(method, url, **kwargs), status, type_)


def test_unknown_entity_lists_suggestions(client: TestClient) -> None:
    body = assert_problem(client.get("/api/v1/entities/bobb"), 404, URN + "entity-not-found")
    assert body["suggestions"][0] == {"id": "bob", "name": "Bob Müller"}
    assert body["title"] == "Entity not found"


def test_bad_parameters_are_listed_one_by_one(client: TestClient) -> None:
    body = assert_problem(
        client.get("/api/v1/paths", params={"source": "a", "target": "b", "max_hops": 0, "k": 99}),
        422,
        URN + "invalid-parameter",
    )
    assert body["errors"] == [
        {"location": "query", "name": "k", "message": "Input should be less than or equal to 20"},
        {"location": "query", "name": "max_hops", "message": "Input should be greater than or equal to 1"},
    ]
    assert body["detail"] == "invalid value for k, max_hops"


def test_unknown_vocabulary_names_point_to_the_schema(client: TestClient) -> None:
    body = client.get("/api/v1/entities/acme/neighbours", params={"types": "befriended"}).json()
    assert body["errors"] == [
        {
            "location": "query",
            "name": "types",
            "message": "unknown name; see /api/v1/schema for the names this parameter takes",
        }
    ]


def test_invalid_data_names_each_field(keyed: TestClient) -> None:
    body = assert_problem(
        keyed.post(
            "/api/v1/relationships",
            json={"source": "alice", "target": "nobody", "type": "met", "status": "maybe"},
        ),
        422,
        URN + "invalid-data",
    )
    assert body["errors"] == [
        {
            "file": "request body",
            "line": None,
            "record": "r-alice-met-nobody",
            "field": "status",
            "message": "unknown value 'maybe'; expected 'confirmed', 'reported', 'alleged' or 'denied'",
        },
        {
            "file": "request body",
            "line": None,
            "record": "r-alice-met-nobody",
            "field": "sources",
            "message": "at least one source is required",
        },
    ]


def test_method_not_allowed_lists_every_method_of_the_path(keyed: TestClient) -> None:
    r = keyed.request("POST", "/api/v1/entities/acme")
    assert_problem(r, 405, "about:blank")
    assert r.headers["allow"] == "GET, PUT, PATCH, DELETE"


def test_missing_key_is_401_with_a_challenge(keyed: TestClient) -> None:
    r = keyed.post("/api/v1/entities", json={}, headers={"X-API-Key": ""})
    body = assert_problem(r, 401, "about:blank")
    assert r.headers["www-authenticate"] == 'Bearer realm="cryptokg"'
    assert body["detail"] == "this endpoint needs an API key in X-API-Key or Authorization: Bearer"


def test_too_large_by_content_length(keyed: TestClient) -> None:
    r = keyed.post(
        "/api/v1/ingest", content=b"{" + b" " * 4000 + b"}", headers={"Content-Type": "application/json"}
    )
    body = assert_problem(r, 413, "about:blank")
    assert body["detail"] == "the request body is larger than 2048 bytes (CRYPTOKG_MAX_BODY_BYTES)"


def test_too_large_while_streaming(keyed: TestClient) -> None:
    # A chunked body has no Content-Length: the limit is enforced as the chunks arrive.
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b" " * 1000

    r = keyed.post("/api/v1/ingest", content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in r.request.headers
    assert_problem(r, 413, "about:blank")


def test_store_down_is_503(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "graph.sqlite").write_bytes(b"this is not a database" * 100)
    with TestClient(create_app(Settings(workspace=ws))) as c:
        for url in ("/health", "/api/v1/search?q=acme", "/api/v1/entities/acme/neighbours", "/api/v1/export"):
            r = c.get(url)
            body = assert_problem(r, 503, URN + "store-unavailable")
            assert r.headers["retry-after"] == "5"
            assert "not a readable cryptokg database" in body["detail"]
        # The data dictionary needs no store.
        assert c.get("/api/v1/schema").status_code == 200


class SlowStore(MemoryStore):
    """The mini graph, with every entity lookup spinning until it is stopped (a controllable slow
    query: it never ends by itself, so the test does not depend on the machine's speed)."""

    def __init__(self) -> None:
        super().__init__(None)
        self.started = threading.Event()
        self.stopped = threading.Event()

    def get_entities(self, ids: Iterable[str]) -> dict[str, Entity]:
        self.started.set()
        try:
            while True:
                time.sleep(0.001)
        finally:
            self.stopped.set()


def slow_mini() -> SlowStore:
    slow = SlowStore()
    slow.replace_all(load_dataset(MINI_DIR))
    return slow


def test_query_past_its_budget_is_504_and_is_stopped(tmp_path: Path) -> None:
    store = slow_mini()
    app = create_app(Settings(workspace=tmp_path, query_timeout=0.2), store=store)
    with TestClient(app) as c:
        r = c.get("/api/v1/entities/acme/neighbours", params={"depth": 3})
        body = assert_problem(r, 504, URN + "query-timeout")
        assert body["detail"].startswith("the query ran past its time budget of 0.2 s and was stopped")
        # The query did not run on after the answer: it had stopped before the 504 was sent.
        assert store.started.is_set() and store.stopped.is_set()
        runner = app.state.service._runner
        assert runner.lock.acquire_write(0)  # nothing holds the read lock any more
        runner.lock.release_write()


class BrokenStore(MemoryStore):
    def stats(self) -> Any:
        msg = "disk on fire"
        raise RuntimeError(msg)


def test_unexpected_errors_are_a_bare_500(tmp_path: Path) -> None:
    store = BrokenStore(None)
    with TestClient(
        create_app(Settings(workspace=tmp_path), store=store), raise_server_exceptions=False
    ) as c:
        r = c.get("/api/v1/stats")
        body = assert_problem(r, 500, "about:blank")
        assert "fire" not in r.text
        assert body["detail"] == "an unexpected error occurred; it has been logged"
