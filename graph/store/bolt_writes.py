"""The write half of the Bolt store: schema, ``replace_all`` by generations, ``upsert``, ``delete``.

See ``graph.store.neo4j`` for the layout and what ``replace_all`` guarantees. On Neo4j every
``upsert`` and ``delete`` is one real transaction (all or nothing, and invisible to readers until
it commits); on FalkorDB each statement commits on its own.
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import orjson
from neo4j import ManagedTransaction

from graph.dates import date_bounds
from graph.errors import InvalidParameter
from graph.ingest.records import entity_of
from graph.ingest.validate import Dataset
from graph.model import Entity, Relationship, Source, dump
from graph.store.bolt_session import BoltSession, _Oversized, _redact_uri
from graph.store.cypher_dialect import (
    ENTITY,
    META,
    META_KEY,
    SOURCE,
    Dialect,
)
from graph.store.memory import _rows

__all__ = ["ENTITY_JSON_FIELDS", "PROGRESS_THRESHOLD", "PURGE_BATCH", "BoltWrites"]

#: ``replace_all`` shows a progress bar above this many rows (sources + entities + relationships).
PROGRESS_THRESHOLD = 50_000
#: Properties of an entity that are dicts, stored as JSON strings.
ENTITY_JSON_FIELDS = ("identifiers", "attributes")
#: Properties the store adds to every record (not part of the record).
_INTERNAL = ("uid", "gen")
#: Rows deleted per statement when dropping an old generation.
PURGE_BATCH = 2000

#: Every read starts here: the ``Meta`` node and its generation, read once for the statement
#: (``m.gen`` re-read per row could change under a long scan when ``replace_all`` flips it).
_META = f"MATCH (m:{META} {{key: '{META_KEY}'}}) WITH m, m.gen AS mgen "


def _dataset_version(
    srcs: Sequence[tuple[Any, ...]], ents: Sequence[tuple[Any, ...]], rels: Sequence[tuple[Any, ...]]
) -> str:
    """``MemoryStore.replace_all``'s version of the same rows."""
    h = hashlib.sha256()
    for rows in (srcs, ents, rels):
        for row in sorted(rows):
            h.update(row[-1])
    return h.hexdigest()[:16]


def _next_version(current: str, change: bytes) -> str:
    """``MemoryStore._next_version``."""
    return hashlib.sha256(current.encode() + change).hexdigest()[:16]


def _uid(gen: str, rid: str) -> str:
    return f"{gen}|{rid}"


# -- record <-> properties ---------------------------------------------------------------------
def _entity_props(e: Entity, gen: str) -> dict[str, Any]:
    props: dict[str, Any] = {"uid": _uid(gen, e.id), "gen": gen}
    for k, v in dump(e).items():
        props[k] = orjson.dumps(v).decode() if k in ENTITY_JSON_FIELDS else v
    return props


def _entity_from_props(p: dict[str, Any]) -> Entity:
    d = {k: v for k, v in p.items() if k not in _INTERNAL}
    for k in ENTITY_JSON_FIELDS:
        if isinstance(d.get(k), str):
            d[k] = orjson.loads(d[k])
    return entity_of(d)


def _rel_props(r: Relationship, data: bytes, gen: str) -> dict[str, Any]:
    props: dict[str, Any] = {
        "uid": _uid(gen, r.id),
        "gen": gen,
        "id": r.id,
        "type": r.type,
        "status": r.status.value,
        "sources": list(r.sources),
        "data": data.decode(),
    }
    if r.role is not None:
        props["role"] = r.role
    if r.start is not None:
        props["start"] = r.start
        props["start_lo"] = date_bounds(r.start)[0]
    if r.end is not None:
        props["end"] = r.end
        props["end_hi"] = date_bounds(r.end)[1]
    return props


def _source_props(s: Source, data: bytes, gen: str) -> dict[str, Any]:
    props: dict[str, Any] = {"uid": _uid(gen, s.id), "gen": gen, "id": s.id, "kind": s.kind.value}
    props["title"] = s.title
    for k in ("url", "date"):
        v = getattr(s, k)
        if v is not None:
            props[k] = v
    props["data"] = data.decode()
    return props


class _Batch:
    """One write statement and its rows (``target``: entity, source or relationship)."""

    __slots__ = ("rows", "target", "text")

    def __init__(self, text: str, rows: list[dict[str, Any]], target: str) -> None:
        self.text, self.rows, self.target = text, rows, target


class BoltWrites(BoltSession):
    """Schema and writes (on top of ``BoltSession``)."""

    # -- schema ------------------------------------------------------------------------------
    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        d = self._call(lambda: self._connect()[1], budget=self._budget())
        existing: set[tuple[str, str]] = set()
        listing = d.index_listing()
        if listing is not None:
            rows = self._read(lambda tx, d: self._run(tx, d, listing))
            for row in rows:
                for prop in row.get("properties") or []:
                    existing.add((str(row.get("label")), str(prop)))
        for stmt in d.schema_statements(existing):
            self._statement(stmt)
        wait = d.await_indexes()
        if wait is not None:
            self._statement(wait)
        self._schema_ready = True

    # -- write half --------------------------------------------------------------------------
    def _meta_for_write(self, tx: ManagedTransaction, d: Dialect) -> tuple[str, str]:
        rows = self._run(
            tx,
            d,
            f"MERGE (m:{META} {{key: '{META_KEY}'}}) "
            "ON CREATE SET m.gen = $gen, m.version = 'empty', m.schema = 1 "
            "RETURN m.gen AS gen, m.version AS version",
            {"gen": uuid.uuid4().hex[:16]},
        )
        return str(rows[0]["gen"]), str(rows[0]["version"])

    def _current_meta(self) -> tuple[str, str] | None:
        rows = self._read(lambda tx, d: self._run(tx, d, _META + "RETURN m.gen AS gen, m.version AS version"))
        if not rows or rows[0]["gen"] is None:
            return None
        return str(rows[0]["gen"]), str(rows[0]["version"])

    def _batches(self, ds: Dataset, gen: str, d: Dialect, *, fresh: bool = False) -> list[_Batch]:
        """The write statements for ``ds`` in generation ``gen``.

        ``fresh``: the generation is new (``replace_all``), so relationships are created rather
        than merged (a merge looks through every relationship of a hub for each one it writes).
        """
        srcs, _ents, rels = _rows(ds)
        src_data = {row[0]: row[-1] for row in srcs}
        rel_data = {row[0]: row[-1] for row in rels}
        out: list[_Batch] = []
        src_rows = [
            {"uid": _uid(gen, s.id), "props": _source_props(s, src_data[s.id], gen)}
            for s in sorted(ds.sources.values(), key=lambda s: s.id)
        ]
        if src_rows:
            out.append(_Batch(d.merge_sources(), src_rows, "source"))
        by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for e in sorted(ds.entities.values(), key=lambda e: e.id):
            by_kind[e.kind.value].append({"uid": _uid(gen, e.id), "props": _entity_props(e, gen)})
        for kind in sorted(by_kind):
            out.append(_Batch(d.merge_entities(kind), by_kind[kind], "entity"))
        by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in sorted(ds.relationships.values(), key=lambda r: r.id):
            by_type[r.type].append(
                {
                    "a": _uid(gen, r.source),
                    "b": _uid(gen, r.target),
                    "uid": _uid(gen, r.id),
                    "props": _rel_props(r, rel_data[r.id], gen),
                }
            )
        for t in sorted(by_type):
            text = d.create_relationships(t) if fresh else d.merge_relationships(t)
            out.append(_Batch(text, by_type[t], "relationship"))
        return out

    def _split_batch(self, d: Dialect, batch: _Batch) -> list[_Batch]:
        """Cut a batch into statements the server takes; oversized rows become single batches."""
        out: list[_Batch] = []
        rows = batch.rows
        start = 0
        while start < len(rows):
            try:
                for part in self._chunks(d, batch.text, {"rows": rows[start:]}, "rows", d.batch_rows):
                    out.append(_Batch(batch.text, part, batch.target))
                    start += len(part)
            except _Oversized:
                out.append(_Batch(batch.text, [rows[start]], batch.target))
                start += 1
        return out

    def _write_batch(self, tx: ManagedTransaction, d: Dialect, batch: _Batch) -> int:
        """Run one batch; returns the number of rows the statement matched."""
        params = {"rows": batch.rows}
        if d.fits(batch.text, params):
            return int(self._run(tx, d, batch.text, params)[0]["written"])
        (row,) = batch.rows  # only single rows can be oversized
        return self._write_oversized(tx, d, batch, row)

    def _write_oversized(self, tx: ManagedTransaction, d: Dialect, batch: _Batch, row: dict[str, Any]) -> int:
        """Write a row too big for one query: big values go in empty, then grow in pieces."""
        props = dict(row["props"])
        moved: dict[str, Any] = {}
        candidates = sorted(
            (k for k, v in props.items() if k not in ("uid", "gen", "id") and isinstance(v, str | list)),
            key=lambda k: -d.value_size(props[k]),
        )
        for key in candidates:
            if d.fits(batch.text, {"rows": [{**row, "props": props}]}):
                break
            moved[key] = props[key]
            props[key] = "" if isinstance(props[key], str) else []
        n = int(self._run(tx, d, batch.text, {"rows": [{**row, "props": props}]})[0]["written"])
        if not n:
            return 0
        text_params: dict[str, Any] = {"uid": row["uid"]}
        if batch.target == "relationship":
            text_params["a"] = row["a"]
        for key, value in moved.items():
            text = d.append_property(batch.target, key)
            for part in self._pieces(d, text, text_params, value):
                self._run(tx, d, text, {**text_params, "part": part})
        return n

    @staticmethod
    def _pieces(d: Dialect, text: str, params: dict[str, Any], value: str | list[Any]) -> Iterator[Any]:
        assert d.max_query_bytes is not None
        room = d.max_query_bytes - d.query_size(
            text, {**params, "part": "" if isinstance(value, str) else []}
        )
        if isinstance(value, list):
            chunk: list[Any] = []
            size = 0
            for item in value:
                s = d.value_size(item) + 2
                if s > room:
                    msg = f"a list item of {s} bytes exceeds what {d.describe()} takes in one query"
                    raise InvalidParameter("record", msg)
                if chunk and size + s > room:
                    yield chunk
                    chunk, size = [], 0
                chunk.append(item)
                size += s
            if chunk:
                yield chunk
            return
        piece: list[str] = []
        size = 0
        for ch in value:
            s = d.value_size(ch) - 2
            if piece and size + s > room:
                yield "".join(piece)
                piece, size = [], 0
            piece.append(ch)
            size += s
        if piece:
            yield "".join(piece)

    def _purge(self, keep: str | None) -> None:
        """Delete every entity, relationship and source not of generation ``keep``."""
        for label, detach in ((ENTITY, "DETACH "), (SOURCE, "")):
            text = (
                f"MATCH (n:{label}) WHERE $keep IS NULL OR n.gen <> $keep "
                f"WITH n LIMIT {PURGE_BATCH} {detach}DELETE n RETURN count(*) AS done"
            )
            while True:
                rows = self._statement(text, {"keep": keep})
                if not rows or int(rows[0]["done"]) == 0:
                    break

    def _before_flip(self) -> None:
        """Hook run after the new generation is loaded, before it becomes current (tests)."""

    def _after_flip(self) -> None:
        """Hook run after the new generation became current, before the old one is deleted (tests)."""

    def replace_all(self, dataset: Dataset) -> None:
        for what, records in (
            ("sources", dataset.sources),
            ("entities", dataset.entities),
            ("relationships", dataset.relationships),
        ):
            seen = Counter(rec.id for rec in records.values())
            dups = sorted(i for i, n in seen.items() if n > 1)
            if dups:
                raise InvalidParameter("dataset", f"duplicate {what} ids: {', '.join(dups)}")
        srcs, ents, rels = _rows(dataset)
        version = _dataset_version(srcs, ents, rels)
        self._ensure_schema()
        current = self._current_meta()
        self._purge(keep=current[0] if current else None)
        gen = uuid.uuid4().hex[:16]
        d = self._call(lambda: self._connect()[1], budget=self._budget())
        batches = [
            part for b in self._batches(dataset, gen, d, fresh=True) for part in self._split_batch(d, b)
        ]
        total = sum(len(b.rows) for b in batches)
        show = self.progress if self.progress is not None else total > PROGRESS_THRESHOLD
        try:
            with self._progress(show, total) as advance:
                for batch in batches:
                    n = self._load(batch)
                    if n != len(batch.rows):
                        missing = self._missing_endpoints(dataset) if batch.target == "relationship" else []
                        detail = (
                            f"; relationships link unknown entities: {', '.join(missing)}" if missing else ""
                        )
                        raise InvalidParameter(
                            "dataset", f"{batch.target} batch wrote {n} of {len(batch.rows)} rows{detail}"
                        )
                    advance(len(batch.rows))
            # Relationships are created, not merged: a batch the driver re-ran after a lost
            # acknowledgement would show here as too many.
            got = self._read(
                lambda tx, d: self._run(
                    tx, d, "MATCH ()-[r]->() WHERE r.gen = $gen RETURN count(r) AS c", {"gen": gen}
                )
            )
            if int(got[0]["c"]) != len(dataset.relationships):
                what = f"loading wrote {got[0]['c']} relationships of {len(dataset.relationships)}"
                raise self._unavailable(what + "; nothing changed")
            self._before_flip()
            self._statement(
                f"MERGE (m:{META} {{key: '{META_KEY}'}}) "
                "SET m.gen = $gen, m.version = $version, m.schema = 1 RETURN m.gen AS gen",
                {"gen": gen, "version": version},
            )
        except BaseException:
            with contextlib.suppress(Exception):
                self._purge(keep=current[0] if current else None)
            raise
        self._after_flip()
        self._purge(keep=gen)

    def _load(self, batch: _Batch) -> int:
        return self._write(lambda tx, d: self._write_batch(tx, d, batch), statements=2)

    @staticmethod
    def _missing_endpoints(ds: Dataset) -> list[str]:
        return sorted(
            f"{r.id}->{end}"
            for r in ds.relationships.values()
            for end in (r.source, r.target)
            if end not in ds.entities
        )

    @contextlib.contextmanager
    def _progress(self, show: bool, total: int) -> Iterator[Callable[[int], None]]:
        if not show:
            yield lambda n: None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(
            TextColumn("loading into {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=True,
        ) as bar:
            task = bar.add_task(_redact_uri(self.uri), total=total)
            yield lambda n: bar.advance(task, n)

    def upsert(
        self,
        *,
        sources: Iterable[Source] = (),
        entities: Iterable[Entity] = (),
        relationships: Iterable[Relationship] = (),
    ) -> None:
        ds = Dataset(
            {s.id: s for s in sources}, {e.id: e for e in entities}, {r.id: r for r in relationships}
        )
        srcs, ents, rels = _rows(ds)
        change = b"upsert" + b"".join(row[-1] for rows in (srcs, ents, rels) for row in rows)
        self._ensure_schema()

        def work(tx: ManagedTransaction, d: Dialect) -> None:
            gen, current = self._meta_for_write(tx, d)
            ends = sorted(
                {x for r in ds.relationships.values() for x in (r.source, r.target)} - set(ds.entities)
            )
            if ends:
                found = {
                    row["id"]
                    for row in self._run_split(
                        tx,
                        d,
                        f"MATCH (n:{ENTITY}) WHERE n.uid IN $uids RETURN n.id AS id",
                        {"uids": [_uid(gen, x) for x in ends]},
                        "uids",
                    )
                }
                missing = [
                    f"{r.id}->{x}"
                    for r in ds.relationships.values()
                    for x in (r.source, r.target)
                    if x not in ds.entities and x not in found
                ]
                if missing:
                    raise InvalidParameter("relationships", f"unknown entities: {', '.join(sorted(missing))}")
            if ds.relationships:
                self._run_split(
                    tx,
                    d,
                    "MATCH ()-[r]->() WHERE r.uid IN $uids DELETE r RETURN count(*) AS done",
                    {"uids": [_uid(gen, rid) for rid in ds.relationships]},
                    "uids",
                )
            for batch in self._batches(ds, gen, d):
                for part in self._split_batch(d, batch):
                    self._write_batch(tx, d, part)
            self._set_version(tx, d, _next_version(current, change))

        self._write(work, statements=2 + len(ds.sources) + len(ds.entities) + len(ds.relationships))

    def _set_version(self, tx: ManagedTransaction, d: Dialect, version: str) -> None:
        self._run(tx, d, _META + "SET m.version = $version RETURN m.version AS v", {"version": version})

    def delete(
        self,
        *,
        sources: Iterable[str] = (),
        entities: Iterable[str] = (),
        relationships: Iterable[str] = (),
    ) -> None:
        ent_in, rel_in, src_in = list(entities), list(relationships), list(sources)
        self._ensure_schema()

        def ids(tx: ManagedTransaction, d: Dialect, text: str, values: list[str]) -> set[str]:
            return {str(row["id"]) for row in self._run_split(tx, d, text, {"ids": values}, "ids")}

        def work(tx: ManagedTransaction, d: Dialect) -> None:
            gen, current = self._meta_for_write(tx, d)
            uids = sorted({_uid(gen, e) for e in ent_in})
            have_ents = ids(tx, d, f"MATCH (n:{ENTITY}) WHERE n.uid IN $ids RETURN n.id AS id", uids)
            ent_ids = [e for e in ent_in if e in have_ents]
            rel_ids = ids(
                tx,
                d,
                "MATCH ()-[r]->() WHERE r.uid IN $ids RETURN r.id AS id",
                sorted({_uid(gen, r) for r in rel_in}),
            )
            rel_ids |= ids(
                tx,
                d,
                f"MATCH (n:{ENTITY})-[r]-() WHERE n.uid IN $ids RETURN DISTINCT r.id AS id",
                sorted({_uid(gen, e) for e in ent_ids}),
            )
            have_srcs = ids(
                tx,
                d,
                f"MATCH (s:{SOURCE}) WHERE s.uid IN $ids RETURN s.id AS id",
                sorted({_uid(gen, s) for s in src_in}),
            )
            src_ids = [s for s in src_in if s in have_srcs]
            change = "|".join(sorted(rel_ids) + ent_ids + src_ids).encode()
            self._run_split(
                tx,
                d,
                "MATCH ()-[r]->() WHERE r.uid IN $ids DELETE r RETURN count(*) AS done",
                {"ids": sorted(_uid(gen, r) for r in rel_ids)},
                "ids",
            )
            self._run_split(
                tx,
                d,
                f"MATCH (n:{ENTITY}) WHERE n.uid IN $ids DETACH DELETE n RETURN count(*) AS done",
                {"ids": sorted({_uid(gen, e) for e in ent_ids})},
                "ids",
            )
            self._run_split(
                tx,
                d,
                f"MATCH (s:{SOURCE}) WHERE s.uid IN $ids DELETE s RETURN count(*) AS done",
                {"ids": sorted({_uid(gen, s) for s in src_ids})},
                "ids",
            )
            self._set_version(tx, d, _next_version(current, b"delete" + change))

        self._write(work, statements=8)
