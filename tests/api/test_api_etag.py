"""ETags on read responses and 304 on ``If-None-Match`` (``api/middleware.py``)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.middleware import etag_matches

URL = "/api/v1/search?q=acme"


def test_reads_carry_a_weak_etag(client: TestClient) -> None:
    r = client.get(URL)
    tag = r.headers["etag"]
    assert tag.startswith('W/"') and tag.endswith('"')
    assert r.headers["cache-control"] == "no-cache"
    assert client.get(URL).headers["etag"] == tag
    assert client.get("/api/v1/search?q=bob").headers["etag"] != tag


def test_if_none_match_gives_304_without_a_body(client: TestClient) -> None:
    tag = client.get(URL).headers["etag"]
    for value in (tag, tag.removeprefix("W/"), f'"other", {tag}', "*"):
        r = client.get(URL, headers={"If-None-Match": value})
        assert r.status_code == 304, value
        assert r.content == b""
        assert r.headers["etag"] == tag
    assert client.get(URL, headers={"If-None-Match": '"other"'}).status_code == 200


def test_errors_and_health_have_no_etag(client: TestClient) -> None:
    assert "etag" not in client.get("/api/v1/entities/nobody").headers
    assert "etag" not in client.get("/health").headers


def test_a_write_changes_every_tag(writer: TestClient) -> None:
    tag = writer.get(URL).headers["etag"]
    paths_tag = writer.get("/api/v1/paths?source=alice&target=coin").headers["etag"]
    r = writer.patch("/api/v1/entities/acme", json={"name": "Acme Exchange Ltd"})
    assert r.status_code == 200
    assert "etag" not in r.headers
    fresh = writer.get(URL, headers={"If-None-Match": tag})
    assert fresh.status_code == 200
    assert fresh.headers["etag"] != tag
    assert fresh.json()["results"][0]["name"] == "Acme Exchange Ltd"
    assert (
        writer.get("/api/v1/paths?source=alice&target=coin", headers={"If-None-Match": paths_tag}).status_code
        == 200
    )


def test_etag_comparison_is_weak() -> None:
    assert etag_matches('W/"abc"', 'W/"abc"')
    assert etag_matches('"abc"', 'W/"abc"')
    assert etag_matches('"x", W/"abc"', 'W/"abc"')
    assert not etag_matches('W/"abcd"', 'W/"abc"')
