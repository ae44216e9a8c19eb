"""API-key check of the write endpoints. Read endpoints are public and never ask for a key.

Writes are enabled only when keys are configured: ``CRYPTOKG_API_KEYS`` (named, hashed keys,
each an ``editor`` or a ``contributor``) and/or ``CRYPTOKG_API_KEY`` (one key, an editor named
``api-key``). Without any, every write answers 403 ("writes are disabled"), whatever the client
sends, so a public deployment cannot be written to by accident. With them, the client sends
its key as ``X-API-Key: <key>`` or ``Authorization: Bearer <key>``; a missing or wrong key is
401. Keys are compared with ``hmac.compare_digest`` (constant time in the key's content).

Every write also needs a reason, for the change log (``X-Change-Reason``, or ``reason`` in the
query); the change is logged as made by the key's name. Contributor keys may only propose
(``api.routes.proposals``); the direct write routes answer them 403.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Query, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.deps import SettingsDep
from graph.history.context import attributed
from graph.settings import Settings

__all__ = [
    "ChangeWriterDep",
    "ContributorDep",
    "EditorDep",
    "Writer",
    "WriterDep",
    "identify",
    "require_editor",
    "require_key",
    "require_writer",
]

api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key (`CRYPTOKG_API_KEY`, or one of `CRYPTOKG_API_KEYS`).",
)
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="Bearer",
    description="An API key as a bearer token.",
)
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="cryptokg"'}
#: Most characters of a change's reason.
MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class Writer:
    """Who is writing: the key's name, its role and the reason the request gives."""

    name: str
    role: str
    reason: str


def identify(settings: Settings, supplied: str) -> tuple[str, str] | None:
    """(name, role) of the configured key equal to ``supplied``, or None."""
    digest = hashlib.sha256(supplied.encode("utf-8")).hexdigest()
    found = None
    for k in settings.api_keys:
        if hmac.compare_digest(digest, k.sha256):
            found = (k.name, k.role)
    configured = settings.api_key
    if configured and hmac.compare_digest(supplied.encode("utf-8"), configured.encode("utf-8")):
        found = found or ("api-key", "editor")
    return found


async def _key(
    settings: SettingsDep,
    key: Annotated[str | None, Security(api_key_header)] = None,
    token: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)] = None,
) -> tuple[str, str]:
    if not settings.api_key and not settings.api_keys:
        raise HTTPException(403, "writes are disabled: the server has no CRYPTOKG_API_KEY configured")
    supplied = key if key is not None else (token.credentials if token is not None else None)
    if supplied is None:
        raise HTTPException(
            401, "this endpoint needs an API key in X-API-Key or Authorization: Bearer", CHALLENGE
        )
    who = identify(settings, supplied)
    if who is None:
        raise HTTPException(401, "wrong API key", CHALLENGE)
    return who


async def require_key(who: Annotated[tuple[str, str], Depends(_key)]) -> None:
    """An editor's key (for writes outside the graph, such as story maps; no reason needed)."""
    if who[1] != "editor":
        raise HTTPException(403, f"{who[0]} has a contributor key: this needs an editor's key")


async def _writer(
    who: Annotated[tuple[str, str], Depends(_key)],
    x_change_reason: Annotated[
        str | None, Header(description="Why this change is made (kept in the change log).")
    ] = None,
    reason: Annotated[
        str | None, Query(max_length=MAX_REASON, description="Why (instead of `X-Change-Reason`).")
    ] = None,
) -> Writer:
    why = (x_change_reason if x_change_reason is not None else reason or "").strip()
    if not why:
        raise HTTPException(
            400, "a write needs a reason for the change log: send X-Change-Reason or ?reason="
        )
    if len(why) > MAX_REASON:
        raise HTTPException(400, f"X-Change-Reason: at most {MAX_REASON} characters")
    return Writer(who[0], who[1], why)


async def require_writer(writer: Annotated[Writer, Depends(_writer)]) -> AsyncIterator[Writer]:
    """Let the request through only with an editor's key and a reason; attribute its writes."""
    if writer.role != "editor":
        raise HTTPException(
            403, f"{writer.name} has a contributor key: propose the change at /api/v1/proposals"
        )
    with attributed(writer.name, writer.reason):
        yield writer


async def require_contributor(writer: Annotated[Writer, Depends(_writer)]) -> Writer:
    """Any valid key (editor or contributor) with a reason."""
    return writer


async def require_editor(writer: Annotated[Writer, Depends(_writer)]) -> Writer:
    """An editor's key with a reason (for approving or rejecting proposals)."""
    if writer.role != "editor":
        raise HTTPException(403, f"{writer.name} has a contributor key: only an editor may review proposals")
    return writer


#: An editor's key, no reason (story maps and other writes outside the graph).
WriterDep = Depends(require_key)
#: An editor's key and a reason; the graph writes made in the request are attributed to the key.
ChangeWriterDep = Depends(require_writer)
ContributorDep = Annotated[Writer, Depends(require_contributor)]
EditorDep = Annotated[Writer, Depends(require_editor)]
