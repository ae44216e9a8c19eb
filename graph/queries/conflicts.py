"""Conflict-of-interest patterns: power over a party, plus a money or family tie to it.

A match needs two things, each a chain of sourced relationships:

1. **Power.** A holder H has power over a party P: a relationship whose type is marked
   ``power`` in the vocabulary (prosecutes, fines, sues, monitors, imposes, pardons,
   dismisses, sentences, ...), read in the direction of the power. Power over an agreement
   or a case counts as power over the parties to it (``party_to``, ``subject_of``). The
   official O is H itself, or a person who ``holds_office`` at H.
2. **Interest.** O reaches P through at most ``max_chain`` relationships whose first step
   is a money or family tie (``tie`` types: owns, stake, invests, funds, pays, holds,
   income, revenue share, family) and whose later steps are ties or links between a party
   and its counterparties (leads, founded, works at, affiliate, party to, issued, listed,
   developed, hired, held talks).

A match shows that documented power and a documented interest meet; it is not evidence of
wrongdoing. Each hop keeps its status (reported, alleged, denied) and sources, and
``min_status`` or ``as_of`` restrict the relationships used.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from graph.errors import InvalidParameter
from graph.evidence import with_evidence
from graph.filters import EdgeFilter, make_filter
from graph.model import Relationship
from graph.queries.conflict_wording import chain_wording, power_rests_on_own_claim
from graph.queries.lookup import ref_of, resolve
from graph.queries.paths import build_paths
from graph.results import ConflictMatch
from graph.store.base import GraphStore
from graph.vocabulary import REL_TYPES, EntityKind

__all__ = ["LINK_TYPES", "POWER_TYPES", "TIE_TYPES", "conflicts"]

POWER_TYPES = frozenset(n for n, t in REL_TYPES.items() if t.power)
TIE_TYPES = frozenset(n for n, t in REL_TYPES.items() if t.tie)
LINK_TYPES = TIE_TYPES | {
    "ceo_of",
    "co_ceo_of",
    "founded",
    "co_founded",
    "chair_of",
    "role_at",
    "affiliate_of",
    "party_to",
    "issued",
    "listed",
    "developed",
    "hired",
    "in_talks_with",
}
SUBJECT_LINKS = frozenset({"party_to", "subject_of"})
OFFICE = "holds_office"


def _power_edges(
    store: GraphStore, flt: EdgeFilter
) -> list[tuple[str, str, Relationship, Relationship | None]]:
    """(holder, party, power relationship, party link or None) for every power relationship."""
    out: list[tuple[str, str, Relationship, Relationship | None]] = []
    for s, t, rid in store.edge_pairs(replace(flt, types=POWER_TYPES)):
        rel = store.get_relationship(rid)
        assert rel is not None
        holder, subject = (s, t) if REL_TYPES[rel.type].power == "forward" else (t, s)
        out.append((holder, subject, rel, None))
        ent = store.get_entity(subject)
        if ent is not None and ent.kind in (EntityKind.AGREEMENT, EntityKind.EVENT):
            links = store.adjacent(subject, direction="in", flt=replace(flt, types=SUBJECT_LINKS))
            for a in links:
                if a.other != holder:
                    link = store.get_relationship(a.rel_id)
                    out.append((holder, a.other, rel, link))
    return out


PATTERNS = {
    "power-and-family": frozenset({"family_of"}),
    "power-and-money": TIE_TYPES - {"family_of"},
}


def _tie_chain(
    store: GraphStore,
    start: str,
    goal: str,
    max_chain: int,
    flt: EdgeFilter,
    avoid: frozenset[str],
    first_types: frozenset[str],
) -> list[tuple[str, bool]] | None:
    """Shortest chain start -> goal, first step one of ``first_types``, later ties or links."""
    first = replace(flt, types=first_types, avoid=flt.avoid | avoid)
    later = replace(flt, types=LINK_TYPES, avoid=flt.avoid | avoid)
    parent: dict[str, tuple[str, str, bool] | None] = {start: None}
    frontier = [start]
    for depth in range(max_chain):
        nbrs = store.adjacent_many(frontier, flt=first if depth == 0 else later)
        new = []
        for u in frontier:
            for a in nbrs.get(u, []):
                if a.other in parent:
                    continue
                parent[a.other] = (u, a.rel_id, a.forward)
                if a.other == goal:
                    chain = []
                    node = goal
                    while parent[node] is not None:
                        prev, rid, fwd = parent[node]  # type: ignore[misc]
                        chain.append((rid, fwd))
                        node = prev
                    return chain[::-1]
                new.append(a.other)
        frontier = sorted(new)
    return None


def _match(
    store: GraphStore,
    found: dict[tuple[str, str, str], tuple[int, list[tuple[Relationship, bool]], str, str]],
    pattern: str,
    first_types: frozenset[str],
    holder: str,
    party: str,
    power: Relationship,
    link: Relationship | None,
    official: str,
    office_rel: str | None,
    max_chain: int,
    flt: EdgeFilter,
) -> None:
    """Record the shortest chain for (pattern, official, party) if one exists."""
    chain = _tie_chain(store, official, party, max_chain, flt, frozenset({holder}) - {official}, first_types)
    if chain is None:
        return
    rels = store.get_relationships([rid for rid, _ in chain])
    # The walk: party -> (link to agreement) -> holder -> (office) -> official -> ties -> party
    walk: list[tuple[Relationship, bool]] = []
    if link is not None:
        walk.append((link, True))
    walk.append((power, REL_TYPES[power.type].power != "forward"))
    if office_rel is not None:
        orel = store.get_relationship(office_rel)
        assert orel is not None
        walk.append((orel, False))
    walk.extend((rels[rid], fwd) for rid, fwd in chain)
    key = (pattern, official, party)
    size = len(walk)
    if (
        key not in found
        or size < found[key][0]
        or (size == found[key][0] and [r.id for r, _ in walk] < [r.id for r, _ in found[key][1]])
    ):
        found[key] = (size, walk, holder, power.type)


def conflicts(
    store: GraphStore,
    *,
    entity: str | None = None,
    max_chain: int = 4,
    limit: int = 100,
    flt: EdgeFilter | None = None,
    **filters: Any,
) -> list[ConflictMatch]:
    """Every conflict-of-interest match (see the module docstring), shortest chains first.

    With ``entity``, only matches where it is the official, the power holder or the party.

    Examples
    --------
    >>> from graph.testing import mini_store
    >>> [(m.pattern, m.official.id, m.party.id) for m in conflicts(mini_store())]
    [('power-and-family', 'carol', 'acme'), ('power-and-money', 'carol', 'acme')]
    """
    if not 1 <= max_chain <= 5:
        raise InvalidParameter("max_chain", "must be between 1 and 5")
    if not 1 <= limit <= 1000:
        raise InvalidParameter("limit", "must be between 1 and 1000")
    flt = flt if flt is not None else make_filter(**filters)
    flt = with_evidence(store, flt)
    focus = resolve(store, entity) if entity else None
    found: dict[tuple[str, str, str], tuple[int, list[tuple[Relationship, bool]], str, str]] = {}
    office = replace(flt, types=frozenset({OFFICE}))
    for holder, party, power, link in _power_edges(store, flt):
        officials = [(holder, None)] + [
            (a.other, a.rel_id) for a in store.adjacent(holder, direction="in", flt=office)
        ]
        for official, office_rel in officials:
            if official == party or (focus and focus not in (official, holder, party)):
                continue
            for pattern, first_types in PATTERNS.items():
                _match(
                    store,
                    found,
                    pattern,
                    first_types,
                    holder,
                    party,
                    power,
                    link,
                    official,
                    office_rel,
                    max_chain,
                    flt,
                )
    ordered = sorted(found.items(), key=lambda kv: (kv[1][0], kv[0]))[:limit]
    paths, _ = build_paths(store, [(k[2], v[1]) for k, v in ordered])
    ents = store.get_entities({x for k, v in ordered for x in (k[1], k[2], v[2])})
    out = []
    for ((pattern, official, party), (_size, walk, holder, ptype)), path in zip(ordered, paths, strict=True):
        o, p, h = ents[official], ents[party], ents[holder]
        via = "" if official == holder else f", through {h.name}, where {o.name} holds office,"
        kind = "family" if pattern == "power-and-family" else "money"
        power_at = next((i for i, hop in enumerate(path.hops) if hop.relationship.type == ptype), None)
        where = f"hop {power_at + 1}: " if power_at is not None else ""
        explanation = (
            f"{o.name}{via} has power over {p.name} ({where}{REL_TYPES[ptype].name.replace('_', ' ')}), "
            f"and {o.name} is linked to {p.name} through a {kind} tie (the chain below has {len(walk)} hops). "
            "A match shows documented power and interest meeting; it is not evidence of wrongdoing. "
        )
        explanation += chain_wording(path, power_at)
        if power_at is not None and power_rests_on_own_claim(path.hops[power_at]):
            explanation = "Power claimed by one party only. " + explanation
        out.append(
            ConflictMatch(
                pattern=pattern, official=ref_of(o), party=ref_of(p), chain=path, explanation=explanation
            )
        )
    return out
