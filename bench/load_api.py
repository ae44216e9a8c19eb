"""Bounded load test of the JSON API on the loopback interface.

Ingests a dataset into a temporary workspace, starts ``uvicorn api.main:create_app`` on
127.0.0.1 in a child process, sends a fixed number of requests per endpoint from a few client
threads, stops the server, and writes requests per second and p50/p99 latencies into its own
section of ``bench/RESULTS.md`` (between ``<!-- load_api:begin -->`` and ``<!-- load_api:end -->``).

``python -m bench.load_api`` (bundled ``data/``) or ``python -m bench.load_api --data bench/data/S``.
Nothing listens beyond 127.0.0.1 and nothing runs unbounded: the request count is fixed and
every request has a timeout.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = "<!-- load_api:begin -->", "<!-- load_api:end -->"
HOST = "127.0.0.1"


@dataclass
class Result:
    """Latencies of one endpoint."""

    name: str
    example: str
    latencies: list[float]
    errors: int
    wall: float

    def row(self) -> str:
        lat = sorted(self.latencies)
        p50 = statistics.median(lat) * 1000
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
        rps = len(lat) / self.wall
        return f"| {self.name} | `{self.example}` | {len(lat)} | {self.errors} | {rps:,.0f} | {p50:.1f} | {p99:.1f} |"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def ingest(data: Path, workspace: Path) -> tuple[int, int]:
    from graph.ingest.pipeline import load_dataset
    from graph.store.memory import MemoryStore

    ds = load_dataset(data)
    MemoryStore(workspace).replace_all(ds)
    return len(ds.entities), len(ds.relationships)


def start_server(
    workspace: Path, port: int, workers: int, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CRYPTOKG_WORKSPACE": str(workspace),
        "CRYPTOKG_STORE": "embedded",
        **(extra_env or {}),
    }
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "api.main:create_app",
        "--factory",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(cmd, cwd=ROOT, env=env)


def wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            msg = f"the server exited with code {proc.returncode}"
            raise RuntimeError(msg)
        try:
            if httpx.get(f"{base}/health", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    msg = "the server did not become ready"
    raise RuntimeError(msg)


def run(client: httpx.Client, name: str, urls: Callable[[int], str], count: int, threads: int) -> Result:
    def one(i: int) -> tuple[float, bool]:
        t = time.perf_counter()
        try:
            ok = client.get(urls(i)).status_code == 200
        except httpx.HTTPError:
            ok = False
        return time.perf_counter() - t, ok

    for i in range(min(20, count)):  # warm-up, not counted
        one(i)
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        outcomes = list(pool.map(one, range(count)))
    wall = time.perf_counter() - started
    return Result(name, urls(0), [t for t, _ in outcomes], sum(not ok for _, ok in outcomes), wall)


def sample_ids(client: httpx.Client, n: int) -> tuple[list[str], list[str]]:
    """Ids and names of up to ``n`` of the best-connected entities (the ranking endpoint)."""
    items = client.get("/api/v1/analytics/rankings", params={"top": n}).json()["items"]
    return [i["entity"]["id"] for i in items], [i["entity"]["name"] for i in items]


def write_results(text: str, begin: str = BEGIN, end: str = END) -> None:
    """Put ``text`` between the ``begin`` and ``end`` markers of RESULTS.md (appended if absent)."""
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if begin in old and end in old:
        head, rest = old.split(begin, 1)
        tail = rest.split(end, 1)[1]
        new = head + text + tail
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    RESULTS.write_text(new, encoding="utf-8")


def measure(data: Path, args: argparse.Namespace) -> list[str]:
    """Ingest ``data``, serve it, load it; the Markdown lines of its table."""
    with tempfile.TemporaryDirectory(prefix="cryptokg-load-") as tmp:
        ws = Path(tmp) / "ws"
        t = time.perf_counter()
        n_ent, n_rel = ingest(data, ws)
        ingest_s = time.perf_counter() - t
        port = free_port()
        base = f"http://{HOST}:{port}"
        proc = start_server(ws, port, args.workers)
        try:
            wait_ready(base, proc)
            limits = httpx.Limits(max_connections=args.threads, max_keepalive_connections=args.threads)
            with httpx.Client(base_url=base, timeout=30.0, limits=limits) as client:
                results = [
                    run(client, name, url, args.requests, args.threads) for name, url in endpoints(client)
                ]
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    name = _shown(data)
    return [
        f"### `{name}`: {n_ent:,} entities, {n_rel:,} relationships (ingested in {ingest_s:.1f} s)",
        "",
        "| endpoint | example | requests | errors | req/s | p50 ms | p99 ms |",
        "|---|---|---|---|---|---|---|",
        *(r.row() for r in results),
        "",
    ]


def _shown(path: Path) -> str:
    """A dataset path as shown in the report: relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def endpoints(client: httpx.Client) -> list[tuple[str, Callable[[int], str]]]:
    """The measured endpoints; ids rotate over the 50 best-connected entities."""
    ids, names = sample_ids(client, 50)
    pairs = [(a, b) for a in ids[:10] for b in ids[10:20] if a != b] or [(ids[0], ids[-1])]
    story = ("changpeng-zhao", "donald-trump")  # the example, when the data has it
    if all(client.get(f"/api/v1/relationships?entity={e}&limit=1").json()["total"] for e in story):
        pairs.insert(0, story)
    words = [n.split()[0] for n in names]
    return [
        ("search", lambda i: f"/api/v1/search?q={words[i % len(words)]}"),
        ("entity profile", lambda i: f"/api/v1/entities/{ids[i % len(ids)]}"),
        ("neighbourhood depth 1", lambda i: f"/api/v1/entities/{ids[i % len(ids)]}/neighbours?depth=1"),
        ("neighbourhood depth 2", lambda i: f"/api/v1/entities/{ids[i % len(ids)]}/neighbours?depth=2"),
        ("shortest path", lambda i: "/api/v1/paths?source={}&target={}".format(*pairs[i % len(pairs)])),
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--data", type=Path, action="append", help="dataset to ingest; repeat for several (default: data/)"
    )
    ap.add_argument("--requests", type=int, default=400, help="requests per endpoint (fixed)")
    ap.add_argument("--threads", type=int, default=8, help="client threads")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--no-write", action="store_true", help="print the tables instead of updating RESULTS.md")
    args = ap.parse_args(argv)
    if not 1 <= args.requests <= 100_000 or not 1 <= args.threads <= 64:
        ap.error("--requests must be 1..100000 and --threads 1..64")
    datasets: list[Path] = args.data or [ROOT / "data"]

    lines = [
        BEGIN,
        "## API load test (`bench/load_api.py`)",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}. Server: uvicorn, {args.workers} "
        f"worker(s), embedded store, on {HOST}, default settings. Client: {args.threads} threads over "
        f"keep-alive connections on the same machine, {args.requests} requests per endpoint after 20 "
        "warm-up requests; ids rotate over the 50 best-connected entities (the hardest cases), paths "
        "join pairs of them. Latency is measured at the client; errors count non-200 answers.",
        "",
    ]
    for data in datasets:
        lines.extend(measure(data, args))
    flags = " ".join(f"--data {_shown(d)}" for d in datasets)
    lines += [
        f"Reproduce: `python -m bench.load_api {flags} --requests {args.requests} --threads {args.threads} "
        f"--workers {args.workers}`.",
        END,
    ]
    text = "\n".join(lines)
    if args.no_write:
        print(text)  # noqa: T201 - a command-line report
    else:
        write_results(text)
        print(f"wrote {RESULTS}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
