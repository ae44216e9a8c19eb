"""A small typed Python client of the cryptokg JSON API, on httpx (synchronous).

Every method mirrors one endpoint, takes the endpoint's parameters under the same names and
returns the API's own response model from ``api.schemas``::

    from api.client import CryptoKGClient

    with CryptoKGClient("http://127.0.0.1:8000") as kg:
        cz = kg.search("CZ").results[0]
        res = kg.paths(cz.id, "Donald Trump", mode="k", k=3)
        for hop in res.paths[0].hops:
            print(hop.sentence)

Errors: any answer with a 4xx or 5xx status raises ``ApiProblem`` (a ``ClientError``) carrying
the RFC 9457 problem details the server sent (``status``, ``title``, ``detail``, ``suggestions``
for an unknown entity, ``errors`` for bad parameters or data). Network failures raise httpx's
own ``httpx.TransportError`` (connection refused, timeout).

Relationship filters (``types``, ``exclude_types``, ``categories``, ``exclude_categories``,
``kinds``, ``min_status``, ``as_of``, ``unknown_dates``) are keyword arguments of the methods
whose endpoints take them (see ``Filters``). List parameters take any sequence of strings.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, TypedDict, TypeVar, Unpack, overload
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from api.schemas import (
    BrokersOut,
    CitationsOut,
    CommonOut,
    CommunitiesOut,
    ConflictsOut,
    DeletedOut,
    EntityOut,
    HealthOut,
    IngestOut,
    Page,
    ParameterError,
    PathsOut,
    ProblemOut,
    ProfileOut,
    RankingOut,
    RecordError,
    RelationshipDetailOut,
    RelationshipOut,
    SchemaOut,
    SearchOut,
    SourceOut,
    StatsOut,
    SubgraphOut,
    Suggestion,
    TimelineOut,
)
from api.schemas_datasets import DatasetOut, DatasetsOut, DropOut, ImportOut

__all__ = ["API_PREFIX", "ApiProblem", "ClientError", "CryptoKGClient", "Filters"]

#: Where the JSON API lives on the server (``/health`` is at the root).
API_PREFIX = "/api/v1"
#: Seconds to wait for the server by default (connect, read and write each).
DEFAULT_TIMEOUT = 30.0

M = TypeVar("M", bound=BaseModel)
ExportFormat = Literal["json", "graphml", "gexf", "csv", "cypher", "ftm"]
RecordKind = Literal["entity", "relationship", "source"]
_COLLECTIONS: dict[str, str] = {"entity": "entities", "relationship": "relationships", "source": "sources"}
_OUT_MODELS: dict[str, type[EntityOut | RelationshipOut | SourceOut]] = {
    "entity": EntityOut,
    "relationship": RelationshipOut,
    "source": SourceOut,
}


class Filters(TypedDict, total=False):
    """Relationship filters that the graph walks take (all optional; see the API's docs)."""

    types: Sequence[str]
    exclude_types: Sequence[str]
    categories: Sequence[str]
    exclude_categories: Sequence[str]
    kinds: Sequence[str]
    min_status: str
    as_of: str | dt.date
    unknown_dates: Literal["include", "exclude"]
    evidence: Literal["any", "primary"]


class ClientError(Exception):
    """Base class of the errors this client raises."""


class ApiProblem(ClientError):
    """The server answered with an error: RFC 9457 problem details.

    ``suggestions`` lists close matches when an entity is unknown (404); ``errors`` lists each
    bad parameter or each problem in submitted data (422). ``problem`` is the whole parsed body.
    """

    def __init__(self, problem: ProblemOut) -> None:
        self.problem = problem
        self.status: int = problem.status
        self.title: str = problem.title
        self.detail: str | None = problem.detail
        self.type: str = problem.type
        self.instance: str | None = problem.instance
        self.suggestions: list[Suggestion] = list(problem.suggestions or [])
        self.errors: list[ParameterError | RecordError] = list(problem.errors or [])
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.status} {self.title}"
        return f"{text}: {self.detail}" if self.detail else text


def _problem_of(resp: httpx.Response) -> ProblemOut:
    """The problem details of an error answer (or ones made up from a non-problem answer)."""
    try:
        data = resp.json()
        if isinstance(data, dict) and "status" in data and "title" in data:
            return ProblemOut.model_validate(data)
    except (ValueError, ValidationError):
        pass
    text = resp.text.strip()
    return ProblemOut(
        type="about:blank",
        title=resp.reason_phrase or "Error",
        status=resp.status_code,
        detail=text[:500] or None,
        instance=resp.request.url.path,
    )


def _param(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return value


def _params(**values: Any) -> dict[str, Any]:
    """Query parameters without the ones left at None (the server's defaults apply)."""
    return {k: _param(v) for k, v in values.items() if v is not None}


def _seg(value: str) -> str:
    """One URL path segment: ids and names are quoted, slashes included."""
    return quote(value, safe="")


class CryptoKGClient:
    """A synchronous client of one cryptokg server. Use it as a context manager (or ``close``).

    ``base_url`` is the server's root (``http://127.0.0.1:8000``); ``api_key`` is sent as
    ``X-API-Key`` and is needed only by the write methods, with ``reason`` (sent as
    ``X-Change-Reason``: why the writes are made, for the change log); ``timeout`` is in seconds (or an
    ``httpx.Timeout``). ``transport`` lets tests and proxies plug in an httpx transport.
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        reason: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        root = base_url.rstrip("/")
        if root.endswith(API_PREFIX):
            root = root[: -len(API_PREFIX)]
        sent = {"Accept": "application/json", "User-Agent": "cryptokg-client/1"}
        sent.update(headers or {})
        if api_key:
            sent["X-API-Key"] = api_key
        if reason:
            sent["X-Change-Reason"] = reason
        self.base_url = root
        self._http = httpx.Client(base_url=root, headers=sent, timeout=timeout, transport=transport)

    # -- plumbing ----------------------------------------------------------------------------
    def __enter__(self) -> CryptoKGClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"CryptoKGClient({self.base_url!r})"

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        content_type: str | None = None,
    ) -> httpx.Response:
        """Send one request (``path`` from the server's root); raise ``ApiProblem`` on an error status."""
        headers = {"Content-Type": content_type} if content_type else None
        if json_body is not None:
            content = json.dumps(json_body).encode("utf-8")
            headers = {"Content-Type": "application/json"}
        resp = self._http.request(method, path, params=params, content=content, headers=headers)
        if resp.status_code >= 400:
            raise ApiProblem(_problem_of(resp))
        return resp

    def _get(self, path: str, model: type[M], **params: Any) -> M:
        resp = self.request("GET", API_PREFIX + path, params=_params(**params))
        return model.model_validate_json(resp.content)

    # -- entities ----------------------------------------------------------------------------
    def search(self, q: str, *, kind: str | None = None, limit: int | None = None) -> SearchOut:
        """Entities by name or alias, best match first (``GET /api/v1/search``)."""
        return self._get("/search", SearchOut, q=q, kind=kind, limit=limit)

    def entities(
        self, *, kind: str | None = None, offset: int | None = None, limit: int | None = None
    ) -> Page[EntityOut]:
        """One page of entities ordered by id (``GET /api/v1/entities``)."""
        return self._get("/entities", Page[EntityOut], kind=kind, offset=offset, limit=limit)

    def entity(
        self, id: str, *, limit: int | None = None, evidence: Literal["any", "primary"] | None = None
    ) -> ProfileOut:
        """An entity's profile: its relationships by category and type (``GET /api/v1/entities/{id}``).

        ``id`` may also be an exact name or alias; ``limit`` caps the relationships listed per type;
        ``evidence="primary"`` keeps only relationships citing a primary record.
        """
        return self._get(f"/entities/{_seg(id)}", ProfileOut, limit=limit, evidence=evidence)

    def neighbours(
        self,
        id: str,
        *,
        depth: int | None = None,
        direction: Literal["both", "out", "in"] | None = None,
        max_nodes: int | None = None,
        **filters: Unpack[Filters],
    ) -> SubgraphOut:
        """Entities within ``depth`` hops and the relationships among them (``.../neighbours``)."""
        return self._get(
            f"/entities/{_seg(id)}/neighbours",
            SubgraphOut,
            depth=depth,
            direction=direction,
            max_nodes=max_nodes,
            **filters,
        )

    # -- paths ---------------------------------------------------------------------------------
    def paths(
        self,
        source: str,
        target: str,
        *,
        mode: Literal["shortest", "all", "k"] | None = None,
        k: int | None = None,
        max_hops: int | None = None,
        directed: bool | None = None,
        weighted: bool | None = None,
        avoid: Sequence[str] | None = None,
        **filters: Unpack[Filters],
    ) -> PathsOut:
        """Paths from ``source`` to ``target``, each hop a cited sentence (``GET /api/v1/paths``).

        No path is not an error: ``paths`` is empty and ``message`` says why.
        """
        return self._get(
            "/paths",
            PathsOut,
            source=source,
            target=target,
            mode=mode,
            k=k,
            max_hops=max_hops,
            directed=directed,
            weighted=weighted,
            avoid=avoid,
            **filters,
        )

    def common(
        self,
        entities: Sequence[str],
        *,
        max_hops: int | None = None,
        limit: int | None = None,
        **filters: Unpack[Filters],
    ) -> CommonOut:
        """Entities linked to every one of ``entities``, ranked (``GET /api/v1/common``)."""
        return self._get("/common", CommonOut, entities=entities, max_hops=max_hops, limit=limit, **filters)

    # -- analytics -----------------------------------------------------------------------------
    def timeline(
        self,
        entities: Sequence[str] | None = None,
        *,
        start: str | dt.date | None = None,
        end: str | dt.date | None = None,
        limit: int | None = None,
        evidence: Literal["any", "primary"] | None = None,
    ) -> TimelineOut:
        """Dated relationships and events, oldest first (``GET /api/v1/timeline``); none: whole graph."""
        return self._get(
            "/timeline", TimelineOut, entities=entities, start=start, end=end, limit=limit, evidence=evidence
        )

    def rankings(
        self,
        *,
        metric: Literal["degree", "betweenness", "pagerank"] | None = None,
        top: int | None = None,
        kind: str | None = None,
        **filters: Unpack[Filters],
    ) -> RankingOut:
        """Top entities by a centrality metric (``GET /api/v1/analytics/rankings``)."""
        return self._get("/analytics/rankings", RankingOut, metric=metric, top=top, kind=kind, **filters)

    def communities(
        self,
        *,
        seed: int | None = None,
        min_size: int | None = None,
        limit: int | None = None,
        members: int | None = None,
        **filters: Unpack[Filters],
    ) -> CommunitiesOut:
        """Louvain communities, largest first (``GET /api/v1/analytics/communities``)."""
        return self._get(
            "/analytics/communities",
            CommunitiesOut,
            seed=seed,
            min_size=min_size,
            limit=limit,
            members=members,
            **filters,
        )

    def brokers(
        self,
        group_a: Sequence[str],
        group_b: Sequence[str],
        *,
        max_hops: int | None = None,
        top: int | None = None,
        **filters: Unpack[Filters],
    ) -> BrokersOut:
        """Entities carrying the shortest paths between two groups (``GET /api/v1/analytics/brokers``)."""
        return self._get(
            "/analytics/brokers",
            BrokersOut,
            group_a=group_a,
            group_b=group_b,
            max_hops=max_hops,
            top=top,
            **filters,
        )

    def conflicts(
        self,
        *,
        entity: str | None = None,
        max_chain: int | None = None,
        limit: int | None = None,
        **filters: Unpack[Filters],
    ) -> ConflictsOut:
        """Conflict-of-interest patterns, each a cited chain (``GET /api/v1/conflicts``)."""
        return self._get(
            "/conflicts", ConflictsOut, entity=entity, max_chain=max_chain, limit=limit, **filters
        )

    # -- records ---------------------------------------------------------------------------------
    def relationships(
        self,
        *,
        type: str | None = None,
        status: str | None = None,
        entity: str | None = None,
        offset: int | None = None,
        limit: int | None = None,
    ) -> Page[RelationshipOut]:
        """One page of relationships ordered by id (``GET /api/v1/relationships``)."""
        return self._get(
            "/relationships",
            Page[RelationshipOut],
            type=type,
            status=status,
            entity=entity,
            offset=offset,
            limit=limit,
        )

    def relationship(self, id: str) -> RelationshipDetailOut:
        """One relationship with its entities, sentence and sources (``GET /api/v1/relationships/{id}``)."""
        return self._get(f"/relationships/{_seg(id)}", RelationshipDetailOut)

    def sources(
        self, *, kind: str | None = None, offset: int | None = None, limit: int | None = None
    ) -> Page[SourceOut]:
        """One page of sources ordered by id (``GET /api/v1/sources``)."""
        return self._get("/sources", Page[SourceOut], kind=kind, offset=offset, limit=limit)

    def source(self, id: str) -> SourceOut:
        """One source (``GET /api/v1/sources/{id}``)."""
        return self._get(f"/sources/{_seg(id)}", SourceOut)

    def citations(self, id: str, *, offset: int | None = None, limit: int | None = None) -> CitationsOut:
        """The entities and relationships citing a source (``GET /api/v1/sources/{id}/citations``)."""
        return self._get(f"/sources/{_seg(id)}/citations", CitationsOut, offset=offset, limit=limit)

    # -- datasets --------------------------------------------------------------------------------
    def datasets(self) -> DatasetsOut:
        """Every dataset with its provenance, licence and counts (``GET /api/v1/datasets``)."""
        return self._get("/datasets", DatasetsOut)

    def dataset(self, name: str) -> DatasetOut:
        """One dataset (``GET /api/v1/datasets/{name}``)."""
        return self._get(f"/datasets/{_seg(name)}", DatasetOut)

    def import_dataset(
        self,
        data: bytes,
        *,
        format: Literal["ftm", "icij", "littlesis", "mapped"],
        dataset: str,
        skip_bad: bool = False,
        official: bool = False,
    ) -> ImportOut:
        """Import a dataset file, replacing that dataset (``POST /api/v1/import``): FtM JSON Lines,
        LittleSis JSON, the ICIJ CSV zip, or a zip of tables with one YAML mapping."""
        ctype = "application/zip" if data.startswith(b"PK") else "application/octet-stream"
        resp = self.request(
            "POST",
            f"{API_PREFIX}/import",
            params=_params(format=format, dataset=dataset, skip_bad=skip_bad, official=official),
            content=data,
            content_type=ctype,
        )
        return ImportOut.model_validate_json(resp.content)

    def drop_dataset(self, name: str) -> DropOut:
        """Remove one imported dataset (``DELETE /api/v1/datasets/{name}``)."""
        resp = self.request("DELETE", f"{API_PREFIX}/datasets/{_seg(name)}")
        return DropOut.model_validate_json(resp.content)

    # -- exports ---------------------------------------------------------------------------------
    def export(self, format: ExportFormat = "json") -> bytes:
        """The whole graph as a file (``GET /api/v1/export``); ``csv`` is a zip archive."""
        return self.request("GET", API_PREFIX + "/export", params={"format": format}).content

    def export_neighbours(
        self,
        id: str,
        format: ExportFormat = "json",
        *,
        depth: int | None = None,
        direction: Literal["both", "out", "in"] | None = None,
        max_nodes: int | None = None,
        **filters: Unpack[Filters],
    ) -> bytes:
        """A neighbourhood as a file (``GET /api/v1/entities/{id}/neighbours/export``)."""
        params = _params(format=format, depth=depth, direction=direction, max_nodes=max_nodes, **filters)
        return self.request(
            "GET", f"{API_PREFIX}/entities/{_seg(id)}/neighbours/export", params=params
        ).content

    def export_paths(
        self,
        source: str,
        target: str,
        format: ExportFormat = "json",
        *,
        mode: Literal["shortest", "all", "k"] | None = None,
        k: int | None = None,
        max_hops: int | None = None,
        directed: bool | None = None,
        weighted: bool | None = None,
        avoid: Sequence[str] | None = None,
        **filters: Unpack[Filters],
    ) -> bytes:
        """The entities and relationships of a path result as a file (``GET /api/v1/paths/export``)."""
        params = _params(
            source=source,
            target=target,
            format=format,
            mode=mode,
            k=k,
            max_hops=max_hops,
            directed=directed,
            weighted=weighted,
            avoid=avoid,
            **filters,
        )
        return self.request("GET", API_PREFIX + "/paths/export", params=params).content

    # -- meta ----------------------------------------------------------------------------------
    # -- history (graph.history) ---------------------------------------------------------------
    def history(
        self,
        *,
        entity: str | None = None,
        since: str | None = None,
        until: str | None = None,
        dataset: str | None = None,
        offset: int | None = None,
        limit: int | None = None,
    ) -> dict[str, Any]:
        """A page of logged changes, newest first, as JSON (``GET /api/v1/history``)."""
        params = _params(entity=entity, since=since, until=until, dataset=dataset, offset=offset, limit=limit)
        data: dict[str, Any] = self.request("GET", API_PREFIX + "/history", params=params).json()
        return data

    def diff(self, from_: str, to: str) -> dict[str, Any]:
        """Records added, removed and changed between two versions, as JSON (``GET /api/v1/diff``)."""
        data: dict[str, Any] = self.request(
            "GET", API_PREFIX + "/diff", params={"from": from_, "to": to}
        ).json()
        return data

    def changes(self, *, limit: int | None = None) -> dict[str, Any]:
        """The latest changes as JSON (``GET /api/v1/changes``)."""
        data: dict[str, Any] = self.request(
            "GET", API_PREFIX + "/changes", params=_params(limit=limit)
        ).json()
        return data

    def changes_atom(self, *, limit: int | None = None) -> bytes:
        """The latest changes as an Atom feed (``GET /api/v1/changes.atom``)."""
        return self.request("GET", API_PREFIX + "/changes.atom", params=_params(limit=limit)).content

    def proposals(self, *, status: str | None = None, limit: int | None = None) -> dict[str, Any]:
        """The review queue (``GET /api/v1/proposals``), as JSON."""
        params = _params(status=status, limit=limit)
        data: dict[str, Any] = self.request("GET", API_PREFIX + "/proposals", params=params).json()
        return data

    def propose(self, proposal: Mapping[str, Any]) -> dict[str, Any]:
        """Propose a change for review (``POST /api/v1/proposals``); needs a key and a reason."""
        data: dict[str, Any] = self.request(
            "POST", API_PREFIX + "/proposals", json_body=dict(proposal)
        ).json()
        return data

    def approve(self, id: int) -> dict[str, Any]:
        """Apply a proposal (``POST /api/v1/proposals/{id}/approve``); needs an editor's key."""
        data: dict[str, Any] = self.request("POST", f"{API_PREFIX}/proposals/{id}/approve").json()
        return data

    def reject(self, id: int) -> dict[str, Any]:
        """Reject a proposal (``POST /api/v1/proposals/{id}/reject``); needs an editor's key."""
        data: dict[str, Any] = self.request("POST", f"{API_PREFIX}/proposals/{id}/reject").json()
        return data

    def stats(self) -> StatsOut:
        """Counts by kind, type and status, and the graph version (``GET /api/v1/stats``)."""
        return self._get("/stats", StatsOut)

    def schema(self) -> SchemaOut:
        """The data dictionary: kinds, relationship types, statuses, fields (``GET /api/v1/schema``)."""
        return self._get("/schema", SchemaOut)

    def health(self) -> HealthOut:
        """The server and its store are up (``GET /health``); ``ApiProblem`` 503 when the store is down."""
        resp = self.request("GET", "/health")
        return HealthOut.model_validate_json(resp.content)

    # -- writes (need the API key) ---------------------------------------------------------------
    @overload
    def create(self, kind: Literal["entity"], record: Mapping[str, Any]) -> EntityOut: ...
    @overload
    def create(self, kind: Literal["relationship"], record: Mapping[str, Any]) -> RelationshipOut: ...
    @overload
    def create(self, kind: Literal["source"], record: Mapping[str, Any]) -> SourceOut: ...
    def create(self, kind: RecordKind, record: Mapping[str, Any]) -> EntityOut | RelationshipOut | SourceOut:
        """Validate and add a record (``POST /api/v1/{entities,relationships,sources}``)."""
        resp = self.request("POST", f"{API_PREFIX}/{_COLLECTIONS[kind]}", json_body=dict(record))
        return _OUT_MODELS[kind].model_validate_json(resp.content)

    @overload
    def replace(self, kind: Literal["entity"], id: str, record: Mapping[str, Any]) -> EntityOut: ...
    @overload
    def replace(
        self, kind: Literal["relationship"], id: str, record: Mapping[str, Any]
    ) -> RelationshipOut: ...
    @overload
    def replace(self, kind: Literal["source"], id: str, record: Mapping[str, Any]) -> SourceOut: ...
    def replace(
        self, kind: RecordKind, id: str, record: Mapping[str, Any]
    ) -> EntityOut | RelationshipOut | SourceOut:
        """Replace a whole record; the id stays (``PUT .../{id}``)."""
        resp = self.request("PUT", f"{API_PREFIX}/{_COLLECTIONS[kind]}/{_seg(id)}", json_body=dict(record))
        return _OUT_MODELS[kind].model_validate_json(resp.content)

    @overload
    def update(self, kind: Literal["entity"], id: str, changes: Mapping[str, Any]) -> EntityOut: ...
    @overload
    def update(
        self, kind: Literal["relationship"], id: str, changes: Mapping[str, Any]
    ) -> RelationshipOut: ...
    @overload
    def update(self, kind: Literal["source"], id: str, changes: Mapping[str, Any]) -> SourceOut: ...
    def update(
        self, kind: RecordKind, id: str, changes: Mapping[str, Any]
    ) -> EntityOut | RelationshipOut | SourceOut:
        """Change some fields of a record; a field set to None is removed (``PATCH .../{id}``)."""
        resp = self.request("PATCH", f"{API_PREFIX}/{_COLLECTIONS[kind]}/{_seg(id)}", json_body=dict(changes))
        return _OUT_MODELS[kind].model_validate_json(resp.content)

    def delete(self, kind: RecordKind, id: str) -> DeletedOut:
        """Delete a record (an entity takes its relationships along) (``DELETE .../{id}``)."""
        resp = self.request("DELETE", f"{API_PREFIX}/{_COLLECTIONS[kind]}/{_seg(id)}")
        return DeletedOut.model_validate_json(resp.content)

    def ingest(
        self, data: Mapping[str, Any] | bytes, *, mode: Literal["merge", "replace"] = "merge"
    ) -> IngestOut:
        """Write many records at once, all or nothing (``POST /api/v1/ingest``).

        ``data`` is a JSON document (``sources``, ``entities``, ``relationships``, or node-link
        JSON as ``export("json")`` gives) or the bytes of a zip laid out like ``data/``.
        """
        path = f"{API_PREFIX}/ingest"
        if isinstance(data, bytes):
            resp = self.request(
                "POST", path, params={"mode": mode}, content=data, content_type="application/zip"
            )
        else:
            resp = self.request("POST", path, params={"mode": mode}, json_body=dict(data))
        return IngestOut.model_validate_json(resp.content)
