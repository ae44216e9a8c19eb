"""The Bolt store's change log, kept beside it in the workspace: the same entries as the
embedded store's, and past versions rebuilt from it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graph import writes
from graph.history import attributed
from graph.history.bolt import LoggedNeo4jStore
from graph.history.log import entries
from graph.history.queries import diff, log_path
from graph.history.versions import PastVersions
from graph.ingest.validate import Dataset
from graph.model import dump
from graph.settings import Settings
from graph.store import open_store

pytestmark = pytest.mark.bolt


def test_bolt_writes_are_logged_beside_the_store(
    bolt_store_factory: Callable[[str, Any], Any], mini_dataset: Dataset, tmp_path: Path
) -> None:
    plain = bolt_store_factory("history", mini_dataset)
    st = LoggedNeo4jStore(
        plain.uri, user=plain.user, password=plain._password, log_db=tmp_path / "log.sqlite"
    )
    try:
        assert log_path(st) == tmp_path / "log.sqlite"
        st.replace_all(mini_dataset)  # the same graph: nothing to log
        assert entries(st.log_db)[1] == 0
        v0 = st.version
        snap0 = [dump(e) for e in st.iter_entities()]
        with attributed("bolt editor", "rename"):
            writes.update(st, "entity", "alice", {"name": "Alice Bolt"})
        with attributed("bolt editor", "drop r04"):
            writes.delete(st, "relationship", "r04")
        got, total = entries(st.log_db, newest_first=False)
        assert total == 2
        assert [(e.who, e.reason, e.action) for e in got] == [
            ("bolt editor", "rename", "upsert"),
            ("bolt editor", "drop r04", "delete"),
        ]
        assert got[0].version_before == v0 and got[1].version_after == st.version
        assert got[0].records[0].fields == {"name": ("Alice Example", "Alice Bolt")}
        assert [(r.id, r.op) for r in got[1].records] == [("r04", "removed")]
        d = diff(st, v0, st.version)
        assert [c["id"] for c in d["entities"]["changed"]] == ["alice"]
        assert [c["id"] for c in d["relationships"]["removed"]] == ["r04"]
        past = PastVersions().store_at(st, st.log_db, v0)
        assert [dump(e) for e in past.iter_entities()] == snap0
        assert past.get_relationship("r04") is not None
    finally:
        st.replace_all(mini_dataset)
        st.close()


def test_open_store_keeps_a_bolt_log_in_the_workspace(
    bolt_store_factory: Callable[[str, Any], Any], mini_dataset: Dataset, tmp_path: Path
) -> None:
    plain = bolt_store_factory("history", mini_dataset)
    settings = Settings(
        store=plain.uri, neo4j_user=plain.user, neo4j_password=plain._password, workspace=tmp_path / "ws"
    )
    st = open_store(settings)
    try:
        assert isinstance(st, LoggedNeo4jStore)
        assert st.log_db == tmp_path / "ws" / "bolt-history.sqlite"
    finally:
        st.close()
