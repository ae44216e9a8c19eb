"""``EdgeFilter``: which relationships a traversal may use (shared by every store and query)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graph.dates import holds_on, parse_partial_date
from graph.errors import InvalidParameter
from graph.vocabulary import REL_TYPES, STATUS_RANK, Category, EntityKind, Status

__all__ = ["EdgeFilter", "make_filter"]


@dataclass(frozen=True, slots=True)
class EdgeFilter:
    """Filter on relationships (and on the kinds of entities a walk may reach).

    ``types``/``categories`` keep only those (None: all); ``exclude_*`` drop those;
    ``min_status`` keeps relationships at least that sure (confirmed > reported > alleged >
    denied); ``as_of`` keeps relationships holding on that day (see ``graph.dates``);
    ``kinds`` limits the entity kinds a walk may step onto; ``avoid`` lists entity ids
    a walk may not step onto. ``evidence="primary"`` keeps relationships that cite a primary
    record; a query turns it into ``rel_ids`` (the relationships that pass) with
    ``graph.evidence.with_evidence`` before the store sees it.
    """

    types: frozenset[str] | None = None
    exclude_types: frozenset[str] = frozenset()
    categories: frozenset[str] | None = None
    exclude_categories: frozenset[str] = frozenset()
    kinds: frozenset[str] | None = None
    min_status: str | None = None
    as_of: str | None = None
    unknown_dates: str = "include"
    avoid: frozenset[str] = frozenset()
    evidence: str | None = None
    rel_ids: frozenset[str] | None = None

    @property
    def is_open(self) -> bool:
        """True when the filter lets every relationship through."""
        return self == EdgeFilter()

    def allowed_types(self) -> frozenset[str]:
        """The relationship types that pass the type and category parts of the filter."""
        out = set()
        for name, t in REL_TYPES.items():
            if self.types is not None and name not in self.types:
                continue
            if name in self.exclude_types:
                continue
            cat = t.category.value
            if self.categories is not None and cat not in self.categories:
                continue
            if cat in self.exclude_categories:
                continue
            out.add(name)
        return frozenset(out)

    def allowed_statuses(self) -> frozenset[str]:
        """The statuses that pass ``min_status``."""
        if self.min_status is None:
            return frozenset(s.value for s in Status)
        floor = STATUS_RANK[Status(self.min_status)]
        return frozenset(s.value for s, r in STATUS_RANK.items() if r >= floor)

    def check_resolved(self) -> None:
        """Raise when an ``evidence`` filter reaches a store without its ``rel_ids``."""
        if self.evidence is not None and self.rel_ids is None:
            msg = "evidence filter not resolved: call graph.evidence.with_evidence(store, flt) first"
            raise ValueError(msg)

    def accepts(self, rel: Mapping[str, Any]) -> bool:
        """True when the relationship (a dict or model dump) passes the filter."""
        if self.evidence is not None or self.rel_ids is not None:
            self.check_resolved()
            if self.rel_ids is not None and rel["id"] not in self.rel_ids:
                return False
        t = rel["type"]
        if self.types is not None and t not in self.types:
            return False
        if self.exclude_types and t in self.exclude_types:
            return False
        if self.categories is not None or self.exclude_categories:
            cat = REL_TYPES[t].category.value
            if self.categories is not None and cat not in self.categories:
                return False
            if cat in self.exclude_categories:
                return False
        if (
            self.min_status is not None
            and STATUS_RANK[Status(rel["status"])] < STATUS_RANK[Status(self.min_status)]
        ):
            return False
        if self.as_of is not None:
            return holds_on(rel.get("start"), rel.get("end"), self.as_of, unknown=self.unknown_dates)
        return True


def _names(param: str, values: Iterable[str] | None, allowed: Iterable[str]) -> frozenset[str] | None:
    if values is None:
        return None
    vals = frozenset(v.strip() for v in values if v and v.strip())
    if not vals:
        return None
    ok = set(allowed)
    bad = sorted(vals - ok)
    if bad:
        raise InvalidParameter(
            param, f"unknown value(s) {', '.join(bad)}; expected one of {', '.join(sorted(ok))}"
        )
    return vals


def make_filter(
    *,
    types: Iterable[str] | None = None,
    exclude_types: Iterable[str] | None = None,
    categories: Iterable[str] | None = None,
    exclude_categories: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
    min_status: str | None = None,
    as_of: str | None = None,
    unknown_dates: str = "include",
    avoid: Iterable[str] | None = None,
    evidence: str | None = None,
) -> EdgeFilter:
    """Build an ``EdgeFilter`` from user input, raising ``InvalidParameter`` on bad values."""
    cats = [c.value for c in Category]
    if min_status is not None and min_status not in {s.value for s in Status}:
        raise InvalidParameter(
            "min_status",
            f"unknown status {min_status!r}; expected one of {', '.join(s.value for s in Status)}",
        )
    if as_of is not None:
        try:
            parse_partial_date(as_of)
        except ValueError as exc:
            raise InvalidParameter("as_of", str(exc)) from None
        if len(as_of) != 10:
            raise InvalidParameter("as_of", "give a full date, YYYY-MM-DD")
    if evidence not in (None, "any", "primary"):
        raise InvalidParameter("evidence", f"unknown value {evidence!r}; expected 'any' or 'primary'")
    if unknown_dates not in ("include", "exclude"):
        raise InvalidParameter("unknown_dates", "expected 'include' or 'exclude'")
    return EdgeFilter(
        types=_names("types", types, REL_TYPES),
        exclude_types=_names("exclude_types", exclude_types, REL_TYPES) or frozenset(),
        categories=_names("categories", categories, cats),
        exclude_categories=_names("exclude_categories", exclude_categories, cats) or frozenset(),
        kinds=_names("kinds", kinds, [k.value for k in EntityKind]),
        min_status=min_status,
        as_of=as_of,
        unknown_dates=unknown_dates,
        avoid=frozenset(avoid or ()),
        evidence="primary" if evidence == "primary" else None,
    )
