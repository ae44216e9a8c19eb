"""Bounded mixed read/write load, worst queries included, with a check that no write was lost.

Ingests a dataset into a temporary workspace, starts uvicorn on 127.0.0.1 with an API key, and
for a fixed time (default 60 s, and never more than ``--max-requests`` requests) keeps
``--clients`` connections busy with a mix of ordinary reads (search, profile, neighbourhoods,
paths) and the worst queries (betweenness ranking, communities, the whole-graph timeline, depth-3
neighbourhoods of the biggest hub), while one writer adds an entity every ``--write-every``
seconds (a write changes the graph version, so every derived index is rebuilt after it). Latency is measured at the
client. After the run the server is stopped and every acknowledged write is looked up in the
workspace on disk. Results go to their own section of ``bench/RESULTS.md``.

``python -m bench.load_mixed`` (bundled ``data/``), or ``--data bench/data/S``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.load_api import (
    HOST,
    RESULTS,
    ROOT,
    _shown,
    free_port,
    ingest,
    sample_ids,
    start_server,
    wait_ready,
    write_results,
)

BEGIN, END = "<!-- load_mixed:begin -->", "<!-- load_mixed:end -->"
KEY = "bench-" + "k" * 32
#: Status codes that are answers, not errors: 422 is a deliberate refusal (a betweenness too big
#: for the budget), 429 the queue's back-pressure.
DELIBERATE = {422, 429}


@dataclass
class Tally:
    """What one request class got."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    def add(self, seconds: float, status: int) -> None:
        self.latencies.append(seconds)
        self.statuses[status] += 1


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * q))] * 1000 if s else 0.0


def mix(
    ids: list[str], words: list[str]
) -> list[tuple[str, int, Callable[[random.Random, int], tuple[str, str]]]]:
    """(class, weight, request maker): a maker returns (method, url)."""
    hub = ids[0]

    def pick(r: random.Random) -> str:
        return ids[r.randrange(len(ids))]

    return [
        ("search", 20, lambda r, i: ("GET", f"/api/v1/search?q={words[r.randrange(len(words))]}")),
        ("profile", 20, lambda r, i: ("GET", f"/api/v1/entities/{pick(r)}")),
        ("neighbourhood d2", 15, lambda r, i: ("GET", f"/api/v1/entities/{pick(r)}/neighbours?depth=2")),
        ("shortest path", 15, lambda r, i: ("GET", f"/api/v1/paths?source={pick(r)}&target={pick(r)}")),
        ("hub neighbourhood d3", 3, lambda r, i: ("GET", f"/api/v1/entities/{hub}/neighbours?depth=3")),
        ("betweenness", 2, lambda r, i: ("GET", "/api/v1/analytics/rankings?metric=betweenness&top=10")),
        ("communities", 2, lambda r, i: ("GET", "/api/v1/analytics/communities")),
        ("whole timeline", 3, lambda r, i: ("GET", "/api/v1/timeline?limit=5000")),
    ]


def drive(
    base: str, args: argparse.Namespace, ids: list[str], words: list[str]
) -> tuple[dict[str, Tally], list[str], float]:
    classes = mix(ids, words)
    weights = [w for _, w, _ in classes]
    tallies: dict[str, Tally] = defaultdict(Tally)
    acked: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + args.seconds
    budget = threading.Semaphore(args.max_requests)

    def record(name: str, seconds: float, status: int) -> None:
        with lock:
            tallies[name].add(seconds, status)

    def client(n: int) -> None:
        rng = random.Random(args.seed * 1000 + n)
        with httpx.Client(base_url=base, timeout=args.timeout * 3 + 10) as c:
            while time.monotonic() < stop_at and budget.acquire(blocking=False):
                name, _, make = rng.choices(classes, weights)[0]
                _, url = make(rng, 0)
                started = time.perf_counter()
                try:
                    status = c.get(url).status_code
                except httpx.HTTPError:
                    status = 0
                record(name, time.perf_counter() - started, status)

    def writer() -> None:
        """One new entity every ``--write-every`` seconds, as an editor's API client would."""
        with httpx.Client(base_url=base, timeout=args.timeout * 3 + 10) as c:
            i = 0
            next_at = time.monotonic()
            while time.monotonic() < stop_at:
                eid = f"load-{i}"
                started = time.perf_counter()
                try:
                    r = c.post(
                        "/api/v1/entities",
                        json={
                            "id": eid,
                            "kind": "person",
                            "name": f"Load Writer {i}",
                            "sources": [args.source],
                        },
                        headers={"X-API-Key": KEY, "X-Change-Reason": "bench load test"},
                    )
                    status = r.status_code
                except httpx.HTTPError:
                    status = 0
                if status == 201:
                    with lock:
                        acked.append(eid)
                record("write", time.perf_counter() - started, status)
                i += 1
                next_at += args.write_every
                time.sleep(max(0.0, next_at - time.monotonic()))

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    if args.write_every > 0:
        threads.append(threading.Thread(target=writer))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tallies, acked, time.perf_counter() - started


def measure(data: Path, args: argparse.Namespace) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="cryptokg-mixed-") as tmp:
        ws = Path(tmp) / "ws"
        n_ent, n_rel = ingest(data, ws)
        from graph.store.memory import MemoryStore

        args.source = sorted(s.id for s in MemoryStore(ws).iter_sources())[0]
        port = free_port()
        base = f"http://{HOST}:{port}"
        proc = start_server(
            ws, port, 1, {"CRYPTOKG_API_KEY": KEY, "CRYPTOKG_QUERY_TIMEOUT": str(args.timeout)}
        )
        try:
            wait_ready(base, proc)
            with httpx.Client(base_url=base, timeout=60.0) as c:
                ids, names = sample_ids(c, 50)
            words = [n.split()[0] for n in names]
            tallies, acked, wall = drive(base, args, ids, words)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        stored = {e.id for e in MemoryStore(ws).iter_entities()}
    lost = [e for e in acked if e not in stored]
    every = [t for tally in tallies.values() for t in tally.latencies]
    total = Counter[int]()
    for tally in tallies.values():
        total.update(tally.statuses)
    errors = sum(n for s, n in total.items() if s not in (200, 201) and s not in DELIBERATE)
    lines = [
        f"### `{_shown(data)}`: {n_ent:,} entities, {n_rel:,} relationships",
        "",
        f"{sum(total.values()):,} requests in {wall:.1f} s ({sum(total.values()) / wall:,.0f} req/s) from "
        f"{args.clients} clients; budget {args.timeout:g} s. Errors (not 200/201, not a deliberate "
        f"422/429): **{errors}**. 429s: {total[429]}. Acknowledged writes: {len(acked):,}; "
        f"missing from the workspace afterwards: **{len(lost)}**. Overall p50 {_pct(every, 0.5):.1f} ms, "
        f"p99 {_pct(every, 0.99):.1f} ms, max {max(every, default=0) * 1000:.0f} ms "
        f"(budget {args.timeout * 1000:.0f} ms).",
        "",
        "| class | requests | statuses | p50 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|",
    ]
    for name in [c for c, _, _ in mix(["x"], ["x"])] + ["write"]:
        t = tallies.get(name)
        if t is None:
            continue
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(t.statuses.items()))
        lines.append(
            f"| {name} | {len(t.latencies):,} | {statuses} | {statistics.median(t.latencies) * 1000:.1f} | "
            f"{_pct(t.latencies, 0.99):.1f} | {max(t.latencies) * 1000:.0f} |"
        )
    lines.append("")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, action="append", help="dataset to ingest (default: data/)")
    ap.add_argument("--seconds", type=float, default=60.0, help="how long the load lasts")
    ap.add_argument("--max-requests", type=int, default=200_000, help="never more requests than this")
    ap.add_argument("--clients", type=int, default=32, help="concurrent client connections")
    ap.add_argument("--timeout", type=float, default=10.0, help="the server's time budget (seconds)")
    ap.add_argument("--write-every", type=float, default=2.0, help="seconds between two writes (0: none)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-write", action="store_true", help="print instead of updating RESULTS.md")
    args = ap.parse_args(argv)
    if not 1 <= args.seconds <= 600 or not 1 <= args.clients <= 512:
        ap.error("--seconds must be 1..600 and --clients 1..512")
    datasets: list[Path] = args.data or [ROOT / "data"]
    lines = [
        BEGIN,
        "## Mixed read/write load with the worst queries (`bench/load_mixed.py`)",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}: uvicorn, 1 worker, embedded store, "
        f"on {HOST}; {args.clients} closed-loop reading clients for {args.seconds:g} s (as fast as the server "
        "answers), and one writer adding an entity every "
        f"{args.write_every:g} s. Reads by weight: search 20, profile 20, depth-2 neighbourhood 15, shortest "
        "path 15, and the worst queries: depth-3 neighbourhood of the biggest hub 3, whole-graph timeline 3, "
        "betweenness 2, communities 2. Latency at the client, queueing included.",
        "",
    ]
    for data in datasets:
        lines.extend(measure(data, args))
    lines += [
        f"Reproduce: `python -m bench.load_mixed {' '.join(f'--data {_shown(d)}' for d in datasets)} "
        f"--seconds {args.seconds:g} --clients {args.clients} --write-every {args.write_every:g}`.",
        END,
    ]
    text = "\n".join(lines)
    if args.no_write:
        print(text)  # noqa: T201
    else:
        write_results(text, BEGIN, END)
        print(f"wrote {RESULTS}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
