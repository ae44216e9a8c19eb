"""Timelines: dated relationships and dated events, in order, with their sources."""

from __future__ import annotations

from graph.dates import PARTIAL_DATE_RE, date_bounds, parse_partial_date, sort_key
from graph.errors import InvalidParameter
from graph.evidence import with_evidence
from graph.filters import make_filter
from graph.model import Entity, Relationship
from graph.narrate import sentence
from graph.queries.lookup import ref_of, resolve
from graph.results import TimelineItem
from graph.store.base import GraphStore
from graph.vocabulary import EntityKind

__all__ = ["entity_date", "timeline"]

DATE_KEYS = ("date", "signed", "announced", "filed", "held")
_DATED_KINDS = (EntityKind.EVENT, EntityKind.AGREEMENT)


def entity_date(ent: Entity) -> str | None:
    """The date of an event or agreement: its first attribute that starts with a date."""
    for key in DATE_KEYS:
        value = ent.attributes.get(key)
        if value:
            head = value.split(" ")[0].strip("(),;")
            if PARTIAL_DATE_RE.match(head):
                return head
    return ent.founded if ent.kind in (EntityKind.EVENT, EntityKind.AGREEMENT) else None


def timeline(
    store: GraphStore,
    refs: list[str] | None = None,
    *,
    start: str | None = None,
    end: str | None = None,
    limit: int = 500,
    evidence: str | None = None,
) -> list[TimelineItem]:
    """Dated relationships and events, oldest first.

    With ``refs``, only what involves those entities (relationships at them, and events or
    agreements among them or linked to them); without, the whole graph. ``start``/``end``
    (YYYY, YYYY-MM or YYYY-MM-DD) bound the dates shown. Undated relationships are left out.
    ``evidence="primary"`` keeps only relationships that cite a primary record.

    Examples
    --------
    >>> from graph.testing import mini_store
    >>> [(i.date, i.relationship.id) for i in timeline(mini_store(), ["bob"]) if i.relationship]
    [('2023-11-22', 'r03')]
    """
    if not 1 <= limit <= 5000:
        raise InvalidParameter("limit", "must be between 1 and 5000")
    for name, value in (("start", start), ("end", end)):
        if value is not None:
            try:
                parse_partial_date(value)
            except ValueError as exc:
                raise InvalidParameter(name, str(exc)) from None
    if start is not None and end is not None and date_bounds(end)[1] < date_bounds(start)[0]:
        raise InvalidParameter("end", f"{end} is before start {start}")
    lo = sort_key(start) if start else None
    hi = end
    if refs:
        ids = sorted({resolve(store, r) for r in refs})
        adj = store.adjacent_many(ids)
        rel_ids = {a.rel_id for lst in adj.values() for a in lst}
        rels = list(store.get_relationships(rel_ids).values())
        ent_ids = set(ids) | {a.other for lst in adj.values() for a in lst}
        events = [e for e in store.get_entities(ent_ids).values() if e.kind in _DATED_KINDS]
    else:
        rels = list(store.iter_relationships())
        events = [e for k in _DATED_KINDS for e in store.iter_entities(k.value)]
    flt = with_evidence(store, make_filter(evidence=evidence))
    if flt is not None and flt.rel_ids is not None:
        rels = [r for r in rels if r.id in flt.rel_ids]

    def shown(date: str) -> bool:
        return (lo is None or sort_key(date) >= lo) and (hi is None or date[: len(hi)] <= hi)

    # Choose (by date, then id) before building anything: sentences, sources and names are made
    # only for the items returned, so a whole-graph timeline costs a sort, not a page per item.
    picked: list[tuple[str, str, Relationship | Entity, str]] = []
    for r in rels:
        if r.start and shown(r.start):
            picked.append((sort_key(r.start), r.id, r, r.start))
    for e in events:
        d = entity_date(e)
        if d is not None and shown(d):
            picked.append((sort_key(d), e.id, e, d))
    picked.sort(key=lambda t: (t[0], t[1]))
    del picked[limit:]
    chosen_rels = [obj for _, _, obj, _ in picked if isinstance(obj, Relationship)]
    ents = store.get_entities({x for r in chosen_rels for x in (r.source, r.target, *r.denied_by)})
    names = {i: e.name for i, e in ents.items()}
    sources = store.get_sources({s for _, _, obj, _ in picked for s in obj.sources})
    out: list[TimelineItem] = []
    for _, _, obj, d in picked:
        cited = [sources[s] for s in obj.sources if s in sources]
        if isinstance(obj, Relationship):
            out.append(
                TimelineItem(
                    date=d,
                    end=obj.end,
                    kind="relationship",
                    relationship=obj,
                    sentence=sentence(obj, True, names),
                    sources=cited,
                )
            )
        else:
            out.append(
                TimelineItem(
                    date=d,
                    kind=str(obj.kind.value),
                    entity=ref_of(obj),
                    sentence=f"{obj.name} ({d}).",
                    sources=cited,
                )
            )
    return out
