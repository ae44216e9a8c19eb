"""Small helpers for doctests and notebooks: the hand-drawn ``mini`` graph in memory."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from graph.store.memory import MemoryStore

__all__ = ["MINI_DIR", "mini_store"]

MINI_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "mini"


@lru_cache(maxsize=1)
def mini_store() -> MemoryStore:
    """An in-memory store holding ``tests/fixtures/mini`` (drawn in its README)."""
    from graph.ingest.pipeline import load_dataset

    store = MemoryStore(None)
    store.replace_all(load_dataset(MINI_DIR))
    return store
