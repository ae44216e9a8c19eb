"""Shared fixtures.

Fixture strategy: query tests run on the hand-drawn ``fixtures/mini`` graph (drawn in its
README, every expected value worked out by hand) and on the bundled ``data/`` set for the
story-level checks. The ``store`` fixture is parametrised over every backend, so the same
contract tests run against the embedded store and the Bolt store.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.ingest.pipeline import load_dataset
from graph.ingest.validate import Dataset
from graph.store.base import GraphStore
from graph.store.memory import MemoryStore

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


STORE_PARAMS = ["embedded"]


@pytest.fixture(scope="session", params=STORE_PARAMS)
def backend(request: pytest.FixtureRequest) -> str:
    """Name of the backend under test."""
    return str(request.param)


def _open(backend: str, ds: Dataset, request: pytest.FixtureRequest, graph: str) -> GraphStore:
    if backend == "embedded":
        return _memory(ds)
    factory = request.getfixturevalue("bolt_store_factory")
    store: GraphStore = factory(graph, ds)
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


@pytest.fixture()
def mini_copy(tmp_path: Path) -> Path:
    """A writable copy of the mini fixture files."""
    import shutil

    dst = tmp_path / "mini"
    shutil.copytree(MINI, dst)
    return dst
