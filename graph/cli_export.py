"""``cryptokg export``: the whole graph, or one dataset, in any export format."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from graph.cli import StoreOpt, WorkspaceOpt, _guard, _open, app, err


@app.command()
def export(
    fmt: Annotated[
        str,
        typer.Option("--format", help="json, graphml, gexf, csv (a zip), cypher or ftm (FollowTheMoney)."),
    ] = "json",
    dataset: Annotated[
        str | None, typer.Option("--dataset", help="Only this dataset's records (`core`: the bundled data).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Export the graph (or one dataset) as a file; every record names its dataset."""
    from graph.datasets import CORE, get_dataset
    from graph.export import export as render
    from graph.export import self_contained, whole_graph
    from graph.model import Subgraph

    with _open(store, workspace) as st:

        def build() -> bytes:
            sub = whole_graph(st)
            if dataset is not None:
                get_dataset(st, dataset)  # NotFound for an unknown name
                want = None if dataset == CORE else dataset
                nodes = [e for e in sub.nodes if e.dataset == want]
                keep = {e.id for e in nodes}
                edges = [r for r in sub.edges if r.dataset == want and r.source in keep and r.target in keep]
                sub = Subgraph(nodes=nodes, edges=edges)
            return render(self_contained(st, sub), fmt)

        data = _guard(build)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        err.print(f"wrote {len(data):,} bytes to {output}", markup=False)
