"""News text: find mentions of known entities and write a review file; ingest it once reviewed.

``propose`` reads an article (plain UTF-8 text), finds every mention of a known entity's name
or alias — whole words, accents and case set aside (short all-capital aliases such as ``CZ``
must match in capitals), with character offsets into the text — and the capitalised names it
could not match, each with the sentence it occurs in. It writes a YAML *review file*; nothing
goes into the graph. A journalist sets ``accept: true`` / ``false`` on each proposal (and a
``kind`` for a new name to create) and runs ``cryptokg import review FILE``: the article
becomes a source and a ``document`` entity, accepted mentions become ``mentions``
relationships (``reported``), accepted new names become entities; all as one dataset.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from graph.datasets import DatasetInfo, check_name, replace_dataset
from graph.errors import InvalidParameter, InvalidRecord, Problem
from graph.ids import slugify
from graph.importers.base import Builder, ImportSummary, Where, file_sha256, local_id, now_iso
from graph.store.base import GraphStore
from graph.vocabulary import EntityKind

__all__ = ["find_mentions", "ingest_review", "propose"]

_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*\s+|\n")
_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "jr",
    "sr",
    "ltd",
    "inc",
    "co",
    "corp",
    "plc",
    "llc",
    "no",
    "vs",
}
_CAPS = re.compile(r"\b[A-Z][\w'’&-]*\w(?:\s+(?:(?:de|van|von|der|&)\s+)?[A-Z][\w'’&-]*\w)+")


def _fold(text: str) -> tuple[str, list[int]]:
    """Text with accents removed and case folded, and each folded character's original offset."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKD", ch):
            if unicodedata.combining(c):
                continue
            for f in c.casefold():
                out.append(f)
                where.append(i)
    return "".join(out), where


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: ends at ``.!?`` before a capital or at a line break, but
    not after an abbreviation (``Ltd.``, ``Mr.``), an initial (``J.``) or a dotted short form."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if m.group(0) != "\n":
            before = text[start : m.start()].split()
            word = before[-1].rstrip(".").lower() if before else ""
            nxt = text[m.end() : m.end() + 1]
            if word in _ABBREVIATIONS or len(word) == 1 or "." in word or (nxt and not nxt.isupper()):
                continue
        if text[start : m.start()].strip():
            spans.append((start, m.end()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _sentence_at(spans: list[tuple[int, int]], text: str, start: int) -> str:
    for s, e in spans:
        if s <= start < e:
            return " ".join(text[s:e].split())
    return ""


def find_mentions(text: str, names: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """Mentions of ``(entity id, entity name, name or alias)`` in ``text``, in order of position.

    >>> find_mentions("Zhào met cz and CZ.", [("cz", "Changpeng Zhao", "CZ"), ("z", "Zhao", "Zhao")])
    [{'entity': 'z', 'name': 'Zhao', 'matched': 'Zhào', 'start': 0, 'end': 4}, {'entity': 'cz', 'name': 'Changpeng Zhao', 'matched': 'CZ', 'start': 16, 'end': 18}]
    """
    folded, where = _fold(text)
    found: list[dict[str, Any]] = []
    taken: list[tuple[int, int]] = []
    # longest names first, so "Binance Holdings" wins over "Binance"
    for eid, ename, alias in sorted(names, key=lambda n: -len(n[2])):
        exact = len(alias) <= 3 and alias.isupper()
        hay = text if exact else folded
        needle = alias if exact else _fold(alias)[0]
        if len(needle.strip()) < 2:
            continue
        for m in re.finditer(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", hay):
            if exact:
                s, e = m.start(), m.end()
            else:
                s, e = where[m.start()], where[m.end() - 1] + 1
            if any(s < te and ts < e for ts, te in taken):
                continue
            taken.append((s, e))
            found.append({"entity": eid, "name": ename, "matched": text[s:e], "start": s, "end": e})
    found.sort(key=lambda f: (f["start"], f["entity"]))
    return found


def propose(
    store: GraphStore,
    path: Path,
    review: Path,
    *,
    url: str | None,
    title: str | None,
    publisher: str | None,
    date: str | None,
    dataset: str | None = None,
) -> dict[str, Any]:
    """Write the review file of an article; returns counts. Nothing is written to the graph."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidRecord(
            [Problem(str(path), None, None, None, f"cannot read the article: {exc}")]
        ) from None
    if not title:
        raise InvalidParameter("title", "import text needs --title")
    # the bundled data first, so that a name several datasets share is proposed as the core entity
    ents = sorted(store.iter_entities(), key=lambda e: (e.dataset is not None, e.dataset or "", e.id))
    names = [(e.id, e.name, n) for e in ents for n in [e.name, *e.aliases]]
    spans = _sentence_spans(text)
    mentions = find_mentions(text, names)
    by_entity: dict[str, dict[str, Any]] = {}
    for m in mentions:
        row = by_entity.setdefault(
            m["entity"],
            {"entity": m["entity"], "name": m["name"], "accept": True, "occurrences": []},
        )
        row["occurrences"].append(
            {
                "matched": m["matched"],
                "start": m["start"],
                "end": m["end"],
                "sentence": _sentence_at(spans, text, m["start"]),
            }
        )
    covered = [(m["start"], m["end"]) for m in mentions]
    unmatched: dict[str, dict[str, Any]] = {}
    for cm in _CAPS.finditer(text):
        s, e = cm.start(), cm.end()
        if any(s < ce and cs < e for cs, ce in covered):
            continue
        row = unmatched.setdefault(
            cm.group(0), {"name": cm.group(0), "accept": False, "kind": None, "occurrences": []}
        )
        row["occurrences"].append({"start": s, "end": e, "sentence": _sentence_at(spans, text, s)})
    name = dataset or f"news-{slugify(title)[:40]}"
    doc = {
        "dataset": name,
        "article": {
            "file": str(path),
            "sha256": file_sha256([path]),
            "title": title,
            "url": url,
            "publisher": publisher,
            "date": date,
        },
        "mentions": list(by_entity.values()),
        "unmatched": list(unmatched.values()),
    }
    header = (
        "# Review file written by `cryptokg import text`. Nothing has been written to the graph.\n"
        "# Set accept: true/false on each mention; for an unmatched name to add, set accept: true\n"
        "# and a kind (person, company, organization, agency, ...). Then: cryptokg import review THIS_FILE\n"
    )
    review.write_text(header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return {"review": str(review), "dataset": name, "mentions": len(by_entity), "unmatched": len(unmatched)}


def ingest_review(store: GraphStore, path: Path, *, dataset: str | None = None) -> ImportSummary:
    """Write the accepted facts of a review file as one dataset (replacing it), all or nothing."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InvalidRecord(
            [Problem(str(path), None, None, None, f"cannot read the review file: {exc}")]
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("article"), dict):
        raise InvalidRecord([Problem(str(path), None, None, "article", "not a review file")])
    name = check_name(dataset or str(doc.get("dataset") or ""))
    art = doc["article"]
    b = Builder(name)
    known = {e.id for e in store.iter_entities() if e.dataset != name}
    b.external = known
    where = Where(str(path), None)
    src = {"id": local_id(name, "article"), "kind": "news_report", "title": art.get("title") or ""}
    for k in ("url", "publisher", "date"):
        if art.get(k):
            src[k] = str(art[k])
    sid = b.source(src, where.with_record("article"))
    doc_id = local_id(name, "article-document")
    cites = [b.source_id, sid] if sid else [b.source_id]
    b.entity({"id": doc_id, "kind": "document", "name": art.get("title") or "", "sources": cites}, where)
    for i, m in enumerate(doc.get("mentions") or []):
        w = where.with_record(f"mentions[{i}]")
        b.read += 1
        if not isinstance(m, dict) or not m.get("accept"):
            continue
        offsets = "; ".join(f"{o.get('start')}-{o.get('end')}" for o in m.get("occurrences") or [])
        rel = {
            "source": doc_id,
            "target": str(m.get("entity")),
            "type": "mentions",
            "status": "reported",
            "sources": cites,
            "attributes": {"offsets": offsets},
        }
        b.relationship(rel, w, m)
    kinds = {k.value for k in EntityKind}
    for i, u in enumerate(doc.get("unmatched") or []):
        w = where.with_record(f"unmatched[{i}]")
        b.read += 1
        if not isinstance(u, dict) or not u.get("accept"):
            continue
        if u.get("kind") not in kinds:
            b.bad(
                w.problem("kind", f"set a kind for {u.get('name')!r}: one of {', '.join(sorted(kinds))}"), u
            )
            continue
        eid = local_id(name, slugify(str(u["name"])))
        b.entity({"id": eid, "kind": u["kind"], "name": str(u["name"]), "sources": cites}, w, u)
        b.relationship(
            {"source": doc_id, "target": eid, "type": "mentions", "status": "reported", "sources": cites},
            w,
            u,
        )
    info = DatasetInfo(
        name=name,
        title=str(art.get("title") or name),
        publisher=art.get("publisher"),
        url=art.get("url"),
        format="text",
        imported_at=now_iso(),
        sha256=art.get("sha256"),
        input=str(art.get("file") or path.name),
        status_rule="reported (a news report, reviewed by a person)",
    )
    ds = b.finish(info)
    replaced = replace_dataset(store, ds, info)
    summary = b.summary("review")
    summary.removed = replaced.removed
    return summary
