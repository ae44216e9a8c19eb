"""API-key check of the write endpoints. Read endpoints are public and never ask for a key.

Writes are enabled only when ``CRYPTOKG_API_KEY`` is set. Without it every write answers 403
("writes are disabled"), whatever the client sends, so a public deployment cannot be written to
by accident. With it, the client sends the key as ``X-API-Key: <key>`` or
``Authorization: Bearer <key>``; a missing or wrong key is 401. Keys are compared with
``hmac.compare_digest`` (constant time in the key's content).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.deps import SettingsDep

__all__ = ["WriterDep", "require_writer"]

api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="ApiKey",
    description="The value of `CRYPTOKG_API_KEY`.",
)
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="Bearer",
    description="The value of `CRYPTOKG_API_KEY` as a bearer token.",
)
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="cryptokg"'}


async def require_writer(
    settings: SettingsDep,
    key: Annotated[str | None, Security(api_key_header)] = None,
    token: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)] = None,
) -> None:
    """Let the request through only with the configured API key (see the module docstring)."""
    configured = settings.api_key
    if not configured:
        raise HTTPException(403, "writes are disabled: the server has no CRYPTOKG_API_KEY configured")
    supplied = key if key is not None else (token.credentials if token is not None else None)
    if supplied is None:
        raise HTTPException(
            401, "this endpoint needs an API key in X-API-Key or Authorization: Bearer", CHALLENGE
        )
    if not hmac.compare_digest(supplied.encode("utf-8"), configured.encode("utf-8")):
        raise HTTPException(401, "wrong API key", CHALLENGE)


WriterDep = Depends(require_writer)
