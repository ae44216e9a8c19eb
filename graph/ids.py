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


def relationship_id(source: str, type_: str, target: str, start: str | None, role: str | None) -> str:
    """Id of a relationship that has none in its file, derived from its content.

    Re-ingesting the same row always gives the same id.

    >>> relationship_id("a", "founded", "b", "2017", None)
    'r-a-founded-b-2017'
    """
    base = f"r-{source}-{type_}-{target}"
    if start:
        base += f"-{start}"
    if role:
        digest = hashlib.sha1(role.encode("utf-8")).hexdigest()[:8]
        base += f"-{digest}"
    return base[:200]
