"""API-key checks of the write endpoints (``api/auth.py``): none configured, wrong key, right key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.api_support import API_KEY, mini_app

NEW_SOURCE = {"id": "s9", "title": "A new source"}
WRITES = [
    ("POST", "/api/v1/sources", NEW_SOURCE),
    ("PUT", "/api/v1/sources/s1", {"title": "Renamed"}),
    ("PATCH", "/api/v1/sources/s1", {"title": "Renamed"}),
    ("DELETE", "/api/v1/relationships/r01", None),
    ("POST", "/api/v1/ingest", {"sources": [NEW_SOURCE]}),
]


@pytest.fixture
def keyed(tmp_path: Path) -> Iterator[TestClient]:
    """An app with ``API_KEY`` configured; the client sends no key by itself."""
    with TestClient(mini_app(tmp_path, api_key=API_KEY)) as c:
        yield c


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
def test_without_a_configured_key_writes_are_disabled(
    client: TestClient, method: str, url: str, body: object
) -> None:
    for headers in ({}, {"X-API-Key": API_KEY}, {"Authorization": f"Bearer {API_KEY}"}):
        r = client.request(method, url, json=body, headers=headers)
        assert r.status_code == 403
        assert r.json()["detail"] == "writes are disabled: the server has no CRYPTOKG_API_KEY configured"


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
def test_missing_or_wrong_key_is_401(keyed: TestClient, method: str, url: str, body: object) -> None:
    for headers, detail in (
        ({}, "this endpoint needs an API key in X-API-Key or Authorization: Bearer"),
        ({"X-API-Key": API_KEY + "x"}, "wrong API key"),
        ({"X-API-Key": API_KEY[:-1]}, "wrong API key"),
        ({"Authorization": "Bearer nope"}, "wrong API key"),
        (
            {"Authorization": f"Basic {API_KEY}"},
            "this endpoint needs an API key in X-API-Key or Authorization: Bearer",
        ),
    ):
        r = keyed.request(method, url, json=body, headers=headers)
        assert r.status_code == 401, headers
        assert r.json()["detail"] == detail
        assert r.headers["www-authenticate"] == 'Bearer realm="cryptokg"'
    assert keyed.get("/api/v1/stats").json()["sources"] == 3


@pytest.mark.parametrize("headers", [{"X-API-Key": API_KEY}, {"Authorization": f"Bearer {API_KEY}"}])
def test_right_key_writes(keyed: TestClient, headers: dict[str, str]) -> None:
    r = keyed.post("/api/v1/sources", json=NEW_SOURCE, headers=headers)
    assert r.status_code == 400
    assert r.json()["detail"] == "a write needs a reason for the change log: send X-Change-Reason or ?reason="
    r = keyed.post("/api/v1/sources", json=NEW_SOURCE, headers={**headers, "X-Change-Reason": "new source"})
    assert r.status_code == 201
    assert keyed.get("/api/v1/sources/s9").json()["title"] == "A new source"


def test_reads_stay_public_when_a_key_is_configured(keyed: TestClient) -> None:
    assert keyed.get("/api/v1/entities/acme").status_code == 200
    assert keyed.get("/api/v1/paths", params={"source": "alice", "target": "coin"}).status_code == 200


def test_write_operations_declare_their_security(keyed: TestClient) -> None:
    spec = keyed.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"] == {
        "ApiKey": {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "An API key (`CRYPTOKG_API_KEY`, or one of `CRYPTOKG_API_KEYS`).",
        },
        "Bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key as a bearer token.",
        },
    }
    for path, item in spec["paths"].items():
        for method, op in item.items():
            secured = "security" in op
            # Writes, and proposing, approving and rejecting; the review queue itself is public.
            writes = "writes" in op["tags"] or ("proposals" in op["tags"] and method == "post")
            assert secured == writes, (method, path)
