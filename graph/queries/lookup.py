"""Search by name or alias, resolve user references to ids, and entity profiles."""

from __future__ import annotations

import re
import unicodedata
import weakref
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from graph.errors import EntityNotFound, InvalidParameter
from graph.model import Entity, EntityRef, Relationship
from graph.narrate import sentence
from graph.results import Profile, RelView, SearchHit
from graph.store.base import GraphStore
from graph.vocabulary import REL_TYPES, EntityKind

__all__ = ["get_entity", "normalize", "profile", "resolve", "search", "suggest"]

MAX_LIMIT = 100
#: Suggestions for an unknown name may be looser than search results.
SUGGEST_CUTOFF = 60.0
_TIER = {"exact": 0, "alias": 1, "prefix": 2, "fuzzy": 3}


def normalize(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name; other scripts are kept.

    >>> normalize("Bob Müller"), normalize("Binance.US"), normalize("赵长鹏")
    ('bob muller', 'binance us', '赵长鹏')
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = re.sub(r"[\W_]+", " ", stripped.casefold())
    return " ".join(cleaned.split())


@dataclass
class _Index:
    version: str
    keys: list[str]
    owners: list[int]
    is_alias: list[bool]
    rows: list[tuple[str, str, str, int]]  # id, kind, name, degree
    by_key: dict[str, list[int]]


_CACHE: weakref.WeakKeyDictionary[GraphStore, _Index] = weakref.WeakKeyDictionary()


def _index(store: GraphStore) -> _Index:
    idx = _CACHE.get(store)
    if idx is not None and idx.version == store.version:
        return idx
    keys: list[str] = []
    owners: list[int] = []
    is_alias: list[bool] = []
    rows = []
    by_key: dict[str, list[int]] = {}
    for n, row in enumerate(store.name_rows()):
        rows.append((row.id, row.kind, row.name, row.degree))
        for text, alias in [(row.name, False), *((a, True) for a in row.aliases)]:
            key = normalize(text)
            if not key:
                continue
            by_key.setdefault(key, []).append(len(keys))
            keys.append(key)
            owners.append(n)
            is_alias.append(alias)
    idx = _Index(store.version, keys, owners, is_alias, rows, by_key)
    _CACHE[store] = idx
    return idx


def search(
    store: GraphStore, q: str, *, kind: str | None = None, limit: int = 10, fuzzy_cutoff: float = 75.0
) -> list[SearchHit]:
    """Find entities by name or alias.

    Matching is case-, accent- and punctuation-insensitive and works for aliases in any
    script. Ranking: exact name > exact alias > prefix > fuzzy (typos), ties broken by
    degree (better-connected first), then name.

    Examples
    --------
    >>> from graph.testing import mini_store
    >>> [(h.id, h.match) for h in search(mini_store(), "acme", limit=2)]
    [('acme', 'alias'), ('plea', 'prefix')]
    >>> search(mini_store(), "阿丽斯")[0].id
    'alice'
    >>> search(mini_store(), "Alise Exampel")[0].match
    'fuzzy'
    """
    if not q or not q.strip():
        raise InvalidParameter("q", "the search text is empty")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidParameter("limit", f"must be between 1 and {MAX_LIMIT}")
    if kind is not None and kind not in {k.value for k in EntityKind}:
        raise InvalidParameter("kind", f"unknown kind {kind!r}")
    idx = _index(store)
    nq = normalize(q)
    if not nq:
        raise InvalidParameter("q", "the search text has no letters or digits")
    best: dict[int, tuple[int, float, str]] = {}

    def offer(i: int, tier: str, score: float) -> None:
        owner = idx.owners[i]
        if kind is not None and idx.rows[owner][1] != kind:
            return
        cand = (_TIER[tier], -score, idx.keys[i])
        cur = best.get(owner)
        if cur is None or cand < cur:
            best[owner] = cand

    for i in idx.by_key.get(nq, []):
        offer(i, "alias" if idx.is_alias[i] else "exact", 100.0)
    if len(nq) >= 2:
        for i, key in enumerate(idx.keys):
            if key.startswith(nq) or f" {nq}" in f" {key}":
                if key != nq:
                    offer(i, "prefix", 100.0 * len(nq) / len(key))
    if len(nq) >= 3:
        for _key, score, i in process.extract(
            nq, idx.keys, scorer=fuzz.WRatio, score_cutoff=fuzzy_cutoff, limit=limit * 5 + 20
        ):
            if idx.keys[i] != nq and not idx.keys[i].startswith(nq):
                offer(i, "fuzzy", float(score))
    order = sorted(
        best.items(),
        key=lambda kv: (
            kv[1][0],
            kv[1][1] if kv[1][0] == 3 else 0.0,
            -idx.rows[kv[0]][3],
            idx.rows[kv[0]][2],
            kv[1][1],
        ),
    )
    hits = []
    tiers = {v: k for k, v in _TIER.items()}
    for owner, (tier, neg_score, key) in order[:limit]:
        eid, ekind, name, degree = idx.rows[owner]
        hits.append(
            SearchHit(
                id=eid,
                name=name,
                kind=ekind,
                match=tiers[tier],
                matched=key,
                score=round(-neg_score, 2),
                degree=degree,
            )
        )
    return hits


def suggest(store: GraphStore, ref: str, limit: int = 5) -> list[dict[str, str]]:
    """Close matches for an unknown reference (for "did you mean" messages)."""
    try:
        hits = search(store, ref, limit=limit, fuzzy_cutoff=SUGGEST_CUTOFF)
    except InvalidParameter:
        return []
    return [{"id": h.id, "name": h.name} for h in hits]


def resolve(store: GraphStore, ref: str) -> str:
    """Turn an id or a name into an entity id.

    An exact id wins; otherwise an exact name or alias match (unique best). Raises
    ``EntityNotFound`` with suggestions when nothing matches exactly.

    >>> from graph.testing import mini_store
    >>> resolve(mini_store(), "Bobby"), resolve(mini_store(), "acme-us")
    ('bob', 'acme-us')
    """
    if store.has_entity(ref):
        return ref
    if ref.strip():
        try:
            hits = search(store, ref, limit=5, fuzzy_cutoff=SUGGEST_CUTOFF)
        except InvalidParameter:
            hits = []
        if hits and hits[0].match in ("exact", "alias"):
            return hits[0].id
        raise EntityNotFound(ref, [{"id": h.id, "name": h.name} for h in hits])
    raise EntityNotFound(ref)


def get_entity(store: GraphStore, ref: str) -> Entity:
    """The entity for an id or name, or ``EntityNotFound`` with suggestions."""
    eid = resolve(store, ref)
    ent = store.get_entity(eid)
    if ent is None:  # pragma: no cover - resolve checked it
        raise EntityNotFound(ref)
    return ent


def ref_of(ent: Entity) -> EntityRef:
    """Short reference to an entity."""
    return EntityRef(
        id=ent.id, name=ent.name, kind=str(ent.kind.value if hasattr(ent.kind, "value") else ent.kind)
    )


def rel_sort_key(rel: Relationship) -> tuple[str, str]:
    """Chronological order with undated last, then id."""
    from graph.dates import sort_key

    return (sort_key(rel.start), rel.id)


def profile(store: GraphStore, ref: str) -> Profile:
    """An entity with all its relationships grouped by category and type, each cited.

    >>> from graph.testing import mini_store
    >>> p = profile(mini_store(), "carol")
    >>> sorted(p.groups), [v.sentence for v in p.groups["political"]["holds_office"]]
    (['financial', 'personal', 'political'], ['Carol Official held office at Federal Regulator as Director (2021).'])
    """
    ent = get_entity(store, ref)
    adj = store.adjacent(ent.id)
    rels = store.get_relationships({a.rel_id for a in adj})
    others = store.get_entities({a.other for a in adj} | {d for r in rels.values() for d in r.denied_by})
    sources = store.get_sources({s for r in rels.values() for s in r.sources} | set(ent.sources))
    names = {i: e.name for i, e in others.items()}
    names[ent.id] = ent.name
    groups: dict[str, dict[str, list[RelView]]] = {}
    for a in sorted(adj, key=lambda a: rel_sort_key(rels[a.rel_id])):
        rel = rels[a.rel_id]
        cat = REL_TYPES[rel.type].category.value
        view = RelView(
            relationship=rel,
            other=ref_of(others[a.other]),
            forward=a.forward,
            category=cat,
            sentence=sentence(rel, a.forward, names),
            sources=[sources[s] for s in rel.sources if s in sources],
        )
        groups.setdefault(cat, {}).setdefault(rel.type, []).append(view)
    ordered = {c: dict(sorted(groups[c].items())) for c in sorted(groups)}
    return Profile(
        entity=ent,
        degree=len(adj),
        sources=[sources[s] for s in ent.sources if s in sources],
        groups=ordered,
    )
