"""Where one dataset touches the others: relationships between its entities and theirs."""

from __future__ import annotations

from typing import Any

from graph.datasets import CORE, get_dataset
from graph.store.base import GraphStore
from graph.vocabulary import REL_TYPES

__all__ = ["touches"]


def touches(store: GraphStore, dataset: str) -> list[dict[str, Any]]:
    """Each relationship with one end in ``dataset`` and the other in another dataset, seen from
    ``dataset``'s side: the entity, the verb, the other entity (with its dataset), the status
    and the match reason of "possibly the same as" links. Sorted by the other entity's id."""
    get_dataset(store, dataset)  # NotFound for an unknown dataset
    mine = {e.id: e for e in store.iter_entities() if (e.dataset or CORE) == dataset}
    rows: list[tuple[str, str, dict[str, Any]]] = []
    for me in sorted(mine):
        for adj in store.adjacent(me):
            if adj.other in mine:
                continue
            rel = store.get_relationship(adj.rel_id)
            other = store.get_entity(adj.other)
            if rel is None or other is None:
                continue
            t = REL_TYPES[rel.type]
            rows.append(
                (
                    other.id,
                    rel.id,
                    {
                        "entity": {"id": me, "name": mine[me].name, "kind": str(mine[me].kind)},
                        "verb": t.verb if adj.forward else t.reverse_verb,
                        "type": rel.type,
                        "relationship": rel.id,
                        "other": {
                            "id": other.id,
                            "name": other.name,
                            "kind": str(other.kind),
                            "dataset": other.dataset or CORE,
                        },
                        "status": str(rel.status),
                        "match": rel.attributes.get("match"),
                    },
                )
            )
    rows.sort(key=lambda r: (r[0], r[1]))
    return [r[2] for r in rows]
