"""Models from trusted dicts, fast; and ``Records``, a mapping that keeps records as dicts.

A record's compact dict is its ``graph.model.dump``: what the workspace stores as JSON and
what the embedded graph keeps as node and edge attributes. Turning such a dict back into a
model needs no validation (it was validated when written), and pydantic's ``model_construct``
is slow for models with ``default_factory`` fields (it inspects the factory's signature on
every call, about 200 µs per relationship), so ``construct`` fills the model directly.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from enum import StrEnum
from typing import Any, TypeVar, get_origin

from pydantic import BaseModel

from graph.model import Entity, Relationship, Source, dump
from graph.vocabulary import EntityKind, SourceKind, Status

__all__ = ["Records", "bulk_objects", "construct", "entity_of", "relationship_of", "source_of"]

M = TypeVar("M", bound=BaseModel)


def construct(
    cls: type[M], enums: Mapping[str, type[StrEnum]] | None = None
) -> Callable[[Mapping[str, Any]], M]:
    """A function building ``cls`` from a trusted dict, like ``cls.model_construct(**d)``.

    Lists and dicts are copied, so changing the model never changes the dict it came from.

    >>> make = construct(Entity, {"kind": EntityKind})
    >>> e = make({"id": "x", "kind": "person", "name": "X", "sources": ["s1"]})
    >>> e == Entity.model_validate({"id": "x", "kind": "person", "name": "X", "sources": ["s1"]})
    True
    """
    fields = cls.model_fields
    missing = object()
    template = {
        k: missing if f.is_required() or f.default_factory is not None else f.default
        for k, f in fields.items()
    }
    required = frozenset(k for k, f in fields.items() if f.is_required())
    # Straight-line code per model class: about twice as fast as a loop over the fields.
    lines = ["def make(d):", "    v = {**template, **d}"]
    for k, f in fields.items():
        if f.default_factory is not None:
            lines.append(f"    x = v[{k!r}]; v[{k!r}] = factory_{k}() if x is missing else type(x)(x)")
        elif get_origin(f.annotation) in (list, dict):
            lines.append(f"    x = v[{k!r}]")
            lines.append(f"    if x is not missing: v[{k!r}] = type(x)(x)")
    for k in enums or {}:
        lines.append(f"    x = v[{k!r}]; v[{k!r}] = members_{k}.get(x, x)")
    lines += [
        "    if not d.keys() >= required:",
        "        v = {k: x for k, x in v.items() if x is not missing}",
        "    m = new(cls)",
        "    setattr_(m, '__dict__', v)",
        "    setattr_(m, '__pydantic_fields_set__', set(d))",
        "    setattr_(m, '__pydantic_extra__', None)",
        "    setattr_(m, '__pydantic_private__', None)",
        "    return m",
    ]
    scope: dict[str, Any] = {
        "template": template,
        "missing": missing,
        "required": required,
        "cls": cls,
        "new": object.__new__,
        "setattr_": object.__setattr__,
    }
    for k, f in fields.items():
        if f.default_factory is not None:
            scope[f"factory_{k}"] = f.default_factory
    for k, e in (enums or {}).items():
        scope[f"members_{k}"] = {m.value: m for m in e}
    exec("\n".join(lines), scope)  # noqa: S102 - code built above from the model's own field names
    make: Callable[[Mapping[str, Any]], M] = scope["make"]
    return make


@contextmanager
def bulk_objects(big: bool = True) -> Iterator[None]:
    """Create millions of long-lived objects (a graph, a dataset) without garbage-collection pauses.

    The cyclic collector would scan every new dict again and again while they are made, and
    afterwards every full collection would walk the whole graph (a pause of a second at a
    million entities, which shows in every query's p99). It is off while the block runs, and
    what exists at the end is frozen: left out of future collections. Plain dicts without
    reference cycles are still freed as soon as nothing refers to them. With ``big`` false
    (small inputs) nothing changes.
    """
    if not big:
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.freeze()


entity_of = construct(Entity, {"kind": EntityKind})
relationship_of = construct(Relationship, {"status": Status})
source_of = construct(Source, {"kind": SourceKind})


class Records(MutableMapping[str, M]):
    """Validated records by id, kept as their compact dicts; a model is built on each access.

    Large inputs load into these instead of dicts of models, which take several times the
    memory. Reading works like a dict of models; to change a record, assign a new model
    (changing a model you read does not change the record).
    """

    def __init__(self, make: Callable[[Mapping[str, Any]], M], raw: dict[str, dict[str, Any]] | None = None):
        self.raw: dict[str, dict[str, Any]] = raw if raw is not None else {}
        self._make = make

    def __getitem__(self, key: str) -> M:
        return self._make(self.raw[key])

    def __setitem__(self, key: str, value: M) -> None:
        self.raw[key] = dump(value)

    def __delitem__(self, key: str) -> None:
        del self.raw[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def __contains__(self, key: object) -> bool:
        return key in self.raw

    def __repr__(self) -> str:
        return f"Records({len(self.raw)} records)"
