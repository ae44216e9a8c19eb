"""Response models of the dataset routes (``api.routes.datasets``) and client."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from api.schemas import _Out
from graph.datasets import DatasetInfo

__all__ = ["DatasetOut", "DatasetsOut", "DropOut", "ImportOut"]


class DatasetOut(_Out):
    """A dataset: what it is, who publishes it, on what terms, and how much of the graph it holds."""

    name: str = Field(examples=["opensanctions-crypto"])
    title: str
    publisher: str | None = None
    url: str | None = None
    licence: str | None = Field(default=None, examples=["CC BY-NC 4.0"])
    credit: str | None = None
    notice: str | None = Field(default=None, description="A notice that travels with every fact.")
    format: str | None = Field(default=None, examples=["ftm"])
    imported_at: str | None = None
    sha256: str | None = Field(default=None, description="SHA-256 of the input file(s).")
    input: str | None = None
    status_rule: str | None = None
    counts: dict[str, int] = Field(default_factory=dict)

    @classmethod
    def from_domain(cls, info: DatasetInfo) -> DatasetOut:
        return cls(**info.as_dict())


class DatasetsOut(_Out):
    """Every dataset, the bundled one (`core`) first."""

    datasets: list[DatasetOut]


class ImportOut(_Out):
    """What an import read and wrote."""

    dataset: str
    format: str
    records_read: int
    entities: int
    relationships: int
    sources: int
    skipped: dict[str, int] = Field(default_factory=dict, description="Records left out, by reason.")
    unknown: dict[str, int] = Field(default_factory=dict, description="Unknown schemata/categories, counted.")
    rejected: int = 0
    rejects: list[dict[str, Any]] = Field(default_factory=list, description="With `skip_bad`: each reject.")
    linked: int = Field(0, description="'possibly the same as' links made to entities of other datasets.")
    removed: dict[str, int] = Field(default_factory=dict, description="Records of the dataset replaced.")
    version: str


class DropOut(_Out):
    """What dropping a dataset removed."""

    dataset: str
    removed: dict[str, int]
    version: str = Field(description="The graph version after the write.")
