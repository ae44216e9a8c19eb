"""Search by name or alias, resolve user references to ids, and entity profiles."""

from __future__ import annotations

import bisect
import re
import threading
import unicodedata
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from graph.cancel import shielded
from graph.errors import AmbiguousEntity, EntityNotFound, InvalidParameter
from graph.evidence import with_evidence
from graph.filters import make_filter
from graph.ingest.records import bulk_objects
from graph.model import Entity, EntityRef, Relationship
from graph.narrate import sentence
from graph.results import Profile, RelView, SearchHit
from graph.store.base import GraphStore, NameRow
from graph.vocabulary import REL_TYPES, EntityKind

__all__ = ["get_entity", "normalize", "profile", "resolve", "search", "suggest"]

MAX_LIMIT = 100
#: Suggestions for an unknown name may be looser than search results.
SUGGEST_CUTOFF = 60.0
_TIER = {"exact": 0, "alias": 1, "prefix": 2, "fuzzy": 3}
#: Kinds that rank first when a name matches several entities: the actors of a story (people
#: and organisations) before the things and happenings they are involved in (assets, events,
#: agreements, documents): "Trump" is Donald J. Trump before the $TRUMP coin.
ACTOR_KINDS = frozenset(
    {EntityKind.PERSON, EntityKind.COMPANY, EntityKind.ORGANIZATION, EntityKind.AGENCY, EntityKind.COURT}
)


def normalize(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name; other scripts are kept.

    >>> normalize("Bob Müller"), normalize("Binance.US"), normalize("赵长鹏")
    ('bob muller', 'binance us', '赵长鹏')
    """
    if text.isascii():
        # The same result without Unicode decomposition (there is nothing to decompose).
        return " ".join(_NON_WORD.sub(" ", text.lower()).split())
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = _NON_WORD.sub(" ", stripped.casefold())
    return " ".join(cleaned.split())


_NON_WORD = re.compile(r"[\W_]+")
#: Up to this many names and aliases, fuzzy matching compares the query with every one of
#: them; above, with the candidates of a trigram index (see ``_Scale``).
FUZZY_EXHAUSTIVE = 20_000
#: Names and aliases scored exactly per fuzzy query on large graphs: the most similar by
#: trigrams, and the first of those sharing a word with the query.
FUZZY_CANDIDATES = 3_000
TOKEN_CANDIDATES = 300
#: Every name with a word this rare (or rarer) in common with the query is a candidate.
RARE_WORD = 2_000


@dataclass
class _Index:
    version: str
    keys: list[str]
    owners: list[int]
    is_alias: list[bool]
    rows: list[tuple[str, str, str, int]]  # id, kind, name, degree
    by_key: dict[str, list[int]]
    scale: _Scale | None = None

    def scaled(self) -> _Scale:
        """Sorted word suffixes, owner ranks and a trigram index, built on first need."""
        if self.scale is None:
            with _LOCK, bulk_objects():
                if self.scale is None:
                    self.scale = _Scale(self)
        return self.scale


_LOCK = threading.Lock()


class _Scale:
    """What makes prefix and fuzzy matching fast on a million names, with the same results.

    * Prefix matches are the keys with a word starting with the query: ``tails`` holds every
      word-start suffix of every key, sorted, so they are one ``bisect`` range.
    * ``rank`` orders owners by (more relationships, then name), the ranking of the prefix
      tier, so only the best few matching owners need to be offered.
    * Fuzzy candidates are the keys sharing the most character trigrams with the query; only
      those are scored with ``fuzz.WRatio``.
    """

    def __init__(self, idx: _Index) -> None:
        keys = idx.keys
        pairs = sorted((k[p:], i) for i, k in enumerate(keys) for p in _word_starts(k))
        self.tails = [t for t, _ in pairs]
        self.tail_key = np.fromiter((i for _, i in pairs), np.int32, len(pairs))
        del pairs
        self.owner = np.asarray(idx.owners, dtype=np.int32)
        order = sorted(range(len(idx.rows)), key=lambda n: (-idx.rows[n][3], idx.rows[n][2]))
        self.rank = np.empty(len(idx.rows), dtype=np.int32)
        prev: tuple[int, str] | None = None
        r = -1
        for n in order:
            cur = (idx.rows[n][3], idx.rows[n][2])
            if cur != prev:
                r += 1
                prev = cur
            self.rank[n] = r
        kinds = {k.value: i for i, k in enumerate(EntityKind)}
        self.kind = np.fromiter((kinds[row[1]] for row in idx.rows), np.uint8, len(idx.rows))
        self.actor_codes = np.asarray(sorted(kinds[k.value] for k in ACTOR_KINDS), dtype=np.uint8)
        self.tri_codes, self.tri_ptr, self.tri_keys = _trigram_postings(keys)
        self.length = np.fromiter((len(k) for k in keys), np.int32, len(keys))
        tokens: dict[str, int] = {}
        tok: list[int] = []
        per: list[int] = []
        for k in keys:
            words = set(k.split())
            per.append(len(words))
            tok.extend(tokens.setdefault(w, len(tokens)) for w in words)
        owner = np.repeat(np.arange(len(keys), dtype=np.int32), per)
        by_word = np.argsort(np.asarray(tok, dtype=np.int32), kind="stable")
        self.tokens = tokens
        self.tok_keys = owner[by_word]
        self.tok_ptr = np.zeros(len(tokens) + 1, dtype=np.int64)
        np.cumsum(np.bincount(np.asarray(tok, dtype=np.int32), minlength=len(tokens)), out=self.tok_ptr[1:])

    def prefix_keys(self, nq: str) -> npt.NDArray[np.int32]:
        """Indices (ascending) of the keys with a word that starts with ``nq``."""
        lo = bisect.bisect_left(self.tails, nq)
        hi = (
            bisect.bisect_left(self.tails, nq[:-1] + chr(ord(nq[-1]) + 1))
            if ord(nq[-1]) < 0x10FFFF
            else len(self.tails)
        )
        got: npt.NDArray[np.int32] = np.unique(self.tail_key[lo:hi])
        return got

    def fuzzy_keys(self, nq: str) -> list[int]:
        """Indices (ascending) of the keys sharing the most trigrams with ``nq``."""
        codes = np.unique(_trigrams(nq))
        at = np.searchsorted(self.tri_codes, codes)
        inside = at < len(self.tri_codes)
        at, codes = at[inside], codes[inside]
        at = at[self.tri_codes[at] == codes]
        if not len(at):
            return []
        hits = np.concatenate([self.tri_keys[self.tri_ptr[a] : self.tri_ptr[a + 1]] for a in at.tolist()])
        counts = np.bincount(hits, minlength=len(self.owner))
        found = np.flatnonzero(counts)
        if len(found) > FUZZY_CANDIDATES:
            # Most shared trigrams first, then the lower index (like the scorer's ties).
            key = -counts[found].astype(np.int64) * (len(self.owner) + 1) + found
            found = np.sort(found[np.argpartition(key, FUZZY_CANDIDATES - 1)[:FUZZY_CANDIDATES]])
        # Names sharing a whole word with the query: all of them for a rare word. For a common
        # word, those 1.5 to 8 times as long (or short) score 85.5 with WRatio whatever their
        # other words, and ties go to the lower index, so the first few are candidates.
        parts: list[npt.NDArray[Any]] = [found]
        m = len(nq)
        for w in set(nq.split()):
            t = self.tokens.get(w)
            if t is None:
                continue
            have = self.tok_keys[self.tok_ptr[t] : self.tok_ptr[t + 1]]
            if len(have) <= RARE_WORD:
                parts.append(have)
                continue
            n = self.length[have]
            ratio = np.maximum(n, m) / np.minimum(n, m)
            parts.append(have[(ratio >= 1.5) & (ratio <= 8.0)][:TOKEN_CANDIDATES])
        out: list[int] = np.unique(np.concatenate(parts)).tolist()
        return out


def _word_starts(key: str) -> list[int]:
    return [0] + [i + 1 for i, c in enumerate(key) if c == " "]


def _trigrams(text: str) -> npt.NDArray[np.int64]:
    cps = np.frombuffer(f" {text} ".encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    if len(cps) < 3:
        return np.zeros(0, dtype=np.int64)
    out: npt.NDArray[np.int64] = (cps[:-2] << 42) | (cps[1:-1] << 21) | cps[2:]
    return out


def _trigram_postings(
    keys: list[str],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    """Sorted trigram codes, and for each the keys containing it (ascending)."""
    padded = [f" {k} " for k in keys]
    lens = np.fromiter((len(p) for p in padded), np.int64, len(padded))
    cps = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    del padded
    starts = np.cumsum(lens) - lens
    per = np.maximum(lens - 2, 0)
    pos = np.arange(int(per.sum()), dtype=np.int64) + np.repeat(starts - (np.cumsum(per) - per), per)
    codes = (cps[pos] << 42) | (cps[pos + 1] << 21) | cps[pos + 2]
    owner = np.repeat(np.arange(len(keys), dtype=np.int32), per)
    del cps, pos
    order = np.argsort(codes, kind="stable")
    codes, owner = codes[order], owner[order]
    del order
    keep = np.ones(len(codes), dtype=np.bool_)
    keep[1:] = (codes[1:] != codes[:-1]) | (owner[1:] != owner[:-1])
    codes, owner = codes[keep], owner[keep]
    uniq, first = np.unique(codes, return_index=True)
    ptr = np.append(first, len(codes)).astype(np.int64)
    return uniq, ptr, owner


_CACHE: weakref.WeakKeyDictionary[GraphStore, _Index] = weakref.WeakKeyDictionary()


def _index(store: GraphStore) -> _Index:
    idx = _CACHE.get(store)
    if idx is not None and idx.version == store.version:
        return idx
    keys: list[str] = []
    owners: list[int] = []
    is_alias: list[bool] = []
    rows: list[tuple[str, str, str, int]] = []
    by_key: dict[str, list[int]] = {}
    # Shielded: an index that a query's deadline cut short would be built again by the next
    # search, and under load never finish; built once, it serves every search of this version.
    with shielded():
        names = store.name_rows()
        with bulk_objects(len(names) > FUZZY_EXHAUSTIVE):
            idx = _build_index(store.version, names, keys, owners, is_alias, rows, by_key)
            if len(idx.keys) > FUZZY_EXHAUSTIVE:
                idx.scaled()  # what big searches use, built under the same shield
    _CACHE[store] = idx
    return idx


def _build_index(
    version: str,
    names: list[NameRow],
    keys: list[str],
    owners: list[int],
    is_alias: list[bool],
    rows: list[tuple[str, str, str, int]],
    by_key: dict[str, list[int]],
) -> _Index:
    for n, row in enumerate(names):
        rows.append((row.id, row.kind, row.name, row.degree))
        for text, alias in [(row.name, False), *((a, True) for a in row.aliases)]:
            key = normalize(text)
            if not key:
                continue
            by_key.setdefault(key, []).append(len(keys))
            keys.append(key)
            owners.append(n)
            is_alias.append(alias)
    return _Index(version, keys, owners, is_alias, rows, by_key)


def search(
    store: GraphStore, q: str, *, kind: str | None = None, limit: int = 10, fuzzy_cutoff: float = 75.0
) -> list[SearchHit]:
    """Find entities by name or alias.

    Matching is case-, accent- and punctuation-insensitive and works for aliases in any
    script. Ranking: whole name or alias > prefix (of a word) > fuzzy (typos); within each,
    people and organisations (``ACTOR_KINDS``) before assets, events, agreements and documents,
    then exact name before alias; ties broken by degree (better-connected first), then name. On graphs with more than 20,000 names and
    aliases, fuzzy matches are sought among the 3,000 names sharing the most character
    trigrams with the query (the other tiers are always complete).

    Examples
    --------
    >>> from graph.testing import mini_store
    >>> [(h.id, h.match) for h in search(mini_store(), "acme", limit=3)]
    [('acme', 'alias'), ('acme-us', 'prefix'), ('plea', 'prefix')]
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
    big = len(idx.keys) > FUZZY_EXHAUSTIVE
    if len(nq) >= 2:
        for i in _prefix_matches(idx, nq, kind, limit + len(best)) if big else range(len(idx.keys)):
            key = idx.keys[i]
            if key.startswith(nq) or f" {nq}" in f" {key}":
                if key != nq:
                    offer(i, "prefix", 100.0 * len(nq) / len(key))
    # Fuzzy matches rank last: when the better tiers already fill the page, they cannot show.
    if len(nq) >= 3 and len(best) < limit:
        choices = idx.keys
        where: list[int] | None = None
        if big:
            where = idx.scaled().fuzzy_keys(nq)
            choices = [idx.keys[i] for i in where]
        for _key, score, j in process.extract(
            nq, choices, scorer=fuzz.WRatio, score_cutoff=fuzzy_cutoff, limit=limit * 5 + 20
        ):
            i = j if where is None else where[j]
            if idx.keys[i] != nq and not idx.keys[i].startswith(nq):
                offer(i, "fuzzy", float(score))
    order = sorted(
        best.items(),
        key=lambda kv: (
            max(kv[1][0] - 1, 0),
            idx.rows[kv[0]][1] not in ACTOR_KINDS,
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


def _prefix_matches(idx: _Index, nq: str, kind: str | None, room: int) -> list[int]:
    """The prefix matches that can reach the first ``room`` places, ascending.

    The prefix tier ranks owners by (actor kind first, more relationships, then name); an
    owner behind ``room`` others of its kind group cannot show, so its keys need not be offered.
    """
    sc = idx.scaled()
    keys = sc.prefix_keys(nq)
    if not len(keys):
        return []
    owners = sc.owner[keys]
    if kind is not None:
        sel = sc.kind[owners] == list(EntityKind).index(EntityKind(kind))
        keys, owners = keys[sel], owners[sel]
    distinct = np.unique(owners)
    if len(distinct) > room:
        actor = np.isin(sc.kind[distinct], sc.actor_codes)
        kept = []
        for group in (distinct[actor], distinct[~actor]):
            if len(group) > room:
                ranks = sc.rank[group]
                cut = np.partition(ranks, room - 1)[room - 1]
                group = group[ranks <= cut]
            kept.append(group)
        keys = keys[np.isin(owners, np.concatenate(kept))]
    out: list[int] = keys.tolist()
    return out


def suggest(store: GraphStore, ref: str, limit: int = 5) -> list[dict[str, str]]:
    """Close matches for an unknown reference (for "did you mean" messages)."""
    try:
        hits = search(store, ref, limit=limit, fuzzy_cutoff=SUGGEST_CUTOFF)
    except InvalidParameter:
        return []
    return [{"id": h.id, "name": h.name} for h in hits]


def resolve(store: GraphStore, ref: str) -> str:
    """Turn an id or a name into an entity id.

    An exact id wins; otherwise the one entity whose name or alias matches exactly. Nothing
    is guessed: ``EntityNotFound`` (with close matches as suggestions) when nothing matches
    exactly, ``AmbiguousEntity`` (with the candidates) when several entities match as well
    as each other or a better-ranked one only matches a word of its name ("Trump" is an
    alias of Donald J. Trump and the name of the $TRUMP coin).

    >>> from graph.testing import mini_store
    >>> resolve(mini_store(), "Bobby"), resolve(mini_store(), "acme-us")
    ('bob', 'acme-us')
    >>> resolve(mini_store(), "Alise Exampel")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.errors.EntityNotFound: no entity 'Alise Exampel'; did you mean: Alice Example (alice)...
    """
    if store.has_entity(ref):
        return ref
    if ref.strip():
        try:
            hits = search(store, ref, limit=5, fuzzy_cutoff=SUGGEST_CUTOFF)
        except InvalidParameter:
            hits = []
        idx = _index(store)
        strong = list(dict.fromkeys(idx.rows[idx.owners[i]][0] for i in idx.by_key.get(normalize(ref), [])))
        if len(strong) == 1 and hits and hits[0].id == strong[0]:
            return strong[0]
        choices = [{"id": h.id, "name": h.name} for h in hits]
        if strong:
            # The entities that match exactly first (in search order), then the others.
            ranked = [c for c in choices if c["id"] in strong]
            shown = {c["id"] for c in ranked}
            ranked += [{"id": e.id, "name": e.name} for e in store.get_entities(set(strong) - shown).values()]
            raise AmbiguousEntity(ref, ranked + [c for c in choices if c["id"] not in strong])
        raise EntityNotFound(ref, choices)
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


def profile(store: GraphStore, ref: str, *, evidence: str | None = None) -> Profile:
    """An entity with all its relationships grouped by category and type, each cited.

    ``evidence="primary"`` keeps only relationships that cite a primary record.

    >>> from graph.testing import mini_store
    >>> p = profile(mini_store(), "carol")
    >>> sorted(p.groups), [v.sentence for v in p.groups["political"]["holds_office"]]
    (['financial', 'personal', 'political'], ['Carol Official held office at Federal Regulator as Director (since 2021; single source).'])
    """
    ent = get_entity(store, ref)
    flt = with_evidence(store, make_filter(evidence=evidence))
    adj = store.adjacent(ent.id, flt=flt)
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
