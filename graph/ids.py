"""Deterministic ids: readable slugs and content-derived relationship ids."""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["ID_PATTERN", "is_valid_id", "relationship_id", "slugify"]

#: Ids are lower-case slugs; the same id works in every store and in URLs.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,199}$")


def slugify(text: str) -> str:
    """Lower-case ASCII slug of ``text``: ``"Binance.US"`` -> ``"binance-us"``.

    >>> slugify("Changpeng Zhao")
    'changpeng-zhao'
    >>> slugify("  Binance.US ")
    'binance-us'
    """
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", norm.lower()).strip("-")
    return slug or "x"


def is_valid_id(value: str) -> bool:
    """True when ``value`` is a well-formed id."""
    return bool(ID_PATTERN.match(value))


def relationship_id(source: object, type_: object, target: object, start: object, role: object) -> str:
    """Id of a relationship that has none in its file, derived from its content.

    Re-ingesting the same row always gives the same id. Fields that are not text (a malformed
    record, which validation then reports) are left out rather than failing here.

    >>> relationship_id("a", "founded", "b", "2017", None)
    'r-a-founded-b-2017'
    """
    base = "r-" + "-".join(v if isinstance(v, str) else "" for v in (source, type_, target))
    if isinstance(start, str) and start:
        base += f"-{start}"
    if isinstance(role, str) and role:
        digest = hashlib.sha1(role.encode("utf-8")).hexdigest()[:8]
        base += f"-{digest}"
    return base[:200]
