"""Communities of a drawn view, so that a large network can start as a few labelled clusters.

Louvain modularity (networkx, fixed seed: the same view always gets the same communities) on
the view's own entities and relationships. The client script folds each community of
``MIN_CLUSTER`` or more entities into one node named after its best-connected members, and
unfolds it on a click.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx

from graph.model import Subgraph
from graph.viz.pyvis_view import NetworkView

__all__ = ["MIN_CLUSTER", "add_communities"]

#: Smallest community folded into a cluster node.
MIN_CLUSTER = 4
SEED = 42


def add_communities(view: NetworkView, sub: Subgraph) -> NetworkView:
    """Mark each node of ``view`` with its community and list the communities to fold.

    >>> from graph.testing import mini_store
    >>> from graph.queries.neighbourhood import subgraph_of
    >>> from graph.viz import network_view
    >>> st = mini_store()
    >>> sub = subgraph_of(st, [e.id for e in st.iter_entities()])
    >>> view = add_communities(network_view(sub), sub)
    >>> all("community" in n for n in view.nodes), all(c["size"] >= MIN_CLUSTER for c in view.clusters)
    (True, True)
    """
    g = nx.Graph()
    g.add_nodes_from(n["id"] for n in view.nodes)
    g.add_edges_from((r.source, r.target) for r in sub.edges if r.source in g and r.target in g)
    parts = nx.community.louvain_communities(g, seed=SEED) if g.number_of_edges() else []
    groups = sorted((sorted(p) for p in parts), key=lambda p: (-len(p), p[0]))
    member_of = {n: i for i, p in enumerate(groups) for n in p}
    degree: Counter[str] = Counter()
    for r in sub.edges:
        degree[r.source] += 1
        degree[r.target] += 1
    names = {e.id: e.name for e in sub.nodes}
    for node in view.nodes:
        node["community"] = member_of.get(node["id"], -1)
    view.clusters = []
    for i, members in enumerate(groups):
        if len(members) < MIN_CLUSTER:
            continue
        top = sorted(members, key=lambda m: (-degree[m], m))[:3]
        view.clusters.append(
            {
                "id": f"community-{i}",
                "community": i,
                "size": len(members),
                "label": f"{names.get(top[0], top[0])} + {len(members) - 1}",
                "title": f"A community of {len(members)} entities: "
                + ", ".join(names.get(m, m) for m in top)
                + (", …" if len(members) > 3 else "")
                + "\nClick to open it.",
            }
        )
    return view
