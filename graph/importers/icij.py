"""ICIJ Offshore Leaks Database: the CSV bundle, as a folder or as the published zip.

Files and columns are read by their published names: ``nodes-entities.csv``,
``nodes-officers.csv``, ``nodes-intermediaries.csv``, ``nodes-addresses.csv``,
``nodes-others.csv`` (``node_id``, ``name``, ``original_name``, ``former_name``,
``jurisdiction``, ``jurisdiction_description``, ``company_type``, ``address``,
``incorporation_date``, ``inactivation_date``, ``struck_off_date``, ``status``,
``service_provider``, ``countries``, ``country_codes``, ``sourceID``, ``valid_until``,
``note``, ...) and ``relationships.csv`` (``node_id_start``, ``node_id_end``, ``rel_type``,
``link``, ``status``, ``start_date``, ``end_date``, ``sourceID``).

* Entities become companies (``organization`` for foundations and trusts), officers people (or
  companies when the name is plainly a company's), intermediaries companies, addresses
  ``address`` entities, others organisations. A node without a name is kept as
  "(unnamed officer 123)" with ``attributes.name_missing``.
* ``officer_of`` maps by its ``link`` label (shareholder, director, beneficiary, secretary,
  ...; any other label is kept as the role of ``role_at``), ``intermediary_of`` to
  ``intermediary_of``, ``registered_address`` to ``registered_at``; the similarity links
  (``same_name_as``, ``same_id_as``, ``similar``, ``same_as``, ``probably_same_officer_as``,
  ...) to ``possibly_same_as`` with ``confidence: low`` — never merged. The original
  ``rel_type`` and ``link`` stay in the relationship's attributes.
* Every fact is ``reported`` (leaked records), cites the dataset record and a source per
  ``sourceID`` (Panama Papers, Paradise Papers, ...), and carries ICIJ's notice in
  ``attributes.notice``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from graph.ids import slugify
from graph.importers.base import Builder, Where, local_id
from graph.importers.tables import csv_rows, open_members, parse_date
from graph.vocabulary import Status

__all__ = ["NODE_FILES", "read_icij"]

NODE_FILES = {
    "nodes-entities.csv": "entity",
    "nodes-officers.csv": "officer",
    "nodes-intermediaries.csv": "intermediary",
    "nodes-addresses.csv": "address",
    "nodes-others.csv": "other",
}
REL_FILE = "relationships.csv"
SIMILAR = {
    "similar",
    "same_as",
    "same_name_as",
    "same_id_as",
    "same_company_as",
    "same_address_as",
    "same_intermediary_as",
    "probably_same_officer_as",
    "similar_company_as",
}
#: ``officer_of`` link label (lower-case, contains) -> our type; the label itself is the role.
OFFICER_LINKS = (
    ("beneficial owner", "owns_stake_in"),
    ("beneficiary", "owns_stake_in"),
    ("shareholder", "shareholder_of"),
    ("owner", "owns_stake_in"),
    ("chairman", "chair_of"),
    ("chair", "chair_of"),
)
ENTITY_DATES = ("incorporation_date", "inactivation_date", "struck_off_date", "dorm_date", "closed_date")
NODE_ATTRS = (
    "original_name",
    "former_name",
    "company_type",
    "address",
    "internal_id",
    "status",
    "service_provider",
    "ibcRUC",
    "countries",
    "country_codes",
    "jurisdiction_description",
    "valid_until",
    "note",
    "type",
)
_COMPANY = re.compile(
    r"\b(ltd|limited|inc|corp|corporation|s\.?a\.?|llc|plc|gmbh|b\.?v\.?|n\.?v\.?|holdings?|trust|foundation|"
    r"company|co\.|services|bearer)\b",
    re.IGNORECASE,
)


class _Reader:
    def __init__(self, b: Builder, notice: str | None) -> None:
        self.b = b
        self.ns = b.dataset
        self.notice = notice
        self._leaks: dict[str, str] = {}

    def leak_source(self, name: str, where: Where) -> list[str]:
        cites = [self.b.source_id]
        if not name:
            return cites
        sid = self._leaks.get(name)
        if sid is None:
            sid = f"{self.ns}.source-{slugify(name)}"[:200]
            self.b.source(
                {
                    "id": sid,
                    "kind": "news_report",
                    "title": f"ICIJ Offshore Leaks: {name}",
                    "publisher": "International Consortium of Investigative Journalists (ICIJ)",
                    "url": "https://offshoreleaks.icij.org/",
                },
                where,
            )
            self._leaks[name] = sid
        cites.append(sid)
        return cites

    def id(self, node_id: str) -> str:
        return local_id(self.ns, node_id)

    def node(self, node_type: str, row: dict[str, str], where: Where) -> None:
        b = self.b
        nid = row.get("node_id", "")
        if not nid:
            b.bad(where.problem("node_id", "required field is missing"), row)
            return
        where = Where(where.file, where.line, nid)
        name = row.get("name", "") or (row.get("address", "") if node_type == "address" else "")
        attrs: dict[str, str] = {"icij_node_type": node_type, "icij_node_id": nid}
        if self.notice:
            attrs["notice"] = self.notice
        if not name:
            name = f"(unnamed {node_type} {nid})"
            attrs["name_missing"] = "true"
        kind = {
            "entity": "company",
            "officer": "person",
            "intermediary": "company",
            "address": "address",
            "other": "organization",
        }[node_type]
        if node_type == "officer" and _COMPANY.search(name):
            kind = "company"
        if node_type == "entity" and re.search(r"trust|foundation", row.get("company_type", ""), re.I):
            kind = "organization"
        for col in NODE_ATTRS:
            if row.get(col) and not (node_type == "address" and col == "address" and row[col] == name):
                attrs[col] = row[col]
        data: dict[str, Any] = {"id": self.id(nid), "kind": kind, "name": name, "attributes": attrs}
        data["identifiers"] = {"icij_node_id": nid}
        if row.get("sourceID"):
            attrs["source"] = row["sourceID"]
        aliases = [x for x in (row.get("original_name", ""), row.get("former_name", "")) if x and x != name]
        if aliases:
            data["aliases"] = aliases
        if row.get("jurisdiction_description") or row.get("jurisdiction"):
            data["jurisdiction"] = row.get("jurisdiction_description") or row.get("jurisdiction")
        if row.get("countries"):
            data["country"] = row["countries"].split(";")[0].strip()
        for col in ENTITY_DATES:
            if row.get(col):
                try:
                    d = parse_date(row[col])
                except ValueError as exc:
                    b.bad(where.problem(col, str(exc)), row)
                    return
                if d and col == "incorporation_date":
                    data["founded"] = d
                elif d:
                    attrs[col] = d
        data["sources"] = self.leak_source(row.get("sourceID", ""), where)
        b.entity(data, where, row)

    def relationship(self, row: dict[str, str], where: Where) -> None:
        b = self.b
        start, end = row.get("node_id_start", ""), row.get("node_id_end", "")
        if not start or not end:
            b.bad(
                where.problem("node_id_start" if not start else "node_id_end", "required field is missing"),
                row,
            )
            return
        rel_type = row.get("rel_type", "").strip().lower()
        link = row.get("link", "").strip()
        attrs: dict[str, str] = {"icij_rel_type": rel_type}
        if link:
            attrs["icij_link"] = link
        if self.notice:
            attrs["notice"] = self.notice
        # the label without its trailing preposition: "director of" -> "director"
        role: str | None = re.sub(r"\s+of$", "", link, flags=re.I) or None
        if rel_type in SIMILAR:
            typ = "possibly_same_as"
            attrs["confidence"] = "low"
            role = link or None
        elif rel_type == "officer_of":
            low = link.lower()
            typ = next((t for key, t in OFFICER_LINKS if key in low), "role_at")
        elif rel_type == "intermediary_of":
            typ = "intermediary_of"
            role = None if (role or "").lower() == "intermediary" else role
        elif rel_type == "registered_address":
            typ = "registered_at"
            role = None
        elif rel_type in ("connected_to", "underlying"):
            typ = "affiliated_with"
        else:
            b.note_unknown(f"ICIJ rel_type {rel_type!r} (kept as affiliated_with)")
            typ = "affiliated_with"
            role = link or rel_type or None
        data: dict[str, Any] = {
            "source": self.id(start),
            "target": self.id(end),
            "type": typ,
            "status": Status.REPORTED,
            "attributes": attrs,
        }
        if role:
            data["role"] = role
        if row.get("status"):
            attrs["status"] = row["status"]
        for col, key in (("start_date", "start"), ("end_date", "end")):
            if row.get(col):
                try:
                    data[key] = parse_date(row[col])
                except ValueError as exc:
                    b.bad(where.problem(col, str(exc)), row)
                    return
        if row.get("sourceID"):
            attrs["source"] = row["sourceID"]
        data["sources"] = self.leak_source(row.get("sourceID", ""), where)
        data["id"] = local_id(
            self.ns, f"rel-{start}-{rel_type}-{end}-{slugify(link)[:40]}-{data.get('start', '')}"
        )
        b.relationship(data, where, row)


def read_icij(paths: list[Path], b: Builder, *, progress: Any = None, notice: str | None = None) -> None:
    """Read ICIJ Offshore Leaks CSV bundles (folders or zips) into ``b``."""
    r = _Reader(b, notice)
    names = (*NODE_FILES, REL_FILE)
    for path in paths:
        found = 0
        for name, shown, f in open_members(path, names):
            found += 1
            for line, row in csv_rows(f):
                b.read += 1
                where = Where(shown, line)
                if name == REL_FILE:
                    r.relationship(row, where)
                else:
                    r.node(NODE_FILES[name], row, where)
                if b.full:
                    return
        if not found:
            b.bad(Where(str(path), None).problem(None, f"no ICIJ files ({', '.join(names)}) found"))
