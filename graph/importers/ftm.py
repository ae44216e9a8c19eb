"""FollowTheMoney (FtM) entity streams: OpenSanctions exports, OCCRP Aleph, any ``*.ftm.json``.

Reads JSON Lines (one entity per line; a JSON array is streamed too) in the OpenSanctions export
form (``id, caption, schema, properties, datasets, referents, first_seen, last_seen,
last_change, target``) or the plain ``{id, schema, properties}`` form. Schemata and property
types come from the ``followthemoney`` package's model:

* node schemata (``Thing`` and below: Person, Company, Organization, PublicBody, LegalEntity,
  CryptoWallet, Security, Vessel, Address, Position, ...) become entities: the caption (or the
  first caption property) as name, every other ``name``-typed value as an alias, ``identifier``
  -typed values and ``referents`` as identifiers, ``country``-typed values as country and
  jurisdiction, ``incorporationDate`` as founded, birth dates as attributes;
* edge schemata (Ownership, Directorship, Membership, Employment, Family, Associate,
  Representation, Payment, UnknownLink, Occupancy, Debt, Succession, ...) become relationships
  between the schema's edge source and target, with role, dates, amount and currency; a
  Sanction becomes ``sanctioned`` from its authority (an agency entity) to the listed entity;
* entity-valued properties of node schemata (a wallet's holder, a security's issuer, an
  address entity, a parent) become relationships too.

Each record keeps its original schema (``ftm_schema``), id (``ftm_id``) and, for links made
from a property, the property (``ftm_property``). Status: ``reported`` (a third-party
database), except a Sanction that cites the authority's own list (``sourceUrl``) or any record of
a dataset imported with ``official`` (the publisher is the listing authority): ``confirmed``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from graph.dates import parse_partial_date
from graph.importers.base import Builder, Where, local_id
from graph.vocabulary import Status

__all__ = ["EDGE_TYPES", "KIND_BY_SCHEMA", "read_ftm"]

#: Our entity kind for FtM node schemata, tried in order with ``schema.is_a``.
KIND_BY_SCHEMA: list[tuple[str, str]] = [
    ("Person", "person"),
    ("PublicBody", "agency"),
    ("Company", "company"),
    ("Organization", "organization"),
    ("LegalEntity", "organization"),
    ("Address", "address"),
    ("Position", "agency"),
    ("Asset", "asset"),
    ("Value", "asset"),
    ("CryptoWallet", "asset"),
    ("Security", "asset"),
    ("Vessel", "asset"),
    ("Event", "event"),
    ("Document", "document"),
    ("Contract", "agreement"),
    ("Project", "agreement"),
]
#: Edge schema -> (our type, default role).
EDGE_TYPES: dict[str, tuple[str, str | None]] = {
    "Ownership": ("owns_stake_in", "owner"),
    "Directorship": ("role_at", "director"),
    "Membership": ("role_at", "member"),
    "Employment": ("role_at", "employee"),
    "Family": ("family_of", None),
    "Associate": ("associate_of", None),
    "Representation": ("represents", None),
    "Payment": ("funded", "payment"),
    "UnknownLink": ("affiliated_with", None),
    "Occupancy": ("holds_office", None),
    "Debt": ("owes", None),
    "Succession": ("succeeded_by", None),
    "Control": ("controls", None),
    "ProjectParticipant": ("participated_in", None),
    "ContractAward": ("party_to", "awardee"),
    "CourtCaseParty": ("party_to", "party"),
    "Documentation": ("mentions", None),
}
#: Entity-valued properties of node schemata: property -> (type, ours is the source?).
PROPERTY_TYPES: dict[str, tuple[str, bool]] = {
    "holder": ("holds", False),
    "issuer": ("issued", False),
    "addressEntity": ("registered_at", True),
    "parent": ("affiliate_of", True),
    "organization": ("role_at", True),
}
#: Properties that are kept nowhere (FtM bookkeeping and derived text).
DROPPED = {"indexText", "namesMentioned", "proof", "riskSource", "alephUrl"}
ATTRIBUTE_PROPS = {
    "birthDate",
    "birthPlace",
    "deathDate",
    "gender",
    "position",
    "topics",
    "address",
    "sourceUrl",
    "dissolutionDate",
    "status",
    "legalForm",
    "sector",
    "notes",
    "email",
    "phone",
    "currency",
    "ticker",
    "publicKey",
    "isin",
}
ROLE_PROPS = ("role", "relationship", "ownershipType", "postType")
EXPORT_KEYS = ("first_seen", "last_seen", "last_change", "target")


def _model() -> Any:
    from followthemoney import model

    return model


def _iter_records(path: Path) -> Iterator[tuple[int, Any, bytes]]:
    """(record number, parsed JSON or an error string, raw bytes) for each record of the file."""
    with path.open("rb") as f:
        head = f.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        f.seek(0)
        if head.startswith(b"["):
            import ijson

            for n, obj in enumerate(ijson.items(f, "item", use_float=True), 1):
                yield n, obj, b""
            return
        n = 0
        for line in f:
            if n == 0 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if not line.strip():
                n += 1
                continue
            n += 1
            try:
                yield n, orjson.loads(line), line
            except orjson.JSONDecodeError as exc:
                yield n, f"not valid JSON: {exc}", line


class _Reader:
    def __init__(self, b: Builder, *, official: bool) -> None:
        self.b = b
        self.model = _model()
        self.official = official
        self.ns = b.dataset
        self._kinds: dict[str, str | None] = {}
        self._authorities: set[str] = set()

    def kind(self, schema: Any) -> str | None:
        k = self._kinds.get(schema.name, "")
        if k == "":
            k = next((ours for name, ours in KIND_BY_SCHEMA if schema.is_a(name)), None)
            if k is None and schema.is_a("Thing"):
                k = "organization"
            self._kinds[schema.name] = k
        return k

    def id(self, raw: str) -> str:
        return local_id(self.ns, raw)

    def plain(self, raw: str) -> bool:
        """True when the store id of ``raw`` is ``<dataset>.<raw>`` (the original is then derivable)."""
        return self.id(raw) == f"{self.ns}.{raw}"

    def record(self, n: int, obj: Any, raw: bytes, where: Where) -> None:
        b = self.b
        rawtxt = raw.decode("utf-8", "replace").rstrip("\n") if raw else obj
        if isinstance(obj, str):
            b.bad(where.problem(None, obj), rawtxt)
            return
        if not isinstance(obj, dict):
            b.bad(where.problem(None, "expected a JSON object"), rawtxt)
            return
        fid = obj.get("id")
        if not isinstance(fid, str) or not fid.strip():
            b.bad(where.problem("id", "required field is missing"), rawtxt)
            return
        where = Where(where.file, where.line, fid)
        sname = obj.get("schema")
        if not isinstance(sname, str):
            b.bad(where.problem("schema", "required field is missing"), rawtxt)
            return
        schema = self.model.get(sname)
        if schema is None:
            b.note_unknown(f"FtM schema {sname!r}")
            return
        props = obj.get("properties", {})
        if not isinstance(props, dict) or not all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in props.values()
        ):
            b.bad(where.problem("properties", "expected an object of lists of strings"), rawtxt)
            return
        for pname in props:
            if schema.get(pname) is None:
                b.bad(
                    where.problem(f"properties.{pname}", f"schema {sname} has no property {pname!r}"), rawtxt
                )
                return
        if schema.edge:
            self.edge(schema, fid, props, where, rawtxt)
        elif schema.is_a("Sanction"):
            self.sanction(fid, props, where, rawtxt)
        elif schema.is_a("Thing"):
            self.node(schema, fid, obj, props, where, rawtxt)
        else:
            b.note_unknown(f"FtM schema {sname!r} (no mapping)")

    # -- dates, amounts ---------------------------------------------------------------------
    def date(
        self, props: dict[str, list[str]], names: tuple[str, ...], where: Where, raw: Any
    ) -> str | None | bool:
        for name in names:
            for v in props.get(name, []):
                d = v.strip()[:10]
                try:
                    return parse_partial_date(d)
                except ValueError as exc:
                    self.b.bad(where.problem(f"properties.{name}", str(exc)), raw)
                    return False
        return None

    # -- records ----------------------------------------------------------------------------
    def node(
        self, schema: Any, fid: str, obj: dict[str, Any], props: dict[str, list[str]], where: Where, raw: Any
    ) -> None:
        b = self.b
        kind = self.kind(schema)
        # the name: the export's caption, else the first caption property of type name, else
        # any caption property (an address's full text, a wallet's public key)
        names: list[str] = []
        for p in schema.caption:
            if schema.get(p).type.name == "name":
                names.extend(props.get(p, []))
        caption = obj.get("caption")
        if isinstance(caption, str) and caption.strip() and caption != schema.label:
            names.insert(0, caption)
        if not names:
            names = next(([v] for p in schema.caption for v in props.get(p, [])[:1]), [])
        aliases: list[str] = []
        # the original id, unless the store id spells it plainly (``<dataset>.<id>``)
        identifiers: dict[str, str | list[str]] = {} if self.plain(fid) else {"ftm_id": fid}
        attributes: dict[str, str] = {"ftm_schema": schema.name}
        country: str | None = None
        jurisdiction: str | None = None
        description: str | None = None
        website: str | None = None
        links: list[tuple[str, str]] = []
        for pname, values in props.items():
            if not values or pname in DROPPED:
                continue
            prop = schema.get(pname)
            t = prop.type.name
            if t == "name":
                aliases.extend(values)
            elif t == "identifier":
                identifiers[pname] = values[0] if len(values) == 1 else list(values)
            elif t == "country":
                attributes[pname] = "; ".join(values)
                if pname == "jurisdiction":
                    jurisdiction = values[0]
                elif country is None or pname == "country":
                    country = values[0]
            elif t == "entity":
                links.extend((pname, v) for v in values)
            elif pname in ("description", "summary") and description is None:
                description = values[0]
            elif pname == "website" and values[0].startswith(("http://", "https://")):
                website = values[0]
            elif pname in ATTRIBUTE_PROPS or t in (
                "date",
                "string",
                "text",
                "url",
                "number",
                "topic",
                "gender",
            ):
                if pname != "incorporationDate":
                    attributes[pname] = "; ".join(values)
        refs = obj.get("referents")
        if isinstance(refs, list) and refs:
            identifiers["referents"] = [str(r) for r in refs]
        ds = obj.get("datasets")
        if isinstance(ds, list) and ds:
            attributes["datasets"] = "; ".join(str(x) for x in ds)
        for k in EXPORT_KEYS:
            if obj.get(k) is not None:
                attributes[k] = str(obj[k]).lower() if isinstance(obj[k], bool) else str(obj[k])
        if not names and aliases:
            names = [aliases[0]]
        if not names:
            b.bad(
                where.problem("properties.name", "no name: the record has no caption or name property"), raw
            )
            return
        name = names[0]
        founded = self.date(props, ("incorporationDate",), where, raw)
        if founded is False:
            return
        for key in ("birthDate", "deathDate", "dissolutionDate"):
            for v in props.get(key, []):
                try:
                    parse_partial_date(v.strip()[:10])
                except ValueError as exc:
                    b.bad(where.problem(f"properties.{key}", str(exc)), raw)
                    return
        data: dict[str, Any] = {
            "id": self.id(fid),
            "kind": kind,
            "name": name,
            "aliases": [a for a in dict.fromkeys(names[1:] + aliases) if a != name],
            "identifiers": identifiers,
            "attributes": attributes,
        }
        if country:
            data["country"] = country
        if jurisdiction:
            data["jurisdiction"] = jurisdiction
        if description:
            data["description"] = description
        if website:
            data["website"] = website
        if founded:
            data["founded"] = founded
        if not b.entity(data, where, raw):
            return
        status = Status.CONFIRMED if self.official else Status.REPORTED
        for pname, other in links:
            typ, ours_first = PROPERTY_TYPES.get(pname, ("affiliated_with", True))
            me, them = self.id(fid), self.id(other)
            src, tgt = (me, them) if ours_first else (them, me)
            rel: dict[str, Any] = {
                "source": src,
                "target": tgt,
                "type": typ,
                "status": status,
                "attributes": {"ftm_schema": schema.name, "ftm_id": fid, "ftm_property": pname},
            }
            if typ in ("affiliated_with", "role_at"):
                rel["role"] = schema.get(pname).label
            b.relationship(rel, where, raw)

    def edge(self, schema: Any, fid: str, props: dict[str, list[str]], where: Where, raw: Any) -> None:
        b = self.b
        mapped = EDGE_TYPES.get(schema.name)
        if mapped is None:
            b.note_unknown(f"FtM schema {schema.name!r} (no mapping)")
            return
        typ, default_role = mapped
        sources = props.get(schema.edge_source, [])
        targets = props.get(schema.edge_target, [])
        if not sources or not targets:
            missing = schema.edge_source if not sources else schema.edge_target
            b.bad(where.problem(f"properties.{missing}", f"a {schema.name} needs its {missing}"), raw)
            return
        if schema.name == "Ownership":
            pct = props.get("percentage", [])
            try:
                if pct and float(pct[0].strip().rstrip("%")) >= 100:
                    typ = "owns"
            except ValueError:
                pass
        role = next((props[p][0] for p in ROLE_PROPS if props.get(p)), default_role)
        self.link(schema.name, fid, props, typ, role, sources, targets, where, raw)

    def link(
        self,
        sname: str,
        fid: str,
        props: dict[str, list[str]],
        typ: str,
        role: str | None,
        sources: list[str],
        targets: list[str],
        where: Where,
        raw: Any,
        *,
        source_ids: list[str] | None = None,
    ) -> None:
        b = self.b
        start = self.date(props, ("startDate", "date", "listingDate"), where, raw)
        end = self.date(props, ("endDate",), where, raw)
        if start is False or end is False:
            return
        amount: float | None = None
        for key in ("amount", "amountUsd", "sharesValue"):
            vals = props.get(key, [])
            if vals:
                try:
                    amount = float(vals[0].replace(",", "").strip())
                except ValueError:
                    b.bad(where.problem(f"properties.{key}", f"not a number: {vals[0]!r}"), raw)
                    return
                if not math.isfinite(amount):
                    b.bad(where.problem(f"properties.{key}", f"not a finite number: {vals[0]!r}"), raw)
                    return
                break
        cur = props.get("currency") or props.get("sharesCurrency") or []
        currency = cur[0] if cur else None
        attrs = {"ftm_schema": sname} if self.plain(fid) else {"ftm_schema": sname, "ftm_id": fid}
        for key in ("percentage", "summary", "description", "program", "reason", "provisions", "sourceUrl"):
            if props.get(key):
                attrs[key] = "; ".join(props[key])
        status = Status.CONFIRMED if self.official else Status.REPORTED
        cites = [b.source_id]
        for url in props.get("sourceUrl", [])[:3]:
            if url.startswith(("http://", "https://")):
                sid = local_id(self.ns, "url-" + url)
                kind = "government_release" if sname == "Sanction" else "other"
                if b.source({"id": sid, "kind": kind, "title": url[:200], "url": url}, where, raw):
                    cites.append(sid)
                    if sname == "Sanction":
                        status = Status.CONFIRMED
        pairs = [(s, t) for s in (source_ids or [self.id(x) for x in sources]) for t in targets]
        for i, (s, t) in enumerate(pairs):
            rel: dict[str, Any] = {
                "id": local_id(self.ns, fid if len(pairs) == 1 else f"{fid}-{i}"),
                "source": s,
                "target": self.id(t),
                "type": typ,
                "status": status,
                "sources": cites,
                "attributes": attrs,
            }
            if role:
                rel["role"] = role
            if start:
                rel["start"] = start
            if end:
                rel["end"] = end
            if amount is not None:
                rel["amount"] = amount
            if currency:
                rel["currency"] = currency
            b.relationship(rel, where, raw)

    def sanction(self, fid: str, props: dict[str, list[str]], where: Where, raw: Any) -> None:
        b = self.b
        targets = props.get("entity", [])
        if not targets:
            b.bad(where.problem("properties.entity", "a Sanction needs its entity"), raw)
            return
        authority = (props.get("authority") or props.get("publisher") or ["unknown authority"])[0]
        aid = local_id(self.ns, "authority-" + authority)
        if aid not in self._authorities:
            self._authorities.add(aid)
            b.entity(
                {
                    "id": aid,
                    "kind": "agency",
                    "name": authority,
                    "attributes": {"ftm_schema": "Sanction", "ftm_property": "authority"},
                },
                where,
                raw,
            )
        role = (props.get("program") or ["sanctions"])[0]
        self.link(
            "Sanction", fid, props, "sanctioned", role, [authority], targets, where, raw, source_ids=[aid]
        )


def read_ftm(
    paths: list[Path],
    b: Builder,
    *,
    official: bool = False,
    progress: Any = None,
    notice: str | None = None,
) -> None:
    """Read FtM entity streams (files, or folders of ``*.json``/``*.jsonl``) into ``b``."""
    r = _Reader(b, official=official)
    done = 0
    files = [f for p in paths for f in (sorted(p.rglob("*.json*")) if p.is_dir() else [p])]
    for path in files:
        size = path.stat().st_size
        pos = 0
        for n, obj, raw in _iter_records(path):
            b.read += 1
            pos += len(raw)
            r.record(n, obj, raw, Where(str(path), n))
            if b.full:
                return
            if progress is not None and n % 10000 == 0:
                progress(done + min(size, pos))
        done += size
        if progress is not None:
            progress(done)
