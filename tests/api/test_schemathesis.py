"""Schemathesis against ``/openapi.json``, in-process over the mini graph.

Two runs, each with every built-in check but one. The public run covers every operation with
no API key configured, so writes answer 403 and the graph never changes. The write run
configures a key, sends it, and covers the write operations on a throwaway workspace.

``positive_data_acceptance`` is off in both: it expects every schema-valid request to succeed,
but some rules are about meaning, not shape, and answer 422 with a problem that says why: a
body naming a source that does not exist, `common` with one entity, a comma-separated list
longer than its limit. Every response is still checked: no 5xx, documented status, media type,
headers and body schema, and schema-violating requests must be rejected.

The number of examples is bounded so the whole module stays well under a minute.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

from tests.api.api_support import API_KEY, mini_app, mini_memory_store

MAX_EXAMPLES = 10

# Zip uploads to the bulk ingest are sent as raw bytes, like any binary body.
schemathesis.serializer.alias("application/zip", "application/octet-stream")

_tmp = Path(tempfile.mkdtemp(prefix="cryptokg-schemathesis-"))
_config = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
        "phases": {"stateful": {"enabled": False}},
        "checks": {"positive_data_acceptance": {"enabled": False}},
    }
)
public = schemathesis.openapi.from_asgi("/openapi.json", mini_app(_tmp / "public"), config=_config)

_write_config = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
        "phases": {"stateful": {"enabled": False}},
        "checks": {"positive_data_acceptance": {"enabled": False}},
        "headers": {"X-API-Key": API_KEY, "X-Change-Reason": "test write"},
    }
)
_write_app = mini_app(_tmp / "write", store=mini_memory_store(_tmp / "write" / "ws"), api_key=API_KEY)
writes = schemathesis.openapi.from_asgi("/openapi.json", _write_app, config=_write_config).include(
    tag="writes"
)


@public.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_public_api(case: Any) -> None:
    case.call_and_validate()


@writes.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_write_api(case: Any) -> None:
    case.call_and_validate(headers={"X-API-Key": API_KEY, "X-Change-Reason": "test write"})
