"""What only Neo4j 5 does for the Bolt store, on the real Neo4j server the suite starts.

Schema statements (uniqueness constraints, indexes), the server-side transaction timeout, the
database name setting, the routing scheme, and real transactions: ``upsert``/``delete`` killed
midway leave nothing behind, a concurrent reader sees none of a write until it commits, and the
generation switch shows the whole new graph at once. (FalkorDB acknowledges BEGIN/COMMIT and
ignores them; these tests are Neo4j's.)

A finding these tests do not cover, because no client can prevent it: Neo4j isolates transactions
at *read committed*, per row read, so one long read statement racing a commit can see part of it
(a first version of these tests, with a reader polling during writes, saw 7 of 61 entities of a
delete). The store's own reads read the generation once per statement, so a flip cannot split one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from graph.errors import QueryTimeout, StoreUnavailable
from graph.ingest.validate import Dataset
from graph.store.memory import MemoryStore
from graph.store.neo4j import Neo4jStore
from tests.factory import company, person, rel, source
from tests.graph.store.test_neo4j import raw, raw_counts, snapshot
from tests.neo4j_server import DATABASE, Neo4jServer

pytestmark = pytest.mark.bolt


@pytest.fixture()
def server(neo4j_server: Neo4jServer) -> Neo4jServer:
    neo4j_server.ensure_running()
    return neo4j_server


def _open(server: Neo4jServer, **kw: Any) -> Neo4jStore:
    kw.setdefault("timeout", 10.0)
    return Neo4jStore(server.uri, user=server.user, password=server.password, **kw)


@pytest.fixture()
def fresh(server: Neo4jServer, mini_dataset: Dataset) -> Iterator[Neo4jStore]:
    st = _open(server)
    st.replace_all(mini_dataset)
    yield st
    st.close()


def test_schema_constraints_and_indexes_are_on_the_server(fresh: Neo4jStore) -> None:
    constraints = {
        r["name"]: (r["type"], r["labelsOrTypes"], r["properties"])
        for r in raw(fresh, "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties")
    }
    assert constraints == {
        "cryptokg_entity_uid": ("UNIQUENESS", ["Entity"], ["uid"]),
        "cryptokg_source_uid": ("UNIQUENESS", ["Source"], ["uid"]),
        "cryptokg_meta_key": ("UNIQUENESS", ["Meta"], ["key"]),
    }
    indexes = {
        r["name"]: (r["labelsOrTypes"], r["properties"], r["state"])
        for r in raw(
            fresh,
            "SHOW INDEXES YIELD name, labelsOrTypes, properties, state WHERE name STARTS WITH 'cryptokg'",
        )
    }
    assert indexes["cryptokg_entity_id"] == (["Entity"], ["id"], "ONLINE")
    assert indexes["cryptokg_entity_gen"] == (["Entity"], ["gen"], "ONLINE")
    assert indexes["cryptokg_source_id"] == (["Source"], ["id"], "ONLINE")
    # The constraint holds: a second node with a taken uid is refused by the server.
    uid = raw(fresh, "MATCH (n:Entity {id: 'alice'}) RETURN n.uid AS u")[0]["u"]
    with pytest.raises(StoreUnavailable, match="ConstraintValidationFailed"):
        fresh._statement("CREATE (:Entity {uid: $uid, id: 'twin'}) RETURN 1 AS done", {"uid": uid})
    # Schema statements are idempotent: a second store on the same database creates nothing new.
    again = Neo4jStore(fresh.uri, user=fresh.user, password=fresh._password)
    again.upsert(entities=[person("again")])
    assert len(raw(again, "SHOW CONSTRAINTS YIELD name")) == 3
    again.close()


def test_the_server_enforces_the_transaction_timeout(server: Neo4jServer) -> None:
    st = _open(server, timeout=1.0)
    st.grace = 60.0  # the client-side deadline is far away: only the server can stop this
    st.ping()
    t0 = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"query ran past 1s"):
        raw(st, "UNWIND range(1, 2000000000) AS x WITH x WHERE x % 7 = 0 RETURN count(x) AS c")
    assert time.monotonic() - t0 < 30
    assert st.get_entity("nope") is None  # same store, the server still answers
    running = raw(st, "SHOW TRANSACTIONS YIELD currentQuery RETURN collect(currentQuery) AS q")[0]["q"]
    assert not [q for q in running if "2000000000" in q]  # the runaway query was terminated
    st.close()


def test_the_database_name_setting(server: Neo4jServer, mini_dataset: Dataset) -> None:
    named = _open(server, database=DATABASE)
    named.replace_all(mini_dataset)
    assert named.describe() == f"neo4j store {server.uri} (database {DATABASE})"
    assert raw(named, "CALL db.info() YIELD name RETURN name")[0]["name"] == DATABASE
    assert named.stats().entities == 12
    named.close()
    missing = _open(server, database="nope", timeout=3.0)
    with pytest.raises(StoreUnavailable) as info:
        missing.ping()
    assert "database 'nope' does not exist" in str(info.value) and server.password not in str(info.value)
    missing.close()


class Boom(RuntimeError):
    pass


def _extra() -> Dataset:
    ents = {f"x{i:03d}": person(f"x{i:03d}", sources=["s1"]) for i in range(60)}
    ents["xco"] = company("xco", sources=["s1"])
    rels = {f"rx{i:03d}": rel(f"rx{i:03d}", f"x{i:03d}", "ceo_of", "xco", sources=["s1"]) for i in range(60)}
    return Dataset({"s9": source("s9")}, ents, rels)


def _fail_after_first_batch(
    store: Neo4jStore, monkeypatch: pytest.MonkeyPatch, fail: Callable[[], None]
) -> None:
    real = store._write_batch
    written: list[int] = []

    def write_batch(tx: Any, d: Any, batch: Any) -> int:
        if written:
            fail()
        written.append(real(tx, d, batch))
        return written[-1]

    monkeypatch.setattr(store, "_write_batch", write_batch)


def test_an_upsert_that_fails_midway_writes_nothing(
    fresh: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, counts = snapshot(fresh), raw_counts(fresh)
    extra = _extra()

    def boom() -> None:
        raise Boom

    _fail_after_first_batch(fresh, monkeypatch, boom)
    with pytest.raises(Boom):
        fresh.upsert(
            sources=extra.sources.values(),
            entities=extra.entities.values(),
            relationships=extra.relationships.values(),
        )
    assert raw_counts(fresh) == counts  # the first batch was rolled back with the rest
    assert snapshot(fresh) == before


def test_an_upsert_whose_connection_dies_midway_writes_nothing(
    fresh: Neo4jStore, server: Neo4jServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, counts = snapshot(fresh), raw_counts(fresh)
    extra = _extra()
    # Like the client process dying mid-write: its sockets close with the transaction open. The
    # driver then retries the whole transaction; that retry is made to fail before it writes, so
    # whatever is on the server afterwards is what the killed transaction left: nothing.
    kills: list[int] = []

    def die() -> None:
        if not kills:
            kills.append(1)
            fresh._abandon()
            return
        raise Boom

    _fail_after_first_batch(fresh, monkeypatch, die)
    with pytest.raises(Boom):
        fresh.upsert(
            sources=extra.sources.values(),
            entities=extra.entities.values(),
            relationships=extra.relationships.values(),
        )
    assert kills == [1]
    monkeypatch.undo()
    other = _open(server)
    assert raw_counts(other) == counts
    assert snapshot(other) == before == snapshot(fresh)  # the store reconnects
    other.close()


def test_a_delete_that_fails_midway_deletes_nothing(
    fresh: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, counts = snapshot(fresh), raw_counts(fresh)
    real = fresh._run_split
    calls: list[str] = []

    def run_split(tx: Any, d: Any, text: str, params: dict[str, Any], key: str) -> Any:
        if "DETACH DELETE" in text:  # relationships are deleted by now, entities next
            raise Boom
        calls.append(text)
        return real(tx, d, text, params, key)

    monkeypatch.setattr(fresh, "_run_split", run_split)
    with pytest.raises(Boom):
        fresh.delete(entities=["carol", "acme"], relationships=["r01"])
    assert any("DELETE r" in c for c in calls)  # some deleting ran before the failure
    assert raw_counts(fresh) == counts and snapshot(fresh) == before


def _look(st: Neo4jStore, ids: list[str]) -> tuple[int, int]:
    """How many of ``ids`` a reader sees, and their relationships (one statement)."""
    rows = raw(
        st,
        "MATCH (m:Meta {key: 'graph'}) WITH m.gen AS g MATCH (n:Entity) WHERE n.gen = g AND n.id IN $ids "
        "OPTIONAL MATCH (n)-[r]->() RETURN count(DISTINCT n) AS n, count(r) AS r",
        {"ids": ids},
    )
    return int(rows[0]["n"]), int(rows[0]["r"])


def _paused(
    store: Neo4jStore, monkeypatch: pytest.MonkeyPatch, hook: str, write: Callable[[], None]
) -> Iterator[None]:
    """Run ``write`` in a thread that stops at ``store.<hook>`` until the caller resumes it.

    Yields once, while the writer waits there (inside its open transaction for ``_set_version``).
    """
    reached, resume = threading.Event(), threading.Event()
    real = getattr(store, hook)

    def pause(*args: Any) -> Any:
        got = real(*args)
        reached.set()
        assert resume.wait(60)
        return got

    monkeypatch.setattr(store, hook, pause)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            write()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            errors.append(exc)
            reached.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert reached.wait(60) and not errors, errors
    try:
        yield
    finally:
        resume.set()
        thread.join(timeout=60)
        monkeypatch.undo()
    assert not errors, errors


def test_a_reader_never_sees_an_upsert_or_delete_before_it_commits(
    fresh: Neo4jStore, server: Neo4jServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = _extra()
    ids = sorted(extra.entities)
    reader = _open(server)
    before = snapshot(reader)

    def upsert() -> None:
        fresh.upsert(
            sources=extra.sources.values(),
            entities=extra.entities.values(),
            relationships=extra.relationships.values(),
        )

    # The writer has written every record and waits inside its transaction, before the commit.
    for _ in _paused(fresh, monkeypatch, "_set_version", upsert):
        assert _look(reader, ids) == (0, 0)
        assert snapshot(reader) == before
    assert _look(reader, ids) == (61, 60)  # all of it once committed
    after = snapshot(reader)
    for _ in _paused(fresh, monkeypatch, "_set_version", lambda: fresh.delete(entities=ids)):
        assert _look(reader, ids) == (61, 60)  # the delete has run, uncommitted: nothing gone
        assert snapshot(reader) == after
    assert _look(reader, ids) == (0, 0)
    reader.close()


def test_the_generation_switch_shows_the_whole_new_graph_before_the_old_is_deleted(
    fresh: Neo4jStore, server: Neo4jServer, mini_dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = _extra()
    want = MemoryStore(None)
    want.replace_all(other)
    reader = _open(server)
    before = snapshot(reader)
    # Paused after the flip, while both generations are on the server: readers see the new one.
    for _ in _paused(fresh, monkeypatch, "_after_flip", lambda: fresh.replace_all(other)):
        assert raw_counts(reader)["entity"] == 12 + 61  # the old generation is still there
        assert snapshot(reader) == snapshot(want)
    assert raw_counts(reader)["entity"] == 61
    # Paused before the flip, with the new generation loaded: readers see the old one.
    for _ in _paused(fresh, monkeypatch, "_before_flip", lambda: fresh.replace_all(mini_dataset)):
        assert raw_counts(reader)["entity"] == 12 + 61
        assert snapshot(reader) == snapshot(want)
    assert snapshot(reader) == before
    reader.close()


def test_the_routing_scheme_works_against_a_single_server(server: Neo4jServer, mini_dataset: Dataset) -> None:
    # neo4j:// makes the driver fetch a routing table and send reads and writes where it says
    # (a cluster's readers and writer); a single server routes everything to itself.
    routed = Neo4jStore(server.uri.replace("bolt://", "neo4j://"), user=server.user, password=server.password)
    routed.replace_all(mini_dataset)
    mem = MemoryStore(None)
    mem.replace_all(mini_dataset)
    assert snapshot(routed) == snapshot(mem)
    routed.upsert(entities=[person("routed")])
    assert routed.get_entity("routed") is not None  # read-your-writes across calls (bookmarks)
    routed.close()
