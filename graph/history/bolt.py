"""The change log of a Bolt (Neo4j) store, kept beside it in the workspace.

``LoggedNeo4jStore`` is the Neo4j store with every write logged to ``log_db`` (a SQLite file
in ``CRYPTOKG_WORKSPACE``, by default ``.cryptokg/bolt-history.sqlite``), with the same entries
as the embedded store's log. The entry is written right after the server commits the change,
in its own SQLite transaction: a write that fails on the server logs nothing, but a process
killed between the two commits loses that entry (the two systems share no transaction).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graph.history.diff import RecordChange, diff_record, diff_tables, ordered
from graph.history.log import record
from graph.ingest.records import Records
from graph.ingest.validate import Dataset
from graph.model import Entity, Relationship, Source, dump
from graph.store.neo4j import Neo4jStore

__all__ = ["LOG_NAME", "LoggedNeo4jStore"]

LOG_NAME = "bolt-history.sqlite"


def _table(records: Any) -> dict[str, dict[str, Any]]:
    if isinstance(records, Records):
        return dict(records.raw)
    return {k: dump(v) for k, v in records.items()}


class LoggedNeo4jStore(Neo4jStore):
    """A Neo4j store whose writes are logged to ``log_db`` (see the module docstring)."""

    def __init__(self, uri: str, *, log_db: Path, **kw: Any) -> None:
        super().__init__(uri, **kw)
        self.log_db = Path(log_db)

    def _log(self, action: str, before: str, changes: list[RecordChange]) -> None:
        if not changes:
            return
        after = self.version
        if after == before:
            return
        self.log_db.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.log_db, isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                record(con, action=action, version_before=before, version_after=after, changes=changes)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        finally:
            con.close()

    def replace_all(self, dataset: Dataset) -> None:
        before = self.version
        old = [
            {s.id: dump(s) for s in self.iter_sources()},
            {e.id: dump(e) for e in self.iter_entities()},
            {r.id: dump(r) for r in self.iter_relationships()},
        ]
        new = [_table(dataset.sources), _table(dataset.entities), _table(dataset.relationships)]
        changes: list[RecordChange] = []
        for kind, o, n in zip(("source", "entity", "relationship"), old, new, strict=True):
            changes += diff_tables(kind, o, n)
        super().replace_all(dataset)
        self._log("ingest", before, changes)

    def upsert(
        self,
        *,
        sources: Iterable[Source] = (),
        entities: Iterable[Entity] = (),
        relationships: Iterable[Relationship] = (),
    ) -> None:
        srcs, ents, rels = list(sources), list(entities), list(relationships)
        before = self.version
        changes: list[RecordChange] = []
        for kind, models, current in (
            ("source", srcs, self.get_sources(s.id for s in srcs)),
            ("entity", ents, self.get_entities(e.id for e in ents)),
            ("relationship", rels, self.get_relationships(r.id for r in rels)),
        ):
            for m in models:
                old = current.get(m.id)
                ch = diff_record(kind, m.id, dump(old) if old is not None else None, dump(m))
                if ch is not None:
                    changes.append(ch)
        super().upsert(sources=srcs, entities=ents, relationships=rels)
        self._log("upsert", before, ordered(changes))

    def delete(
        self,
        *,
        sources: Iterable[str] = (),
        entities: Iterable[str] = (),
        relationships: Iterable[str] = (),
    ) -> None:
        src_ids, ent_ids, rel_in = list(sources), list(entities), list(relationships)
        rel_ids = set(rel_in)
        before = self.version
        for eid in ent_ids:
            rel_ids.update(a.rel_id for a in self.adjacent(eid))
        changes: list[RecordChange] = []
        for kind, got in (
            ("source", self.get_sources(src_ids)),
            ("entity", self.get_entities(ent_ids)),
            ("relationship", self.get_relationships(sorted(rel_ids))),
        ):
            for rid, model in got.items():
                ch = diff_record(kind, rid, dump(model), None)
                if ch is not None:
                    changes.append(ch)
        super().delete(sources=src_ids, entities=ent_ids, relationships=rel_in)
        self._log("delete", before, ordered(changes))
