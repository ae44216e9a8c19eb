"""Names several entities answer to: people and organisations first, and never a silent guess."""

from __future__ import annotations

import pytest

from graph.errors import AmbiguousEntity, EntityNotFound
from graph.queries.lookup import resolve, search
from graph.queries.paths import find_paths
from graph.store.base import GraphStore


def test_trump_is_the_person_before_the_coin(story: GraphStore) -> None:
    hits = search(story, "Trump", limit=10)
    ids = [h.id for h in hits]
    assert ids[0] == "donald-trump"
    # the coin's whole name is "$TRUMP": it comes second, before the names with a word "Trump"
    assert ids[1] == "trump-memecoin"
    assert ids.index("trump-memecoin") < ids.index("eric-trump")
    kinds = [h.kind for h in hits if h.match == "prefix"]
    assert kinds == sorted(kinds, key=lambda k: k not in ("person", "company", "organization"))


def test_a_name_two_entities_share_is_not_resolved(story: GraphStore) -> None:
    with pytest.raises(AmbiguousEntity) as err:
        resolve(story, "Trump")
    choices = [c["id"] for c in err.value.suggestions]
    assert choices[:2] == ["donald-trump", "trump-memecoin"]
    assert "could be several entities" in err.value.detail
    assert "Donald J. Trump (donald-trump)" in err.value.detail


def test_the_path_finder_offers_the_choices(story: GraphStore) -> None:
    with pytest.raises(AmbiguousEntity):
        find_paths(story, "changpeng-zhao", "Trump")
    # a fuzzy name is not resolved either: it is a suggestion
    with pytest.raises(EntityNotFound) as err:
        find_paths(story, "Changpeng Zaho", "donald-trump")
    assert not isinstance(err.value, AmbiguousEntity)
    assert err.value.suggestions[0]["id"] == "changpeng-zhao"


@pytest.mark.parametrize(
    ("ref", "eid"), [("Donald Trump", "donald-trump"), ("CZ", "changpeng-zhao"), ("WLFI", "wlfi-token")]
)
def test_a_name_only_one_entity_has_resolves(story: GraphStore, ref: str, eid: str) -> None:
    assert resolve(story, ref) == eid
