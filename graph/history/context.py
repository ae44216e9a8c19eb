"""Who makes a change and why: an attribution set around a write and read by the store.

The CLI sets the OS user and ``--reason`` (ingest adds the input's hash); the API sets the
name attached to the API key and the request's reason. A write made with no attribution is
logged as made by the OS user, with no reason.
"""

from __future__ import annotations

import contextvars
import getpass
import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Attribution", "attributed", "current", "input_hash", "os_user"]


@dataclass(frozen=True, slots=True)
class Attribution:
    """The person (or key name) behind a change, the reason given, and the dataset it touched."""

    who: str
    reason: str = ""
    dataset: str | None = None


_CURRENT: contextvars.ContextVar[Attribution | None] = contextvars.ContextVar(
    "cryptokg_attribution", default=None
)


def os_user() -> str:
    """The OS user running this process (``unknown`` when the system cannot say)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def current() -> Attribution:
    """The attribution of the write being made (the OS user when none was set)."""
    got = _CURRENT.get()
    return got if got is not None else Attribution(os_user())


@contextmanager
def attributed(who: str, reason: str = "", dataset: str | None = None) -> Iterator[Attribution]:
    """Attribute the writes made inside the block to ``who``, for ``reason``."""
    att = Attribution(who, reason, dataset)
    token = _CURRENT.set(att)
    try:
        yield att
    finally:
        _CURRENT.reset(token)


def input_hash(paths: Iterable[Path]) -> str:
    """SHA-256 (first 16 hex digits) of the files under ``paths``, by relative name and content."""
    h = hashlib.sha256()
    for root in paths:
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for f in files:
            rel = f.relative_to(root) if root.is_dir() else Path(f.name)
            h.update(str(rel).encode() + b"\0")
            h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()[:16]
