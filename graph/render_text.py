"""Readable terminal output for query results (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from graph.model import Source, Subgraph
from graph.results import (
    Brokers,
    CommonResult,
    Community,
    ConflictMatch,
    PathResult,
    Profile,
    RankItem,
    SearchHit,
    TimelineItem,
)

__all__ = [
    "print_brokers",
    "print_common",
    "print_communities",
    "print_conflicts",
    "print_hits",
    "print_neighbourhood",
    "print_paths",
    "print_profile",
    "print_rank",
    "print_timeline",
]


def _src(s: Source) -> str:
    where = s.url or "no URL"
    return f"{s.title} — {s.publisher or 'unknown publisher'}, {s.date or 'undated'} <{where}>"


def print_hits(con: Console, hits: list[SearchHit]) -> None:
    """Search results as a table."""
    t = Table("id", "name", "kind", "match", "score", "degree")
    for h in hits:
        t.add_row(h.id, h.name, h.kind, h.match, f"{h.score:g}", str(h.degree))
    con.print(t)


def print_profile(con: Console, p: Profile) -> None:
    """An entity and its relationships, grouped, each with sources."""
    e = p.entity
    con.print(f"[bold]{e.name}[/bold] ({e.kind}, id {e.id}) — {p.degree} relationships", highlight=False)
    if e.aliases:
        con.print("aliases: " + ", ".join(e.aliases), highlight=False)
    if e.description:
        con.print(e.description, highlight=False)
    for k, v in {
        "country": e.country,
        "jurisdiction": e.jurisdiction,
        "founded": e.founded,
        "website": e.website,
        **e.attributes,
    }.items():
        if v:
            con.print(f"  {k}: {v}", highlight=False, markup=False)
    for cat, types in p.groups.items():
        con.print(f"\n[bold]{cat}[/bold]")
        for views in types.values():
            for view in views:
                con.print(f"  • {view.sentence}", highlight=False, markup=False)
                for s in view.sources:
                    con.print(f"      [{s.id}] {_src(s)}", highlight=False, markup=False)


def print_paths(con: Console, res: PathResult) -> None:
    """Numbered path narratives with footnotes."""
    if not res.paths:
        con.print(res.message or "no path", highlight=False)
        return
    for i, path in enumerate(res.paths, 1):
        con.print(f"[bold]Path {i}[/bold] ({path.length} hops, cost {path.cost:g})")
        for h in path.hops:
            con.print(f"  {h.sentence}", highlight=False, markup=False)
    con.print("\nSources:")
    for n, s in enumerate(res.footnotes, 1):
        con.print(f"  [{n}] {_src(s)}", highlight=False, markup=False)


def print_neighbourhood(con: Console, sub: Subgraph) -> None:
    """Entities by distance and the relationships among them."""
    t = Table("distance", "id", "name", "kind")
    for n in sorted(sub.nodes, key=lambda n: (sub.depth.get(n.id, 0), n.id)):
        t.add_row(str(sub.depth.get(n.id, "")), n.id, n.name, str(n.kind))
    con.print(t)
    t = Table("id", "source", "type", "target", "dates", "status", "sources")
    for r in sub.edges:
        t.add_row(
            r.id,
            r.source,
            r.type,
            r.target,
            f"{r.start or ''}–{r.end or ''}",
            str(r.status),
            ", ".join(r.sources),
        )
    con.print(t)
    if sub.truncated:
        con.print(f"[yellow]{sub.note}[/yellow]")


def print_common(con: Console, res: CommonResult) -> None:
    """Common connections, ranked."""
    t = Table("id", "name", "score", "distances")
    for c in res.connections:
        t.add_row(
            c.entity.id, c.entity.name, f"{c.score:g}", ", ".join(f"{k}:{v}" for k, v in c.distance.items())
        )
    con.print(t)


def print_timeline(con: Console, items: list[TimelineItem]) -> None:
    """Dated items in order."""
    for it in items:
        cites = ", ".join(s.id for s in it.sources)
        con.print(f"{it.date:<10}  {it.sentence}  [{cites}]", highlight=False, markup=False)


def print_rank(con: Console, items: list[RankItem]) -> None:
    """A ranking."""
    t = Table("#", "id", "name", "kind", "score")
    for i, r in enumerate(items, 1):
        t.add_row(str(i), r.entity.id, r.entity.name, r.entity.kind, f"{r.score:g}")
    con.print(t)


def print_communities(con: Console, items: list[Community]) -> None:
    """Communities with their members."""
    for c in items:
        con.print(
            f"[bold]community {c.id}[/bold] ({c.size}): " + ", ".join(m.name for m in c.members),
            highlight=False,
        )


def print_brokers(con: Console, b: Brokers) -> None:
    """Brokers between two groups."""
    print_rank(con, b.brokers)


def print_conflicts(con: Console, items: list[ConflictMatch]) -> None:
    """Conflict matches with their chains and citations."""
    if not items:
        con.print("no matches")
    for i, m in enumerate(items, 1):
        con.print(f"[bold]{i}. {m.pattern}[/bold]: {m.official.name} → {m.party.name}", highlight=False)
        con.print(f"   {m.explanation}", highlight=False, markup=False)
        for h in m.chain.hops:
            con.print(f"   - {h.sentence}", highlight=False, markup=False)
            for s in h.citations:
                con.print(f"       {_src(s)}", highlight=False, markup=False)
