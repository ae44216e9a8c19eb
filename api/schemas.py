"""Response models of the JSON API, kept apart from the domain models in ``graph.model``.

Each model with a domain counterpart has a ``from_domain`` classmethod. Field names are part
of the public API (the web UI reads ``results[].id/name/kind`` from search and
``nodes[]``/``edges[]`` from neighbourhoods): change them only with a new API version.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from graph.model import Entity, EntityRef, Hop, Path, Relationship, Source, Subgraph
from graph.results import (
    Brokers,
    CommonConnection,
    CommonResult,
    Community,
    ConflictMatch,
    PathResult,
    Profile,
    RankItem,
    RelView,
    SearchHit,
    TimelineItem,
)
from graph.store.base import StoreStats
from graph.vocabulary import EntityKind, SourceKind, Status

__all__ = [
    "BrokersOut",
    "CitationsOut",
    "CommonConnectionOut",
    "CommonOut",
    "CommunitiesOut",
    "CommunityOut",
    "ConflictOut",
    "ConflictsOut",
    "DeletedOut",
    "EntityOut",
    "EntitySummary",
    "FootnoteOut",
    "HealthOut",
    "HopOut",
    "IngestOut",
    "Page",
    "PathOut",
    "PathsOut",
    "ProblemOut",
    "ProfileOut",
    "RankItemOut",
    "RankingOut",
    "RelViewOut",
    "RelationshipDetailOut",
    "RelationshipOut",
    "SchemaOut",
    "SearchHitOut",
    "SearchOut",
    "SourceOut",
    "StatsOut",
    "SubgraphOut",
    "TimelineItemOut",
    "TimelineOut",
]

T = TypeVar("T")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- records ---------------------------------------------------------------------------------------
class EntitySummary(_Out):
    """An entity's id, name and kind."""

    id: str = Field(examples=["changpeng-zhao"])
    name: str = Field(examples=["Changpeng Zhao"])
    kind: EntityKind = Field(examples=["person"])

    @classmethod
    def from_domain(cls, ent: Entity | EntityRef) -> EntitySummary:
        return cls(id=ent.id, name=ent.name, kind=EntityKind(str(ent.kind)))


class SourceOut(_Out):
    """A document that facts cite."""

    id: str = Field(examples=["doj-2023-11-21-binance-plea"])
    kind: SourceKind = Field(examples=["government_release"])
    title: str = Field(examples=["Binance and CEO plead guilty to federal charges"])
    publisher: str | None = Field(default=None, examples=["U.S. Department of Justice"])
    url: str | None = Field(default=None, examples=["https://www.justice.gov/opa/pr/example"])
    date: str | None = Field(default=None, description="YYYY, YYYY-MM or YYYY-MM-DD", examples=["2023-11-21"])
    date_note: str | None = None
    copy_of: str | None = Field(default=None, description="What this copy reproduces, when it is a copy.")
    primary: bool = Field(
        default=False,
        description="A primary record: court filing, agency or legislative release, a party's own statement, "
        "or a labelled copy of one.",
    )
    summary: str | None = None
    dataset: str | None = Field(
        default=None, description="The dataset it belongs to (absent: the bundled data)."
    )
    attributes: dict[str, str] = Field(default_factory=dict)

    @classmethod
    def from_domain(cls, src: Source) -> SourceOut:
        return cls(
            id=src.id,
            kind=SourceKind(str(src.kind)),
            title=src.title,
            publisher=src.publisher,
            url=src.url,
            date=src.date,
            date_note=src.date_note,
            copy_of=src.copy_of,
            primary=src.is_primary,
            summary=src.summary,
            dataset=src.dataset,
            attributes=dict(src.attributes),
        )


class FootnoteOut(SourceOut):
    """A cited source with the footnote number that sentences use (``[1]``)."""

    number: int = Field(ge=1, examples=[1])


class EntityOut(_Out):
    """A person, firm, agency, court, agreement, asset, event or document."""

    id: str = Field(examples=["binance"])
    kind: EntityKind = Field(examples=["company"])
    name: str = Field(examples=["Binance"])
    aliases: list[str] = Field(default_factory=list, examples=[["Binance Holdings Ltd."]])
    description: str | None = None
    country: str | None = Field(default=None, examples=["Cayman Islands"])
    jurisdiction: str | None = None
    founded: str | None = Field(default=None, examples=["2017"])
    website: str | None = None
    identifiers: dict[str, str | list[str]] = Field(default_factory=dict)
    attributes: dict[str, str] = Field(default_factory=dict)
    sources: list[str] = Field(description="Ids of the sources that document this entity.", examples=[["s1"]])
    dataset: str | None = Field(
        default=None, description="The dataset it belongs to (absent: the bundled data)."
    )

    @classmethod
    def from_domain(cls, ent: Entity) -> EntityOut:
        return cls(
            id=ent.id,
            kind=EntityKind(str(ent.kind)),
            name=ent.name,
            aliases=list(ent.aliases),
            description=ent.description,
            country=ent.country,
            jurisdiction=ent.jurisdiction,
            founded=ent.founded,
            website=ent.website,
            identifiers=dict(ent.identifiers),
            attributes=dict(ent.attributes),
            sources=list(ent.sources),
            dataset=ent.dataset,
        )


class RelationshipOut(_Out):
    """A typed, dated, sourced link from ``source`` to ``target``."""

    id: str = Field(examples=["r-changpeng-zhao-founded-binance-2017"])
    source: str = Field(
        description="Id of the entity the relationship starts at.", examples=["changpeng-zhao"]
    )
    target: str = Field(description="Id of the entity the relationship points to.", examples=["binance"])
    type: str = Field(description="A relationship type from `/api/v1/schema`.", examples=["founded"])
    category: str = Field(description="The type's category.", examples=["professional"])
    role: str | None = None
    start: str | None = Field(default=None, examples=["2017"])
    end: str | None = None
    amount: float | None = None
    currency: str | None = None
    dataset: str | None = Field(
        default=None, description="The dataset it belongs to (absent: the bundled data)."
    )
    attributes: dict[str, str] = Field(
        default_factory=dict, description="What an importer kept of the original."
    )
    status: Status = Field(examples=["confirmed"])
    denied_by: list[str] = Field(default_factory=list, description="Ids of entities that deny it.")
    notes: str | None = None
    sources: list[str] = Field(description="Ids of the sources that document it.", examples=[["s1"]])
    last_checked: str | None = Field(
        default=None, description="When its sources were last reviewed (YYYY, YYYY-MM or YYYY-MM-DD)."
    )

    @classmethod
    def from_domain(cls, rel: Relationship) -> RelationshipOut:
        return cls(
            id=rel.id,
            source=rel.source,
            target=rel.target,
            type=rel.type,
            category=rel.category,
            role=rel.role,
            start=rel.start,
            end=rel.end,
            amount=rel.amount,
            currency=rel.currency,
            dataset=rel.dataset,
            attributes=dict(rel.attributes),
            status=Status(str(rel.status)),
            denied_by=list(rel.denied_by),
            notes=rel.notes,
            sources=list(rel.sources),
            last_checked=rel.last_checked,
        )


class Page(_Out, Generic[T]):
    """One page of a list, with the total number of items matching."""

    items: list[T]
    total: int = Field(ge=0, examples=[42])
    offset: int = Field(ge=0, examples=[0])
    limit: int = Field(ge=1, examples=[50])


# -- search and profiles ---------------------------------------------------------------------------
class SearchHitOut(_Out):
    """One search result and why it matched."""

    id: str = Field(examples=["changpeng-zhao"])
    name: str = Field(examples=["Changpeng Zhao"])
    kind: EntityKind = Field(examples=["person"])
    match: str = Field(description="exact, alias, prefix or fuzzy", examples=["alias"])
    matched: str = Field(description="The normalised name or alias that matched.", examples=["cz"])
    score: float = Field(examples=[100.0])
    degree: int = Field(description="Number of relationships of the entity.", examples=[12])

    @classmethod
    def from_domain(cls, hit: SearchHit) -> SearchHitOut:
        return cls(
            id=hit.id,
            name=hit.name,
            kind=EntityKind(hit.kind),
            match=hit.match,
            matched=hit.matched,
            score=hit.score,
            degree=hit.degree,
        )


class SearchOut(_Out):
    """Search results, best first."""

    query: str = Field(examples=["CZ"])
    kind: EntityKind | None = None
    results: list[SearchHitOut]


class RelViewOut(_Out):
    """A relationship seen from one of its entities, with its sentence and sources."""

    relationship: RelationshipOut
    other: EntitySummary
    forward: bool = Field(description="True when the profiled entity is the relationship's source.")
    category: str = Field(examples=["professional"])
    sentence: str = Field(examples=["Changpeng Zhao founded Binance (2017)."])
    sources: list[SourceOut]

    @classmethod
    def from_domain(cls, view: RelView) -> RelViewOut:
        return cls(
            relationship=RelationshipOut.from_domain(view.relationship),
            other=EntitySummary.from_domain(view.other),
            forward=view.forward,
            category=view.category,
            sentence=view.sentence,
            sources=[SourceOut.from_domain(s) for s in view.sources],
        )


class ProfileOut(_Out):
    """An entity with its relationships grouped by category, then by type."""

    entity: EntityOut
    degree: int = Field(examples=[12])
    sources: list[SourceOut] = Field(description="The sources that document the entity itself.")
    groups: dict[str, dict[str, list[RelViewOut]]] = Field(
        description="category -> relationship type -> relationships, oldest first (at most `limit` each)."
    )
    counts: dict[str, dict[str, int]] = Field(
        description="category -> relationship type -> how many there are."
    )
    truncated: bool = Field(description="True when some type has more relationships than are listed.")

    @classmethod
    def from_domain(cls, prof: Profile, *, limit: int | None = None) -> ProfileOut:
        """The profile, listing at most ``limit`` relationships per type (None: all)."""
        return cls(
            entity=EntityOut.from_domain(prof.entity),
            degree=prof.degree,
            sources=[SourceOut.from_domain(s) for s in prof.sources],
            groups={
                cat: {t: [RelViewOut.from_domain(v) for v in views[:limit]] for t, views in types.items()}
                for cat, types in prof.groups.items()
            },
            counts={cat: {t: len(views) for t, views in types.items()} for cat, types in prof.groups.items()},
            truncated=limit is not None
            and any(len(v) > limit for t in prof.groups.values() for v in t.values()),
        )


# -- subgraphs and paths ---------------------------------------------------------------------------
class SubgraphOut(_Out):
    """Entities, the relationships among them and the sources those cite."""

    nodes: list[EntityOut]
    edges: list[RelationshipOut]
    sources: dict[str, SourceOut] = Field(description="The sources cited by `edges`, by id.")
    center: list[str] = Field(
        description="Ids of the entities the walk started from.", examples=[["binance"]]
    )
    depth: dict[str, int] = Field(description="Distance in hops of each node from the center.")
    truncated: bool = Field(description="True when the node cap left entities out.")
    cut_nodes: int = Field(description="How many entities the cap left out.")
    note: str | None = Field(default=None, description="What the cap left out, in words.")

    @classmethod
    def from_domain(cls, sub: Subgraph) -> SubgraphOut:
        return cls(
            nodes=[EntityOut.from_domain(n) for n in sub.nodes],
            edges=[RelationshipOut.from_domain(r) for r in sub.edges],
            sources={k: SourceOut.from_domain(s) for k, s in sub.sources.items()},
            center=list(sub.center),
            depth=dict(sub.depth),
            truncated=sub.truncated,
            cut_nodes=sub.cut_nodes,
            note=sub.note,
        )


class HopOut(_Out):
    """One step of a path: the relationship, the direction walked, a sentence and its citations."""

    relationship: RelationshipOut
    forward: bool = Field(description="True when the hop follows the relationship's direction.")
    sentence: str = Field(
        description="The hop in words, with footnote markers into `footnotes`.",
        examples=["Changpeng Zhao founded Binance (2017) [1]."],
    )
    citations: list[SourceOut]

    @classmethod
    def from_domain(cls, hop: Hop) -> HopOut:
        return cls(
            relationship=RelationshipOut.from_domain(hop.relationship),
            forward=hop.forward,
            sentence=hop.sentence,
            citations=[SourceOut.from_domain(s) for s in hop.citations],
        )


class PathOut(_Out):
    """A path: its entities in order, its relationships, and one cited sentence per hop."""

    nodes: list[EntitySummary]
    edges: list[RelationshipOut]
    hops: list[HopOut]
    cost: float = Field(description="Number of hops, or the evidence-weighted cost when `weighted`.")
    length: int = Field(description="Number of hops.")

    @classmethod
    def from_domain(cls, path: Path) -> PathOut:
        hops = [HopOut.from_domain(h) for h in path.hops]
        return cls(
            nodes=[EntitySummary.from_domain(n) for n in path.nodes],
            edges=[h.relationship for h in hops],
            hops=hops,
            cost=path.cost,
            length=path.length,
        )


class PathsOut(_Out):
    """Paths between two entities; no paths and a message when nothing connects them."""

    source: EntitySummary
    target: EntitySummary
    mode: str = Field(examples=["shortest"])
    paths: list[PathOut]
    message: str | None = Field(default=None, description="Why there is no path, when there is none.")
    footnotes: list[FootnoteOut] = Field(description="Sources in order of first citation: `[n]` is number n.")

    @classmethod
    def from_domain(cls, res: PathResult) -> PathsOut:
        return cls(
            source=EntitySummary.from_domain(res.source),
            target=EntitySummary.from_domain(res.target),
            mode=res.mode,
            paths=[PathOut.from_domain(p) for p in res.paths],
            message=res.message,
            footnotes=[
                FootnoteOut(number=i, **SourceOut.from_domain(s).model_dump())
                for i, s in enumerate(res.footnotes, start=1)
            ],
        )


# -- other queries ---------------------------------------------------------------------------------
class CommonConnectionOut(_Out):
    """An entity connected to every queried entity."""

    entity: EntitySummary
    score: float = Field(description="Sum over the queried entities of 1 / distance.")
    distance: dict[str, int] = Field(description="Hops from each queried entity.")
    via: dict[str, list[str]] = Field(
        description="Per queried entity: relationship ids of one shortest route."
    )

    @classmethod
    def from_domain(cls, conn: CommonConnection) -> CommonConnectionOut:
        return cls(
            entity=EntitySummary.from_domain(conn.entity),
            score=conn.score,
            distance=dict(conn.distance),
            via={k: list(v) for k, v in conn.via.items()},
        )


class CommonOut(_Out):
    """Common connections (interlocks) of two or more entities, ranked."""

    entities: list[EntitySummary]
    max_hops: int
    connections: list[CommonConnectionOut]

    @classmethod
    def from_domain(cls, res: CommonResult) -> CommonOut:
        return cls(
            entities=[EntitySummary.from_domain(e) for e in res.entities],
            max_hops=res.max_hops,
            connections=[CommonConnectionOut.from_domain(c) for c in res.connections],
        )


class TimelineItemOut(_Out):
    """A dated relationship or a dated event or agreement."""

    date: str = Field(examples=["2023-11-21"])
    end: str | None = None
    kind: str = Field(description="relationship, event or agreement", examples=["relationship"])
    sentence: str
    relationship: RelationshipOut | None = None
    entity: EntitySummary | None = None
    sources: list[SourceOut]

    @classmethod
    def from_domain(cls, item: TimelineItem) -> TimelineItemOut:
        return cls(
            date=item.date,
            end=item.end,
            kind=item.kind,
            sentence=item.sentence,
            relationship=RelationshipOut.from_domain(item.relationship) if item.relationship else None,
            entity=EntitySummary.from_domain(item.entity) if item.entity else None,
            sources=[SourceOut.from_domain(s) for s in item.sources],
        )


class TimelineOut(_Out):
    """Dated relationships and events, oldest first."""

    entities: list[str] = Field(description="The entities asked about (empty: the whole graph).")
    items: list[TimelineItemOut]


class RankItemOut(_Out):
    """One entity in a ranking."""

    entity: EntitySummary
    score: float

    @classmethod
    def from_domain(cls, item: RankItem) -> RankItemOut:
        return cls(entity=EntitySummary.from_domain(item.entity), score=item.score)


class RankingOut(_Out):
    """Top entities by a centrality metric."""

    metric: str = Field(examples=["degree"])
    items: list[RankItemOut]


class CommunityOut(_Out):
    """A community of entities."""

    id: int
    size: int = Field(description="Number of members.")
    members: list[EntitySummary] = Field(description="Members by id (at most the number asked for).")

    @classmethod
    def from_domain(cls, com: Community, *, members: int | None = None) -> CommunityOut:
        """The community, listing at most ``members`` of its members (None: all)."""
        return cls(
            id=com.id, size=com.size, members=[EntitySummary.from_domain(m) for m in com.members[:members]]
        )


class CommunitiesOut(_Out):
    """Communities found by Louvain modularity with a fixed seed, largest first."""

    seed: int
    total: int = Field(description="How many communities were found (at least `min_size` members).")
    communities: list[CommunityOut] = Field(
        description="The largest ones, each listing at most `members` members."
    )


class BrokersOut(_Out):
    """Entities that carry the shortest paths between two groups."""

    group_a: list[EntitySummary]
    group_b: list[EntitySummary]
    brokers: list[RankItemOut]

    @classmethod
    def from_domain(cls, res: Brokers) -> BrokersOut:
        return cls(
            group_a=[EntitySummary.from_domain(e) for e in res.group_a],
            group_b=[EntitySummary.from_domain(e) for e in res.group_b],
            brokers=[RankItemOut.from_domain(b) for b in res.brokers],
        )


class ConflictOut(_Out):
    """A conflict-of-interest pattern match: documented power and interest meeting."""

    pattern: str = Field(examples=["power-and-money"])
    official: EntitySummary
    party: EntitySummary
    chain: PathOut
    explanation: str

    @classmethod
    def from_domain(cls, match: ConflictMatch) -> ConflictOut:
        return cls(
            pattern=match.pattern,
            official=EntitySummary.from_domain(match.official),
            party=EntitySummary.from_domain(match.party),
            chain=PathOut.from_domain(match.chain),
            explanation=match.explanation,
        )


class ConflictsOut(_Out):
    """Conflict-of-interest matches, shortest chains first."""

    items: list[ConflictOut]
    footnotes: list[FootnoteOut] = Field(
        description="Sources in order of first citation over all matches: `[n]` in a sentence is number n."
    )
    note: str = Field(description="What a match does and does not show.")

    @classmethod
    def from_domain(cls, matches: list[ConflictMatch], note: str) -> ConflictsOut:
        # The chains' sentences share one footnote numbering, in order of first citation.
        cited: dict[str, Source] = {}
        for m in matches:
            for hop in m.chain.hops:
                for src in hop.citations:
                    cited.setdefault(src.id, src)
        return cls(
            items=[ConflictOut.from_domain(m) for m in matches],
            footnotes=[
                FootnoteOut(number=i, **SourceOut.from_domain(s).model_dump())
                for i, s in enumerate(cited.values(), start=1)
            ],
            note=note,
        )


class RelationshipDetailOut(_Out):
    """One relationship with its entities, sentence and sources."""

    relationship: RelationshipOut
    source: EntitySummary
    target: EntitySummary
    denied_by: list[EntitySummary]
    sentence: str
    sources: list[SourceOut]


class CitationsOut(_Out):
    """A source and the facts that cite it, one page of each."""

    source: SourceOut
    entities: list[EntitySummary]
    relationships: list[RelationshipOut]
    entities_total: int = Field(description="How many entities cite the source.")
    relationships_total: int = Field(description="How many relationships cite the source.")
    offset: int
    limit: int


# -- meta --------------------------------------------------------------------------------------------
class StatsOut(_Out):
    """Counts of what the graph holds."""

    backend: str = Field(examples=["embedded"])
    version: str = Field(description="Changes whenever the graph changes.", examples=["3f9a2c1d0b7e6a54"])
    entities: int
    relationships: int
    sources: int
    entities_by_kind: dict[str, int]
    relationships_by_type: dict[str, int]
    relationships_by_status: dict[str, int]
    relationships_without_source: int

    @classmethod
    def from_domain(cls, stats: StoreStats, backend: str) -> StatsOut:
        return cls(
            backend=backend,
            version=stats.version,
            entities=stats.entities,
            relationships=stats.relationships,
            sources=stats.sources,
            entities_by_kind=dict(stats.entities_by_kind),
            relationships_by_type=dict(stats.relationships_by_type),
            relationships_by_status=dict(stats.relationships_by_status),
            relationships_without_source=stats.relationships_without_source,
        )


class HealthOut(_Out):
    """The service and its store are up."""

    status: str = Field(examples=["ok"])
    backend: str = Field(examples=["embedded"])
    store: str = Field(description="Where the store lives (no secrets).")
    version: str = Field(description="The graph version (the basis of ETags).")
    entities: int
    relationships: int


class NamedHelp(_Out):
    """A vocabulary term and what it means."""

    name: str
    description: str


class EntityKindOut(NamedHelp):
    """An entity kind."""

    label: str = Field(description="Its Neo4j label.", examples=["Person"])


class StatusOut(NamedHelp):
    """A relationship status; `min_status` keeps ranks at or above the one given."""

    rank: int


class RelTypeOut(NamedHelp):
    """A relationship type and how to read it."""

    category: str
    verb: str = Field(examples=["founded"])
    reverse_verb: str = Field(examples=["was founded by"])
    symmetric: bool
    power: str | None = Field(description="forward, reverse or null (see conflicts).")
    tie: bool = Field(description="A money or family tie (see conflicts).")
    neo4j_type: str = Field(examples=["FOUNDED"])


class FieldOut(_Out):
    """A field of a record kind."""

    name: str
    type: str
    required: bool
    description: str | None = None


class FormatOut(NamedHelp):
    """An export format."""

    media_type: str


class SchemaOut(_Out):
    """The data dictionary, generated from ``graph.vocabulary`` and ``graph.model``."""

    entity_kinds: list[EntityKindOut]
    relationship_types: list[RelTypeOut]
    categories: list[NamedHelp]
    statuses: list[StatusOut]
    source_kinds: list[NamedHelp]
    records: dict[str, list[FieldOut]] = Field(description="Fields of `source`, `entity` and `relationship`.")
    export_formats: list[FormatOut]


# -- writes --------------------------------------------------------------------------------------------
class DeletedOut(_Out):
    """What a delete removed: the record, and relationships removed with an entity."""

    sources: list[str]
    entities: list[str]
    relationships: list[str]
    version: str = Field(description="The graph version after the write.")


class IngestOut(_Out):
    """What a bulk ingest wrote."""

    mode: str = Field(examples=["merge"])
    sources: int
    entities: int
    relationships: int
    version: str = Field(description="The graph version after the write.")


# -- errors --------------------------------------------------------------------------------------------
class Suggestion(_Out):
    """A close match for an unknown entity."""

    id: str
    name: str


class ParameterError(_Out):
    """A bad request parameter."""

    location: str | None = Field(description="query, path, header or body", examples=["query"])
    name: str | None = Field(examples=["depth"])
    message: str = Field(examples=["must be between 1 and 3"])


class RecordError(_Out):
    """A problem in submitted data: where it is and what is wrong."""

    file: str = Field(examples=["request body"])
    line: int | None = None
    record: str | None = Field(default=None, examples=["r-alice-met-dave"])
    field: str | None = Field(default=None, examples=["target"])
    message: str = Field(examples=["unknown entity 'dave'"])


class ProblemOut(BaseModel):
    """An error, as RFC 9457 problem details (``application/problem+json``).

    ``type`` identifies the kind of problem (``about:blank`` for plain HTTP errors); extension
    members add ``suggestions`` (close matches for an unknown entity) and ``errors`` (one item
    per bad parameter or per problem in submitted data).
    """

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "urn:cryptokg:problem:entity-not-found",
                    "title": "Entity not found",
                    "status": 404,
                    "detail": "no entity 'binanse'; did you mean: Binance (binance)?",
                    "instance": "/api/v1/entities/binanse",
                    "suggestions": [{"id": "binance", "name": "Binance"}],
                }
            ]
        },
    )

    type: str = Field(examples=["urn:cryptokg:problem:entity-not-found"])
    title: str = Field(examples=["Entity not found"])
    status: int = Field(ge=400, le=599, examples=[404])
    detail: str | None = None
    instance: str | None = Field(default=None, description="The request path.")
    suggestions: list[Suggestion] | None = None
    errors: list[ParameterError | RecordError] | None = None
