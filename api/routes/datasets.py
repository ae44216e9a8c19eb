"""Datasets: list them with their provenance and licences; import one (needs the API key)."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParam

from api.auth import WriterDep
from api.deps import GraphDep, SettingsDep
from api.errors import problem_responses
from api.schemas_datasets import DatasetOut, DatasetsOut, DropOut, ImportOut
from graph.datasets import drop_dataset, get_dataset, list_datasets
from graph.errors import InvalidRecord, Problem
from graph.store.base import GraphStore
from graph.writes import MAX_UNPACKED_BYTES

__all__ = ["router", "writer_router"]

router = APIRouter(tags=["datasets"])
writer_router = APIRouter(tags=["writes"], dependencies=[WriterDep])

NamePath = Annotated[
    str, PathParam(min_length=1, max_length=48, description="Dataset name (`core`: the bundled data).")
]
NameQuery = Annotated[
    str, Query(min_length=1, max_length=48, pattern=r"^[a-z0-9][a-z0-9_-]*$", description="Dataset name.")
]


@router.get("/datasets", response_model=DatasetsOut, summary="List datasets")
async def datasets(graph: GraphDep) -> DatasetsOut:
    """Every dataset in the graph with its title, publisher, URL, licence, credit line, notice,
    import time, input hash and record counts. Every entity, relationship and source names its
    dataset in its `dataset` field (absent: the bundled data, `core`)."""
    infos = await graph.read(list_datasets)
    return DatasetsOut(datasets=[DatasetOut.from_domain(i) for i in infos])


@router.get(
    "/datasets/{name}", response_model=DatasetOut, summary="One dataset", responses=problem_responses(404)
)
async def dataset(graph: GraphDep, name: NamePath) -> DatasetOut:
    """One dataset's record; 404 if there is no such dataset."""
    return DatasetOut.from_domain(await graph.read(get_dataset, name))


def _unzip(src: Path, folder: Path, filename: str) -> None:
    """Unpack an uploaded zip, refusing unsafe names and more than ``MAX_UNPACKED_BYTES`` (counted
    as unpacked, since a zip's directory can lie)."""
    budget = MAX_UNPACKED_BYTES
    with zipfile.ZipFile(src) as zf:
        for m in zf.infolist():
            if m.is_dir():
                continue
            parts = Path(m.filename).parts
            if m.filename.startswith("/") or ".." in parts or "\\" in m.filename or ":" in m.filename:
                raise InvalidRecord([Problem(filename, None, m.filename, None, "unsafe file name")])
            target = folder / m.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(m) as inp, target.open("wb") as out:
                while chunk := inp.read(1 << 16):
                    budget -= len(chunk)
                    if budget < 0:
                        raise InvalidRecord(
                            [Problem(filename, None, None, None, "the zip unpacks too large")]
                        )
                    out.write(chunk)


def _import(
    store: GraphStore, body: bytes, fmt: str, name: str, skip_bad: bool, official: bool, filename: str
) -> ImportOut:
    from graph.importers import run_import

    with tempfile.TemporaryDirectory(prefix="cryptokg-import-") as tmp:
        root = Path(tmp)
        options: dict[str, Any] = {}
        if fmt in ("icij", "mapped"):
            if not body.startswith(b"PK"):
                raise InvalidRecord([Problem(filename, None, None, None, f"{fmt}: send a zip archive")])
            src = root / "upload.zip"
            src.write_bytes(body)
            if fmt == "mapped":
                folder = root / "in"
                _unzip(src, folder, filename)
                maps = sorted(folder.rglob("*.yaml")) + sorted(folder.rglob("*.yml"))
                if not maps:
                    raise InvalidRecord([Problem(filename, None, None, None, "no YAML mapping in the zip")])
                options["mapping"] = maps[0]
                paths = [maps[0]]
            else:
                paths = [src]
        else:
            src = root / ("upload.ftm.json" if fmt == "ftm" else "upload.json")
            src.write_bytes(body)
            paths = [src]
            if fmt == "ftm":
                options["official"] = official
        rejects = root / "rejects.jsonl"
        prefix = str(root) + "/"
        try:
            s = run_import(
                store, fmt, paths, dataset=name, skip_bad=skip_bad, rejects=rejects, options=options
            )
        except InvalidRecord as exc:
            raise InvalidRecord(
                [
                    Problem(
                        filename + p.file[len(str(src)) :]
                        if p.file.startswith(str(src))
                        else p.file.replace(prefix, ""),
                        p.line,
                        p.record,
                        p.field,
                        p.message,
                    )
                    for p in exc.problems
                ]
            ) from None
        rows: list[dict[str, Any]] = []
        if s.rejects_file and rejects.exists():
            import orjson

            rows = [orjson.loads(line) for line in rejects.read_bytes().splitlines() if line.strip()]
            for r in rows:
                r["file"] = str(r.get("file", "")).replace(str(src), filename).replace(prefix, "")
        return ImportOut(
            dataset=s.dataset,
            format=s.format,
            records_read=s.records_read,
            entities=s.entities,
            relationships=s.relationships,
            sources=s.sources,
            skipped=s.skipped,
            unknown=s.unknown,
            rejected=s.rejected,
            rejects=rows,
            linked=s.linked,
            removed=s.removed,
            version=store.version,
        )


@writer_router.post(
    "/import",
    response_model=ImportOut,
    summary="Import a dataset",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 415),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                # the file's bytes as they are: FtM JSON Lines, LittleSis JSON, or a zip
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                "application/zip": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def import_dataset(
    request: Request,
    graph: GraphDep,
    settings: SettingsDep,
    format: Annotated[
        Literal["ftm", "icij", "littlesis", "mapped"],
        Query(
            description="`ftm` (JSON Lines), `littlesis` (JSON), `icij` (the CSV zip), `mapped` (a zip of tables and one YAML mapping)."
        ),
    ],
    dataset: NameQuery,
    skip_bad: Annotated[
        bool, Query(description="Import the good records; list the rejects in the answer.")
    ] = False,
    official: Annotated[bool, Query(description="ftm: the publisher is the listing authority.")] = False,
) -> ImportOut:
    """Import the request body as dataset `dataset`, like `cryptokg import FORMAT PATH --dataset NAME`:
    re-importing replaces exactly that dataset, atomically; other datasets stay. With any bad
    record nothing is written and every problem comes back in `errors` (file, line or record
    number, field, reason); with `skip_bad` the rest is imported and the rejects are listed."""
    body = await request.body()
    if not body:
        raise HTTPException(400, "the request body is empty; send the dataset file")
    return await graph.write(_import, body, format, dataset, skip_bad, official, f"upload.{format}")


@writer_router.delete(
    "/datasets/{name}",
    summary="Drop a dataset",
    response_model=DropOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def drop(graph: GraphDep, name: NamePath) -> DropOut:
    """Remove every record of one imported dataset, atomically; the others stay as they are."""

    def work(store: GraphStore) -> DropOut:
        res = drop_dataset(store, name)
        return DropOut(dataset=name, removed=res.removed, version=store.version)

    return await graph.write(work)
