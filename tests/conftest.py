"""Shared fixtures.

Fixture strategy: query tests run on the hand-drawn ``fixtures/mini`` graph (drawn in its
README, every expected value worked out by hand) and on the bundled ``data/`` set for the
story-level checks. The ``store`` fixture is parametrised over every backend, so the same
contract tests run against the embedded store and the Bolt store on each Bolt server the suite
starts (FalkorDB and Neo4j 5; see ``tests/bolt_fixtures.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.ingest.pipeline import load_dataset
from graph.ingest.validate import Dataset
from graph.store.base import GraphStore
from graph.store.memory import MemoryStore
from tests.bolt_fixtures import any_bolt_server, bolt_server, bolt_store_factory, neo4j_server

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def mini_dataset() -> Dataset:
    """The mini fixture, validated."""
    return load_dataset(MINI)


@pytest.fixture(scope="session")
def bundled_dataset() -> Dataset:
    """The bundled dataset in data/, validated."""
    return load_dataset(DATA)


def _memory(ds: Dataset) -> MemoryStore:
    store = MemoryStore(None)
    store.replace_all(ds)
    return store


# The Bolt servers (FalkorDB and Neo4j 5) are started by the suite itself; never skipped.
__all__ = ["any_bolt_server", "bolt_server", "bolt_store_factory", "neo4j_server"]

STORE_PARAMS = [
    "embedded",
    pytest.param("falkordb", marks=pytest.mark.bolt),
    pytest.param("neo4j", marks=pytest.mark.bolt),
]


@pytest.fixture(scope="session", params=STORE_PARAMS)
def backend(request: pytest.FixtureRequest) -> str:
    """Name of the backend under test."""
    return str(request.param)


def _open(backend: str, ds: Dataset, request: pytest.FixtureRequest, graph: str) -> GraphStore:
    if backend == "embedded":
        return _memory(ds)
    factory = request.getfixturevalue("bolt_store_factory")
    store: GraphStore = factory(graph, ds, backend)
    return store


@pytest.fixture(scope="session")
def store(backend: str, mini_dataset: Dataset, request: pytest.FixtureRequest) -> Iterator[GraphStore]:
    """The mini graph in the backend under test (read-only: do not write to it)."""
    st = _open(backend, mini_dataset, request, "mini")
    yield st
    st.close()


@pytest.fixture(scope="session")
def story(backend: str, bundled_dataset: Dataset, request: pytest.FixtureRequest) -> Iterator[GraphStore]:
    """The bundled dataset in the backend under test (read-only)."""
    st = _open(backend, bundled_dataset, request, "story")
    yield st
    st.close()


# One Playwright session for every browser test: Playwright's sync API cannot run twice at once.
CHROMIUM = Path(os.environ.get("CRYPTOKG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's Chromium; a failure under CI when it is missing, a skip otherwise."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI but missing at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Any]:
    """Headless Chromium, for the whole session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def mini_copy(tmp_path: Path) -> Path:
    """A writable copy of the mini fixture files."""
    import shutil

    dst = tmp_path / "mini"
    shutil.copytree(MINI, dst)
    return dst
