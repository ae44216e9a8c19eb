"""Domain models: sources, entities, relationships, and the neutral query results.

Entities, relationships and sources are pydantic v2 models validated on ingestion. Query results
(``Subgraph``, ``Path``, ``Hop``) are plain values that the API, the views and notebooks render.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from graph.dates import date_bounds, parse_partial_date
from graph.guards import check_value
from graph.ids import ID_PATTERN
from graph.vocabulary import PRIMARY_SOURCE_KINDS, REL_TYPES, EntityKind, SourceKind, Status

__all__ = [
    "Entity",
    "EntityRef",
    "Hop",
    "Path",
    "PartialDate",
    "Relationship",
    "Source",
    "Subgraph",
]


def _check_id(value: str) -> str:
    if not ID_PATTERN.match(value):
        msg = f"bad id {value!r}: use lower-case letters, digits, '.', '_' and '-'"
        raise ValueError(msg)
    return value


Id = Annotated[str, AfterValidator(_check_id)]
PartialDate = Annotated[str, AfterValidator(parse_partial_date)]


def _check_url(value: str) -> str:
    if not (value.startswith("http://") or value.startswith("https://")) or " " in value:
        msg = f"bad URL {value!r}: must be an absolute http(s) URL"
        raise ValueError(msg)
    if len(value.split("/")[2]) < 3:
        msg = f"bad URL {value!r}: no host"
        raise ValueError(msg)
    return value


Url = Annotated[str, AfterValidator(_check_url)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=False)

    @field_validator("*")
    @classmethod
    def _guard_text(cls, v: Any, info: ValidationInfo) -> Any:
        # One size and character rule for every field, whatever the input format (graph.guards).
        return check_value(v, info.field_name or "")


class Source(_Model):
    """A document that facts cite."""

    id: Id
    kind: SourceKind = SourceKind.OTHER
    title: str = Field(min_length=1)
    publisher: str | None = None
    url: Url | None = None
    date: PartialDate | None = None
    date_note: str | None = None
    copy_of: str | None = None
    summary: str | None = None
    #: Name of the dataset the record belongs to (``None``: the bundled, hand-curated data).
    dataset: str | None = None
    attributes: dict[str, str] = Field(default_factory=dict)

    @property
    def is_primary(self) -> bool:
        """True for a primary record (court filing, agency or legislative release, a party's own
        statement) or a labelled copy of one, which keeps the kind of what it copies."""
        return self.kind in PRIMARY_SOURCE_KINDS


class Entity(_Model):
    """A person, firm, agency, court, agreement, asset, event or document."""

    id: Id
    kind: EntityKind
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    description: str | None = None
    country: str | None = None
    jurisdiction: str | None = None
    founded: PartialDate | None = None
    website: Url | None = None
    identifiers: dict[str, str | list[str]] = Field(default_factory=dict)
    attributes: dict[str, str] = Field(default_factory=dict)
    sources: list[Id] = Field(min_length=1)
    dataset: str | None = None

    @field_validator("aliases")
    @classmethod
    def _no_blank_aliases(cls, v: list[str]) -> list[str]:
        out = [a.strip() for a in v if a and a.strip()]
        return list(dict.fromkeys(out))


class Relationship(_Model):
    """A typed, dated, sourced link from ``source`` to ``target``."""

    id: Id
    source: Id
    target: Id
    type: str
    role: str | None = None
    start: PartialDate | None = None
    end: PartialDate | None = None
    amount: Annotated[float, Field(allow_inf_nan=False)] | None = None
    currency: str | None = None
    #: Name of the dataset the record belongs to (``None``: the bundled, hand-curated data).
    dataset: str | None = None
    #: What an importer kept of the original record (schema, property, label, confidence).
    attributes: dict[str, str] = Field(default_factory=dict)
    status: Status
    denied_by: list[Id] = Field(default_factory=list)
    notes: str | None = None
    sources: list[Id] = Field(min_length=1)
    last_checked: PartialDate | None = None

    @field_validator("type")
    @classmethod
    def _known_type(cls, v: str) -> str:
        if v not in REL_TYPES:
            msg = f"unknown relationship type {v!r}"
            raise ValueError(msg)
        return v

    @field_validator("target")
    @classmethod
    def _not_self(cls, v: str, info: ValidationInfo) -> str:
        if v == info.data.get("source"):
            msg = "a relationship must link two different entities"
            raise ValueError(msg)
        return v

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, v: str | None, info: ValidationInfo) -> str | None:
        start = info.data.get("start")
        if v and start and date_bounds(v)[1] < date_bounds(start)[0]:
            msg = f"end {v} is before start {start}"
            raise ValueError(msg)
        return v

    @field_validator("amount", mode="before")
    @classmethod
    def _not_boolean(cls, v: Any) -> Any:
        if isinstance(v, bool):
            msg = f"amount must be a number, not {str(v).lower()}"
            raise ValueError(msg)
        return v

    @field_validator("amount")
    @classmethod
    def _non_negative(cls, v: float | None) -> float | None:
        if v is not None and v < 0:
            msg = "amount must not be negative"
            raise ValueError(msg)
        return v

    @property
    def category(self) -> str:
        """The category of this relationship's type."""
        return REL_TYPES[self.type].category.value


class EntityRef(BaseModel):
    """A short reference to an entity, as used in results."""

    id: str
    name: str
    kind: str


class Subgraph(BaseModel):
    """A set of entities and the relationships among them, with what a cap cut away."""

    nodes: list[Entity]
    edges: list[Relationship]
    sources: dict[str, Source] = Field(default_factory=dict)
    center: list[str] = Field(default_factory=list)
    depth: dict[str, int] = Field(default_factory=dict)
    truncated: bool = False
    cut_nodes: int = 0
    note: str | None = None


class Hop(BaseModel):
    """One step of a path: the relationship, the direction it was walked, its sentence."""

    relationship: Relationship
    forward: bool
    sentence: str
    citations: list[Source]


class Path(BaseModel):
    """A path between two entities with one cited sentence per hop."""

    nodes: list[Entity]
    hops: list[Hop]
    cost: float

    @property
    def length(self) -> int:
        """Number of hops."""
        return len(self.hops)

    @property
    def node_ids(self) -> list[str]:
        """Entity ids along the path."""
        return [n.id for n in self.nodes]


def dump(model: BaseModel) -> dict[str, Any]:
    """Compact dict of a model: ``None`` and empty containers left out."""
    return {k: v for k, v in model.model_dump(mode="json").items() if v is not None and v != [] and v != {}}
