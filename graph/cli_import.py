"""``cryptokg import``, ``datasets``, ``drop`` and ``touches``: datasets in, listed, out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from graph.cli import JsonOpt, StoreOpt, WorkspaceOpt, _guard, _open, app, emit_json, err, out
from graph.importers.base import ImportSummary

FORMAT_HELP = "ftm (FollowTheMoney/OpenSanctions), icij (Offshore Leaks CSV), littlesis, mapped, text (news)"


def _print_summary(s: ImportSummary) -> None:
    out.print(
        f"dataset {s.dataset} ({s.format}): {s.records_read} records read -> {s.entities} entities, "
        f"{s.relationships} relationships, {s.sources} sources"
    )
    if s.linked:
        out.print(f"  {s.linked} 'possibly the same as' links to entities of other datasets")
    if s.removed:
        out.print("  replaced: " + ", ".join(f"{v} {k}" for k, v in s.removed.items()))
    for reason, n in s.skipped.items():
        out.print(f"  skipped {n}: {reason}", markup=False)
    for what, n in s.unknown.items():
        out.print(f"  unknown {what}: {n} record(s)", markup=False)
    if s.rejects_file:
        out.print(f"  {s.rejected} rejected record(s) written to {s.rejects_file}", markup=False)
    if s.dangling:
        out.print(f"  {s.dangling} relationship(s) of other datasets lost an end and were dropped")


@app.command("import")
def import_cmd(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help=FORMAT_HELP)],
    paths: Annotated[list[Path], typer.Argument(help="Input files or folders (ICIJ: the folder or zip).")],
    dataset: Annotated[str | None, typer.Option("--dataset", help="Dataset name (lower-case).")] = None,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Import the good records; write the bad ones to --rejects.")
    ] = False,
    rejects: Annotated[
        Path | None, typer.Option(help="Rejects file (default: DATASET.rejects.jsonl).")
    ] = None,
    official: Annotated[
        bool, typer.Option("--official", help="ftm: the publisher is the listing authority (confirmed).")
    ] = False,
    mapping: Annotated[Path | None, typer.Option(help="mapped: the YAML mapping file.")] = None,
    title: Annotated[str | None, typer.Option(help="Dataset (text: article) title.")] = None,
    publisher: Annotated[str | None, typer.Option(help="Publisher.")] = None,
    url: Annotated[str | None, typer.Option(help="Dataset (text: article) URL.")] = None,
    licence: Annotated[str | None, typer.Option(help="Licence of the data.")] = None,
    credit: Annotated[str | None, typer.Option(help="Credit line to show with the data.")] = None,
    notice: Annotated[str | None, typer.Option(help="Notice that must travel with every fact.")] = None,
    date: Annotated[str | None, typer.Option(help="text: the article's date.")] = None,
    review: Annotated[Path | None, typer.Option(help="text: where to write the review file.")] = None,
    no_match: Annotated[
        bool, typer.Option("--no-match", help="Do not link entities to other datasets by name/identifier.")
    ] = False,
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a dataset; re-importing replaces exactly that dataset (all or nothing).

    With any bad record nothing is written and every problem is printed with file, line (or JSON
    Lines record), field and reason; --skip-bad imports the rest and writes the rejects to a file.
    `import text` writes a review file instead of touching the graph; `import review` ingests it.
    """
    if fmt == "text":
        from graph.importers.text import propose

        if len(paths) != 1:
            err.print("[red]error:[/red] import text takes one file")
            raise typer.Exit(1)
        with _open(store, workspace) as st:
            target = review or paths[0].with_suffix(".review.yaml")
            res = _guard(
                lambda: propose(
                    st,
                    paths[0],
                    target,
                    url=url,
                    title=title,
                    publisher=publisher,
                    date=date,
                    dataset=dataset,
                )
            )
        if as_json:
            emit_json(res)
        else:
            out.print(
                f"review file {target}: {res['mentions']} mention(s) of known entities, "
                f"{res['unmatched']} unmatched name(s); nothing was written to the graph",
                markup=False,
            )
        return
    if fmt == "review":
        from graph.importers.text import ingest_review

        with _open(store, workspace) as st:
            summary = _guard(lambda: ingest_review(st, paths[0], dataset=dataset))
    else:
        from graph.importers import run_import

        if not dataset:
            err.print("[red]error:[/red] --dataset NAME is required")
            raise typer.Exit(1)
        meta = {"title": title, "publisher": publisher, "url": url, "licence": licence, "credit": credit}
        if notice:
            meta["notice"] = notice
        options: dict[str, object] = {}
        if fmt == "ftm":
            options["official"] = official
        if fmt == "mapped":
            if mapping is None:
                err.print("[red]error:[/red] import mapped needs --mapping FILE.yaml")
                raise typer.Exit(1)
            options["mapping"] = mapping
        name = dataset
        with _open(store, workspace) as st:
            summary = _guard(
                lambda: run_import(
                    st,
                    fmt,
                    list(paths),
                    dataset=name,
                    skip_bad=skip_bad,
                    rejects=rejects,
                    progress=not as_json,
                    meta=meta,
                    options=options,
                    match=not no_match,
                )
            )
    if as_json:
        emit_json(summary.as_dict())
    else:
        _print_summary(summary)


@app.command()
def datasets(store: StoreOpt = None, workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """The datasets in the store: name, title, publisher, licence, counts, import time, notice."""
    from graph.datasets import list_datasets

    with _open(store, workspace) as st:
        infos = _guard(lambda: list_datasets(st))
    if as_json:
        emit_json([i.as_dict() for i in infos])
        return
    for i in infos:
        out.print(f"[bold]{i.name}[/bold]  {i.title}", highlight=False)
        c = i.counts
        lines = [
            ("publisher", i.publisher),
            ("url", i.url),
            ("licence", i.licence),
            ("credit", i.credit),
            ("notice", i.notice),
            ("format", i.format),
            ("imported", i.imported_at),
            ("input", f"{i.input} (sha256 {i.sha256})" if i.sha256 else i.input),
            ("status", i.status_rule),
            (
                "counts",
                f"{c.get('entities', 0)} entities, {c.get('relationships', 0)} relationships, "
                f"{c.get('sources', 0)} sources" + (f", {c['skipped']} skipped" if c.get("skipped") else ""),
            ),
        ]
        table = Table(show_header=False, box=None, padding=(0, 1, 0, 2))
        for k, v in lines:
            if v:
                table.add_row(k, v)
        out.print(table)


@app.command()
def drop(
    name: Annotated[str, typer.Argument(metavar="DATASET", help="Dataset to remove.")],
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Remove one imported dataset (all its records), atomically; the others stay as they are."""
    from graph.datasets import drop_dataset

    with _open(store, workspace) as st:
        res = _guard(lambda: drop_dataset(st, name))
    if as_json:
        emit_json(res.__dict__)
        return
    out.print(f"dropped {name}: " + ", ".join(f"{v} {k}" for k, v in res.removed.items()))


@app.command()
def touches(
    name: Annotated[str, typer.Argument(metavar="DATASET", help="An imported dataset.")],
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Where a dataset touches the others: its relationships to entities of other datasets."""
    from graph.queries.touches import touches as find

    with _open(store, workspace) as st:
        rows = _guard(lambda: find(st, name))
    if as_json:
        emit_json(rows)
        return
    if not rows:
        out.print(f"dataset {name} does not touch any other dataset")
    for r in rows:
        out.print(
            f"{r['entity']['name']} ({r['entity']['id']}) {r['verb']} {r['other']['name']} "
            f"({r['other']['id']}, dataset {r['other']['dataset']}) [{r['status']}; {r.get('match') or r['type']}]",
            markup=False,
        )
