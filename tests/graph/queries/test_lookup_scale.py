"""Search on large graphs (the ``_Scale`` index of graph/queries/lookup.py) ranks like the scan.

The index switches on above ``FUZZY_EXHAUSTIVE`` names; here the threshold is lowered so a few
thousand generated names take the large-graph path, and every answer is compared with the
exhaustive scan over the same store.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.ingest.validate import Dataset
from graph.queries import lookup
from graph.store.memory import MemoryStore
from tests.factory import company, person, rel, source

SYLLABLES = "ka lo mi ra ten vo sha bel dor gan li mar nu pe qui ros sa tor ul ver an el is on".split()


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


@pytest.fixture(scope="module")
def big() -> MemoryStore:
    rng = random.Random(5)
    ents = {}
    for i in range(3000):
        if i % 2:
            ents[f"p{i}"] = person(
                f"p{i}", f"{_word(rng)} {_word(rng)}", aliases=[_word(rng)] if i % 7 == 0 else []
            )
        else:
            ents[f"c{i}"] = company(
                f"c{i}", f"{_word(rng)} {rng.choice(['Holdings', 'Ltd', 'Trust', 'Capital'])}"
            )
    ids = sorted(ents)
    rels = {
        f"r{i}": rel(f"r{i}", a, "met", b)
        for i in range(4000)
        if (a := rng.choice(ids)) != (b := rng.choice(ids))
    }
    store = MemoryStore(None)
    store.replace_all(Dataset({"s1": source()}, ents, rels))
    return store


@pytest.fixture()
def scaled(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(lookup, "FUZZY_EXHAUSTIVE", 0)
    yield


def _both(
    store: MemoryStore, q: str, monkeypatch: pytest.MonkeyPatch, **kw: object
) -> tuple[list[object], list[object]]:
    monkeypatch.setattr(lookup, "FUZZY_EXHAUSTIVE", 10**9)
    want = lookup.search(store, q, **kw)  # type: ignore[arg-type]
    monkeypatch.setattr(lookup, "FUZZY_EXHAUSTIVE", 0)
    got = lookup.search(store, q, **kw)  # type: ignore[arg-type]
    return got, want


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_exact_and_prefix_tiers_are_complete(big: MemoryStore, data: st.DataObject) -> None:
    """Exact, alias and prefix hits are identical; fuzzy hits (drawn from candidates) follow them."""
    names = sorted({e.name for e in big.iter_entities()})
    name = data.draw(st.sampled_from(names))
    cut = data.draw(st.integers(2, len(name)))
    q = data.draw(st.sampled_from([name, name[:cut], name.split()[-1][:cut], name.lower()]))
    kw = {
        "limit": data.draw(st.integers(1, 30)),
        "kind": data.draw(st.sampled_from([None, "person", "company"])),
    }
    with pytest.MonkeyPatch.context() as mp:
        got, want = _both(big, q, mp, **kw)
    assert [h for h in got if h.match != "fuzzy"] == [h for h in want if h.match != "fuzzy"]  # type: ignore[attr-defined]
    fuzzy = [h.score for h in got if h.match == "fuzzy"]  # type: ignore[attr-defined]
    assert fuzzy == sorted(fuzzy, reverse=True)


def test_typos_rank_identically(big: MemoryStore) -> None:
    rng = random.Random(9)
    names = sorted({e.name for e in big.iter_entities()})
    for _ in range(60):
        name = rng.choice(names)
        i = rng.randrange(1, len(name) - 1)
        q = name[:i] + name[i + 1 :]
        with pytest.MonkeyPatch.context() as mp:
            got, want = _both(big, q, mp, limit=10)
        assert got == want


def test_the_scale_index_is_used(big: MemoryStore, scaled: None) -> None:
    hits = lookup.search(big, "Holdings", limit=5)
    assert [h.match for h in hits] == ["prefix"] * 5
    assert lookup._index(big).scale is not None
