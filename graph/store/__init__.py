"""Stores behind one interface; ``open_store`` picks one from settings."""

from __future__ import annotations

from graph.settings import Settings, get_settings
from graph.store.base import Adj, GraphStore, NameRow, StoreStats

__all__ = ["Adj", "GraphStore", "NameRow", "StoreStats", "is_bolt_uri", "open_store"]

BOLT_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


def is_bolt_uri(value: str) -> bool:
    """True when ``value`` names a Bolt server rather than the embedded store."""
    return value.startswith(BOLT_SCHEMES)


def open_store(settings: Settings | None = None, *, store: str | None = None) -> GraphStore:
    """Open the store named by ``store`` (or ``settings.store``).

    ``embedded`` (the default) opens the networkx store in ``settings.workspace``; a Bolt URI
    opens the Neo4j store.
    """
    settings = settings or get_settings()
    target = store or settings.store
    if is_bolt_uri(target):
        # Its change log lives beside it, in the workspace (graph.history.bolt).
        from graph.history.bolt import LOG_NAME, LoggedNeo4jStore

        store_: GraphStore = LoggedNeo4jStore(
            target,
            log_db=settings.workspace / LOG_NAME,
            user=settings.neo4j_user,
            password=settings.neo4j_password,
            database=settings.neo4j_database,
            timeout=settings.query_timeout,
        )
        return store_
    if target not in ("embedded", "memory"):
        from graph.errors import InvalidParameter

        raise InvalidParameter("store", f"{target!r} is neither 'embedded' nor a bolt:// or neo4j:// URI")
    from graph.store.memory import MemoryStore

    return MemoryStore(settings.workspace)
