"""Helpers of the importer tests: a dataset's records in a compact, comparable form."""

from __future__ import annotations

from typing import Any

import orjson

from graph.model import dump
from graph.store.base import GraphStore


def ents(store: GraphStore, dataset: str | None) -> dict[str, dict[str, Any]]:
    """The entities of one dataset (``None``: the bundled data), as compact dicts by id."""
    return {e.id: dump(e) for e in store.iter_entities() if e.dataset == dataset}


def rels(store: GraphStore, dataset: str | None) -> dict[str, dict[str, Any]]:
    """The relationships of one dataset, as compact dicts by id."""
    return {r.id: dump(r) for r in store.iter_relationships() if r.dataset == dataset}


def srcs(store: GraphStore, dataset: str | None) -> dict[str, dict[str, Any]]:
    """The sources of one dataset, as compact dicts by id."""
    return {s.id: dump(s) for s in store.iter_sources() if s.dataset == dataset}


def edges(store: GraphStore, dataset: str) -> set[tuple[Any, ...]]:
    """(source, type, target, role, start, end, amount, currency, status) of a dataset's relationships."""
    return {
        (r.source, r.type, r.target, r.role, r.start, r.end, r.amount, r.currency, str(r.status))
        for r in store.iter_relationships()
        if r.dataset == dataset
    }


def snapshot(store: GraphStore, dataset: str | None) -> bytes:
    """Every record of a dataset as bytes (to compare datasets byte for byte)."""
    return orjson.dumps(
        [ents(store, dataset), rels(store, dataset), srcs(store, dataset)], option=orjson.OPT_SORT_KEYS
    )
