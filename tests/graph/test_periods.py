"""graph/periods.py: when the hops of a path could not all have held at once."""

from __future__ import annotations

import pytest

from graph.model import Relationship
from graph.periods import disjoint_periods, period_warning
from tests.factory import rel


def _r(start: str | None, end: str | None) -> Relationship:
    return rel("r1", "a", "met", "b", start=start, end=end)


@pytest.mark.parametrize(
    ("spans", "warning"),
    [
        ([("2017", "2023"), ("2025", "2025")], "These facts are from different periods: 2017–2023 and 2025."),
        ([("2017", "2023-11-21"), ("2023-11", None)], None),  # the same month: they may meet
        (
            [("2017", "2023-10"), ("2023-11", None)],
            "These facts are from different periods: 2017-01–2023-10 and from 2023-11.",
        ),
        (
            [(None, "2019"), ("2020", "2021"), ("2024", None)],
            "These facts are from different periods: until 2019, 2020–2021 and from 2024.",
        ),
        ([("2017", None), ("2025", None)], None),  # still holding: they meet from 2025
        ([("2019", "2019"), (None, None)], None),  # an undated fact says nothing
        ([], None),
    ],
)
def test_period_warning(spans: list[tuple[str | None, str | None]], warning: str | None) -> None:
    assert period_warning([_r(s, e) for s, e in spans]) == warning


def test_overlapping_facts_merge_into_one_period() -> None:
    got = disjoint_periods([_r("2017", "2020"), _r("2019", "2022"), _r("2030", "2031")])
    assert got == [("2017-01-01", "2022-12-31"), ("2030-01-01", "2031-12-31")]
