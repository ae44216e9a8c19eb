"""One settings object for the library, the CLI and the API (``CRYPTOKG_*`` environment)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ApiKey", "Settings", "get_settings"]


class ApiKey(BaseModel):
    """One API key of ``CRYPTOKG_API_KEYS``: who holds it, what it may do, and its SHA-256."""

    name: str = Field(min_length=1, max_length=100, description="Shown in the change log as who.")
    role: str = Field(
        pattern="^(editor|contributor)$", description="`editor` writes and approves; `contributor` proposes."
    )
    sha256: str = Field(
        pattern="^[0-9a-f]{64}$", description="Hex SHA-256 of the key (the key itself is never stored)."
    )


class Settings(BaseSettings):
    """Every ``CRYPTOKG_`` setting. Each field is documented in the README's table."""

    model_config = SettingsConfigDict(env_prefix="CRYPTOKG_", extra="ignore")

    store: str = Field(
        default="embedded",
        description=(
            "Which store to use: `embedded` (networkx + SQLite workspace) or a Bolt URI "
            "(`bolt://`, `neo4j://`, `neo4j+s://`, `bolt+s://`) for Neo4j."
        ),
    )
    workspace: Path = Field(
        default=Path(".cryptokg"),
        description="Directory of the embedded store's workspace (holds `graph.sqlite`).",
    )
    data_dir: Path = Field(
        default=Path("data"), description="Dataset directory that `make run` and `ingest` load."
    )
    neo4j_user: str = Field(default="neo4j", description="User name for the Bolt store.")
    neo4j_password: str = Field(default="", description="Password for the Bolt store.")
    neo4j_database: str | None = Field(
        default=None, description="Database name on the Bolt server (server default if unset)."
    )
    query_timeout: float = Field(
        default=10.0, gt=0, description="Time budget of one query in seconds (Bolt and API)."
    )
    query_threads: int = Field(
        default=2,
        ge=1,
        le=64,
        description=(
            "Threads that run the API's queries in each worker. More let quick queries pass slow ones; "
            "fewer spend less time contending for Python's interpreter lock."
        ),
    )
    query_queue: int = Field(
        default=64,
        ge=1,
        le=100_000,
        description=(
            "Requests that may wait for a query thread in each worker; past that the API answers "
            "429 with `Retry-After` rather than letting waits outlast the time budget."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Address `cryptokg serve` binds.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `cryptokg serve` binds.")
    workers: int = Field(default=1, ge=1, le=64, description="uvicorn worker processes.")
    api_key: str | None = Field(
        default=None,
        description="Enables the write endpoints; clients send it as `X-API-Key` or `Authorization: Bearer`. Unset: read-only.",
    )
    api_keys: list[ApiKey] = Field(
        default_factory=list,
        description=(
            'Named, hashed API keys (JSON list of `{"name", "role", "sha256"}`; role `editor` or '
            "`contributor`). Editors write and approve proposals, contributors only propose."
        ),
    )
    history_versions: int = Field(
        default=5,
        ge=1,
        le=1000,
        description="Past graph versions kept built in memory for `version=` reads; older ones are rebuilt from the change log.",
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed by CORS (JSON list); empty: none."
    )
    max_body_bytes: int = Field(
        default=10_000_000, ge=1024, description="Largest request body the API accepts, in bytes."
    )


def get_settings(**overrides: object) -> Settings:
    """Read settings from the environment, with keyword overrides applied on top."""
    return Settings(**overrides)  # type: ignore[arg-type]
