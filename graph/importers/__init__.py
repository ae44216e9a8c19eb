"""Importers of open datasets: each import becomes a dataset of its own (see ``graph.datasets``).

``run_import(store, fmt, paths, dataset=...)`` reads the input as a stream into a ``Builder``,
links its entities to those of other datasets that share a strong identifier or an exact name
("possibly the same as", never merged), and replaces exactly that dataset in the store, all or
nothing. Formats: ``ftm`` (FollowTheMoney / OpenSanctions), ``icij`` (Offshore Leaks CSV),
``littlesis`` (LittleSis JSON) and ``mapped`` (CSV or JSON tables with a YAML mapping). News
text goes through ``graph.importers.text`` (a review file, nothing written unreviewed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.datasets import DatasetInfo, check_name, replace_dataset
from graph.errors import InvalidParameter
from graph.importers.base import Builder, ImportSummary, file_sha256, now_iso, progress_bar
from graph.importers.matching import link_to_other_datasets
from graph.ingest.records import bulk_objects
from graph.store.base import GraphStore

__all__ = ["FORMATS", "FormatInfo", "run_import"]


@dataclass(frozen=True)
class FormatInfo:
    """Defaults of one input format: who publishes such data and on what terms."""

    title: str
    publisher: str | None
    url: str | None
    licence: str | None
    credit: str | None
    notice: str | None
    status_rule: str


FORMATS: dict[str, FormatInfo] = {
    "ftm": FormatInfo(
        "FollowTheMoney entity stream",
        "OpenSanctions",
        "https://www.opensanctions.org/datasets/",
        "CC BY-NC 4.0 (OpenSanctions: non-commercial use; commercial users need a licence)",
        "Data from OpenSanctions.org, licensed CC BY-NC 4.0.",
        None,
        "reported; confirmed for a Sanction citing the authority's list (sourceUrl) or with --official",
    ),
    "icij": FormatInfo(
        "ICIJ Offshore Leaks Database",
        "International Consortium of Investigative Journalists (ICIJ)",
        "https://offshoreleaks.icij.org/",
        "ODbL 1.0 (database), CC BY-SA 3.0 (contents)",
        "Source: ICIJ Offshore Leaks Database (offshoreleaks.icij.org), ODbL / CC BY-SA.",
        "There are legitimate uses for offshore companies and trusts. ICIJ does not intend to suggest or "
        "imply that any people, companies or other entities included in the ICIJ Offshore Leaks Database "
        "have broken the law or otherwise acted improperly: appearing in the data does not imply wrongdoing.",
        "reported (leaked records)",
    ),
    "littlesis": FormatInfo(
        "LittleSis",
        "LittleSis (Public Accountability Initiative)",
        "https://littlesis.org/",
        "CC BY-SA 4.0",
        "Data from LittleSis.org, licensed CC BY-SA 4.0.",
        None,
        "reported (a third-party database)",
    ),
    "mapped": FormatInfo(
        "Mapped table",
        None,
        None,
        None,
        None,
        None,
        "from the mapping's status (constant or column); reported when the mapping gives none",
    ),
}

Reader = Callable[..., None]
#: Inputs larger than this (bytes) are read with the cyclic garbage collector paused.
BULK_BYTES = 5_000_000


def _reader(fmt: str) -> Reader:
    if fmt == "ftm":
        from graph.importers.ftm import read_ftm

        return read_ftm
    if fmt == "icij":
        from graph.importers.icij import read_icij

        return read_icij
    if fmt == "littlesis":
        from graph.importers.littlesis import read_littlesis

        return read_littlesis
    if fmt == "mapped":
        from graph.importers.mapped import read_mapped

        return read_mapped
    raise InvalidParameter("format", f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(x for x in p.rglob("*") if x.is_file()))
        elif p.exists():
            out.append(p)
        else:
            raise InvalidParameter("path", f"{p}: no such file or directory")
    return out


def run_import(
    store: GraphStore,
    fmt: str,
    paths: list[Path],
    *,
    dataset: str,
    skip_bad: bool = False,
    rejects: Path | None = None,
    progress: bool = False,
    meta: dict[str, str | None] | None = None,
    options: dict[str, Any] | None = None,
    match: bool = True,
) -> ImportSummary:
    """Import ``paths`` as dataset ``dataset`` (replacing exactly that dataset), all or nothing.

    ``meta`` overrides the dataset record's title, publisher, url, licence, credit and notice;
    ``options`` go to the format's reader (``official`` for ftm, ``mapping`` for mapped).
    Raises ``InvalidRecord`` with every problem (file, line, record, field) when the input has
    problems and ``skip_bad`` is off; nothing is written then.
    """
    check_name(dataset)
    read = _reader(fmt)
    files = _files(paths)
    defaults = FORMATS[fmt]
    info = DatasetInfo(
        name=dataset,
        title=defaults.title,
        publisher=defaults.publisher,
        url=defaults.url,
        licence=defaults.licence,
        credit=defaults.credit,
        notice=defaults.notice,
        format=fmt,
        status_rule=defaults.status_rule,
        input=", ".join(p.name for p in paths),
    )
    for k, v in (meta or {}).items():
        if v is not None:
            setattr(info, k, v)
    b = Builder(dataset, skip_bad=skip_bad)
    total = sum(f.stat().st_size for f in files)
    if skip_bad and rejects is None:
        rejects = Path(f"{dataset}.rejects.jsonl")
    # a big input builds millions of long-lived dicts: keep the cyclic collector out of the way
    with bulk_objects(total > BULK_BYTES):
        with progress_bar(total, f"importing {fmt} into {dataset}", show=progress) as update:
            read(paths, b, progress=update, notice=info.notice, **(options or {}))
        info.sha256 = file_sha256(files)
        info.imported_at = now_iso()
        ds = b.finish(info, rejects_path=rejects if skip_bad else None)
        b.release()
        linked = link_to_other_datasets(store, ds, dataset) if match else 0
    info.counts["relationships"] = len(ds.relationships)
    replaced = replace_dataset(store, ds, info)
    summary = b.summary(fmt)
    summary.relationships = len(ds.relationships)
    summary.skipped = dict(summary.skipped)
    summary.linked = linked
    summary.rejects_file = str(rejects) if skip_bad and b.rejects else None
    summary.dangling = len(replaced.dangling)
    summary.removed = replaced.removed
    return summary
