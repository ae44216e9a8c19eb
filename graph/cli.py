"""The ``cryptokg`` command line: ingest, inspect, query and serve the graph."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from graph.errors import GraphError, InvalidRecord
from graph.settings import Settings, get_settings
from graph.store import GraphStore, open_store

app = typer.Typer(
    help="cryptokg: a sourced knowledge graph of crypto entities and politics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store", help="`embedded` or a Bolt URI such as bolt://host:7687 (default: CRYPTOKG_STORE)."
    ),
]
WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace", help="Embedded workspace directory (default: CRYPTOKG_WORKSPACE or ./.cryptokg)."
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of text.")]

T = TypeVar("T")


def _settings(store: str | None, workspace: Path | None) -> Settings:
    overrides: dict[str, Any] = {}
    if store:
        overrides["store"] = store
    if workspace:
        overrides["workspace"] = workspace
    return get_settings(**overrides)


@contextmanager
def _open(store: str | None, workspace: Path | None) -> Iterator[GraphStore]:
    try:
        st = open_store(_settings(store, workspace))
    except GraphError as exc:
        err.print(f"[red]error:[/red] {exc.detail}", highlight=False)
        raise typer.Exit(2) from None
    try:
        yield st
    finally:
        st.close()


def _guard(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except InvalidRecord as exc:
        for p in exc.problems:
            err.print(str(p), highlight=False, markup=False, soft_wrap=True)
        err.print(f"[red]{len(exc.problems)} problem(s); nothing was written.[/red]")
        raise typer.Exit(1) from None
    except GraphError as exc:
        err.print(f"[red]error:[/red] {exc.detail}", highlight=False, markup=True)
        raise typer.Exit(2 if exc.status >= 500 else 1) from None


def emit_json(data: Any) -> None:
    """Print ``data`` as JSON on stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or directories to load (default: CRYPTOKG_DATA_DIR).")
    ] = None,
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
    reason: Annotated[
        str, typer.Option("--reason", help="Why, for the change log (the input's hash is added).")
    ] = "",
) -> None:
    """Validate data files and replace the bundled dataset (`core`) with them (all or nothing).

    Imported datasets (`cryptokg import`) stay as they are.

    Every problem is reported at once, one line each with file, line, record and field; with any
    problem nothing is written and the exit code is 1.
    """
    from graph.datasets import replace_core
    from graph.ingest.pipeline import load_dataset

    settings = _settings(store, workspace)
    targets = paths or [settings.data_dir]
    ds = _guard(lambda: load_dataset(list(targets)))
    from graph.history.context import attributed, input_hash, os_user

    why = f"{reason + '; ' if reason else ''}input sha256 {input_hash(targets)}"
    with _open(store, workspace) as st, attributed(os_user(), why):
        _guard(lambda: replace_core(st, ds))
        stats = st.stats()
    if as_json:
        emit_json({"store": st.describe(), **stats.__dict__})
        return
    out.print(f"ingested into {st.describe()}")
    _print_stats(stats)


def _print_stats(stats: Any) -> None:
    out.print(
        f"entities: {stats.entities}  relationships: {stats.relationships}  sources: {stats.sources}  "
        f"relationships without source: {stats.relationships_without_source}"
    )
    table = Table("entity kind", "count", box=None)
    for k, v in stats.entities_by_kind.items():
        table.add_row(k, str(v))
    out.print(table)
    table = Table("relationship type", "count", box=None)
    for k, v in stats.relationships_by_type.items():
        table.add_row(k, str(v))
    out.print(table)
    out.print("by status: " + ", ".join(f"{k} {v}" for k, v in stats.relationships_by_status.items()))


@app.command()
def stats(store: StoreOpt = None, workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """Counts of entities, relationships and sources, by kind, type and status."""
    with _open(store, workspace) as st:
        s = _guard(st.stats)
        if as_json:
            emit_json({"store": st.describe(), **s.__dict__})
        else:
            out.print(st.describe())
            _print_stats(s)


@app.command()
def show(
    entity: Annotated[str, typer.Argument(help="Entity id or name (fuzzy names are resolved).")],
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One entity with its relationships: dates, status and sources."""
    from graph.queries.lookup import profile

    with _open(store, workspace) as st:
        prof = _guard(lambda: profile(st, entity))
        if as_json:
            emit_json(prof.model_dump(mode="json"))
            return
        from graph.render_text import print_profile

        print_profile(out, prof)


@app.command()
def serve(
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    host: Annotated[str | None, typer.Option(help="Bind address (default: CRYPTOKG_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: CRYPTOKG_PORT).")] = None,
    workers: Annotated[int | None, typer.Option(help="uvicorn workers (default: CRYPTOKG_WORKERS).")] = None,
) -> None:
    """Serve the web UI and the JSON API with uvicorn."""
    import os

    import uvicorn

    settings = _settings(store, workspace)
    # Workers are separate processes: pass the choice on through the environment.
    if store:
        os.environ["CRYPTOKG_STORE"] = store
    if workspace:
        os.environ["CRYPTOKG_WORKSPACE"] = str(workspace)
    with _open(store, workspace) as st:
        _guard(st.ping)
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        log_level="info",
    )


@app.command()
def sync(
    to: Annotated[str, typer.Option("--to", help="Target store: `embedded` or a Bolt URI.")],
    source: Annotated[
        str | None,
        typer.Option("--from", help="Source store: `embedded` or a Bolt URI (default: CRYPTOKG_STORE)."),
    ] = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Copy the whole graph from one store to another (embedded to Neo4j and back).

    The target's graph is replaced; both stores report the same graph version afterwards.
    """
    from graph.store.sync import copy_store

    with _open(source, workspace) as src, _open(to, workspace) as dst:
        stats = _guard(lambda: copy_store(src, dst))
        if as_json:
            emit_json({"from": src.describe(), "to": dst.describe(), **stats.__dict__})
            return
        out.print(f"copied {src.describe()} -> {dst.describe()}")
        _print_stats(stats)


def main() -> None:
    """Entry point."""
    app()


from graph import cli_export as _cli_export  # noqa: E402,F401  - registers export
from graph import cli_history as _cli_history  # noqa: E402,F401  - registers `history`, `diff`
from graph import cli_import as _cli_import  # noqa: E402,F401  - registers import/datasets/drop
from graph import cli_queries as _cli_queries  # noqa: E402,F401  - registers query commands
from graph import cli_stale as _cli_stale  # noqa: E402,F401  - registers `cryptokg stale`
