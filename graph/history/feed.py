"""The change feed as Atom (RFC 4287): one entry per logged change, newest first."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from graph.history.log import Entry
from graph.history.words import sentence

__all__ = ["ATOM_TYPE", "atom"]

ATOM_TYPE = "application/atom+xml"
NS = "http://www.w3.org/2005/Atom"
#: Sentences shown per entry; the rest are counted.
MAX_SENTENCES = 50


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{NS}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def title_of(e: Entry) -> str:
    """A one-line title: what was done, by whom, and how many records changed."""
    n = len(e.records)
    return f"{e.action} by {e.who}: {n} record{'s' if n != 1 else ''} changed" + (
        f" ({e.reason})" if e.reason else ""
    )


def atom(entries: list[Entry], *, base_url: str, self_url: str) -> bytes:
    """The Atom document of ``entries``; links point into the API under ``base_url``."""
    ET.register_namespace("", NS)
    feed = ET.Element(f"{{{NS}}}feed")
    _el(feed, "id", f"{base_url}/api/v1/changes.atom")
    _el(feed, "title", "cryptokg: changes to the graph")
    updated = (
        entries[0].at if entries else datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    )
    _el(feed, "updated", updated)
    _el(feed, "link", rel="self", href=self_url, type=ATOM_TYPE)
    _el(feed, "link", rel="alternate", href=f"{base_url}/api/v1/changes", type="application/json")
    _el(feed, "generator", "cryptokg")
    for e in entries:
        item = _el(feed, "entry")
        _el(item, "id", f"urn:cryptokg:change:{e.seq}:{e.version_after}")
        _el(item, "title", title_of(e))
        _el(item, "updated", e.at)
        author = _el(item, "author")
        _el(author, "name", e.who)
        _el(
            item,
            "link",
            rel="alternate",
            href=f"{base_url}/api/v1/diff?from={e.version_before}&to={e.version_after}",
            type="application/json",
        )
        lines = [sentence(r, e.at) for r in e.records[:MAX_SENTENCES]]
        if len(e.records) > MAX_SENTENCES:
            lines.append(f"... and {len(e.records) - MAX_SENTENCES} more records")
        head = f"Version {e.version_before} -> {e.version_after}." + (
            f" Reason: {e.reason}." if e.reason else ""
        )
        _el(item, "summary", head)
        _el(item, "content", "\n".join([head, *lines]), type="text")
    out: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return out
