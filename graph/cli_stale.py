"""``cryptokg stale``: open-ended facts not checked since a threshold, for re-verification."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.table import Table

from graph.cli import JsonOpt, StoreOpt, WorkspaceOpt, _guard, _open, app, emit_json, out
from graph.errors import InvalidParameter
from graph.narrate import sentence


@app.command()
def stale(
    older_than: Annotated[str, typer.Option(help="Age such as 180d, 26w, 6m or 1y.")] = "180d",
    today: Annotated[str | None, typer.Option(help="Reference day YYYY-MM-DD (default: today).")] = None,
    store: StoreOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List open-ended facts (no end date) whose sources were not checked within the threshold."""
    from graph.queries.stale import parse_age, stale_facts

    def _today() -> dt.date:
        if today is None:
            return dt.datetime.now(dt.UTC).date()
        try:
            return dt.date.fromisoformat(today)
        except ValueError:
            raise InvalidParameter("today", f"bad date {today!r}: use YYYY-MM-DD") from None

    days = _guard(lambda: parse_age(older_than))
    day = _guard(_today)
    with _open(store, workspace) as st:
        facts = _guard(lambda: stale_facts(st, older_than_days=days, today=day))
        names = {
            e.id: e.name
            for e in st.get_entities(
                {x for f in facts for x in (f.relationship.source, f.relationship.target)}
            ).values()
        }
    if as_json:
        emit_json(
            [
                {
                    "id": f.relationship.id,
                    "last_checked": f.relationship.last_checked,
                    "days_since_check": f.days_since_check,
                    "sentence": sentence(f.relationship, True, names),
                }
                for f in facts
            ]
        )
        return
    table = Table(title=f"{len(facts)} open-ended fact(s) not checked in the {days} days before {day}")
    for col in ("id", "last checked", "fact"):
        table.add_column(col)
    for f in facts:
        table.add_row(
            f.relationship.id, f.relationship.last_checked or "never", sentence(f.relationship, True, names)
        )
    out.print(table)
