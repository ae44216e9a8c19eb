"""The Bolt store against each server's own hand-written Cypher, side by side in one run.

``python -m bench.bolt_native --size S --server neo4j`` (or ``falkordb``): starts the server the
test suite uses (``tests/neo4j_server.py``: Neo4j 5.26 from Maven Central; ``tests/bolt_server.py``:
FalkorDB), loads the generated dataset through ``Neo4jStore.replace_all`` (timed), then asks each
question twice, interleaved item by item:

* **cryptokg**: the query through ``graph.queries`` over the Bolt store (everything the API does:
  resolving ids, the path or walk, the records of the answer);
* **native**: the Cypher a Neo4j user would write by hand for the same question, through the bare
  driver (for paths only the node ids come back, so it does less than cryptokg does).

Writes ``bench/out/<size>/bolt-native-<server>.json`` and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.generate import SIZES, generate
from bench.workload import FILTERS, MAX_HOPS, loadavg, make_workload, measure

ROOT = Path(__file__).resolve().parent.parent

#: Hand-written Neo4j 5 Cypher for each question (``$s``, ``$t``: entity ids).
_SP = (
    "MATCH (a:Entity {id: $s}) MATCH (b:Entity {id: $t}) "
    "MATCH p = shortestPath((a)-[*1..%d]-(b)) %s RETURN [n IN nodes(p) | n.id] AS ids"
)
_ALL = (
    "MATCH (a:Entity {id: $s}) MATCH (b:Entity {id: $t}) "
    "MATCH p = allShortestPaths((a)-[*1..%d]-(b)) RETURN [n IN nodes(p) | n.id] AS ids"
)
_NBHD = (
    "MATCH (c:Entity {id: $s})--(b) WITH DISTINCT c, b "
    "WITH c, b ORDER BY COUNT { (b)--() } DESC, b.id LIMIT $room "
    "WITH c, collect(b) + [c] AS ns UNWIND ns AS x "
    "OPTIONAL MATCH (x)-[r]->(y) WHERE y IN ns "
    "RETURN x.id AS id, properties(x) AS p, collect(r.data) AS rels"
)
_COMMON = (
    "MATCH (a:Entity {id: $s})--(c)--(b:Entity {id: $t}) WHERE c <> a AND c <> b "
    "WITH DISTINCT c RETURN c.id AS id, COUNT { (c)--() } AS deg ORDER BY deg DESC, id LIMIT 25"
)
_PREDICATES = {
    "types": "WHERE all(r IN relationships(p) WHERE type(r) IN $types)",
    "status": "WHERE all(r IN relationships(p) WHERE r.status IN ['confirmed', 'reported'])",
    "as_of": (
        "WHERE all(r IN relationships(p) WHERE (r.start_lo IS NULL OR r.start_lo <= '2015-06-30') "
        "AND (r.end_hi IS NULL OR r.end_hi >= '2015-06-30'))"
    ),
}


def _start(kind: str) -> Any:
    if kind == "neo4j":
        from tests.neo4j_server import Neo4jServer

        return Neo4jServer().start()
    from tests.bolt_server import BoltServer

    return BoltServer().start()


def run(size: str, kind: str, *, pairs: int, budget: float, timeout: float) -> dict[str, Any]:
    """Load ``size`` into a fresh ``kind`` server and measure every question both ways."""
    from graph.ingest.pipeline import load_dataset
    from graph.queries.common import common_connections
    from graph.queries.neighbourhood import neighbourhood
    from graph.queries.paths import find_paths
    from graph.store.neo4j import Neo4jStore
    from graph.vocabulary import neo4j_rel_type

    data = ROOT / "bench" / "data" / size
    if not (data / "sources.csv").exists():
        generate(data, *SIZES[size])
    w = make_workload(data, size, pairs=pairs, searches=1)
    server = _start(kind)
    out: dict[str, Any] = {"server": f"{kind} {server.version}", "size": size, "stats": {}}
    out["loadavg_start"] = loadavg()
    store = None
    try:
        ds = load_dataset(data, progress=False)
        store = Neo4jStore(server.uri, user=server.user, password=server.password or "", timeout=timeout)
        store.progress = False
        t0 = time.perf_counter()
        store.replace_all(ds)
        out["load_s"] = time.perf_counter() - t0
        del ds
        import neo4j

        driver = neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password or ""))

        def native(text: str, **params: Any) -> Callable[[Any], Any]:
            def call(item: Any) -> Any:
                s, t = item if isinstance(item, tuple) else (item, "")
                with driver.session() as sess:
                    return sess.run(text, {"s": s, "t": t, **params}).data()

            return call

        types = [neo4j_rel_type(t) for t in FILTERS["types"]["types"]]
        questions: list[tuple[str, Callable[[Any], Any], Callable[[Any], Any] | None, list[Any]]] = [
            (
                "shortest",
                lambda p: find_paths(store, p[0], p[1], max_hops=MAX_HOPS),
                native(_SP % (MAX_HOPS, "")),
                w.pairs,
            ),
        ]
        for name, spec in FILTERS.items():
            questions.append(
                (
                    f"shortest.{name}",
                    lambda p, spec=spec: find_paths(store, p[0], p[1], max_hops=MAX_HOPS, **spec),
                    native(_SP % (MAX_HOPS, _PREDICATES[name]), types=types),
                    w.pairs,
                )
            )
        questions += [
            (
                "all",
                lambda p: find_paths(store, p[0], p[1], mode="all", max_hops=MAX_HOPS),
                native(_ALL % MAX_HOPS),
                w.pairs[:20],
            ),
            (
                "nbhd",
                lambda h: neighbourhood(store, h, depth=2, max_nodes=500),
                native(_NBHD, room=499),
                w.hubs,
            ),
            (
                "common",
                lambda p: common_connections(store, [p[0], p[1]]),
                native(_COMMON),
                w.pairs[:20],
            ),
        ]
        if kind == "falkordb":
            # FalkorDB's Cypher has no undirected or filtered shortestPath, no allShortestPaths and
            # no COUNT {}: its own operator answers the directed question only, so that one is
            # measured both ways; the others are cryptokg's alone.
            directed = (
                "shortest.directed",
                lambda p: find_paths(store, p[0], p[1], max_hops=MAX_HOPS, directed=True),
                native(
                    "MATCH (a:Entity {id: $s}) MATCH (b:Entity {id: $t}) "
                    f"RETURN [n IN nodes(shortestPath((a)-[*1..{MAX_HOPS}]->(b))) | n.id] AS ids"
                ),
                w.pairs,
            )
            questions = [directed] + [
                (n, o, None, i) for n, o, _, i in questions if n in ("shortest", "nbhd", "common")
            ]
        for name, ours, theirs, items in questions:
            for label, fn in (("cryptokg", ours), ("native", theirs)):
                if fn is None:
                    continue
                try:
                    stat = measure(fn, items, reps=1, budget=budget, warm=2)
                    out["stats"][f"{name}.{label}"] = stat.__dict__
                except Exception as exc:  # noqa: BLE001 - recorded; the run goes on
                    out["stats"][f"{name}.{label}"] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
                print(name, label, out["stats"][f"{name}.{label}"], flush=True)
        driver.close()
        out["loadavg_end"] = loadavg()
    finally:
        if store is not None:
            store.close()
        server.stop()
    return out


def table(res: dict[str, Any]) -> str:
    """The Markdown rows of one run."""
    lines = [
        f"Server: {res['server']}; load of {res['size']}: {res['load_s']:.1f} s; load average "
        f"{res.get('loadavg_start', 0):.1f} at the start, {res.get('loadavg_end', 0):.1f} at the end.",
        "",
        "| question | cryptokg p50 / p99 ms | hand-written Cypher p50 / p99 ms | ratio of p50 | n |",
        "|---|---|---|---|---|",
    ]
    names = list(dict.fromkeys(k.rsplit(".", 1)[0] for k in res["stats"]))
    for name in names:
        ours, theirs = res["stats"].get(f"{name}.cryptokg", {}), res["stats"].get(f"{name}.native", {})

        def cell(s: dict[str, Any]) -> str:
            if not s:
                return "–"
            return s["error"] if "error" in s else f"{s['p50']:.1f} / {s['p99']:.1f}"

        ratio = f"{ours['p50'] / theirs['p50']:.2f}×" if "p50" in ours and "p50" in theirs else "–"
        lines.append(f"| {name} | {cell(ours)} | {cell(theirs)} | {ratio} | {ours.get('n', '–')} |")
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--size", choices=sorted(SIZES), default="S")
    p.add_argument("--server", choices=["neo4j", "falkordb"], default="neo4j")
    p.add_argument("--pairs", type=int, default=50)
    p.add_argument("--budget", type=float, default=60.0)
    p.add_argument("--timeout", type=float, default=60.0)
    args = p.parse_args()
    res = run(args.size, args.server, pairs=args.pairs, budget=args.budget, timeout=args.timeout)
    dest = ROOT / "bench" / "out" / args.size / f"bolt-native-{args.server}.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(res, indent=1, default=str))
    print(table(res))


if __name__ == "__main__":
    main()
