"""Writes: create, replace, update and delete entities, relationships and sources; bulk ingest.

Every route needs an editor's API key and a reason (``X-Change-Reason``; see ``api.auth``), and
every change is logged with both (``graph.history``); each route runs ``graph.writes`` under the store's
write lock: the same validation as ``cryptokg ingest``, and one atomic store call per request.
Bodies are read here rather than by FastAPI so that every problem in the data comes back in
the same form as from ingestion (``errors``: file, record, field, message).
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel

from api.auth import ChangeWriterDep
from api.deps import NO_CONTROL, GraphDep, SettingsDep
from api.errors import problem_responses
from api.schemas import DeletedOut, EntityOut, IngestOut, RelationshipOut, SourceOut
from graph import writes
from graph.guards import FREE_TEXT_FIELDS, MAX_FIELD_CHARS
from graph.ids import ID_PATTERN
from graph.ingest.safe_parse import JsonRefused, loads_json
from graph.model import Entity, Relationship, Source
from graph.store.base import GraphStore

__all__ = ["add_body_schemas", "router"]

router = APIRouter(tags=["writes"], dependencies=[ChangeWriterDep])

JSON_TYPES = ("application/json",)
ZIP_TYPES = ("application/zip", "application/x-zip-compressed")
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415)

RecordIdPath = Annotated[
    str, Path(min_length=1, max_length=200, pattern=NO_CONTROL, description="The record's id.")
]
OutModel = EntityOut | RelationshipOut | SourceOut
#: Record kind -> (collection path, domain model, response model).
KINDS: dict[str, tuple[str, type[BaseModel], type[OutModel]]] = {
    "entity": ("/entities", Entity, EntityOut),
    "relationship": ("/relationships", Relationship, RelationshipOut),
    "source": ("/sources", Source, SourceOut),
}


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def _json_body(request: Request) -> Any:
    ctype = _media_type(request)
    if ctype and ctype not in JSON_TYPES and not ctype.endswith("+json"):
        raise HTTPException(415, f"send JSON (Content-Type: application/json), not {ctype}")
    raw = await request.body()
    if not raw.strip():
        raise HTTPException(400, "the request body is empty; send a JSON object")
    try:
        return loads_json(raw)
    except JsonRefused as exc:
        raise HTTPException(400, f"refused JSON: {exc.msg}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPException(400, f"malformed JSON: {exc}") from None


def _out(kind: str, model: Any) -> OutModel:
    out: OutModel = KINDS[kind][2].from_domain(model)
    return out


def _register(kind: str) -> None:
    """The create, replace, update and delete routes of one record kind."""
    path, _model, out_model = KINDS[kind]
    title = kind.capitalize()
    article = "an" if kind == "entity" else "a"

    async def create(request: Request, graph: GraphDep, response: Response) -> Any:
        data = await _json_body(request)
        model = await graph.write(writes.create, kind, data)
        response.headers["Location"] = f"{request.url.path.rstrip('/')}/{model.id}"
        return _out(kind, model)

    async def replace(request: Request, graph: GraphDep, id: RecordIdPath) -> Any:
        data = await _json_body(request)
        return _out(kind, await graph.write(writes.replace, kind, id, data))

    async def update(request: Request, graph: GraphDep, id: RecordIdPath) -> Any:
        data = await _json_body(request)
        return _out(kind, await graph.write(writes.update, kind, id, data))

    async def delete(graph: GraphDep, id: RecordIdPath) -> DeletedOut:
        def work(store: GraphStore) -> DeletedOut:
            gone = writes.delete(store, kind, id)
            return DeletedOut(
                sources=gone.sources,
                entities=gone.entities,
                relationships=gone.relationships,
                version=store.version,
            )

        return await graph.write(work)

    extra = {"relationship": " A relationship without an `id` gets one derived from its content."}.get(
        kind, ""
    )
    docs: dict[str, tuple[str, str, Callable[..., Awaitable[Any]], str, int, type[BaseModel]]] = {
        "create": (
            f"Create {article} {kind}",
            f"Validate and add a new {kind}; 409 if its id exists.{extra} References (sources, "
            "entities, `denied_by`) must exist. Problems come back as 422 with one item per "
            "problem in `errors`, naming the field.",
            create,
            "POST",
            201,
            out_model,
        ),
        "replace": (
            f"Replace {article} {kind}",
            f"Replace the whole {kind} with the body (validated like a new one); the id stays. "
            f"404 if there is no such {kind}.",
            replace,
            "PUT",
            200,
            out_model,
        ),
        "update": (
            f"Update {article} {kind}",
            f"Change some fields of {article} {kind}: fields in the body replace the stored ones and a "
            "field set to `null` is removed. The result is validated as a whole.",
            update,
            "PATCH",
            200,
            out_model,
        ),
        "delete": (
            f"Delete {article} {kind}",
            {
                "entity": "Delete an entity and every relationship at it. 409 if another relationship "
                "names it in `denied_by`.",
                "relationship": "Delete a relationship.",
                "source": "Delete a source. 409 while an entity or relationship still cites it.",
            }[kind],
            delete,
            "DELETE",
            200,
            DeletedOut,
        ),
    }
    for action, (summary, description, endpoint, method, status, response_model) in docs.items():
        endpoint.__doc__ = description
        endpoint.__name__ = f"{action}_{kind}"
        body_ref = {"create": f"{title}Create", "replace": f"{title}Replace", "update": f"{title}Patch"}.get(
            action
        )
        openapi_extra = (
            {
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body_ref}"}}},
                }
            }
            if body_ref
            else None
        )
        router.add_api_route(
            path if action == "create" else f"{path}/{{id}}",
            endpoint,
            methods=[method],
            status_code=status,
            response_model=response_model,
            summary=summary,
            description=description,
            name=f"{action}_{kind}",
            operation_id=f"{action}_{kind}",
            responses=problem_responses(*WRITE_ERRORS),
            openapi_extra=openapi_extra,
        )


for _kind in KINDS:
    _register(_kind)


#: An uploaded zip may unpack to this many times the body size limit.
UNPACK_FACTOR = 10


def _ingest(store: GraphStore, body: Any, is_zip: bool, mode: str, max_body: int) -> IngestOut:
    base = store if mode == "merge" else None
    if is_zip:
        ds = writes.dataset_from_zip(body, store=base, max_unpacked=UNPACK_FACTOR * max_body)
    else:
        ds = writes.dataset_from_json(body, store=base)
    counts = writes.ingest(store, ds, mode=mode)
    return IngestOut(mode=mode, version=store.version, **counts)


@router.post(
    "/ingest",
    response_model=IngestOut,
    summary="Bulk ingest",
    responses=problem_responses(*WRITE_ERRORS),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/IngestDocument"}},
                "application/zip": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def ingest_upload(
    request: Request,
    graph: GraphDep,
    settings: SettingsDep,
    mode: Annotated[
        Literal["merge", "replace"],
        Query(description="`merge`: add or replace records by id; `replace`: replace the whole graph."),
    ] = "merge",
) -> IngestOut:
    """Validate and write many records at once, all or nothing, like `cryptokg ingest`.

    Send JSON (`{"sources": [...], "entities": [...], "relationships": [...]}`, or node-link
    JSON as `GET /api/v1/export?format=json` writes it), or a zip of data files laid out like
    `data/` or the CSV export. With `merge`, references may point to records already stored;
    with `replace`, the upload must be complete and becomes the whole graph. Every problem is
    reported at once in `errors` (file, line, record, field); with any problem nothing is written.
    """
    ctype = _media_type(request)
    if ctype in ZIP_TYPES:
        body: Any = await request.body()
        if not body:
            raise HTTPException(400, "the request body is empty; send a zip archive")
        return await graph.write(_ingest, body, True, mode, settings.max_body_bytes)
    return await graph.write(_ingest, await _json_body(request), False, mode, settings.max_body_bytes)


def _hoist(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    defs = schema.pop("$defs", {})
    components.update(defs)
    return schema


def _id_patterns(schema: dict[str, Any], names: tuple[str, ...]) -> None:
    pattern = ID_PATTERN.pattern
    for name in names:
        prop = schema["properties"].get(name)
        if prop is None:
            continue
        if prop.get("type") == "array":
            prop["items"] = {**prop.get("items", {}), "pattern": pattern}
        elif prop.get("type") == "string":
            prop["pattern"] = pattern


#: What ``graph.guards`` accepts, as JSON Schema patterns (ECMA and Python read them alike).
_ONE_LINE = "^[^\\x00-\\x1F\\x7F-\\x9F\\u2028\\u2029]*$"
_FREE_TEXT = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x84\\x86-\\x9F]*$"


def _text_limits(schema: dict[str, Any], name: str = "") -> None:
    """Declare the size and character rules of ``graph.guards`` on every string of a body schema."""
    if schema.get("type") == "string":
        schema.setdefault("maxLength", MAX_FIELD_CHARS)
        schema.setdefault("pattern", _FREE_TEXT if name in FREE_TEXT_FIELDS else _ONE_LINE)
    for branch in schema.get("anyOf", []):
        _text_limits(branch, name)
    if isinstance(schema.get("items"), dict):
        _text_limits(schema["items"], name)
    if isinstance(schema.get("additionalProperties"), dict):
        _text_limits(schema["additionalProperties"], name)
    for key, prop in schema.get("properties", {}).items():
        _text_limits(prop, key)


def _without_null(prop: dict[str, Any]) -> dict[str, Any]:
    """A property schema without its default, and without its null branch (added back once)."""
    prop = {k: v for k, v in prop.items() if k not in ("default", "title")}
    branches = prop.get("anyOf")
    if branches is not None:
        kept = [b for b in branches if b != {"type": "null"}]
        rest = {k: v for k, v in prop.items() if k != "anyOf"}
        prop = {**rest, **(kept[0] if len(kept) == 1 else {"anyOf": kept})}
    return prop


def add_body_schemas(openapi: dict[str, Any]) -> dict[str, Any]:
    """Add the request body schemas of the write routes, generated from ``graph.model``.

    ``<Kind>Create`` is the record model, with ``id`` optional for relationships (derived from
    content when left out); ``<Kind>Replace`` takes its id from the path; ``<Kind>Patch`` has no
    required field and takes null to remove a field.
    """
    components: dict[str, Any] = openapi.setdefault("components", {}).setdefault("schemas", {})
    ref = "#/components/schemas/{model}"
    for kind, (_path, model, _out_model) in KINDS.items():
        title = kind.capitalize()
        base = _hoist(model.model_json_schema(ref_template=ref), components)
        _id_patterns(base, ("id", "source", "target", "sources", "denied_by"))
        _text_limits(base)
        create = copy.deepcopy(base)
        create["title"] = f"{title}Create"
        if kind == "relationship":
            create["required"] = [r for r in create.get("required", []) if r != "id"]
        replace = copy.deepcopy(base)
        replace["title"] = f"{title}Replace"
        replace["required"] = [r for r in replace.get("required", []) if r != "id"]
        patch = copy.deepcopy(base)
        patch["title"] = f"{title}Patch"
        patch.pop("required", None)
        # In a patch, null removes a field: every property also takes null.
        patch["properties"] = {
            name: {"anyOf": [_without_null(prop), {"type": "null"}], "description": "null removes the field"}
            for name, prop in patch["properties"].items()
        }
        components[f"{title}Create"] = create
        components[f"{title}Replace"] = replace
        components[f"{title}Patch"] = patch
    components["IngestDocument"] = {
        "title": "IngestDocument",
        "type": "object",
        "description": "Records to ingest; node-link JSON (`nodes`, `links`, `sources`) is accepted too.",
        "properties": {
            "sources": {"type": "array", "items": {"$ref": ref.format(model="SourceCreate")}},
            "entities": {"type": "array", "items": {"$ref": ref.format(model="EntityCreate")}},
            "relationships": {"type": "array", "items": {"$ref": ref.format(model="RelationshipCreate")}},
        },
    }
    return openapi
