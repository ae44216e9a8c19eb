"""FollowTheMoney export: entities and relationships as FtM entity proxies, one JSON object a line.

Written with the ``followthemoney`` package's own proxies (``model.make_entity``), so property
values are cleaned and checked by FtM itself. An entity imported from FtM keeps its original
schema and id (``attributes.ftm_schema``, ``identifiers.ftm_id``); others take the schema of
their kind (person -> Person, company -> Company, agency -> PublicBody, ...). A relationship
becomes the edge schema of its type (owns -> Ownership, role_at -> Employment, family_of ->
Family, ...; anything else an UnknownLink whose ``role`` is the relationship's verb); a
``sanctioned`` relationship becomes a Sanction of the target, with the source's name as the
authority. Every proxy carries ``publisher`` (the dataset) and, where known, ``sourceUrl``.
Importing the export with ``cryptokg import ftm`` gives back the same entities, names, kinds
and relationships (``tests/graph/importers/test_ftm.py`` checks the round trip).
"""

from __future__ import annotations

from typing import Any

import orjson

from graph.model import Entity, Relationship, Subgraph
from graph.vocabulary import REL_TYPES

__all__ = ["SCHEMA_BY_KIND", "SCHEMA_BY_TYPE", "to_ftm"]

SCHEMA_BY_KIND = {
    "person": "Person",
    "company": "Company",
    "organization": "Organization",
    "agency": "PublicBody",
    "court": "PublicBody",
    "agreement": "Contract",
    "asset": "Asset",
    "event": "Event",
    "document": "Document",
    "address": "Address",
}
#: Our type -> FtM edge schema (its edge source and target are our source and target).
SCHEMA_BY_TYPE = {
    "owns": "Ownership",
    "owns_stake_in": "Ownership",
    "shareholder_of": "Ownership",
    "role_at": "Employment",
    "ceo_of": "Directorship",
    "co_ceo_of": "Directorship",
    "chair_of": "Directorship",
    "family_of": "Family",
    "associate_of": "Associate",
    "represents": "Representation",
    "funded": "Payment",
    "holds_office": "Occupancy",
    "owes": "Debt",
    "succeeded_by": "Succession",
    "controls": "Control",
}
_FTM_ROLE = {"Ownership": "role", "Employment": "role", "Directorship": "role", "Family": "relationship"}
_FTM_ROLE |= {"Associate": "relationship", "Representation": "role", "UnknownLink": "role"}


def _model() -> Any:
    from followthemoney import model

    return model


def _original(rec: Entity | Relationship, kept: object) -> str:
    """The FtM id an imported record had: kept as ``ftm_id``, or spelled in the store id
    (``<dataset>.<id>``); other records use their own id."""
    if isinstance(kept, str):
        return kept
    prefix = f"{rec.dataset}."
    if rec.dataset and "ftm_schema" in rec.attributes and rec.id.startswith(prefix):
        return rec.id[len(prefix) :]
    return rec.id


def _ftm_id(ent: Entity) -> str:
    return _original(ent, ent.identifiers.get("ftm_id"))


def _add(proxy: Any, prop: str, values: Any) -> None:
    if proxy.schema.get(prop) is None or values in (None, "", []):
        return
    for v in values if isinstance(values, list) else [values]:
        proxy.add(prop, str(v), cleaned=False, quiet=True)


def _entity(model: Any, ent: Entity, urls: dict[str, str]) -> Any:
    schema = ent.attributes.get("ftm_schema")
    if (
        not schema
        or model.get(schema) is None
        or model.get(schema).edge
        or not model.get(schema).is_a("Thing")
    ):
        schema = SCHEMA_BY_KIND[str(ent.kind)]
    p = model.make_entity(schema)
    p.id = _ftm_id(ent)
    name_prop = "full" if schema == "Address" else "name"
    _add(p, name_prop, ent.name)
    if name_prop != "name":
        _add(p, "name", ent.name)
    for alias in ent.aliases:
        _add(p, "alias", alias)
    _add(p, "description", ent.description)
    _add(p, "country", ent.country)
    _add(p, "jurisdiction", ent.jurisdiction)
    _add(p, "incorporationDate", ent.founded)
    _add(p, "website", ent.website)
    for scheme, val in ent.identifiers.items():
        prop = p.schema.get(scheme)
        if prop is not None and prop.type.name == "identifier":
            _add(p, scheme, val)
    for key, val in ent.attributes.items():
        prop = p.schema.get(key)
        if (
            prop is not None
            and prop.type.name in ("date", "string", "text", "url", "topic", "gender")
            and key != "name"
        ):
            _add(p, key, val.split("; ") if prop.type.name in ("topic", "date") else val)
    _add(p, "publisher", ent.dataset or "cryptokg")
    for sid in ent.sources:
        _add(p, "sourceUrl", urls.get(sid))
    return p


def _link(
    model: Any, rel: Relationship, ids: dict[str, str], names: dict[str, str], urls: dict[str, str]
) -> Any:
    if rel.type == "sanctioned":
        p = model.make_entity("Sanction")
        _add(p, "entity", ids[rel.target])
        _add(p, "authority", names[rel.source])
        _add(p, "program", rel.role)
        _add(p, "listingDate", rel.start)
        _add(p, "endDate", rel.end)
    else:
        original = rel.attributes.get("ftm_schema")
        schema = (
            original if original and model.get(original) is not None and model.get(original).edge else None
        )
        schema = schema or SCHEMA_BY_TYPE.get(rel.type, "UnknownLink")
        p = model.make_entity(schema)
        _add(p, p.schema.edge_source, ids[rel.source])
        _add(p, p.schema.edge_target, ids[rel.target])
        role = rel.role
        if schema == "UnknownLink" and not role:
            role = REL_TYPES[rel.type].verb
        if schema in _FTM_ROLE:
            _add(p, _FTM_ROLE[schema], role)
        _add(p, "startDate", rel.start)
        _add(p, "endDate", rel.end)
        if rel.amount is not None:
            _add(p, "amount", repr(rel.amount))
            _add(p, "currency", rel.currency)
        for key in ("percentage", "summary"):
            _add(p, key, rel.attributes.get(key))
    p.id = rel.id if rel.attributes.get("ftm_property") else _original(rel, rel.attributes.get("ftm_id"))
    _add(p, "description", rel.notes)
    _add(p, "publisher", rel.dataset or "cryptokg")
    for sid in rel.sources:
        _add(p, "sourceUrl", urls.get(sid))
    return p


def to_ftm(sub: Subgraph) -> bytes:
    """``sub`` as FtM entity proxies in JSON Lines (entities first, then links), in id order.

    Relationships made from an entity-valued property of an FtM entity (``ftm_property``) are
    written as that property on the entity instead of as a link.
    """
    model = _model()
    urls = {s.id: s.url for s in sub.sources.values() if s.url}
    ids = {e.id: _ftm_id(e) for e in sub.nodes}
    names = {e.id: e.name for e in sub.nodes}
    # a sanctioning authority the FtM importer made from a Sanction's text is that Sanction's
    # ``authority``: it is written as an entity only when something else links to it
    linked = {x for r in sub.edges if r.type != "sanctioned" for x in (r.source, r.target)}
    proxies = {
        e.id: _entity(model, e, urls)
        for e in sub.nodes
        if e.attributes.get("ftm_property") != "authority" or e.id in linked
    }
    links = []
    for rel in sorted(sub.edges, key=lambda r: r.id):
        if rel.source not in ids or rel.target not in ids:
            continue
        prop = rel.attributes.get("ftm_property")
        if prop:
            holder_first = prop in ("holder", "issuer")
            owner, other = (rel.target, rel.source) if holder_first else (rel.source, rel.target)
            proxy = proxies[owner]
            if proxy.schema.get(prop) is not None:
                _add(proxy, prop, ids[other])
                continue
        links.append(_link(model, rel, ids, names, urls))
    out = [orjson.dumps(p.to_dict()) for _, p in sorted(proxies.items())]
    out += [orjson.dumps(p.to_dict()) for p in links]
    return b"".join(line + b"\n" for line in out)
