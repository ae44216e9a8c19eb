"""Helpers shared by the API tests (fixtures live in ``conftest.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI

from api.main import create_app
from graph.ingest.pipeline import load_dataset
from graph.settings import Settings
from graph.store.memory import MemoryStore
from graph.testing import MINI_DIR

API_KEY = "test-key-0123456789"
PROBLEM = "application/problem+json"


def mini_memory_store(workspace: Path | None = None) -> MemoryStore:
    """A fresh store holding the mini graph (persisted in ``workspace`` when given)."""
    store = MemoryStore(workspace)
    store.replace_all(load_dataset(MINI_DIR))
    return store


def mini_app(tmp: Path, *, store: MemoryStore | None = None, **settings: Any) -> FastAPI:
    """An app over ``store`` (default: a fresh mini graph in memory)."""
    return create_app(
        Settings(workspace=tmp / "ws", **settings),
        store=store if store is not None else mini_memory_store(),
    )


# -- the mini graph as the README draws it, in the API's JSON shapes ---------------------------
SOURCES: dict[str, dict[str, Any]] = {
    "s1": {
        "id": "s1",
        "kind": "court_filing",
        "title": "Acme plea agreement",
        "publisher": "District Court",
        "url": "https://example.org/plea",
        "date": "2023-11-21",
        "date_note": None,
        "copy_of": None,
        "primary": True,
        "summary": "Fictional plea filing for tests",
    },
    "s2": {
        "id": "s2",
        "kind": "news_report",
        "title": "Acme's new chapter",
        "publisher": "Example Times",
        "url": "https://example.org/news/acme",
        "date": "2025-05-02",
        "date_note": None,
        "copy_of": None,
        "primary": False,
        "summary": "Fictional news report for tests",
    },
    "s3": {
        "id": "s3",
        "kind": "news_report",
        "title": "Who's who at the regulator",
        "publisher": "Example Post",
        "url": "https://example.org/news/regulator",
        "date": "2025-01",
        "date_note": None,
        "copy_of": None,
        "primary": False,
        "summary": "Fictional profile for tests",
    },
}

#: id -> (name, kind, aliases, extra fields, sources)
ENTITIES: dict[str, tuple[str, str, list[str], dict[str, Any], list[str]]] = {
    "alice": ("Alice Example", "person", ["AE", "阿丽斯"], {"country": "Canada"}, ["s1"]),
    "bob": ("Bob Müller", "person", ["Bobby"], {}, ["s2"]),
    "carol": ("Carol Official", "person", [], {}, ["s3"]),
    "acme": ("Acme Exchange", "company", ["ACME"], {"founded": "2017"}, ["s1"]),
    "acme-us": ("Acme US", "company", [], {}, ["s2"]),
    "regulator": ("Federal Regulator", "agency", ["FEDREG"], {}, ["s1"]),
    "court": ("District Court", "court", [], {}, ["s1"]),
    "plea": ("Acme plea agreement", "agreement", [], {"attributes": {"amount": "USD 4B"}}, ["s1"]),
    "coin": ("AcmeCoin", "asset", [], {}, ["s2"]),
    "venture": ("Venture Fund", "company", [], {}, ["s2"]),
    "meeting": ("Secret meeting", "event", [], {"founded": "2025-03"}, ["s2"]),
    "lonely": ("Lonely Person", "person", [], {}, ["s3"]),
}

#: The README's edge table: id -> (source, type, target, role, start, end, status, extra fields, sources)
RELS: dict[str, tuple[str, str, str, str | None, str | None, str | None, str, dict[str, Any], list[str]]] = {
    "r01": ("alice", "founded", "acme", None, "2017", None, "confirmed", {}, ["s1"]),
    "r02": (
        "alice",
        "ceo_of",
        "acme",
        None,
        "2017-07",
        "2023-11-21",
        "confirmed",
        {"notes": "Stepped down under the plea."},
        ["s1"],
    ),
    "r03": ("bob", "ceo_of", "acme", None, "2023-11-22", None, "reported", {}, ["s2"]),
    "r04": ("acme-us", "affiliate_of", "acme", None, None, None, "reported", {}, ["s2"]),
    "r05": ("acme", "pleaded_guilty", "regulator", None, "2023-11-21", None, "confirmed", {}, ["s1"]),
    "r06": ("acme", "party_to", "plea", "defendant", "2023-11-21", None, "confirmed", {}, ["s1"]),
    "r07": ("regulator", "party_to", "plea", "prosecutor", "2023-11-21", None, "confirmed", {}, ["s1"]),
    "r08": ("court", "accepted_plea", "acme", None, "2024-02", None, "reported", {}, ["s2"]),
    "r09": ("carol", "holds_office", "regulator", "Director", "2021", None, "confirmed", {}, ["s3"]),
    "r10": ("carol", "family_of", "bob", "sibling", None, None, "reported", {}, ["s3"]),
    "r11": (
        "venture",
        "invested_in",
        "acme",
        None,
        "2025-03",
        None,
        "reported",
        {"amount": 2000000000.0, "currency": "USD"},
        ["s2"],
    ),
    "r12": ("carol", "owns_stake_in", "venture", None, None, None, "alleged", {}, ["s3"]),
    "r13": ("acme", "listed", "coin", None, "2025-05", None, "reported", {}, ["s2"]),
    "r14": ("venture", "paid_with", "coin", None, "2025-05", None, "reported", {}, ["s2"]),
    "r15": (
        "alice",
        "met",
        "carol",
        None,
        "2024-12",
        None,
        "reported",
        {"denied_by": ["alice"], "notes": "Alice denies the meeting."},
        ["s3"],
    ),
    "r16": ("alice", "participated_in", "meeting", None, "2025-03", None, "reported", {}, ["s2", "s3"]),
}

CATEGORY = {
    "founded": "professional",
    "ceo_of": "professional",
    "affiliate_of": "professional",
    "pleaded_guilty": "legal",
    "party_to": "legal",
    "accepted_plea": "legal",
    "holds_office": "political",
    "family_of": "personal",
    "invested_in": "financial",
    "owns_stake_in": "financial",
    "listed": "professional",
    "paid_with": "financial",
    "met": "personal",
    "participated_in": "professional",
}


def source(sid: str) -> dict[str, Any]:
    """A source as the API returns it."""
    return {**SOURCES[sid], "dataset": None, "attributes": {}}


def ref(eid: str) -> dict[str, Any]:
    """An entity summary (id, name, kind)."""
    name, kind, *_ = ENTITIES[eid]
    return {"id": eid, "name": name, "kind": kind}


def entity(eid: str) -> dict[str, Any]:
    """A full entity as the API returns it."""
    name, kind, aliases, extra, sources = ENTITIES[eid]
    out: dict[str, Any] = {
        "id": eid,
        "kind": kind,
        "name": name,
        "aliases": aliases,
        "description": None,
        "country": None,
        "jurisdiction": None,
        "founded": None,
        "website": None,
        "identifiers": {},
        "attributes": {},
        "sources": sources,
        "dataset": None,
    }
    out.update(extra)
    return out


def rel(rid: str) -> dict[str, Any]:
    """A relationship as the API returns it."""
    src, type_, tgt, role, start, end, status, extra, sources = RELS[rid]
    out: dict[str, Any] = {
        "id": rid,
        "source": src,
        "target": tgt,
        "type": type_,
        "category": CATEGORY[type_],
        "role": role,
        "start": start,
        "end": end,
        "amount": None,
        "currency": None,
        "dataset": None,
        "attributes": {},
        "status": status,
        "denied_by": [],
        "notes": None,
        "sources": sources,
        "last_checked": None,
    }
    out.update(extra)
    return out
