"""The web UI's routes; the pages themselves live in the ``api.ui`` package."""

from __future__ import annotations

from api.ui import router

__all__ = ["router"]
