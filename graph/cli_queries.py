"""Query commands of the ``cryptokg`` CLI (registered on ``graph.cli.app``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from graph import render_text as rt
from graph.cli import JsonOpt, StoreOpt, WorkspaceOpt, _guard, _open, app, emit_json, out
from graph.filters import make_filter

TypesOpt = Annotated[
    list[str] | None, typer.Option("--type", help="Only these relationship types (repeatable).")
]
ExTypesOpt = Annotated[
    list[str] | None, typer.Option("--exclude-type", help="Never these relationship types.")
]
CatOpt = Annotated[list[str] | None, typer.Option("--category", help="Only these categories (repeatable).")]
ExCatOpt = Annotated[list[str] | None, typer.Option("--exclude-category", help="Never these categories.")]
KindOpt = Annotated[
    list[str] | None, typer.Option("--kind", help="Only entities of these kinds (repeatable).")
]
StatusOpt = Annotated[
    str | None, typer.Option("--min-status", help="confirmed, reported, alleged or denied.")
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Only relationships holding on this day (YYYY-MM-DD).")
]
EvidenceOpt = Annotated[
    str | None, typer.Option("--evidence", help="'primary': only relationships citing a primary record.")
]
UnknownOpt = Annotated[
    str, typer.Option("--unknown-dates", help="With --as-of: include or exclude undated relationships.")
]


def _flt(**kw: Any) -> Any:
    return make_filter(**kw)


def _dump(obj: Any) -> Any:
    if isinstance(obj, list):
        return [_dump(o) for o in obj]
    return obj.model_dump(mode="json")


@app.command()
def search(
    q: Annotated[str, typer.Argument(help="Name, alias, prefix or misspelling.")],
    kind: Annotated[str | None, typer.Option(help="Only this entity kind.")] = None,
    limit: Annotated[int, typer.Option(help="Most results (1-100).")] = 10,
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Search entities by name or alias (accent- and case-insensitive, typo-tolerant)."""
    from graph.queries.lookup import search as run

    with _open(store, workspace) as st:
        hits = _guard(lambda: run(st, q, kind=kind, limit=limit))
    emit_json(_dump(hits)) if as_json else rt.print_hits(out, hits)


@app.command()
def neighbours(
    entity: Annotated[str, typer.Argument(help="Entity id or name.")],
    depth: Annotated[int, typer.Option(help="Hops, 1 to 3.")] = 1,
    direction: Annotated[str, typer.Option(help="both, out or in.")] = "both",
    max_nodes: Annotated[int, typer.Option(help="Node cap (closest, best-connected kept).")] = 150,
    types: TypesOpt = None,
    exclude_types: ExTypesOpt = None,
    categories: CatOpt = None,
    exclude_categories: ExCatOpt = None,
    kinds: KindOpt = None,
    min_status: StatusOpt = None,
    evidence: EvidenceOpt = None,
    as_of: AsOfOpt = None,
    unknown_dates: UnknownOpt = "include",
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The neighbourhood of an entity, with filters and a node cap."""
    from graph.queries.neighbourhood import neighbourhood

    with _open(store, workspace) as st:
        sub = _guard(
            lambda: neighbourhood(
                st,
                entity,
                depth=depth,
                direction=direction,
                max_nodes=max_nodes,
                flt=_flt(
                    types=types,
                    exclude_types=exclude_types,
                    categories=categories,
                    exclude_categories=exclude_categories,
                    kinds=kinds,
                    min_status=min_status,
                    evidence=evidence,
                    as_of=as_of,
                    unknown_dates=unknown_dates,
                ),
            )
        )
    emit_json(_dump(sub)) if as_json else rt.print_neighbourhood(out, sub)


@app.command()
def path(
    source: Annotated[str, typer.Argument(help="From: entity id or name.")],
    target: Annotated[str, typer.Argument(help="To: entity id or name.")],
    mode: Annotated[str, typer.Option(help="shortest, all (every shortest) or k (k shortest).")] = "shortest",
    k: Annotated[int, typer.Option(help="With --mode k: how many paths (1-20).")] = 5,
    max_hops: Annotated[int, typer.Option(help="Longest path, 1 to 6 hops.")] = 4,
    directed: Annotated[bool, typer.Option(help="Follow relationships only in their direction.")] = False,
    weighted: Annotated[
        bool, typer.Option(help="Prefer confirmed links over reported and alleged ones.")
    ] = False,
    avoid: Annotated[
        list[str] | None, typer.Option("--avoid", help="Entity ids a path may not pass through.")
    ] = None,
    types: TypesOpt = None,
    exclude_types: ExTypesOpt = None,
    categories: CatOpt = None,
    exclude_categories: ExCatOpt = None,
    kinds: KindOpt = None,
    min_status: StatusOpt = None,
    evidence: EvidenceOpt = None,
    as_of: AsOfOpt = None,
    unknown_dates: UnknownOpt = "include",
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """How two entities are connected, with one cited sentence per hop."""
    from graph.queries.lookup import resolve
    from graph.queries.paths import find_paths

    with _open(store, workspace) as st:

        def run() -> Any:
            avoid_ids = [resolve(st, a) for a in avoid or []]
            return find_paths(
                st,
                source,
                target,
                mode=mode,
                k=k,
                max_hops=max_hops,
                directed=directed,
                weighted=weighted,
                flt=_flt(
                    types=types,
                    exclude_types=exclude_types,
                    categories=categories,
                    exclude_categories=exclude_categories,
                    kinds=kinds,
                    min_status=min_status,
                    evidence=evidence,
                    as_of=as_of,
                    unknown_dates=unknown_dates,
                    avoid=avoid_ids,
                ),
            )

        res = _guard(run)
    emit_json(_dump(res)) if as_json else rt.print_paths(out, res)


@app.command()
def common(
    entities: Annotated[list[str], typer.Argument(help="Two or more entity ids or names.")],
    max_hops: Annotated[int, typer.Option(help="1 or 2.")] = 1,
    limit: Annotated[int, typer.Option(help="Most results.")] = 25,
    min_status: StatusOpt = None,
    evidence: EvidenceOpt = None,
    as_of: AsOfOpt = None,
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Entities connected to every one of the given entities (interlocks), ranked."""
    from graph.queries.common import common_connections

    with _open(store, workspace) as st:
        res = _guard(
            lambda: common_connections(
                st,
                entities,
                max_hops=max_hops,
                limit=limit,
                flt=_flt(min_status=min_status, as_of=as_of, evidence=evidence),
            )
        )
    emit_json(_dump(res)) if as_json else rt.print_common(out, res)


@app.command()
def timeline(
    entities: Annotated[
        list[str] | None, typer.Argument(help="Entity ids or names (none: whole graph).")
    ] = None,
    start: Annotated[str | None, typer.Option(help="From this date.")] = None,
    end: Annotated[str | None, typer.Option(help="Up to this date.")] = None,
    limit: Annotated[int, typer.Option(help="Most items.")] = 500,
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Dated relationships and events in order, with sources."""
    from graph.queries.timeline import timeline as run

    with _open(store, workspace) as st:
        items = _guard(lambda: run(st, entities, start=start, end=end, limit=limit))
    emit_json(_dump(items)) if as_json else rt.print_timeline(out, items)


@app.command()
def rank(
    metric: Annotated[str, typer.Option(help="degree, betweenness or pagerank.")] = "degree",
    top: Annotated[int, typer.Option(help="How many.")] = 10,
    kind: Annotated[str | None, typer.Option(help="Only this entity kind.")] = None,
    communities: Annotated[
        bool, typer.Option("--communities", help="List communities (Louvain, seeded) instead.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed for --communities.")] = 42,
    brokers_a: Annotated[
        list[str] | None, typer.Option("--group-a", help="Brokers: first group (repeatable).")
    ] = None,
    brokers_b: Annotated[
        list[str] | None, typer.Option("--group-b", help="Brokers: second group (repeatable).")
    ] = None,
    min_status: StatusOpt = None,
    evidence: EvidenceOpt = None,
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Top entities by degree, betweenness or PageRank; or communities; or brokers between groups."""
    from graph.queries import metrics

    with _open(store, workspace) as st:
        flt = _guard(lambda: _flt(min_status=min_status, evidence=evidence))
        if brokers_a or brokers_b:
            b = _guard(lambda: metrics.brokers(st, brokers_a or [], brokers_b or [], top=top, flt=flt))
            emit_json(_dump(b)) if as_json else rt.print_brokers(out, b)
        elif communities:
            cs = _guard(lambda: metrics.communities(st, seed=seed, flt=flt))
            emit_json(_dump(cs)) if as_json else rt.print_communities(out, cs)
        else:
            items = _guard(lambda: metrics.rank(st, metric=metric, top=top, kind=kind, flt=flt))
            emit_json(_dump(items)) if as_json else rt.print_rank(out, items)


@app.command()
def conflicts(
    entity: Annotated[str | None, typer.Option(help="Only matches involving this entity.")] = None,
    max_chain: Annotated[int, typer.Option(help="Longest money/family chain (1-5).")] = 4,
    min_status: StatusOpt = None,
    evidence: EvidenceOpt = None,
    as_of: AsOfOpt = None,
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Conflict-of-interest patterns: power over a party plus a money or family tie to it."""
    from graph.queries.conflicts import conflicts as run

    with _open(store, workspace) as st:
        items = _guard(
            lambda: run(
                st,
                entity=entity,
                max_chain=max_chain,
                flt=_flt(min_status=min_status, as_of=as_of, evidence=evidence),
            )
        )
    emit_json(_dump(items)) if as_json else rt.print_conflicts(out, items)


_ = Path
