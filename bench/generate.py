"""Seeded generator of an ICIJ-shaped graph written in cryptokg's own ingest format.

The shape follows the Offshore Leaks data: officers (people) and registered entities
(companies) linked through a few intermediaries that act for tens of thousands of companies
each (hubs of degree ``0.18 * nodes`` down to ``0.02 * nodes`` for the ten largest), a
heavy-tailed degree distribution for everyone else, and a giant connected component. Every
relationship cites a source, about a third carry dates, and statuses are mixed.

``python -m bench.generate --nodes 100000 --edges 300000 --out bench/data/S``
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

__all__ = ["SIZES", "GenStats", "generate"]

#: Named sizes: (entities, relationships).
SIZES: dict[str, tuple[int, int]] = {
    "tiny": (2_000, 6_000),
    "S": (100_000, 300_000),
    "L": (1_000_000, 3_000_000),
}
#: Degrees of the ten biggest hubs, as a share of the number of entities.
HUB_SHARES = (0.18, 0.15, 0.13, 0.12, 0.11, 0.10, 0.06, 0.04, 0.03, 0.02)
SYLLABLES = (
    "ka lo mi ra ten vo sha bel dor gan li mar nu pe qui ros sa tor ul ver wen xi yan zo an el is on "
    "ber cal fen gor hal jun kir lan mon nor ost pra sel tam und var wil yor zed ash bri cor dav"
).split()
COMPANY_SUFFIXES = (
    "Holdings Ltd",
    "Limited",
    "Ltd",
    "Inc.",
    "S.A.",
    "Corp.",
    "Trust",
    "Foundation",
    "Group",
    "Capital",
    "Investments Ltd",
    "International",
)
INTERMEDIARY_SUFFIXES = ("& Partners", "Corporate Services", "Trust Company", "Nominees", "Law Firm")
COUNTRIES = ("Panama", "British Virgin Islands", "Seychelles", "Bahamas", "Cyprus", "Malta", "Hong Kong")
SOURCE_KINDS = ("reference", "news_report", "court_filing", "government_release")
STATUSES = ("confirmed", "reported", "alleged", "denied")
STATUS_SHARES = (0.55, 0.30, 0.12, 0.03)
#: (relationship types, source kind, target kind, share of the ordinary edges)
FAMILIES: tuple[tuple[tuple[str, ...], str, str, float], ...] = (
    (("role_at", "shareholder_of", "owns_stake_in", "chair_of", "ceo_of", "owns"), "person", "company", 0.62),
    (("owns", "controls", "affiliate_of", "shareholder_of", "invested_in"), "company", "company", 0.22),
    (("associate_of", "family_of", "met"), "person", "person", 0.08),
    (("advised", "hired", "role_at"), "person", "org", 0.05),
    (("mentions", "investigated", "sued"), "org", "company", 0.03),
)


@dataclass
class GenStats:
    """What was written."""

    entities: int
    relationships: int
    sources: int
    hub_degrees: list[int]
    seconds: float
    seed: int


def _words(rng: np.random.Generator, count: int, lo: int = 2, hi: int = 3) -> list[str]:
    syl = np.array(SYLLABLES)
    n = rng.integers(lo, hi + 1, size=count)
    parts = syl[rng.integers(0, len(syl), size=(count, hi))]
    return ["".join(row[:k]) for row, k in zip(parts.tolist(), n.tolist(), strict=True)]


def _names(rng: np.random.Generator, kinds: np.ndarray) -> list[str]:
    """Person, company and intermediary names with a realistic share of near-duplicates."""
    firsts = [w.capitalize() for w in _words(rng, 400, 2, 2)]
    lasts = [w.capitalize() for w in _words(rng, max(2000, len(kinds) // 50))]
    stems = [w.capitalize() for w in _words(rng, max(3000, len(kinds) // 20))]
    n = len(kinds)
    f = rng.integers(0, len(firsts), n).tolist()
    la = rng.integers(0, len(lasts), n).tolist()
    s1 = rng.integers(0, len(stems), n).tolist()
    s2 = rng.integers(0, len(stems), n).tolist()
    suf = rng.integers(0, len(COMPANY_SUFFIXES), n).tolist()
    isuf = rng.integers(0, len(INTERMEDIARY_SUFFIXES), n).tolist()
    out: list[str] = []
    for i, k in enumerate(kinds.tolist()):
        if k == 0:
            out.append(f"{firsts[f[i]]} {lasts[la[i]]}")
        elif k == 1:
            out.append(f"{stems[s1[i]]} {stems[s2[i]]} {COMPANY_SUFFIXES[suf[i]]}")
        else:
            out.append(f"{stems[s1[i]]} {INTERMEDIARY_SUFFIXES[isuf[i]]}")
    return out


def _dates(rng: np.random.Generator, count: int) -> tuple[list[str], list[str]]:
    """Partial start dates (year, month or day precision) and ends on or after them."""
    year = rng.integers(1995, 2025, count)
    month = rng.integers(1, 13, count)
    day = rng.integers(1, 29, count)
    prec = rng.choice(3, count, p=(0.3, 0.3, 0.4))
    has_end = rng.random(count) < 0.5
    span = rng.integers(0, 12, count)
    starts: list[str] = []
    ends: list[str] = []
    for y, m, d, p, e, s in zip(
        year.tolist(),
        month.tolist(),
        day.tolist(),
        prec.tolist(),
        has_end.tolist(),
        span.tolist(),
        strict=True,
    ):
        starts.append(f"{y}" if p == 0 else f"{y}-{m:02d}" if p == 1 else f"{y}-{m:02d}-{d:02d}")
        ends.append(f"{y + s + 1}-{m:02d}" if e else "")
    return starts, ends


def _zipf_pick(rng: np.random.Generator, pool: np.ndarray, count: int, alpha: float) -> np.ndarray:
    """``count`` draws from ``pool``, heavy-tailed: a few members are drawn very often."""
    if len(pool) == 0:
        return pool[:0]
    w = 1.0 / np.arange(1, len(pool) + 1) ** alpha
    w /= w.sum()
    order = rng.permutation(len(pool))
    return pool[order[rng.choice(len(pool), count, p=w)]]


def _edges(
    rng: np.random.Generator, kinds: np.ndarray, n_edges: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Endpoints and type index of every relationship."""
    n = len(kinds)
    people = np.flatnonzero(kinds == 0)
    companies = np.flatnonzero(kinds == 1)
    orgs = np.flatnonzero(kinds == 2)
    pools = {"person": people, "company": companies, "org": orgs}
    hubs = orgs[: len(HUB_SHARES)]
    src: list[np.ndarray] = []
    dst: list[np.ndarray] = []
    typ: list[np.ndarray] = []
    type_names = sorted({t for fam in FAMILIES for t in fam[0]} | {"advised", "role_at"})
    tix = {t: i for i, t in enumerate(type_names)}
    # Intermediaries acting for many companies: the hubs.
    hub_total = 0
    for h, share in zip(hubs.tolist(), HUB_SHARES, strict=False):
        deg = min(int(share * n), len(companies), max(0, n_edges // 3 - hub_total))
        hub_total += deg
        targets = rng.choice(companies, deg, replace=False)
        src.append(np.full(deg, h))
        dst.append(targets)
        typ.append(np.full(deg, tix["advised"]))
    # Every entity gets at least one relationship so the graph has one giant component.
    rest = n_edges - hub_total
    lonely = rng.permutation(np.setdiff1d(np.arange(n), hubs))
    anchor = _zipf_pick(rng, companies, len(lonely), 0.6)
    src.append(lonely)
    dst.append(anchor)
    typ.append(np.where(kinds[lonely] == 0, tix["role_at"], tix["owns"]))
    rest -= len(lonely)
    for types, sk, tk, share in FAMILIES:
        count = max(0, int(round(rest * share)))
        s = _zipf_pick(rng, pools[sk], count, 0.5 if sk == "person" else 0.8)
        t = _zipf_pick(rng, pools[tk], count, 0.9)
        src.append(s)
        dst.append(t)
        typ.append(np.array([tix[x] for x in types])[rng.integers(0, len(types), count)])
    s_all, t_all, ty_all = np.concatenate(src), np.concatenate(dst), np.concatenate(typ)
    keep = s_all != t_all
    s_all, t_all, ty_all = s_all[keep], t_all[keep], ty_all[keep]
    # Top up self-loop losses with ordinary person -> company roles.
    short = n_edges - len(s_all)
    if short > 0:
        s_all = np.concatenate([s_all, rng.choice(people, short)])
        t_all = np.concatenate([t_all, rng.choice(companies, short)])
        ty_all = np.concatenate([ty_all, np.full(short, tix["role_at"])])
    order = rng.permutation(len(s_all))[:n_edges]
    return s_all[order], t_all[order], np.array(type_names)[ty_all[order]]


def generate(out: Path, nodes: int, edges: int, *, seed: int = 7) -> GenStats:
    """Write ``sources.csv``, ``entities/*.csv`` and ``relationships/*.csv`` under ``out``.

    The same ``seed`` and sizes always give byte-identical files.
    """
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    n_sources = max(50, nodes // 200)
    kinds = rng.choice(3, nodes, p=(0.47, 0.48, 0.05))
    kinds[: len(HUB_SHARES)] = 2
    # A handful of the other kinds so filters on kinds have something to bite on.
    extra_kinds = np.array(["agency", "court", "asset", "event"])
    kind_names = np.array(["person", "company", "organization"])[kinds].astype(object)
    sprinkle = rng.choice(nodes, max(4, nodes // 500), replace=False)
    sprinkle = sprinkle[sprinkle >= len(HUB_SHARES)]
    kind_names[sprinkle] = extra_kinds[rng.integers(0, 4, len(sprinkle))]
    prefix = {
        "person": "p",
        "company": "c",
        "organization": "o",
        "agency": "g",
        "court": "k",
        "asset": "a",
        "event": "e",
    }
    ids = [f"{prefix[k]}{i:07d}" for i, k in enumerate(kind_names.tolist())]
    names = _names(rng, kinds)
    (out / "entities").mkdir(parents=True, exist_ok=True)
    (out / "relationships").mkdir(parents=True, exist_ok=True)
    with open(out / "sources.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", "kind", "title", "publisher", "url", "date"])
        for i in range(n_sources):
            w.writerow(
                [
                    f"leak-{i:05d}",
                    SOURCE_KINDS[i % len(SOURCE_KINDS)],
                    f"Offshore record batch {i}",
                    "Generated Leaks",
                    f"https://example.org/leaks/{i}",
                    f"{2013 + i % 12}-{1 + i % 12:02d}",
                ]
            )
    ent_src = rng.integers(0, n_sources, nodes).tolist()
    country = rng.integers(0, len(COUNTRIES), nodes).tolist()
    has_alias = (rng.random(nodes) < 0.05).tolist()
    with open(out / "entities" / "entities.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", "kind", "name", "aliases", "country", "sources"])
        for i, (eid, kind) in enumerate(zip(ids, kind_names.tolist(), strict=True)):
            name = names[i]
            alias = name.upper().replace(" ", "") if has_alias[i] else ""
            w.writerow([eid, kind, name, alias, COUNTRIES[country[i]], f"leak-{ent_src[i]:05d}"])
    s, t, types = _edges(rng, kinds, edges)
    m = len(s)
    status = rng.choice(len(STATUSES), m, p=STATUS_SHARES).tolist()
    dated = rng.random(m) < 0.35
    starts, ends = _dates(rng, m)
    src1 = rng.integers(0, n_sources, m).tolist()
    two = (rng.random(m) < 0.1).tolist()
    src2 = rng.integers(0, n_sources, m).tolist()
    chunk = 1_000_000
    ids_arr = np.array(ids, dtype=object)
    s_ids, t_ids = ids_arr[s].tolist(), ids_arr[t].tolist()
    dated_l = dated.tolist()
    types_l = types.tolist()
    for part in range(0, m, chunk):
        with open(
            out / "relationships" / f"part-{part // chunk:03d}.csv", "w", newline="", encoding="utf-8"
        ) as fh:
            lines = ["id,source,type,target,start,end,status,sources\n"]
            for j in range(part, min(m, part + chunk)):
                sources = f"leak-{src1[j]:05d}" + (
                    f";leak-{src2[j]:05d}" if two[j] and src2[j] != src1[j] else ""
                )
                start, end = (starts[j], ends[j]) if dated_l[j] else ("", "")
                lines.append(
                    f"r{j:08d},{s_ids[j]},{types_l[j]},{t_ids[j]},{start},{end},{STATUSES[status[j]]},{sources}\n"
                )
            fh.write("".join(lines))
    degrees = np.bincount(np.concatenate([s, t]), minlength=nodes)
    stats = GenStats(
        entities=nodes,
        relationships=m,
        sources=n_sources,
        hub_degrees=sorted(degrees.tolist(), reverse=True)[:10],
        seconds=round(time.perf_counter() - t0, 2),
        seed=seed,
    )
    (out / ".generated.json").write_text(json.dumps(asdict(stats), indent=2) + "\n")
    return stats


def main() -> None:
    """Command line: ``python -m bench.generate --size S`` or explicit ``--nodes``/``--edges``."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--size", choices=sorted(SIZES), default=None)
    p.add_argument("--nodes", type=int, default=None)
    p.add_argument("--edges", type=int, default=None)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args()
    nodes, edges = SIZES[args.size] if args.size else (args.nodes, args.edges)
    if nodes is None or edges is None:
        p.error("give --size or both --nodes and --edges")
    print(json.dumps(asdict(generate(args.out, nodes, edges, seed=args.seed))))


if __name__ == "__main__":
    main()
