"""LittleSis: API documents (JSON:API ``data``/``included``) and the bulk dumps.

Accepted inputs: a document from the API (``{"data": ..., "included": [...]}``, ``data`` an
entity or a list of entities or relationships), and the bulk dumps (``entities.json`` and
``relationships.json``: arrays of the same resource objects). Arrays are streamed. Resources
are told apart by ``type`` (``entities`` / ``relationships``) or, for flat objects, by
``entity1_id``.

* Entities: ``primary_ext`` Person -> person, Org -> organization (company, agency by
  ``types``); ``name``, ``aliases``, ``blurb`` (description), ``website``; the LittleSis id
  is kept as the identifier ``littlesis``.
* Relationships: the 12 categories map onto our types (``CATEGORIES``), ``description1``
  (entity 1's role) and ``description2`` (entity 2's) are kept as the role and in attributes,
  with ``start_date``, ``end_date`` (LittleSis writes unknown parts as ``00``), ``is_current``,
  ``amount`` and ``currency``. An unknown category is reported once with its count and left out.
* Status: ``reported`` (a third-party database).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graph.importers.base import Builder, Where, local_id
from graph.importers.tables import parse_date
from graph.vocabulary import Status

__all__ = ["CATEGORIES", "read_littlesis"]

#: LittleSis category id -> (name, our type).
CATEGORIES: dict[int, tuple[str, str]] = {
    1: ("Position", "role_at"),
    2: ("Education", "affiliated_with"),
    3: ("Membership", "role_at"),
    4: ("Family", "family_of"),
    5: ("Donation", "donated_to"),
    6: ("Transaction", "funded"),
    7: ("Lobbying", "lobbied"),
    8: ("Social", "associate_of"),
    9: ("Professional", "associate_of"),
    10: ("Ownership", "owns_stake_in"),
    11: ("Hierarchy", "affiliate_of"),
    12: ("Generic", "affiliated_with"),
}
COMPANY_TYPES = {"Business", "Public Company", "Private Company", "Bank", "Law Firm", "Lobbying Firm"}
AGENCY_TYPES = {"Government Body", "Government Agency", "Elected Representative Body"}


def _open(path: Path) -> Any:
    f = path.open("rb")
    if f.read(3) != b"\xef\xbb\xbf":
        f.seek(0)
    return f


def _resources(path: Path) -> Iterator[tuple[int, Any]]:
    """(number, resource) of each entity or relationship in a LittleSis file."""
    import ijson

    with _open(path) as f:
        head = f.read(256).lstrip()
    if head.startswith(b"["):
        with _open(path) as f:
            yield from enumerate(ijson.items(f, "item", use_float=True), 1)
        return
    n = 0
    for prefix in ("data", "data.item", "included.item"):
        with _open(path) as f:
            for obj in ijson.items(f, prefix, use_float=True):
                if prefix == "data" and isinstance(obj, list):
                    continue
                n += 1
                yield n, obj


def _date(v: Any) -> str | None:
    if v is None or v == "":
        return None
    t = str(v).strip()
    while t.endswith("-00"):
        t = t[:-3]
    return parse_date(t)


class _Reader:
    def __init__(self, b: Builder) -> None:
        self.b = b
        self.ns = b.dataset

    def id(self, raw: Any) -> str:
        return local_id(self.ns, str(raw))

    def resource(self, obj: Any, where: Where) -> None:
        b = self.b
        if not isinstance(obj, dict):
            b.bad(where.problem(None, "expected a JSON object"), obj)
            return
        inner = obj.get("attributes")
        attrs: dict[str, Any] = inner if isinstance(inner, dict) else obj
        rtype = obj.get("type")
        rid = obj.get("id", attrs.get("id"))
        if rid is None or str(rid).strip() == "":
            b.bad(where.problem("id", "required field is missing"), obj)
            return
        where = Where(where.file, where.line, f"{rtype or 'record'} {rid}")
        if rtype == "relationships" or (rtype is None and "entity1_id" in attrs):
            self.relationship(str(rid), attrs, where, obj)
        elif rtype in ("entities", None):
            self.entity(str(rid), attrs, obj.get("links"), where, obj)
        else:
            b.note_unknown(f"LittleSis resource type {rtype!r}")

    def entity(self, rid: str, a: dict[str, Any], links: Any, where: Where, raw: Any) -> None:
        b = self.b
        name = str(a.get("name") or "").strip()
        if not name:
            b.bad(where.problem("name", "required field is missing"), raw)
            return
        types = [str(t) for t in a.get("types") or []]
        ext = str(a.get("primary_ext") or (types[0] if types else ""))
        kind = "person" if ext == "Person" else "organization"
        if kind == "organization" and COMPANY_TYPES & set(types):
            kind = "company"
        elif kind == "organization" and AGENCY_TYPES & set(types):
            kind = "agency"
        attributes: dict[str, str] = {"littlesis_primary_ext": ext}
        if types:
            attributes["littlesis_types"] = "; ".join(types)
        for key in ("summary", "start_date", "end_date", "updated_at", "parent_id"):
            if a.get(key) not in (None, ""):
                attributes[key] = str(a[key])
        data: dict[str, Any] = {
            "id": self.id(rid),
            "kind": kind,
            "name": name,
            "aliases": [str(x) for x in a.get("aliases") or [] if str(x).strip() and str(x) != name],
            "identifiers": {"littlesis": rid},
            "attributes": attributes,
        }
        if a.get("blurb"):
            data["description"] = str(a["blurb"])
        site = str(a.get("website") or "")
        if site.startswith(("http://", "https://")):
            data["website"] = site
        if isinstance(links, dict) and isinstance(links.get("self"), str):
            attributes["littlesis_url"] = links["self"]
        b.entity(data, where, raw)

    def relationship(self, rid: str, a: dict[str, Any], where: Where, raw: Any) -> None:
        b = self.b
        try:
            cat = int(a.get("category_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            b.bad(where.problem("category_id", f"not a category: {a.get('category_id')!r}"), raw)
            return
        if cat not in CATEGORIES:
            b.note_unknown(f"LittleSis category {cat}")
            return
        cname, typ = CATEGORIES[cat]
        e1, e2 = a.get("entity1_id"), a.get("entity2_id")
        if e1 in (None, "") or e2 in (None, ""):
            b.bad(
                where.problem(
                    "entity1_id" if e1 in (None, "") else "entity2_id", "required field is missing"
                ),
                raw,
            )
            return
        attrs: dict[str, str] = {"littlesis_category": cname, "littlesis_id": rid}
        d1, d2 = str(a.get("description1") or "").strip(), str(a.get("description2") or "").strip()
        if d1:
            attrs["description1"] = d1
        if d2:
            attrs["description2"] = d2
        if a.get("is_current") is not None:
            attrs["is_current"] = str(a["is_current"]).lower()
        for key in ("goods", "filings", "updated_at"):
            if a.get(key) not in (None, ""):
                attrs[key] = str(a[key])
        data: dict[str, Any] = {
            "id": local_id(self.ns, f"rel-{rid}"),
            "source": self.id(e1),
            "target": self.id(e2),
            "type": typ,
            "status": Status.REPORTED,
            "attributes": attrs,
        }
        role = d1 or d2 or (cname.lower() if cat in (3, 2) else None)
        if role:
            data["role"] = role
        for col, key in (("start_date", "start"), ("end_date", "end")):
            try:
                d = _date(a.get(col))
            except ValueError as exc:
                b.bad(where.problem(col, str(exc)), raw)
                return
            if d:
                data[key] = d
        amount = a.get("amount")
        if amount not in (None, ""):
            try:
                value = float(amount)
            except (TypeError, ValueError):
                b.bad(where.problem("amount", f"not a number: {amount!r}"), raw)
                return
            if not math.isfinite(value):
                b.bad(where.problem("amount", f"not a number: {amount!r}"), raw)
                return
            data["amount"] = value
            data["currency"] = str(a.get("currency") or "USD").upper()
        b.relationship(data, where, raw)


def read_littlesis(paths: list[Path], b: Builder, *, progress: Any = None, notice: str | None = None) -> None:
    """Read LittleSis API documents and bulk dumps into ``b``."""
    import ijson

    r = _Reader(b)
    files = [f for p in paths for f in (sorted(p.rglob("*.json")) if p.is_dir() else [p])]
    for path in files:
        try:
            for n, obj in _resources(path):
                b.read += 1
                r.resource(obj, Where(str(path), n))
                if b.full:
                    return
        except ijson.JSONError as exc:
            b.bad(Where(str(path), None).problem(None, f"not valid JSON: {exc}"))
