"""The benchmark workload (seeded query sets shared by every runner) and the timing helpers."""

from __future__ import annotations

import csv
import json
import os
import random
import resource
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Stat", "Workload", "make_workload", "measure", "peak_rss_mb"]

#: Filters measured for "shortest path with filters"; the same in every runner.
FILTERS: dict[str, dict[str, Any]] = {
    "types": {"types": ["role_at", "owns", "shareholder_of", "owns_stake_in", "advised", "controls"]},
    "status": {"min_status": "reported"},
    "as_of": {"as_of": "2015-06-30"},
}
MAX_HOPS = 6


@dataclass
class Workload:
    """What every runner asks, so the figures compare like with like."""

    size: str
    pairs: list[tuple[str, str]]
    hubs: list[str]
    typos: list[str]
    exact: list[str]
    entity_ids: list[str]


def _typo(rng: random.Random, name: str) -> str:
    chars = list(name)
    i = rng.randrange(1, max(2, len(chars) - 1))
    op = rng.randrange(3)
    if op == 0 and i + 1 < len(chars):
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    elif op == 1:
        del chars[i]
    else:
        chars[i] = rng.choice("aeioulnrst")
    return "".join(chars)


def _rows(path: Path) -> Iterable[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        yield from reader


def make_workload(data: Path, size: str, *, pairs: int, searches: int, seed: int = 11) -> Workload:
    """Random entity pairs, the ten biggest hubs, and search texts (exact names and typos)."""
    ids: list[str] = []
    names: list[str] = []
    for f in sorted((data / "entities").glob("*.csv")):
        for row in _rows(f):
            ids.append(row[0])
            names.append(row[2])
    deg: Counter[str] = Counter()
    for f in sorted((data / "relationships").glob("*.csv")):
        for row in _rows(f):
            deg[row[1]] += 1
            deg[row[3]] += 1
    rng = random.Random(seed)
    chosen = [(rng.choice(ids), rng.choice(ids)) for _ in range(pairs)]
    hubs = [h for h, _ in sorted(deg.items(), key=lambda kv: (-kv[1], kv[0]))[:10]]
    picks = [names[rng.randrange(len(names))] for _ in range(searches)]
    typos = [_typo(rng, n) for n in picks]
    exact = [names[rng.randrange(len(names))] for _ in range(searches)]
    sample = [ids[rng.randrange(len(ids))] for _ in range(2000)]
    return Workload(size, chosen, hubs, typos, exact, sample)


def save(w: Workload, path: Path) -> None:
    path.write_text(json.dumps(asdict(w)))


def load(path: Path) -> Workload:
    d = json.loads(path.read_text())
    d["pairs"] = [tuple(p) for p in d["pairs"]]
    return Workload(**d)


@dataclass
class Stat:
    """Latencies of one measurement, in milliseconds."""

    p50: float
    p99: float
    n: int
    mean: float = 0.0
    max: float = 0.0
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def measure(
    fn: Callable[[Any], Any],
    items: list[Any],
    *,
    reps: int = 3,
    budget: float = 60.0,
    warm: int = 3,
) -> Stat:
    """Call ``fn`` on every item, ``reps`` times over; stop early after ``budget`` seconds."""
    for it in items[:warm]:
        fn(it)
    times: list[float] = []
    t_end = time.perf_counter() + budget
    for _ in range(reps):
        for it in items:
            t0 = time.perf_counter()
            fn(it)
            times.append(time.perf_counter() - t0)
            if time.perf_counter() > t_end:
                break
        if time.perf_counter() > t_end:
            break
    ms = np.array(times) * 1000.0
    note = (
        "" if len(times) >= reps * len(items) else f"stopped after {len(times)} calls ({budget:.0f} s budget)"
    )
    return Stat(
        p50=float(np.percentile(ms, 50)),
        p99=float(np.percentile(ms, 99)),
        n=len(times),
        mean=float(ms.mean()),
        max=float(ms.max()),
        note=note,
    )


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def loadavg() -> float:
    """One-minute load average (other work on the machine skews timings)."""
    return os.getloadavg()[0]
