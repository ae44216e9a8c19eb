"""``load_dataset``: files in, a validated ``Dataset`` out (or every problem at once)."""

from __future__ import annotations

from collections.abc import Callable, Container
from pathlib import Path

from rich.progress import Progress

from graph.errors import InvalidRecord, Problem
from graph.ingest.fastcsv import FAST_KINDS, load_csv
from graph.ingest.readers import discover, read_file
from graph.ingest.records import bulk_objects
from graph.ingest.validate import Dataset, Validator

__all__ = ["load_dataset"]

#: Inputs larger than this (bytes, all files together) show a progress bar.
PROGRESS_THRESHOLD = 5_000_000


def load_dataset(
    paths: list[Path] | Path,
    *,
    existing_entities: Container[str] = (),
    existing_sources: Container[str] = (),
    progress: bool | None = None,
) -> Dataset:
    """Read and validate every file under ``paths``.

    Raises ``InvalidRecord`` listing every problem (file, line, record, field) if anything is
    wrong; nothing is returned half-valid. Files are validated as they are read, and the
    records are kept compactly (``graph.ingest.records.Records``), so inputs of millions of
    rows fit in memory; CSV files of entities and relationships take a fast path
    (``graph.ingest.fastcsv``) that reports exactly the same problems.

    Examples
    --------
    >>> from pathlib import Path
    >>> ds = load_dataset(Path("tests/fixtures/mini"))
    >>> ds.entities["alice"].name
    'Alice Example'
    """
    if isinstance(paths, Path):
        paths = [paths]
    files, problems = discover(paths)
    if not files and not problems:
        problems.append(Problem(", ".join(map(str, paths)), None, None, None, "no data files found"))
    size = sum(f.stat().st_size for f, _ in files)
    show = progress if progress is not None else size > PROGRESS_THRESHOLD
    v = Validator(existing_entities=existing_entities, existing_sources=existing_sources, compact=True)
    unreadable: set[str] = set()
    order = {"source": 0, "entity": 1, "relationship": 2}
    ordered = sorted(files, key=lambda fk: (order[fk[1]], str(fk[0])))
    with bulk_objects(size > PROGRESS_THRESHOLD), Progress(transient=True, disable=not show) as bar:
        task = bar.add_task("reading and validating", total=size)
        done = 0
        for f, kind in ordered:
            fsize = f.stat().st_size

            def tick(n: int, _base: int = done, _size: int = fsize) -> None:
                bar.update(task, completed=_base + _size // 2)

            read, found = _read(f, kind, v, tick)
            problems.extend(found)
            if found and not read:
                unreadable.add(kind)
            done += fsize
            bar.update(task, completed=done)
    with bulk_objects(size > PROGRESS_THRESHOLD):
        ds, vproblems = v.finish(unchecked_kinds=unreadable)
    problems.extend(vproblems)
    if problems:
        raise InvalidRecord(problems)
    return ds


def _read(f: Path, kind: str, v: Validator, tick: Callable[[int], None]) -> tuple[int, list[Problem]]:
    """Read one file into the validator: records read, and the problems met reading it."""
    if f.suffix.lower() == ".csv" and kind in FAST_KINDS:
        return load_csv(f, kind, v, tick=tick)
    res = read_file(f, kind)
    for rec in res.records:
        v.add(rec)
    return len(res.records), res.problems
