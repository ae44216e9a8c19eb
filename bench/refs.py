"""The references cryptokg is measured against, on the same generated CSV files.

* ``networkx``: what a user would write with networkx directly. "Obvious" calls read the CSV
  into a ``MultiDiGraph`` with every column as an attribute and query undirected views of it;
  "tuned" calls query a simple undirected copy (``nx.Graph(G)``) and stop walks early.
* ``csr``: the practical limit: CSR arrays walked by compiled code (``csr_ref.c``, built with
  the system C compiler at run time; numpy-free inner loops, one call per query).
"""

from __future__ import annotations

import csv
import ctypes
import heapq
import subprocess
import tempfile
import time
from collections.abc import Iterable
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from bench.workload import FILTERS, MAX_HOPS, Stat, Workload, measure, peak_rss_mb
from graph.dates import date_bounds
from graph.filters import make_filter
from graph.vocabulary import REL_TYPES, STATUS_RANK, Status

__all__ = ["run_csr", "run_networkx"]

HERE = Path(__file__).resolve().parent


def _csv(path: Path) -> Iterable[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def _files(data: Path, what: str) -> list[Path]:
    return sorted((data / what).glob("*.csv"))


# -- networkx --------------------------------------------------------------------------------
def nx_build(data: Path) -> Any:
    """The obvious build: a MultiDiGraph, every non-empty column an attribute."""
    import networkx as nx

    g = nx.MultiDiGraph()
    for f in _files(data, "entities"):
        for row in _csv(f):
            g.add_node(row["id"], **{k: v for k, v in row.items() if v})
    for f in _files(data, "relationships"):
        for row in _csv(f):
            g.add_edge(row["source"], row["target"], key=row["id"], **{k: v for k, v in row.items() if v})
    return g


def run_networkx(data: Path, w: Workload, *, reps: int, budget: float) -> dict[str, Any]:
    """Build, then every query of the workload with networkx calls."""
    import networkx as nx

    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    g = nx_build(data)
    out["build_s"] = time.perf_counter() - t0
    out["build_peak_mb"] = peak_rss_mb()
    view = g.to_undirected(as_view=True)
    t0 = time.perf_counter()
    simple = nx.Graph(g)
    out["simple_copy_s"] = time.perf_counter() - t0
    out["peak_mb"] = peak_rss_mb()

    def hops(p: list[str] | None) -> int:
        return -1 if p is None or len(p) - 1 > MAX_HOPS else len(p) - 1

    lengths: dict[str, dict[str, int]] = {}

    def sp(graph: Any, key: str) -> Any:
        def call(pair: tuple[str, str]) -> None:
            try:
                p = nx.shortest_path(graph, pair[0], pair[1])
            except nx.NetworkXNoPath:
                p = None
            lengths.setdefault(key, {})[f"{pair[0]}|{pair[1]}"] = hops(p)

        return call

    def tuned(pair: tuple[str, str]) -> None:
        try:
            nx.bidirectional_shortest_path(simple, pair[0], pair[1])
        except nx.NetworkXNoPath:
            pass

    res: dict[str, Stat] = {}
    res["shortest.obvious"] = measure(sp(view, "shortest"), w.pairs, reps=1, budget=budget)
    res["shortest.tuned"] = measure(tuned, w.pairs, reps=reps, budget=budget)
    for name, spec in FILTERS.items():
        flt = make_filter(**spec)
        sub = nx.subgraph_view(g, filter_edge=lambda u, v, k, _f=flt: _f.accepts(g[u][v][k]))
        res[f"shortest.{name}.obvious"] = measure(
            sp(sub.to_undirected(as_view=True), f"shortest.{name}"), w.pairs, reps=1, budget=budget
        )

    def all_paths(pair: tuple[str, str]) -> None:
        try:
            list(islice(nx.all_shortest_paths(view, pair[0], pair[1]), 100))
        except nx.NetworkXNoPath:
            pass

    res["all.obvious"] = measure(all_paths, w.pairs[:100], reps=1, budget=budget, warm=0)

    def k_paths(pair: tuple[str, str]) -> None:
        try:
            for p in islice(nx.shortest_simple_paths(simple, pair[0], pair[1]), 5):
                if len(p) - 1 > MAX_HOPS:
                    break
        except nx.NetworkXNoPath:
            pass

    res["k.obvious"] = measure(k_paths, w.pairs[:50], reps=1, budget=budget, warm=0)

    deg = dict(simple.degree())
    multi_deg = dict(g.degree())

    def expand_then_cut(hub: str) -> None:
        dist = nx.single_source_shortest_path_length(simple, hub, cutoff=2)
        order = sorted(dist, key=lambda n: (dist[n], -multi_deg[n], n))
        order[:500]

    def stop_while_walking(hub: str) -> None:
        dist = {hub: 0}
        frontier = [hub]
        for d in (1, 2):
            found = {v for u in frontier for v in simple.adj[u] if v not in dist}
            room = 500 - len(dist)
            if len(found) > room:
                found = set(heapq.nsmallest(room, found, key=lambda n: (-multi_deg[n], n)))
                for n in found:
                    dist[n] = d
                return
            for n in found:
                dist[n] = d
            frontier = sorted(found)

    res["nbhd.obvious"] = measure(expand_then_cut, w.hubs, reps=1, budget=budget)
    res["nbhd.tuned"] = measure(stop_while_walking, w.hubs, reps=reps, budget=budget)
    del deg
    out["stats"] = {k: v.__dict__ for k, v in res.items()}
    out["lengths"] = lengths
    out["peak_mb"] = peak_rss_mb()
    return out


# -- CSR, compiled ---------------------------------------------------------------------------
def compile_helper() -> ctypes.CDLL | None:
    """Build ``csr_ref.c`` into a temporary shared library; None without a C compiler."""
    tmp = Path(tempfile.mkdtemp(prefix="cryptokg-bench-"))
    lib = tmp / "csr_ref.so"
    try:
        subprocess.run(
            ["cc", "-O2", "-shared", "-fPIC", "-o", str(lib), str(HERE / "csr_ref.c")],
            check=True,
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return ctypes.CDLL(str(lib))


class CsrRef:
    """CSR arrays of the generated graph, read straight from the CSV files."""

    def __init__(self, data: Path) -> None:
        ids: list[str] = []
        for f in _files(data, "entities"):
            with open(f, newline="", encoding="utf-8") as fh:
                r = csv.reader(fh)
                next(r)
                ids.extend(row[0] for row in r)
        ids.sort()
        self.ids = ids
        self.index = index = {x: i for i, x in enumerate(ids)}
        n = len(ids)
        types = {t: i for i, t in enumerate(sorted(REL_TYPES))}
        statuses = {s.value: r for s, r in STATUS_RANK.items()}
        lo_cache: dict[str, int] = {"": 0}
        hi_cache: dict[str, int] = {"": 99_999_999}
        src: list[int] = []
        dst: list[int] = []
        ety: list[int] = []
        est: list[int] = []
        slo: list[int] = []
        ehi: list[int] = []
        for f in _files(data, "relationships"):
            with open(f, newline="", encoding="utf-8") as fh:
                r = csv.reader(fh)
                head = next(r)
                c = {k: i for i, k in enumerate(head)}
                i_s, i_t, i_ty, i_st, i_a, i_b = (
                    c[k] for k in ("source", "target", "type", "status", "start", "end")
                )
                for row in r:
                    src.append(index[row[i_s]])
                    dst.append(index[row[i_t]])
                    ety.append(types[row[i_ty]])
                    est.append(statuses[row[i_st]])
                    a, b = row[i_a], row[i_b]
                    if a not in lo_cache:
                        lo_cache[a] = int(date_bounds(a)[0].replace("-", ""))
                    if b not in hi_cache:
                        hi_cache[b] = int(date_bounds(b)[1].replace("-", ""))
                    slo.append(lo_cache[a])
                    ehi.append(hi_cache[b])
        s = np.array(src, dtype=np.int32)
        t = np.array(dst, dtype=np.int32)
        m = len(s)
        rows = np.concatenate([s, t])
        nbrs = np.concatenate([t, s])
        order = np.argsort(rows.astype(np.int64) * n + nbrs, kind="stable")
        self.indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=self.indptr[1:])
        self.nbr = np.ascontiguousarray(nbrs[order], dtype=np.int32)
        self.eid = np.ascontiguousarray(np.tile(np.arange(m, dtype=np.int32), 2)[order])
        self.etype = np.array(ety, dtype=np.uint8)
        self.status = np.array(est, dtype=np.uint8)
        self.start_lo = np.array(slo, dtype=np.int32)
        self.end_hi = np.array(ehi, dtype=np.int32)
        degree = np.diff(self.indptr)
        self.prio = np.empty(n, dtype=np.int32)
        self.prio[np.lexsort((np.arange(n), -degree))] = np.arange(n, dtype=np.int32)
        self.n = n
        self.work = [np.zeros(n, dtype=np.int32) for _ in range(6)]
        self.out = np.zeros(64, dtype=np.int32)
        self.cand = np.zeros(n, dtype=np.int32)
        self.nodes = np.zeros(n, dtype=np.int32)
        self.stamp = 0


def _ptr(a: np.ndarray[Any, Any]) -> ctypes.c_void_p:
    return ctypes.c_void_p(a.ctypes.data)


def run_csr(data: Path, w: Workload, *, reps: int, budget: float) -> dict[str, Any]:
    """Build the CSR arrays, then the shortest paths and capped neighbourhoods, compiled."""
    out: dict[str, Any] = {}
    lib = compile_helper()
    if lib is None:
        return {"error": "no C compiler (cc) to build the compiled reference"}
    t0 = time.perf_counter()
    g = CsrRef(data)
    out["build_s"] = time.perf_counter() - t0
    out["build_peak_mb"] = peak_rss_mb()
    lib.bfs2.restype = ctypes.c_int
    lib.capped.restype = ctypes.c_int64
    base = [
        _ptr(g.indptr),
        _ptr(g.nbr),
        _ptr(g.eid),
        _ptr(g.etype),
        _ptr(g.status),
        _ptr(g.start_lo),
        _ptr(g.end_hi),
    ]
    work = [_ptr(a) for a in g.work]
    lengths: dict[str, dict[str, int]] = {}

    def bfs(spec: dict[str, Any] | None, key: str) -> Any:
        flt = make_filter(**(spec or {}))
        allowed = flt.allowed_types()
        lut = np.array([t in allowed for t in sorted(REL_TYPES)], dtype=np.uint8)
        type_ok = _ptr(lut) if flt.types is not None else ctypes.c_void_p(None)
        min_status = STATUS_RANK[Status(flt.min_status)] if flt.min_status else -1
        day = int(flt.as_of.replace("-", "")) if flt.as_of else 0

        def call(pair: tuple[str, str]) -> None:
            g.stamp += 1
            hops = lib.bfs2(
                *base,
                type_ok,
                min_status,
                day,
                1,
                g.index[pair[0]],
                g.index[pair[1]],
                MAX_HOPS,
                *work,
                g.stamp,
                _ptr(g.out),
            )
            lengths.setdefault(key, {})[f"{pair[0]}|{pair[1]}"] = int(hops)

        return call

    res: dict[str, Stat] = {"shortest": measure(bfs(None, "shortest"), w.pairs, reps=reps, budget=budget)}
    for name, spec in FILTERS.items():
        res[f"shortest.{name}"] = measure(bfs(spec, f"shortest.{name}"), w.pairs, reps=reps, budget=budget)
    cut = ctypes.c_int64(0)

    def capped(hub: str) -> None:
        g.stamp += 1
        lib.capped(
            _ptr(g.indptr),
            _ptr(g.nbr),
            _ptr(g.prio),
            g.index[hub],
            2,
            ctypes.c_int64(500),
            _ptr(g.work[0]),
            _ptr(g.cand),
            g.stamp,
            _ptr(g.nodes),
            ctypes.byref(cut),
        )

    res["nbhd"] = measure(capped, w.hubs, reps=reps * 10, budget=budget)
    out["stats"] = {k: v.__dict__ for k, v in res.items()}
    out["lengths"] = {
        k: {p: x if 0 <= x <= MAX_HOPS else -1 for p, x in v.items()} for k, v in lengths.items()
    }
    out["peak_mb"] = peak_rss_mb()
    return out
