"""Story maps: a journalist's arrangement of entities and relationships, with captions and steps.

A map picks entities and relationships of the graph (from a path, a neighbourhood, common
connections or by hand), keeps where each entity was placed, what is hidden, a title, a caption
per entity and relationship and an optional sequence of annotated steps. It cites nothing of
its own: its relationships bring their sentences and sources from the graph.

Maps live in the workspace, one JSON file each under ``<workspace>/maps/`` (``MapStore``),
written atomically (a temporary file renamed over the old one). A map remembers the graph
version it was made from and a fingerprint of each of its relationships, so that
``changes`` can tell which facts changed or disappeared since.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from graph.errors import InvalidRecord, NotFound, Problem
from graph.ids import ID_PATTERN, slugify
from graph.model import Relationship
from graph.store.base import GraphStore

__all__ = ["MapDraft", "MapEdge", "MapNode", "MapStep", "MapStore", "StoryMap", "changes", "fingerprint"]

#: Most entities and relationships one map holds.
MAX_MAP_NODES = 300
MAX_MAP_EDGES = 1000
_FILE = "story map"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class MapNode(_Strict):
    """An entity on the map: where it sits, whether it is hidden, its caption."""

    id: str = Field(min_length=1, max_length=200)
    x: float | None = Field(None, ge=-1e6, le=1e6)
    y: float | None = Field(None, ge=-1e6, le=1e6)
    hidden: bool = False
    caption: str = Field("", max_length=2000)


class MapEdge(_Strict):
    """A relationship on the map: whether it is hidden, its caption."""

    id: str = Field(min_length=1, max_length=200)
    hidden: bool = False
    caption: str = Field("", max_length=2000)


class MapStep(_Strict):
    """One annotated step of the story: a title, a text and what it points at."""

    title: str = Field(min_length=1, max_length=200)
    text: str = Field("", max_length=4000)
    nodes: list[str] = Field(default_factory=list, max_length=MAX_MAP_NODES)
    edges: list[str] = Field(default_factory=list, max_length=MAX_MAP_EDGES)


class MapDraft(_Strict):
    """What a journalist writes: the map without the bookkeeping of a saved one."""

    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=4000)
    nodes: list[MapNode] = Field(min_length=1, max_length=MAX_MAP_NODES)
    edges: list[MapEdge] = Field(default_factory=list, max_length=MAX_MAP_EDGES)
    steps: list[MapStep] = Field(default_factory=list, max_length=50)


class StoryMap(MapDraft):
    """A saved map: its id, when it was made and changed, and the facts it was made from."""

    id: str = Field(pattern=ID_PATTERN.pattern)
    created: str
    updated: str
    graph_version: str
    #: Relationship id -> fingerprint of the relationship when the map was saved.
    facts: dict[str, str] = Field(default_factory=dict)


def fingerprint(rel: Relationship) -> str:
    """A short digest of everything a relationship says (dates, status, sources, ...)."""
    body = json.dumps(rel.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _problems(exc: ValidationError) -> list[Problem]:
    return [Problem(_FILE, None, None, _where(tuple(e["loc"])) or None, e["msg"]) for e in exc.errors()]


def validate_draft(store: GraphStore, data: Any) -> MapDraft:
    """A draft from JSON data, checked against the graph; ``InvalidRecord`` lists every problem.

    Every entity and relationship must exist, each relationship's two entities must be on the
    map, nothing may be listed twice, and steps may only point at what the map holds.
    """
    if not isinstance(data, dict):
        raise InvalidRecord([Problem(_FILE, None, None, None, "expected a JSON object")])
    fields = {k: v for k, v in data.items() if k in MapDraft.model_fields}
    unknown = sorted(set(data) - set(StoryMap.model_fields))
    problems = [Problem(_FILE, None, None, k, "unknown field") for k in unknown]
    try:
        draft = MapDraft.model_validate(fields)
    except ValidationError as exc:
        raise InvalidRecord(problems + _problems(exc)) from None
    node_ids = [n.id for n in draft.nodes]
    edge_ids = [e.id for e in draft.edges]
    ents = store.get_entities(node_ids)
    rels = store.get_relationships(edge_ids)
    seen: set[str] = set()
    for i, nid in enumerate(node_ids):
        if nid in seen:
            problems.append(Problem(_FILE, None, nid, f"nodes[{i}].id", "listed twice"))
        seen.add(nid)
        if nid not in ents:
            problems.append(Problem(_FILE, None, nid, f"nodes[{i}].id", f"no entity {nid!r} in the graph"))
    seen = set()
    for i, rid in enumerate(edge_ids):
        if rid in seen:
            problems.append(Problem(_FILE, None, rid, f"edges[{i}].id", "listed twice"))
        seen.add(rid)
        rel = rels.get(rid)
        if rel is None:
            problems.append(
                Problem(_FILE, None, rid, f"edges[{i}].id", f"no relationship {rid!r} in the graph")
            )
        elif (
            rel.source not in ents or rel.target not in ents or not {rel.source, rel.target} <= set(node_ids)
        ):
            problems.append(
                Problem(_FILE, None, rid, f"edges[{i}].id", "both of its entities must be on the map")
            )
    for i, step in enumerate(draft.steps):
        for nid in step.nodes:
            if nid not in set(node_ids):
                problems.append(Problem(_FILE, None, None, f"steps[{i}].nodes", f"{nid!r} is not on the map"))
        for rid in step.edges:
            if rid not in set(edge_ids):
                problems.append(Problem(_FILE, None, None, f"steps[{i}].edges", f"{rid!r} is not on the map"))
    if problems:
        raise InvalidRecord(problems)
    return draft


def changes(store: GraphStore, m: StoryMap) -> list[tuple[str, str]]:
    """What changed in the graph since the map was saved: (id, "changed" | "removed"), sorted."""
    out: list[tuple[str, str]] = []
    rels = store.get_relationships(m.facts)
    for rid, digest in sorted(m.facts.items()):
        rel = rels.get(rid)
        if rel is None:
            out.append((rid, "removed"))
        elif fingerprint(rel) != digest:
            out.append((rid, "changed"))
    present = store.get_entities(n.id for n in m.nodes)
    out.extend((n.id, "removed") for n in m.nodes if n.id not in present)
    return out


_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _missing(map_id: str) -> NotFound:
    return NotFound(f"no story map {map_id!r}")


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class MapStore:
    """The story maps of a workspace: one JSON file per map under ``<workspace>/maps/``."""

    def __init__(self, workspace: Path) -> None:
        self.dir = Path(workspace) / "maps"
        # One lock per directory, shared by every MapStore of this process.
        with _LOCKS_GUARD:
            self._lock = _LOCKS.setdefault(self.dir.resolve(), threading.Lock())

    def _path(self, map_id: str) -> Path:
        if not ID_PATTERN.match(map_id):
            raise _missing(map_id)
        return self.dir / f"{map_id}.json"

    def get(self, map_id: str) -> StoryMap:
        """The map with this id, or ``NotFound``."""
        path = self._path(map_id)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise _missing(map_id) from None
        if not text.strip():  # reserved by a save still writing it
            raise _missing(map_id)
        try:
            return StoryMap.model_validate_json(text)
        except ValidationError as exc:
            problems = [Problem(str(path), None, map_id, p.field, p.message) for p in _problems(exc)]
            raise InvalidRecord(problems) from None

    def list(self) -> list[StoryMap]:
        """Every map, the most recently changed first (unreadable files are skipped)."""
        if not self.dir.is_dir():
            return []
        out = []
        for p in self.dir.glob("*.json"):
            try:
                out.append(StoryMap.model_validate_json(p.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
        return sorted(out, key=lambda m: (m.updated, m.id), reverse=True)

    def save(
        self, store: GraphStore, data: Any, map_id: str | None = None, *, create: bool = True
    ) -> StoryMap:
        """Validate ``data`` and write it as a new map (``create``) or over ``map_id``.

        A new map takes ``data``'s ``id`` when it is free (an imported map keeps its id),
        else an id made from its title. Replacing an unknown map is ``NotFound``.
        """
        draft = validate_draft(store, data)
        rels = store.get_relationships(e.id for e in draft.edges)
        with self._lock:
            now = _now()
            if create:
                wanted = data.get("id") if isinstance(data.get("id"), str) else None
                map_id = self._free_id(wanted or slugify(draft.title) or "map")
                created = now
            else:
                assert map_id is not None
                created = self.get(map_id).created
            m = StoryMap(
                **draft.model_dump(),
                id=map_id,
                created=created,
                updated=now,
                graph_version=store.version,
                facts={rid: fingerprint(r) for rid, r in sorted(rels.items())},
            )
            try:
                self._write(m)
            except BaseException:
                if create:
                    self._path(map_id).unlink(missing_ok=True)
                raise
        return m

    def delete(self, map_id: str) -> None:
        """Remove a map, or ``NotFound``."""
        with self._lock:
            try:
                self._path(map_id).unlink()
            except FileNotFoundError:
                raise _missing(map_id) from None

    def _free_id(self, base: str) -> str:
        """A free id from ``base``, reserved by creating its file (safe across processes)."""
        base = (slugify(base) or "map")[:180]
        if not ID_PATTERN.match(base):
            base = "map"
        self.dir.mkdir(parents=True, exist_ok=True)
        candidate, n = base, 2
        while True:
            try:
                os.close(os.open(self._path(candidate), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
                return candidate
            except FileExistsError:
                candidate, n = f"{base}-{n}", n + 1

    def _write(self, m: StoryMap) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(m.model_dump_json(indent=2))
            os.replace(tmp, self._path(m.id))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
