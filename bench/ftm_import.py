"""Benchmark of the FollowTheMoney importer: a seeded synthetic FtM stream into a workspace.

``python -m bench.ftm_import --entities 1000000`` does, each step in a process of its own:

1. ``generate``: write a seeded stream of N FtM entities in the OpenSanctions export form
   (``bench/data/ftm-<N>.ftm.json``; half node schemata — Person, Company, Organization,
   LegalEntity, PublicBody, CryptoWallet, Address — and half link schemata — Ownership,
   Directorship, Employment, Family, Associate, Payment, UnknownLink — each link joining two
   nodes of the stream);
2. ``floor``: read the stream with ``followthemoney``'s own proxies and nothing else
   (``model.get_proxy`` per line): the fastest any FtM reader can go in Python;
3. ``import``: ``cryptokg import ftm`` into an empty embedded workspace (read, validate, build,
   persist), timed, with the process's peak RSS;
4. ``graph``: reopen that workspace in a fresh process; the RSS it adds over an interpreter
   that imported the same modules is the memory of the resulting graph.

Results go to ``bench/out/ftm-<N>/*.json`` and to the ``ftm_import`` section of
``bench/RESULTS.md``. Targets (issue #14): import ≤ 180 s; peak import RSS ≤ 1.5 × the memory
of the resulting graph.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = "<!-- ftm_import:begin -->", "<!-- ftm_import:end -->"
NODE_SCHEMATA = ("Person", "Company", "Organization", "LegalEntity", "PublicBody", "CryptoWallet", "Address")
LINK_SCHEMATA = ("Ownership", "Directorship", "Employment", "Family", "Associate", "Payment", "UnknownLink")
FIRST = ("Anna", "Boris", "Chen", "Dana", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jamal", "Kenji", "Lena")
LAST = ("Abara", "Berg", "Costa", "Dubois", "Eriksen", "Fonseca", "Garcia", "Haddad", "Ivanova", "Jung")
WORDS = (
    "Global",
    "Capital",
    "Trust",
    "Digital",
    "Asset",
    "Holdings",
    "Ventures",
    "Ledger",
    "Chain",
    "Pacific",
)
COUNTRIES = ("us", "gb", "ky", "vg", "pa", "sg", "ae", "ch", "cy", "mt", "bs", "hk")


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 1e6


def _node(rng: random.Random, i: int) -> dict[str, Any]:
    schema = NODE_SCHEMATA[i % len(NODE_SCHEMATA)]
    props: dict[str, list[str]] = {}
    if schema == "Person":
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"
        props = {"name": [name], "birthDate": [f"{rng.randint(1940, 2000)}-{rng.randint(1, 12):02d}"]}
        props["nationality"] = [rng.choice(COUNTRIES)]
        if i % 3 == 0:
            props["alias"] = [f"{name[0]}. {name.split()[1]} {i}"]
    elif schema == "CryptoWallet":
        name = f"bc1q{i:012d}{rng.getrandbits(32):08x}"
        props = {"publicKey": [name], "currency": ["BTC"]}
    elif schema == "Address":
        name = f"{rng.randint(1, 999)} {rng.choice(WORDS)} Road {i}, {rng.choice(COUNTRIES).upper()}"
        props = {"full": [name], "country": [rng.choice(COUNTRIES)]}
    else:
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i} Ltd"
        props = {"name": [name], "jurisdiction": [rng.choice(COUNTRIES)]}
        props["registrationNumber"] = [f"RN-{i:08d}"]
        if i % 4 == 0:
            props["incorporationDate"] = [
                f"{rng.randint(1990, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            ]
    return {
        "id": f"n{i:08d}",
        "caption": name,
        "schema": schema,
        "properties": props,
        "datasets": ["bench_synthetic"],
        "referents": [],
        "first_seen": "2024-01-01T00:00:00",
        "last_seen": "2026-11-30T00:00:00",
        "last_change": "2024-01-01T00:00:00",
        "target": i % 50 == 0,
    }


def _ends(schema: str) -> tuple[str, str, tuple[int, ...], tuple[int, ...]]:
    """Edge properties of a link schema and which node kinds (index mod 7) may fill them."""
    people = (0,)
    orgs = (1, 2, 3, 4)
    return {
        "Ownership": ("owner", "asset", people + orgs, orgs),
        "Directorship": ("director", "organization", people, orgs),
        "Employment": ("employee", "employer", people, orgs),
        "Family": ("person", "relative", people, people),
        "Associate": ("person", "associate", people, people),
        "Payment": ("payer", "beneficiary", people + orgs, people + orgs),
        "UnknownLink": ("subject", "object", people + orgs + (5,), people + orgs + (5, 6)),
    }[schema]


def _link(rng: random.Random, i: int, nodes: int) -> dict[str, Any]:
    schema = LINK_SCHEMATA[i % len(LINK_SCHEMATA)]
    src_prop, tgt_prop, src_kinds, tgt_kinds = _ends(schema)

    def pick(kinds: tuple[int, ...]) -> int:
        k = rng.choice(kinds)
        return rng.randrange(0, nodes // 7) * 7 + k  # node i has schema NODE_SCHEMATA[i % 7]

    s = pick(src_kinds)
    t = pick(tgt_kinds)
    while t == s:
        t = pick(tgt_kinds)
    props: dict[str, list[str]] = {src_prop: [f"n{s:08d}"], tgt_prop: [f"n{t:08d}"]}
    if rng.random() < 0.6:
        props["startDate"] = [f"{rng.randint(2000, 2025)}-{rng.randint(1, 12):02d}"]
    if schema == "Ownership":
        props["percentage"] = [str(rng.choice((10, 25, 50, 100)))]
    elif schema == "Payment":
        props["amount"] = [f"{rng.randint(1000, 10_000_000)}.00"]
        props["currency"] = ["USD"]
    elif schema in ("Directorship", "Employment"):
        props["role"] = [rng.choice(("director", "secretary", "CFO", "adviser"))]
    elif schema == "Family":
        props["relationship"] = [rng.choice(("sibling", "spouse", "cousin"))]
    return {
        "id": f"l{i:08d}",
        "caption": schema,
        "schema": schema,
        "properties": props,
        "datasets": ["bench_synthetic"],
    }


def generate(n: int, path: Path, seed: int = 14) -> None:
    """A seeded stream of ``n`` FtM entities: ``n // 2`` nodes, then the links between them."""
    rng = random.Random(seed)
    nodes = n // 2
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for i in range(nodes):
            f.write(json.dumps(_node(rng, i), ensure_ascii=False) + "\n")
        for i in range(n - nodes):
            f.write(json.dumps(_link(rng, i, nodes)) + "\n")
    tmp.replace(path)


# -- workers (each run in its own process) ------------------------------------------------------
def work_floor(stream: Path) -> dict[str, Any]:
    """Read the stream with followthemoney's proxies only."""
    import orjson
    from followthemoney import model

    t0 = time.perf_counter()
    n = 0
    with stream.open("rb") as f:
        for line in f:
            model.get_proxy(orjson.loads(line))
            n += 1
    secs = time.perf_counter() - t0
    return {"records": n, "seconds": secs, "rate": n / secs, "peak_mb": peak_rss_mb()}


def work_import(stream: Path, workspace: Path) -> dict[str, Any]:
    """``cryptokg import ftm`` into an empty workspace."""
    from graph.importers import run_import
    from graph.store.memory import MemoryStore

    t0 = time.perf_counter()
    store = MemoryStore(workspace)
    s = run_import(store, "ftm", [stream], dataset="bench", match=True)
    secs = time.perf_counter() - t0
    return {
        "records": s.records_read,
        "entities": s.entities,
        "relationships": s.relationships,
        "seconds": secs,
        "rate": s.records_read / secs,
        "peak_mb": peak_rss_mb(),
        "rss_after_mb": current_rss_mb(),
    }


def work_graph(workspace: Path) -> dict[str, Any]:
    """The memory the reopened graph takes, over an interpreter with the same modules loaded."""
    import gc

    import graph.importers  # noqa: F401 - the same modules as the import worker
    from graph.store.memory import MemoryStore

    gc.collect()
    base = current_rss_mb()
    t0 = time.perf_counter()
    store = MemoryStore(workspace)
    st = store.stats()
    secs = time.perf_counter() - t0
    gc.collect()
    return {
        "graph_mb": current_rss_mb() - base,
        "base_mb": base,
        "reopen_seconds": secs,
        "entities": st.entities,
        "relationships": st.relationships,
    }


def _spawn(worker: str, *args: str) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.ftm_import", "--worker", worker, *args]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _section(n: int, res: dict[str, Any], size_mb: float) -> str:
    imp, floor, g = res["import"], res["floor"], res["graph"]
    ratio = imp["peak_mb"] / g["graph_mb"] if g["graph_mb"] > 0 else float("inf")
    time_ok = "met" if imp["seconds"] <= 180 else "missed"
    mem_ok = "met" if ratio <= 1.5 else "missed"
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"] * 3
    from importlib import metadata

    ftm = metadata.version("followthemoney")
    return "\n".join(
        [
            BEGIN,
            f"## FollowTheMoney import (`bench/ftm_import.py`), {n:,} entities",
            "",
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.system()} {platform.machine()}, "
            f"{_cpus()} CPUs, Python {platform.python_version()}, followthemoney {ftm}; load average at the "
            f"end {' '.join(load)} (the machine is shared). Stream: {n:,} seeded synthetic FtM entities in the "
            f"OpenSanctions export form, half node and half link schemata, {size_mb:,.0f} MB.",
            "",
            "| step | time | read rate | peak RSS | result | target | |",
            "|---|---|---|---|---|---|---|",
            f"| floor: `followthemoney` proxies only (`model.get_proxy` per line) | {floor['seconds']:.1f} s | "
            f"{floor['rate']:,.0f} entities/s | {floor['peak_mb']:,.0f} MB | — | — | |",
            f"| `cryptokg import ftm` into an empty workspace (read, validate, link, persist) | "
            f"{imp['seconds']:.1f} s | {imp['rate']:,.0f} entities/s | {imp['peak_mb']:,.0f} MB | "
            f"{imp['entities']:,} entities, {imp['relationships']:,} relationships | ≤ 180 s | {time_ok} |",
            f"| memory of the resulting graph (reopened in a fresh process, over a bare interpreter) | "
            f"{g['reopen_seconds']:.1f} s reopen | — | — | {g['graph_mb']:,.0f} MB; import peak / graph = "
            f"{ratio:.2f} | ≤ 1.5 | {mem_ok} |",
            f"| the importing process once done (graph, interpreter, followthemoney model) | — | — | — | "
            f"{imp['rss_after_mb']:,.0f} MB; import peak / that = {imp['peak_mb'] / imp['rss_after_mb']:.2f} | — | |",
            "",
            f"Reproduce: `python -m bench.ftm_import --entities {n}`.",
            END,
        ]
    )


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def write_results(section: str, results: Path = RESULTS) -> None:
    """Replace (or append) the ``ftm_import`` section of ``bench/RESULTS.md``."""
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    results.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entities", type=int, default=1_000_000)
    ap.add_argument("--worker", choices=("floor", "import", "graph"))
    ap.add_argument("--stream", type=Path)
    ap.add_argument("--workspace", type=Path)
    ap.add_argument("--no-write", action="store_true", help="Do not touch bench/RESULTS.md.")
    args = ap.parse_args(argv)
    if args.worker == "floor":
        print(json.dumps(work_floor(args.stream)))
        return
    if args.worker == "import":
        print(json.dumps(work_import(args.stream, args.workspace)))
        return
    if args.worker == "graph":
        print(json.dumps(work_graph(args.workspace)))
        return
    n = args.entities
    stream = ROOT / "bench" / "data" / f"ftm-{n}.ftm.json"
    out = ROOT / "bench" / "out" / f"ftm-{n}"
    out.mkdir(parents=True, exist_ok=True)
    if not stream.exists():
        t0 = time.perf_counter()
        generate(n, stream)
        print(f"generated {stream} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    ws = out / "workspace"
    if ws.exists():
        import shutil

        shutil.rmtree(ws)
    res = {"floor": _spawn("floor", "--stream", str(stream))}
    print(f"floor: {res['floor']}", file=sys.stderr)
    res["import"] = _spawn("import", "--stream", str(stream), "--workspace", str(ws))
    print(f"import: {res['import']}", file=sys.stderr)
    res["graph"] = _spawn("graph", "--workspace", str(ws))
    print(f"graph: {res['graph']}", file=sys.stderr)
    (out / "results.json").write_text(json.dumps(res, indent=1), encoding="utf-8")
    section = _section(n, res, stream.stat().st_size / 1e6)
    print(section)
    if not args.no_write:
        write_results(section)


if __name__ == "__main__":
    main()
