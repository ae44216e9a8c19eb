"""Fixtures of the API tests.

Fixture strategy: every test talks to an app built by ``create_app`` over the hand-drawn
``mini`` graph (``tests/fixtures/mini``, drawn in its README), so expected payloads are worked
out by hand. Read-only tests share one client per module over one in-memory store; tests that
write get a fresh store in a temporary workspace. Settings are built per app, never patched
globally.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.api_support import API_KEY, mini_app, mini_memory_store


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Read-only client over the mini graph (no API key configured), shared by a module."""
    with TestClient(mini_app(tmp_path_factory.mktemp("api"))) as c:
        yield c


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[TestClient]:
    """Client sending the right API key, over a fresh mini graph persisted in a workspace."""
    store = mini_memory_store(tmp_path / "ws")
    with TestClient(mini_app(tmp_path, store=store, api_key=API_KEY)) as c:
        c.headers["X-API-Key"] = API_KEY
        c.headers["X-Change-Reason"] = "test write"
        yield c
