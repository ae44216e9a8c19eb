"""The web UI: server-rendered pages over the query engine, their embeds and their assets.

One module per page (``home``, ``entity``, ``path``, ``common``, ``graph``, ``timeline``), the
fragments the client script fetches (``fragments``), story maps (``maps``), the review queue (``review``), the downloads (``downloads``) and what
they share (``render``). ``router`` holds them all.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.ui import common, compare, downloads, entity, fragments, graph, home, maps, path, review, timeline

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
for _module in (home, entity, path, common, graph, timeline, maps, compare, fragments, downloads, review):
    router.include_router(_module.router)
