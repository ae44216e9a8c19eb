"""Sentence cases: every relationship type read in both directions, and the bundled story's hard cases."""

from __future__ import annotations

import pytest

from graph.ingest.validate import Dataset
from graph.model import Relationship
from graph.narrate import FIXED_READING, sentence
from graph.vocabulary import REL_TYPES

NAMES = {"src": "Sam Source", "tgt": "Tina Target", "den": "Dan Denier"}


def _rel(type_: str, **kw: object) -> Relationship:
    base: dict[str, object] = {
        "id": "r1",
        "source": "src",
        "target": "tgt",
        "type": type_,
        "role": "ROLEX",
        "start": "2024-05",
        "status": "reported",
        "sources": ["s1", "s2"],
        "last_checked": "2025-09",
    }
    base.update(kw)
    return Relationship.model_validate(base)


@pytest.mark.parametrize("forward", [True, False], ids=["forward", "backward"])
@pytest.mark.parametrize("type_", sorted(REL_TYPES))
def test_every_type_reads_right_in_both_directions(type_: str, forward: bool) -> None:
    t = REL_TYPES[type_]
    text = sentence(_rel(type_), forward, NAMES)
    src, tgt = NAMES["src"], NAMES["tgt"]
    assert src in text and tgt in text
    assert text.count("ROLEX") == 1
    # who the sentence is about: the side it is read from, except where the target did not act
    if type_ == "family_of":
        want = f"{src} is the ROLEX of {tgt}" if forward else f"{tgt}'s ROLEX is {src}"
        assert text.startswith(want), text
    elif type_ in FIXED_READING or forward:
        assert text.startswith(f"{src} {t.verb} {tgt}"), text
    else:
        verb = t.verb if t.symmetric else t.reverse_verb
        assert text.startswith(f"{tgt} {verb} {src}"), text
    # the role belongs to the source, whichever way the sentence reads
    if t.symmetric and type_ != "family_of":
        assert f"{src} as ROLEX" in text, text
    elif type_ not in ("family_of", *FIXED_READING):
        if forward:
            assert f"{tgt} as ROLEX" in text  # "Sam held a role at Tina as ROLEX": the subject's role
        else:
            assert f"{src} as ROLEX" in text
    # an open-ended state is never a bare present tense
    if t.lasting:
        assert "since 2024-05, last checked 2025-09" in text
    else:
        assert "since" not in text and "2024-05" in text and "last checked" not in text
    status = "reported, unconfirmed" if type_ == "in_talks_with" else "reported"
    assert f"; {status})" in text or f"; {status};" in text
    assert "single source" not in text
    assert text.endswith(".")


@pytest.mark.parametrize("type_", sorted(REL_TYPES))
def test_single_source_denials_and_ends(type_: str) -> None:
    rel = _rel(type_, sources=["s1"], denied_by=["den"], end="2025-05-29", role=None)
    text = sentence(rel, True, NAMES)
    assert "single source" in text and "denied by Dan Denier" in text
    assert "2024-05 – 2025-05-29" in text and "last checked" not in text


def test_credited_amounts_say_so() -> None:
    rel = _rel(
        "fined_by", amount=50e6, currency="USD", notes="DOJ agreed to credit the $50M against the CFTC."
    )
    assert "credited against other penalties: do not add up" in sentence(rel, True, NAMES)
    plain = _rel("fined_by", amount=50e6, currency="USD", notes="A fine.")
    assert "credited" not in sentence(plain, True, NAMES)


def test_confirmed_has_no_status_word() -> None:
    text = sentence(_rel("sued", status="confirmed", role=None), True, NAMES)
    assert "confirmed" not in text and "reported" not in text


# -- the bundled story: what a lawyer would flag ----------------------------------------------
def _say(ds: Dataset, rid: str, forward: bool) -> str:
    names = {e.id: e.name for e in ds.entities.values()}
    return sentence(ds.relationships[rid], forward, names)


def test_family_roles_land_on_the_child(bundled_dataset: Dataset) -> None:
    for rid, child in (
        ("rel-110", "Eric Trump"),
        ("rel-111", "Donald Trump Jr."),
        ("rel-112", "Barron Trump"),
    ):
        back = _say(bundled_dataset, rid, False)
        assert back.startswith(f"Donald J. Trump's son is {child}"), back
        assert "Donald J. Trump is family of" not in back
        assert _say(bundled_dataset, rid, True).startswith(f"{child} is the son of Donald J. Trump")


def test_the_bar_is_not_an_act_of_binance(bundled_dataset: Dataset) -> None:
    text = _say(bundled_dataset, "rel-027", False)  # read from Binance's side
    assert text.startswith("Changpeng Zhao was barred from Binance")
    assert "plea agreement with the DOJ" in text
    assert "Binance barred" not in text


def test_penalties_of_the_2023_resolution_say_they_were_credited(bundled_dataset: Dataset) -> None:
    for rid in ("rel-020", "rel-021", "rel-034", "rel-037", "rel-043", "rel-026", "rel-044"):
        assert "credited against other penalties" in _say(bundled_dataset, rid, True), rid


def test_the_monitor_is_dated_not_present_tense(bundled_dataset: Dataset) -> None:
    text = _say(bundled_dataset, "rel-054", False)
    assert text.startswith(
        "Binance Holdings Ltd. is monitored by Forensic Risk Alliance (since 2024-05, last checked "
    )


def test_reported_talks_read_unconfirmed_with_denials(bundled_dataset: Dataset) -> None:
    for rid in ("rel-061", "rel-117", "rel-118", "rel-062"):
        text = _say(bundled_dataset, rid, True)
        assert "reported, unconfirmed" in text, text
    assert "denied by Changpeng Zhao, World Liberty Financial" in _say(bundled_dataset, "rel-117", True)
