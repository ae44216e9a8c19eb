"""Timelines: dated relationships and dated events, in order, with their sources."""

from __future__ import annotations

from graph.dates import PARTIAL_DATE_RE, parse_partial_date, sort_key
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
    lo = sort_key(start) if start else None
    hi = end
    if refs:
        ids = sorted({resolve(store, r) for r in refs})
        adj = store.adjacent_many(ids)
        rel_ids = {a.rel_id for lst in adj.values() for a in lst}
        rels = list(store.get_relationships(rel_ids).values())
        ent_ids = set(ids) | {a.other for lst in adj.values() for a in lst}
    else:
        rels = list(store.iter_relationships())
        ent_ids = set()
    flt = with_evidence(store, make_filter(evidence=evidence))
    if flt is not None and flt.rel_ids is not None:
        rels = [r for r in rels if r.id in flt.rel_ids]
    ents = store.get_entities(ent_ids | {x for r in rels for x in (r.source, r.target, *r.denied_by)})
    if not refs:
        ents.update(
            {e.id: e for k in (EntityKind.EVENT, EntityKind.AGREEMENT) for e in store.iter_entities(k.value)}
        )
    names = {i: e.name for i, e in ents.items()}
    items: list[tuple[str, str, TimelineItem]] = []
    dated: list[Relationship] = [r for r in rels if r.start]
    sources = store.get_sources(
        {s for r in dated for s in r.sources} | {s for e in ents.values() for s in e.sources}
    )
    for r in dated:
        assert r.start is not None
        items.append(
            (
                sort_key(r.start),
                r.id,
                TimelineItem(
                    date=r.start,
                    end=r.end,
                    kind="relationship",
                    relationship=r,
                    sentence=sentence(r, True, names),
                    sources=[sources[s] for s in r.sources if s in sources],
                ),
            )
        )
    for e in ents.values():
        if e.kind not in (EntityKind.EVENT, EntityKind.AGREEMENT):
            continue
        d = entity_date(e)
        if d is None:
            continue
        items.append(
            (
                sort_key(d),
                e.id,
                TimelineItem(
                    date=d,
                    kind=str(e.kind.value),
                    entity=ref_of(e),
                    sentence=f"{e.name} ({d}).",
                    sources=[sources[s] for s in e.sources if s in sources],
                ),
            )
        )
    items.sort(key=lambda t: (t[0], t[1]))
    out = [
        it for key, _, it in items if (lo is None or key >= lo) and (hi is None or it.date[: len(hi)] <= hi)
    ]
    return out[:limit]
