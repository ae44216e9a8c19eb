"""Network views of query results (pyvis / vis-network), served without any CDN.

``styles`` holds the look (kinds, statuses, legend); ``pyvis_view`` is the only module that
imports pyvis and turns ``Subgraph``, ``PathResult`` and ``CommonResult`` values into drawable
views and HTML fragments.
"""

from __future__ import annotations

from graph.viz.pyvis_view import (
    MAX_VIEW_NODES,
    NetworkView,
    cap_subgraph,
    common_view,
    network_view,
    path_view,
    render_fragment,
    script_json,
    static_files,
)
from graph.viz.styles import legend

__all__ = [
    "MAX_VIEW_NODES",
    "NetworkView",
    "cap_subgraph",
    "common_view",
    "legend",
    "network_view",
    "path_view",
    "render_fragment",
    "script_json",
    "static_files",
]
