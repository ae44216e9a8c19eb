"""cryptokg: a knowledge graph of crypto entities and politics, every fact sourced.

The public surface: ``open_store``, ``load_dataset``, ``build_store`` and the query functions.
"""

from __future__ import annotations

from pathlib import Path

from graph.ingest.pipeline import load_dataset
from graph.settings import Settings, get_settings
from graph.store import GraphStore, open_store

__all__ = ["GraphStore", "Settings", "build_store", "get_settings", "load_dataset", "open_store"]


def build_store(paths: list[Path] | Path, settings: Settings | None = None) -> GraphStore:
    """Load and validate ``paths``, then replace the store's graph with them."""
    ds = load_dataset(paths)
    store = open_store(settings)
    store.replace_all(ds)
    return store
