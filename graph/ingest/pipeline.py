"""``load_dataset``: files in, a validated ``Dataset`` out (or every problem at once)."""

from __future__ import annotations

from collections.abc import Container, Iterator
from pathlib import Path

from rich.progress import Progress

from graph.errors import InvalidRecord, Problem
from graph.ingest.readers import RawRecord, discover, read_file
from graph.ingest.validate import Dataset, validate_records

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
    wrong; nothing is returned half-valid.

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
    records: list[RawRecord] = []
    unreadable: set[str] = set()
    order = {"source": 0, "entity": 1, "relationship": 2}
    for f, kind in sorted(files, key=lambda fk: (order[fk[1]], str(fk[0]))):
        res = read_file(f, kind)
        records.extend(res.records)
        problems.extend(res.problems)
        if res.problems and not res.records:
            unreadable.add(kind)
    if show:
        with Progress(transient=True) as bar:
            task = bar.add_task("validating", total=len(records))

            def tick(_n: list[int] = [0]) -> None:  # noqa: B006 - a cheap counter
                _n[0] += 1
                if _n[0] % 10000 == 0:
                    bar.update(task, completed=_n[0])

            ds, vproblems = validate_records(
                _iter(records),
                existing_entities=existing_entities,
                existing_sources=existing_sources,
                on_record=tick,
            )
    else:
        ds, vproblems = validate_records(
            records,
            existing_entities=existing_entities,
            existing_sources=existing_sources,
            unchecked_kinds=unreadable,
        )
    problems.extend(vproblems)
    if problems:
        raise InvalidRecord(problems)
    return ds


def _iter(records: list[RawRecord]) -> Iterator[RawRecord]:
    yield from records
