"""``cryptokg history`` and ``cryptokg diff``: the change log of the embedded workspace."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from graph.cli import JsonOpt, StoreOpt, WorkspaceOpt, _guard, _open, app, emit_json, out


@app.command()
def history(
    record: Annotated[
        str | None, typer.Argument(help="An entity, relationship or source id (default: every change).")
    ] = None,
    since: Annotated[str | None, typer.Option(help="From this day or UTC time (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this day or UTC time (YYYY-MM-DD).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Most changes to list.")] = 50,
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Changes to the graph, newest first: when, who, why, versions and what changed, in words."""
    from graph.history.queries import change_log
    from graph.history.words import sentence

    with _open(store, workspace) as st:
        page = _guard(lambda: change_log(st, entity=record, since=since, until=until, limit=limit))
    if as_json:
        emit_json(page.to_json())
        return
    out.print(f"{page.total} change(s)" + (f" to {record}" if record else ""), highlight=False)
    for e in page.entries:
        out.print(
            f"[bold]{e.at}[/bold] {e.action} by {e.who} ({e.version_before} -> {e.version_after})"
            + (f": {e.reason}" if e.reason else ""),
            highlight=False,
            markup=True,
        )
        shown = e.records[:20]
        for r in shown:
            out.print(f"  {sentence(r, e.at)}", highlight=False, markup=False)
        if len(e.records) > len(shown):
            out.print(f"  ... and {len(e.records) - len(shown)} more", highlight=False)


@app.command()
def diff(
    version_a: Annotated[str, typer.Argument(help="The earlier graph version (from `cryptokg history`).")],
    version_b: Annotated[str, typer.Argument(help="The later graph version.")],
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Entities, relationships and sources added, removed and changed between two versions."""
    from graph.history.queries import diff as diff_of

    with _open(store, workspace) as st:
        got = _guard(lambda: diff_of(st, version_a, version_b))
    if as_json:
        emit_json(got)
        return
    table = Table("kind", "change", "id", "fields (old -> new)", box=None)
    n = 0
    for key in ("sources", "entities", "relationships"):
        for op in ("added", "removed", "changed"):
            for item in got[key][op]:
                n += 1
                detail = "; ".join(f"{k}: {v['old']!r} -> {v['new']!r}" for k, v in item["fields"].items())
                table.add_row(key, op, item["id"], detail if op == "changed" else "")
    out.print(f"{n} record(s) differ from {version_a} to {version_b}", highlight=False)
    if n:
        out.print(table)
