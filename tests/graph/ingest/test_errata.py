"""The December 2026 errata are in the bundled data, and data/README.md says what the data holds."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from graph.dates import holds_on
from graph.ingest.validate import Dataset
from graph.vocabulary import Status

DATA = Path(__file__).resolve().parents[3] / "data"


def _days(first: str, last: str) -> list[str]:
    d, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    out = []
    while d <= end:
        out.append(d.isoformat())
        d += dt.timedelta(days=1)
    return out


def test_no_source_without_a_url_except_the_seed_article(bundled_dataset: Dataset) -> None:
    assert [s.id for s in bundled_dataset.sources.values() if not s.url] == ["seed-article"]


def test_weak_sources_are_gone(bundled_dataset: Dataset) -> None:
    urls = [s.url or "" for s in bundled_dataset.sources.values()]
    for host in ("thecoli.com", "/square/post/", "straightarrownews-develop", "omniglobereport"):
        assert not [u for u in urls if host in u], host


def test_the_court_and_agency_record_of_2023_is_confirmed(bundled_dataset: Dataset) -> None:
    rels = bundled_dataset.relationships
    # the plea, the CFTC suit and penalties, the SEC suits: each cites a primary record
    for rid in ("rel-017", "rel-042", "rel-043", "rel-044", "rel-064", "rel-066", "rel-067", "rel-147"):
        assert rels[rid].status == Status.CONFIRMED, rid
    confirmed = [r for r in rels.values() if r.status == Status.CONFIRMED]
    assert len(confirmed) >= 25


def test_medium_upgrades_stay_reported_and_say_so(bundled_dataset: Dataset) -> None:
    rel = bundled_dataset.relationships["rel-070"]
    assert rel.status == Status.REPORTED
    assert "Stays reported" in (rel.notes or "")


def test_exactly_one_wlf_holdco_stake_holds_on_any_day(bundled_dataset: Dataset) -> None:
    stakes = [
        r
        for r in bundled_dataset.relationships.values()
        if r.type == "owns_stake_in" and r.source == "dt-marks-defi" and r.target == "wlf-holdco"
    ]
    assert len(stakes) == 2
    for day in _days("2025-01-01", "2026-12-31"):
        assert sum(holds_on(r.start, r.end, day) for r in stakes) == 1, day
    # WLF Holdco did not exist before January 2025
    assert not [r for r in stakes if r.start and r.start < "2025-01"]


def test_stale_states_end(bundled_dataset: Dataset) -> None:
    rels = bundled_dataset.relationships
    for rid in ("rel-064", "rel-065", "rel-066", "rel-067", "rel-069"):
        assert rels[rid].end == "2025-05-29", rid
    assert rels["rel-028"].end == "2024-05-31"  # bond ends when Zhao reports to prison
    assert rels["rel-042"].end == "2023-12"  # CFTC suit resolved by the consent order
    assert rels["rel-119"].end == "2025-10-22"  # the request ends with the pardon


def test_every_relationship_says_when_it_was_last_checked(bundled_dataset: Dataset) -> None:
    missing = [r for r in bundled_dataset.relationships.values() if not r.last_checked]
    # only a fact whose sources carry no date at all has no last_checked (stale lists it as never checked)
    assert len(missing) <= 3
    for r in missing:
        assert not [s for s in r.sources if bundled_dataset.sources[s].date], r.id
    assert bundled_dataset.relationships["rel-064"].last_checked == "2026-12"


def test_claims_narrowed_to_what_the_source_says(bundled_dataset: Dataset) -> None:
    rels = bundled_dataset.relationships
    assert rels["rel-128"].type == "helped_write_code_for"  # not "developed"
    assert rels["rel-129"].type == "held_in_wallets"  # where coins sit, not ownership
    bar = rels["rel-027"]
    assert (bar.source, bar.type) == ("changpeng-zhao", "barred_from")
    assert bar.role and "plea agreement with the DOJ" in bar.role


def test_new_2026_facts_are_in(bundled_dataset: Dataset) -> None:
    rels = bundled_dataset.relationships.values()
    got = {(r.source, r.type, r.target) for r in rels}
    assert ("binance", "sued", "dow-jones") in got
    assert ("aryam-investment-1", "invested_in", "world-liberty-financial") in got
    assert ("rainberry", "settled_with", "sec") in got
    venue = next(r for r in rels if r.source == "case-binance-v-dow-jones")
    assert venue.status == Status.REPORTED and "Abu Dhabi" in (venue.notes or "")


def test_data_readme_matches_the_data(bundled_dataset: Dataset) -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    rels = bundled_dataset.relationships
    # do-not-ingest items the README says are gone are gone
    assert "Yi He's ~10% stake" in readme
    assert not [r for r in rels.values() if r.source == "yi-he" and r.type == "shareholder_of"]
    assert "frances-mcleod" not in bundled_dataset.entities
    # the one kept item carries the note the README promises
    assert "Manhattan federal court" in (rels["rel-165"].notes or "")
    # the seed article's statement is where the README says
    for rid in ("rel-061", "rel-058"):
        assert rid in readme
        assert "no official confirmation" in (rels[rid].notes or ""), rid
    # the columns the README lists are the files' columns
    with (DATA / "sources.csv").open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert "sources.csv                 every source: " + ", ".join(header) in readme
    for path in sorted((DATA / "relationships").glob("*.csv")):
        with path.open(encoding="utf-8") as fh:
            assert ",".join(next(csv.reader(fh))) in readme, path.name
    # the listing that lost its only source is gone, as the README says
    assert "listing\n  WLFI on 2025-09-01" in readme
    assert not [r for r in rels.values() if r.type == "listed" and r.target == "wlfi-token"]
