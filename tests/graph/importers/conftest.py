"""Fixtures of the importer tests: a store holding the bundled data, on every backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.ingest.validate import Dataset
from graph.store.base import GraphStore
from graph.store.memory import MemoryStore
from tests.conftest import STORE_PARAMS

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "import"


@pytest.fixture(params=STORE_PARAMS)
def target(request: pytest.FixtureRequest, bundled_dataset: Dataset, tmp_path: Path) -> Iterator[GraphStore]:
    """A writable store holding the bundled data: an embedded workspace, or the Bolt store."""
    if request.param == "embedded":
        st: GraphStore = MemoryStore(tmp_path / "ws")
        st.replace_all(bundled_dataset)
    else:
        factory: Callable[[str, Any], GraphStore] = request.getfixturevalue("bolt_store_factory")
        st = factory("imports", bundled_dataset)
    yield st
