"""One-line builders of valid records for tests."""

from __future__ import annotations

from typing import Any

from graph.model import Entity, Relationship, Source


def source(id: str = "s1", **kw: Any) -> Source:
    """A valid source."""
    return Source.model_validate({"id": id, "title": f"Title {id}", "url": f"https://example.org/{id}", **kw})


def person(id: str, name: str | None = None, **kw: Any) -> Entity:
    """A valid person."""
    return Entity.model_validate(
        {"id": id, "kind": "person", "name": name or id.title(), "sources": ["s1"], **kw}
    )


def company(id: str, name: str | None = None, **kw: Any) -> Entity:
    """A valid company."""
    return Entity.model_validate(
        {"id": id, "kind": "company", "name": name or id.title(), "sources": ["s1"], **kw}
    )


def rel(id: str, source: str, type: str, target: str, **kw: Any) -> Relationship:
    """A valid relationship (status reported, source s1 unless given)."""
    data = {
        "id": id,
        "source": source,
        "type": type,
        "target": target,
        "status": "reported",
        "sources": ["s1"],
    }
    data.update(kw)
    return Relationship.model_validate(data)
