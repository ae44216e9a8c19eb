"""Result values of the query engine (neutral: no networkx, no Cypher, no HTTP)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from graph.model import Entity, EntityRef, Path, Relationship, Source, Subgraph

__all__ = [
    "Brokers",
    "CommonConnection",
    "CommonResult",
    "Community",
    "ConflictMatch",
    "PathResult",
    "Profile",
    "RankItem",
    "RelView",
    "SearchHit",
    "TimelineItem",
]


class SearchHit(BaseModel):
    """One search result and why it matched."""

    id: str
    name: str
    kind: str
    match: str = Field(description="exact, alias, prefix or fuzzy")
    matched: str = Field(description="the name or alias that matched")
    score: float
    degree: int


class RelView(BaseModel):
    """A relationship seen from one of its entities."""

    relationship: Relationship
    other: EntityRef
    forward: bool
    category: str
    sentence: str
    sources: list[Source]


class Profile(BaseModel):
    """An entity and its relationships grouped by category, then type."""

    entity: Entity
    degree: int
    sources: list[Source]
    groups: dict[str, dict[str, list[RelView]]]


class PathResult(BaseModel):
    """Paths between two entities; an empty list with a message when there is none."""

    source: EntityRef
    target: EntityRef
    mode: str
    paths: list[Path]
    message: str | None = None
    footnotes: list[Source] = Field(default_factory=list)


class CommonConnection(BaseModel):
    """An entity connected to every one of the queried entities."""

    entity: EntityRef
    score: float
    distance: dict[str, int]
    via: dict[str, list[str]] = Field(description="per queried entity: relationship ids on the way")


class CommonResult(BaseModel):
    """Common connections of two or more entities."""

    entities: list[EntityRef]
    max_hops: int
    connections: list[CommonConnection]


class TimelineItem(BaseModel):
    """One dated relationship or event."""

    date: str
    end: str | None = None
    kind: str = Field(description="relationship or event")
    sentence: str
    relationship: Relationship | None = None
    entity: EntityRef | None = None
    sources: list[Source]


class RankItem(BaseModel):
    """One entity in a ranking."""

    entity: EntityRef
    score: float


class Community(BaseModel):
    """A community of entities (label propagation or Louvain, seeded)."""

    id: int
    size: int
    members: list[EntityRef]


class Brokers(BaseModel):
    """Entities lying on paths between two groups, by how many shortest paths they carry."""

    group_a: list[EntityRef]
    group_b: list[EntityRef]
    brokers: list[RankItem]


class ConflictMatch(BaseModel):
    """A conflict-of-interest pattern match: its chain, explanation and citations."""

    pattern: str
    official: EntityRef
    party: EntityRef
    chain: Path
    explanation: str


__all__ += ["Subgraph"]
