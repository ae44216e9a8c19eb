"""A compact side index of the embedded graph: CSR adjacency in numpy arrays, for fast walks.

The networkx ``MultiDiGraph`` stays the graph model; this index is derived from it and answers
the few questions the query engine asks in bulk (breadth-first layers, shortest paths, capped
neighbourhoods, the relationships among a set of entities) without creating a Python object
per relationship. Answers are identical to the generic walks in ``graph.store.base`` and
``graph.queries._walk``; ``tests/graph/store/test_csr.py`` compares them.

Entities are numbered in id order, so comparing numbers compares ids and lexicographic path
order comes for free. Each direction (``out``, ``in``, ``both``) has its own CSR arrays, rows
sorted by neighbour. Relationship filters (``graph.filters.EdgeFilter``) are evaluated on
per-relationship columns (type code, status rank, date bounds as ``YYYYMMDD`` integers).
Scratch arrays are per thread, so concurrent queries (the API's thread pool) do not interfere.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from graph.dates import date_bounds
from graph.filters import EdgeFilter
from graph.vocabulary import REL_TYPES, STATUS_RANK, EntityKind, Status

__all__ = ["CsrIndex", "CsrSearcher"]

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

TYPE_NAMES: tuple[str, ...] = tuple(sorted(REL_TYPES))
TYPE_CODE = {t: i for i, t in enumerate(TYPE_NAMES)}
KIND_NAMES: tuple[str, ...] = tuple(k.value for k in EntityKind)
KIND_CODE = {k: i for i, k in enumerate(KIND_NAMES)}
STATUS_CODE: dict[str, int] = {s.value: r for s, r in STATUS_RANK.items()}
NO_START = 0
NO_END = 99_999_999
EMPTY = np.zeros(0, dtype=np.int32)


def _day(value: str) -> int:
    return int(value.replace("-", ""))


@dataclass(frozen=True, slots=True)
class _Csr:
    """One direction: row ``i`` is ``nbr[indptr[i]:indptr[i+1]]``, sorted by neighbour."""

    indptr: I64
    nbr: I32
    eid: I32
    deg: I64

    def rows(self, rows: I32) -> tuple[I32, I32, I64]:
        """Neighbours and relationship numbers of ``rows`` (views for one row), and row lengths."""
        indptr = self.indptr
        if len(rows) == 1:
            a, b = indptr[rows[0]], indptr[rows[0] + 1]
            return self.nbr[a:b], self.eid[a:b], np.array([b - a], dtype=np.int64)
        starts = indptr[rows]
        lens = indptr[rows + 1] - starts
        pos = _spans(starts, lens)
        return self.nbr[pos], self.eid[pos], lens


def _spans(starts: npt.NDArray[np.integer[Any]], lens: npt.NDArray[np.integer[Any]]) -> I64:
    """The positions ``starts[i] .. starts[i] + lens[i] - 1`` of every span, one after another."""
    offs = np.cumsum(lens) - lens
    pos: I64 = np.arange(int(lens.sum()), dtype=np.int64) + np.repeat(starts - offs, lens)
    return pos


class _Rule:
    """An ``EdgeFilter`` compiled against one index: lookup tables and bounds, built once."""

    def __init__(self, ix: CsrIndex, flt: EdgeFilter | None, exempt: frozenset[str]) -> None:
        self.ix = ix
        self.type_lut: Bools | None = None
        self.floor: int | None = None
        self.day: int | None = None
        self.known_only = False
        self.kind_lut: Bools | None = None
        self.exempt = np.array(sorted(ix.index[e] for e in exempt if e in ix.index), dtype=np.int32)
        self.avoid = EMPTY
        self.id_lut: Bools | None = None
        if flt is None or flt.is_open:
            self.on_edges = self.on_nodes = False
            return
        flt.check_resolved()
        if flt.rel_ids is not None:
            self.id_lut = np.array([r in flt.rel_ids for r in ix.rel_ids], dtype=np.bool_)
        if flt.types is not None or flt.exclude_types or flt.categories is not None or flt.exclude_categories:
            allowed = flt.allowed_types()
            self.type_lut = np.array([t in allowed for t in TYPE_NAMES], dtype=np.bool_)
        if flt.min_status is not None:
            self.floor = STATUS_RANK[Status(flt.min_status)]
        if flt.as_of is not None:
            self.day = _day(flt.as_of)
            self.known_only = flt.unknown_dates == "exclude"
        if flt.kinds is not None:
            self.kind_lut = np.array([k in flt.kinds for k in KIND_NAMES], dtype=np.bool_)
        if flt.avoid:
            self.avoid = np.array(sorted(ix.index[a] for a in flt.avoid if a in ix.index), dtype=np.int32)
        self.on_edges = (
            self.type_lut is not None
            or self.floor is not None
            or self.day is not None
            or self.id_lut is not None
        )
        self.on_nodes = self.kind_lut is not None or len(self.avoid) > 0

    def edges(self, eids: I32) -> Bools | None:
        """Which relationships pass (None: all of them)."""
        if not self.on_edges:
            return None
        ix = self.ix
        ok: Bools | None = None
        if self.type_lut is not None:
            ok = self.type_lut[ix.etype[eids]]
        if self.id_lut is not None:
            m = self.id_lut[eids]
            ok = m if ok is None else ok & m
        if self.floor is not None:
            m = ix.status[eids] >= self.floor
            ok = m if ok is None else ok & m
        if self.day is not None:
            lo = ix.start_lo[eids]
            m = (ix.end_hi[eids] >= self.day) & (lo <= self.day)
            if self.known_only:
                m &= lo != NO_START
            ok = m if ok is None else ok & m
        return ok

    def nodes(self, nodes: I32) -> Bools | None:
        """Which entities a step may reach (None: all of them)."""
        if not self.on_nodes:
            return None
        ok: Bools | None = None
        if self.kind_lut is not None:
            ok = self.kind_lut[self.ix.kind[nodes]]
            if len(self.exempt):
                ok |= np.isin(nodes, self.exempt)
        if len(self.avoid):
            m = ~np.isin(nodes, self.avoid)
            ok = m if ok is None else ok & m
        return ok

    def steps(self, others: I32, eids: I32) -> Bools | None:
        """Which steps (to ``others`` over ``eids``) pass (None: all of them)."""
        e = self.edges(eids) if self.on_edges else None
        n = self.nodes(others) if self.on_nodes else None
        if e is None:
            return n
        return e if n is None else e & n


class _Scratch(threading.local):
    """Per-thread work arrays, reused across queries through a stamp (no clearing)."""

    def __init__(self) -> None:
        self.size = 0
        self.stamp = 0

    def ensure(self, n: int) -> None:
        if self.size != n:
            self.size = n
            self.stamp = 0
            # Filled, not just allocated: the first queries would otherwise pay the page faults.
            self.seen_s = np.full(n, 0, dtype=np.int32)
            self.seen_t = np.full(n, 0, dtype=np.int32)
            self.dist_s = np.full(n, 0, dtype=np.int16)
            self.dist_t = np.full(n, 0, dtype=np.int16)
            self.mark = np.full(n, 0, dtype=np.int32)
            self.pos = np.full(n, 0, dtype=np.int64)

    def next(self) -> int:
        self.stamp += 1
        if self.stamp >= 2**31 - 2:
            for a in (self.seen_s, self.seen_t, self.mark):
                a[:] = 0
            self.stamp = 1
        return self.stamp


class CsrIndex:
    """CSR arrays of a graph, built once per graph version."""

    def __init__(
        self,
        ids: list[str],
        kinds: npt.NDArray[np.uint8],
        rel_ids: list[str],
        src: I32,
        dst: I32,
        columns: Mapping[str, npt.NDArray[Any]],
        version: str,
        *,
        index: dict[str, int] | None = None,
    ) -> None:
        self.version = version
        self.ids = ids
        self.index = index if index is not None else {x: i for i, x in enumerate(ids)}
        self.kind = kinds
        self.rel_ids = rel_ids
        self.src = src
        self.dst = dst
        self.etype: npt.NDArray[np.uint8] = columns["type"]
        self.status: npt.NDArray[np.uint8] = columns["status"]
        self.start_lo: I32 = columns["start"]
        self.end_hi: I32 = columns["end"]
        n = len(ids)
        self.n = n
        self.out = _csr(src, dst, n)
        self.inn = _csr(dst, src, n)
        both_rows = np.concatenate([src, dst])
        both_nbr = np.concatenate([dst, src])
        self.both = _csr(both_rows, both_nbr, n, eids=np.tile(np.arange(len(src), dtype=np.int32), 2))
        self.degree: I64 = self.both.deg
        # Neighbourhood priority: more relationships first, then id (entities are numbered in id order).
        order = np.lexsort((np.arange(n), -self.degree))
        self.prio = np.empty(n, dtype=np.int32)
        self.prio[order] = np.arange(n, dtype=np.int32)
        self._scratch = _Scratch()
        self._rules: dict[tuple[EdgeFilter | None, frozenset[str]], _Rule] = {}

    # -- building -----------------------------------------------------------------
    @classmethod
    def build(
        cls, nodes: Mapping[str, Mapping[str, Any]], rels: Mapping[str, Mapping[str, Any]], version: str
    ) -> CsrIndex:
        """Index entities (id -> attributes with ``kind``) and relationships (id -> attributes).

        Each attribute dict is read once (``itemgetter`` in C); the columns are then mapped to
        codes with ``map`` over small lookup tables: at millions of relationships, touching
        each dict once is what counts.
        """
        ids = sorted(nodes)
        index = {x: i for i, x in enumerate(ids)}
        kinds = np.fromiter(
            map(KIND_CODE.__getitem__, (nodes[x].get("kind", "person") for x in ids)), np.uint8, len(ids)
        )
        rel_ids = list(rels)
        m = len(rel_ids)
        datas = list(rels.values())
        if m:
            src_ids, dst_ids, types, statuses = zip(
                *map(itemgetter("source", "target", "type", "status"), datas), strict=True
            )
        else:
            src_ids = dst_ids = types = statuses = ()
        starts = [d.get("start") for d in datas]
        ends = [d.get("end") for d in datas]
        del datas
        lo: dict[str | None, int] = {None: NO_START}
        hi: dict[str | None, int] = {None: NO_END}
        for a in set(starts) - {None}:
            lo[a] = _day(date_bounds(a)[0])  # type: ignore[arg-type]
        for b in set(ends) - {None}:
            hi[b] = _day(date_bounds(b)[1])  # type: ignore[arg-type]
        columns: dict[str, npt.NDArray[Any]] = {
            "type": np.fromiter(map(TYPE_CODE.__getitem__, types), np.uint8, m),
            "status": np.fromiter(map(STATUS_CODE.__getitem__, statuses), np.uint8, m),
            "start": np.fromiter(map(lo.__getitem__, starts), np.int32, m),
            "end": np.fromiter(map(hi.__getitem__, ends), np.int32, m),
        }
        src = np.fromiter(map(index.__getitem__, src_ids), np.int32, m)
        dst = np.fromiter(map(index.__getitem__, dst_ids), np.int32, m)
        return cls(ids, kinds, rel_ids, src, dst, columns, version, index=index)

    def type_counts(self) -> dict[str, int]:
        """Relationships by type."""
        counts = np.bincount(self.etype, minlength=len(TYPE_NAMES)).tolist()
        return {t: c for t, c in zip(TYPE_NAMES, counts, strict=False) if c}

    def status_counts(self) -> dict[str, int]:
        """Relationships by status."""
        counts = np.bincount(self.status, minlength=4).tolist()
        names = {r: s.value for s, r in STATUS_RANK.items()}
        return {names[r]: c for r, c in enumerate(counts) if c}

    # -- storing ------------------------------------------------------------------
    ARRAYS = ("kind", "src", "dst", "etype", "status", "start_lo", "end_hi")

    def to_arrays(self) -> dict[str, bytes]:
        """The arrays that rebuild this index with ``from_arrays`` (each as ``np.save`` bytes)."""
        out = {}
        for name in self.ARRAYS:
            buf = io.BytesIO()
            np.save(buf, getattr(self, name), allow_pickle=False)
            out[name] = buf.getvalue()
        return out

    @classmethod
    def arrays_from(cls, blobs: Mapping[str, bytes]) -> dict[str, npt.NDArray[Any]] | None:
        """Arrays from ``to_arrays`` bytes, or None when some are missing."""
        if not set(cls.ARRAYS) <= set(blobs):
            return None
        return {name: np.load(io.BytesIO(blobs[name]), allow_pickle=False) for name in cls.ARRAYS}

    @classmethod
    def from_arrays(
        cls, ids: list[str], rel_ids: list[str] | None, arrays: Mapping[str, npt.NDArray[Any]], version: str
    ) -> CsrIndex | None:
        """The index of ``ids`` (sorted) and ``rel_ids`` (in the stored order), or None if they do not fit.

        ``rel_ids`` may be set afterwards (None here), once the relationships are read.
        """
        if len(arrays["kind"]) != len(ids) or (rel_ids is not None and len(arrays["src"]) != len(rel_ids)):
            return None
        if any(a >= b for a, b in zip(ids, islice(ids, 1, None), strict=False)):
            return None
        columns = {
            "type": arrays["etype"],
            "status": arrays["status"],
            "start": arrays["start_lo"],
            "end": arrays["end_hi"],
        }
        return cls(ids, arrays["kind"], rel_ids or [], arrays["src"], arrays["dst"], columns, version)

    # -- filters ------------------------------------------------------------------
    def rule(self, flt: EdgeFilter | None, exempt: frozenset[str] = frozenset()) -> _Rule:
        """``flt`` compiled for this index (cached: the API asks the same filters again and again)."""
        key = (flt, exempt)
        got = self._rules.get(key)
        if got is None:
            if len(self._rules) > 256:
                self._rules.clear()
            got = self._rules[key] = _Rule(self, flt, exempt)
        return got

    def csr(self, direction: str) -> _Csr:
        """The CSR arrays of one direction (``out``, ``in`` or ``both``)."""
        return self.out if direction == "out" else self.inn if direction == "in" else self.both

    # -- bulk questions -----------------------------------------------------------
    def distinct(self, values: I32) -> I32:
        """``values`` without repeats (order not kept)."""
        if len(values) <= 1:
            return values
        if len(values) <= 2048:
            small: I32 = np.unique(values)
            return small
        sc = self._scratch
        sc.ensure(self.n)
        at = np.arange(len(values), dtype=np.int64)
        sc.pos[values] = at
        out: I32 = values[sc.pos[values] == at]
        return out

    def degrees_of(self, ids: Iterable[str]) -> dict[str, int]:
        """Relationships at each entity (both directions, unfiltered)."""
        index, deg = self.index, self.degree
        return {i: int(deg[index[i]]) for i in ids if i in index}

    def capped_layers(
        self, centers: list[str], *, depth: int, direction: str, flt: EdgeFilter | None, max_nodes: int
    ) -> tuple[dict[str, int], bool, int]:
        """Breadth-first layers around ``centers`` with the node cap of ``GraphStore.capped_layers``."""
        rule = self.rule(flt)
        sc = self._scratch
        sc.ensure(self.n)
        stamp = sc.next()
        csr = self.csr(direction)
        dist = {c: 0 for c in centers}
        frontier = np.array(sorted(self.index[c] for c in centers), dtype=np.int32)
        sc.seen_s[frontier] = stamp
        truncated, cut, count = False, 0, len(dist)
        ids = self.ids
        for d in range(1, depth + 1):
            if not len(frontier):
                break
            others, eids, _ = csr.rows(frontier)
            fresh = sc.seen_s[others] != stamp
            ok = rule.steps(others, eids)
            found = self.distinct(others[fresh if ok is None else fresh & ok])
            room = max_nodes - count
            if len(found) > room:
                cut = len(found) - room
                if room > 0:
                    found = found[np.argpartition(self.prio[found], room - 1)[:room]]
                else:
                    found = EMPTY
                truncated = True
            sc.seen_s[found] = stamp
            found = np.sort(found)
            for i in found.tolist():
                dist[ids[i]] = d
            count += len(found)
            frontier = found
            if truncated:
                break
        return dist, truncated, cut

    def edges_among(self, ids: Iterable[str], flt: EdgeFilter | None) -> list[str]:
        """Ids of the relationships among ``ids`` that pass ``flt``, sorted."""
        rows = np.array(sorted({self.index[i] for i in ids if i in self.index}), dtype=np.int32)
        if not len(rows):
            return []
        rule = self.rule(flt)
        sc = self._scratch
        sc.ensure(self.n)
        stamp = sc.next()
        sc.mark[rows] = stamp
        out = self.out
        # A hub's row is not read whole: the chosen entities are looked up in it (it is sorted).
        hub = out.deg[rows] > 16 * len(rows)
        others, eids, _ = out.rows(rows[~hub] if hub.any() else rows)
        keep = sc.mark[others] == stamp
        found_others, found_eids = [others[keep]], [eids[keep]]
        for u in rows[hub].tolist():
            a, b = int(out.indptr[u]), int(out.indptr[u + 1])
            row = out.nbr[a:b]
            lo = np.searchsorted(row, rows, "left")
            n = np.searchsorted(row, rows, "right") - lo
            at = _spans(lo[n > 0], n[n > 0])
            found_others.append(row[at])
            found_eids.append(out.eid[a + at])
        others, eids = np.concatenate(found_others), np.concatenate(found_eids)
        ok = rule.steps(others, eids)
        if ok is not None:
            eids = eids[ok]
        rel_ids = self.rel_ids
        return sorted([rel_ids[e] for e in eids.tolist()])

    def searcher(self, *, directed: bool, flt: EdgeFilter | None, exempt: frozenset[str]) -> CsrSearcher:
        """A shortest-path search over this index (see ``CsrSearcher``)."""
        return CsrSearcher(self, directed, self.rule(flt, exempt))


def _csr(rows: I32, nbrs: I32, n: int, eids: I32 | None = None) -> _Csr:
    if eids is None:
        eids = np.arange(len(rows), dtype=np.int32)
    key = rows.astype(np.int64) * max(n, 1) + nbrs
    order = np.argsort(key, kind="stable")
    counts = np.bincount(rows, minlength=n).astype(np.int64)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return _Csr(indptr, nbrs[order].astype(np.int32), eids[order].astype(np.int32), counts)


class CsrSearcher:
    """Shortest node paths over a ``CsrIndex``, with the semantics of ``_walk.all_shortest``.

    Bidirectional breadth-first search; the side with fewer relationships to walk grows
    first (the answer does not depend on that choice). Once the two searches meet, the paths
    are enumerated in lexicographic order over the layered graph of shortest paths, so the
    first ``limit`` are exact without listing the others.
    """

    def __init__(self, ix: CsrIndex, directed: bool, rule: _Rule) -> None:
        self.ix = ix
        self.rule = rule
        self.fwd = ix.out if directed else ix.both
        self.bwd = ix.inn if directed else ix.both

    def _grow(
        self,
        csr: _Csr,
        frontier: I32,
        seen: I32,
        dist: npt.NDArray[np.int16],
        depth: int,
        stamp: int,
        banned: dict[int, set[int]],
        other: I32,
    ) -> tuple[I32, I32]:
        """The next layer of one side, and the entities of it the other side has reached.

        When the sides meet, only the meeting entities are recorded: the search ends there,
        and the rest of the layer (around a hub, most of it) is never needed.
        """
        others, eids, lens = csr.rows(frontier)
        keep = seen[others] != stamp
        if banned:
            keep &= ~_banned_mask(np.repeat(frontier, lens), others, banned)
        others = others[keep]
        # The filter is read only for the entities not reached yet (most are, around a hub).
        if self.rule.on_edges or self.rule.on_nodes:
            ok = self.rule.steps(others, eids[keep])
            if ok is not None:
                others = others[ok]
        hit = other[others] == stamp
        new = self.ix.distinct(others[hit] if hit.any() else others)
        seen[new] = stamp
        dist[new] = depth + 1
        return new, (new if hit.any() else EMPTY)

    def shortest_paths(
        self,
        source: str,
        target: str,
        *,
        max_hops: int,
        limit: int | None = None,
        banned_nodes: frozenset[str] = frozenset(),
        banned_edges: frozenset[tuple[str, str]] = frozenset(),
    ) -> list[list[str]]:
        """The first ``limit`` shortest node paths (all when None) in lexicographic order.

        ``banned_nodes`` may not be stepped onto; ``banned_edges`` are (from, to) steps, in
        the walking direction, that may not be taken.
        """
        if source == target:
            return [[source]]
        ix = self.ix
        index = ix.index
        if source not in index or target not in index:
            return []
        s, t = index[source], index[target]
        sc = ix._scratch
        sc.ensure(ix.n)
        stamp = sc.next()
        if banned_nodes:
            ban = np.array([index[b] for b in banned_nodes if b in index], dtype=np.int32)
            for seen, dist in ((sc.seen_s, sc.dist_s), (sc.seen_t, sc.dist_t)):
                seen[ban] = stamp
                dist[ban] = -1
        bfwd: dict[int, set[int]] = {}
        for a, b in banned_edges:
            if a in index and b in index:
                bfwd.setdefault(index[a], set()).add(index[b])
        bbwd = _flip(bfwd)
        sc.seen_s[s], sc.dist_s[s] = stamp, 0
        sc.seen_t[t], sc.dist_t[t] = stamp, 0
        front_s = np.array([s], dtype=np.int32)
        front_t = np.array([t], dtype=np.int32)
        layers_s, layers_t = [front_s], [front_t]
        depth_s = depth_t = 0
        fdeg, bdeg = self.fwd.deg, self.bwd.deg
        while len(front_s) and len(front_t) and depth_s + depth_t < max_hops:
            if fdeg[front_s].sum() <= bdeg[front_t].sum():
                front_s, meet = self._grow(
                    self.fwd, front_s, sc.seen_s, sc.dist_s, depth_s, stamp, bfwd, sc.seen_t
                )
                layers_s.append(front_s)
                depth_s += 1
            else:
                front_t, meet = self._grow(
                    self.bwd, front_t, sc.seen_t, sc.dist_t, depth_t, stamp, bbwd, sc.seen_s
                )
                layers_t.append(front_t)
                depth_t += 1
            if len(meet):
                if len(meet) > 1:
                    total = sc.dist_s[meet].astype(np.int32) + sc.dist_t[meet]
                    meet = np.sort(meet[total == total.min()])
                return self._enumerate(s, meet, stamp, bfwd, limit, layers_s, layers_t)
        return []

    def _enumerate(
        self,
        s: int,
        meet: I32,
        stamp: int,
        banned: dict[int, set[int]],
        limit: int | None,
        layers_s: list[I32],
        layers_t: list[I32],
    ) -> list[list[str]]:
        ix, sc, rule = self.ix, self.ix._scratch, self.rule
        fwd, bwd = self.fwd, self.bwd
        seen_s, seen_t, dist_s, dist_t, mark = sc.seen_s, sc.seen_t, sc.dist_s, sc.dist_t, sc.mark
        level = int(dist_s[meet[0]])
        # Mark the entities on a shortest path from s to a meeting entity, layer by layer back:
        # from the marked layer's side or from the layer before, whichever has fewer relationships.
        mark[meet] = stamp
        layer = meet
        marked = {level: np.sort(meet)}
        back = _flip(banned) if banned else banned
        for lvl in range(level - 1, 0, -1):
            before = layers_s[lvl]
            if bwd.deg[layer].sum() <= fwd.deg[before].sum():
                prev, eids, lens = bwd.rows(layer)
                ok = (seen_s[prev] == stamp) & (dist_s[prev] == lvl)
                if back:
                    ok &= ~_banned_mask(np.repeat(layer, lens), prev, back)
            else:
                nxt, eids, lens = fwd.rows(before)
                prev = np.repeat(before, lens)
                ok = (mark[nxt] == stamp) & (dist_s[nxt] == lvl + 1)
                if banned:
                    ok &= ~_banned_mask(prev, nxt, banned)
            # The filter is read only for the few steps that can lie on a shortest path.
            prev, eids = prev[ok], eids[ok]
            e = rule.edges(eids)
            layer = ix.distinct(prev if e is None else prev[e])
            mark[layer] = stamp
            marked[lvl] = np.sort(layer)

        def children(u: int, pos: int) -> list[int]:
            a, b = fwd.indptr[u], fwd.indptr[u + 1]
            row = fwd.nbr[a:b]
            cand = marked[pos + 1] if pos < level else layers_t[int(dist_t[u]) - 1]
            if len(cand) * 16 < len(row):
                # A hub: look the few candidates up in its sorted row instead of reading all of it.
                lo = np.searchsorted(row, cand, "left")
                hi = np.searchsorted(row, cand, "right")
                has = hi > lo
                kept, lo, hi = cand[has], lo[has], hi[has]
                if u in banned:
                    free = ~np.isin(kept, np.fromiter(banned[u], np.int32))
                    kept, lo, hi = kept[free], lo[free], hi[free]
                if rule.on_edges and len(kept):
                    n = hi - lo
                    starts = np.cumsum(n) - n
                    at = _spans(lo, n)
                    e = rule.edges(fwd.eid[a + at])
                    if e is not None:
                        kept = kept[np.logical_or.reduceat(e, starts)]
                found: list[int] = np.sort(kept).tolist()
                return found
            if pos < level:
                ok = (mark[row] == stamp) & (dist_s[row] == pos + 1) & (seen_s[row] == stamp)
            else:
                ok = (seen_t[row] == stamp) & (dist_t[row] == dist_t[u] - 1)
            if u in banned:
                ok &= ~np.isin(row, np.fromiter(banned[u], np.int32))
            at = np.flatnonzero(ok)
            kept = row[at]
            e = rule.edges(fwd.eid[a + at])
            if e is not None:
                kept = kept[e]
            if len(kept) > 1:
                kept = kept[np.concatenate(([True], kept[1:] != kept[:-1]))]
            got: list[int] = kept.tolist()
            return got

        ids = ix.ids
        out: list[list[str]] = []
        path = [s]

        def walk(u: int, pos: int) -> bool:
            if pos >= level and dist_t[u] == 0:
                out.append([ids[i] for i in path])
                return limit is not None and len(out) >= limit
            for w in children(u, pos):
                path.append(w)
                if walk(w, pos + 1):
                    return True
                path.pop()
            return False

        walk(s, 0)
        return out


def _flip(banned: dict[int, set[int]]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for a, bs in banned.items():
        for b in bs:
            out.setdefault(b, set()).add(a)
    return out


def _banned_mask(origins: I32, others: I32, banned: dict[int, set[int]]) -> Bools:
    """Steps from ``origins`` to ``others`` that ``banned`` (origin -> forbidden others) forbids."""
    mask = np.zeros(len(origins), dtype=np.bool_)
    for a, bs in banned.items():
        hit = origins == a
        if hit.any():
            mask |= hit & np.isin(others, np.fromiter(bs, np.int32))
    return mask
