"""The HTML side of the network views: fragments, their assets, offline pages and notebooks.

``render_fragment`` turns a ``NetworkView`` (built by ``graph.viz.pyvis_view``) into an HTML
fragment with this package's own Jinja template; the fragment loads nothing from other hosts
(pyvis's own template pulls Bootstrap from a CDN, so it is not used). ``static_files`` lists the
assets the app must serve: the vis-network copy bundled with pyvis and the client script of the
views. ``standalone_html``, ``notebook_html`` and ``NotebookView`` inline those assets instead,
for offline pages and for views shown inline in Jupyter and VS Code notebooks.

Its names are also importable from ``graph.viz.pyvis_view``, where they used to live.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from graph.model import Subgraph
from graph.results import PathResult
from graph.viz.pyvis_view import NetworkView, network_view, path_view
from graph.viz.styles import legend

__all__ = [
    "NOTEBOOK_HEIGHT",
    "NotebookView",
    "notebook_html",
    "render_fragment",
    "script_json",
    "standalone_html",
    "static_files",
]

_HERE = Path(__file__).resolve().parent


# -- HTML --------------------------------------------------------------------------------

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_ESCAPE_RE = re.compile("[<>&\u2028\u2029]")


def script_json(value: Any) -> Markup:
    """JSON that is safe inside a ``<script>`` element: ``<``, ``>`` and ``&`` are escaped.

    >>> str(script_json({"name": "</script><b>"}))
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return Markup(_JSON_ESCAPE_RE.sub(lambda m: _JSON_ESCAPES[m.group(0)], text))


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["script_json"] = script_json
    return env


def render_fragment(
    view: NetworkView,
    *,
    dom_id: str = "network",
    title: str = "Network",
    entity_url: str = "/entity/",
    panel_url: str | None = None,
    expand_url: str | None = None,
    expand_query: str = "",
    downloads: list[tuple[str, str]] | None = None,
    show_legend: bool = True,
    show_controls: bool = True,
    link_target: str | None = None,
    height: str = "tall",
    credit: str | None = None,
) -> Markup:
    """The HTML of a view: toolbar, canvas, legend, text version and the data for the script.

    Every name and property is escaped by the template; the data travels as JSON in a
    ``<script type="application/json">`` element (see ``script_json``) and the page must load
    ``static_files()``'s ``vis/vis-network.min.js`` and ``viz/network.js`` to draw it.
    ``entity_url`` prefixes entity ids in links, ``panel_url`` and ``expand_url`` prefix the
    side panel and "expand neighbours" endpoints (omitted: no panel, no expansion),
    ``downloads`` lists (label, url) export links, and ``credit`` is the line printed under
    the picture and on its PNG download (a default credit when omitted).
    """
    if not re.fullmatch(r"[A-Za-z][\w-]*", dom_id):
        msg = f"bad dom_id {dom_id!r}"
        raise ValueError(msg)
    html = (
        _env()
        .get_template("network.html")
        .render(
            view=view,
            dom_id=dom_id,
            title=title,
            entity_url=entity_url,
            panel_url=panel_url,
            expand_url=expand_url,
            expand_query=expand_query,
            downloads=downloads or [],
            legend=legend(view.kinds) if show_legend else None,
            show_controls=show_controls,
            link_target=link_target,
            height=height,
            credit=credit or "Made with cryptokg. Every relationship cites its sources.",
            data=view.data(),
        )
    )
    return Markup(html)


def _vis_dir() -> Path:
    import pyvis

    lib = Path(pyvis.__file__).resolve().parent / "lib"
    found = sorted(
        (p for p in lib.glob("vis-*") if (p / "vis-network.min.js").is_file()),
        key=lambda p: tuple(int(x) for x in re.findall(r"\d+", p.name)),
    )
    if not found:  # pragma: no cover - pyvis always ships one
        msg = f"no vis-network copy found in {lib}"
        raise FileNotFoundError(msg)
    return found[-1]


@lru_cache(maxsize=1)
def static_files() -> dict[str, Path]:
    """Assets the views need, by the URL path under which the app serves them.

    ``vis/…`` is the vis-network copy that pyvis ships (the newest one), ``viz/…`` the
    client script and styles of the views.
    """
    vis = _vis_dir()
    files = {
        "vis/vis-network.min.js": vis / "vis-network.min.js",
        "vis/vis-network.css": vis / "vis-network.css",
    }
    for p in sorted((_HERE / "static").iterdir()):
        if p.is_file() and not p.name.startswith("."):
            files[f"viz/{p.name}"] = p
    return files


# -- notebooks and offline pages ---------------------------------------------------------

#: Height of a view's frame in a notebook, in CSS pixels (the canvas fills what the toolbar,
#: legend and text version leave).
NOTEBOOK_HEIGHT = 640

_PAGE_CSS = (
    "html,body{margin:0;background:#fff;color:#1f2328;"
    "font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}"
    "body{padding:6px 8px}.ckg-network{margin:0}"
    # The canvas takes the frame's height less the toolbar, legend and text-version line.
    ".ckg-h-fill .ckg-canvas{height:calc(100vh - 9rem);min-height:240px}"
)


def _inline(text: str, tag: str) -> str:
    """Text to put inside a ``<script>`` or ``<style>`` element: nothing in it may close the element."""
    return re.sub(rf"</(?={tag})", r"<\\/", text, flags=re.IGNORECASE)


@lru_cache(maxsize=1)
def _inline_assets() -> tuple[str, str]:
    """The CSS and the scripts that ``static_files`` lists, as one style text and one script text."""
    files = static_files()
    css = "\n".join(
        files[name].read_text(encoding="utf-8") for name in ("vis/vis-network.css", "viz/network.css")
    )
    js = "\n;\n".join(
        files[name].read_text(encoding="utf-8") for name in ("vis/vis-network.min.js", "viz/network.js")
    )
    return _inline(css, "style"), _inline(js, "script")


def _as_view(drawable: NetworkView | Subgraph | PathResult) -> NetworkView:
    if isinstance(drawable, NetworkView):
        return drawable
    if isinstance(drawable, PathResult):
        return path_view(drawable)
    return network_view(drawable)


def standalone_html(
    drawable: NetworkView | Subgraph | PathResult,
    *,
    title: str = "cryptokg network",
    entity_url: str | None = None,
) -> str:
    """A complete HTML page drawing a view that works offline, from a file or in a frame.

    vis-network, its styles and the views' client script are inlined, so the page loads
    nothing from any host. ``drawable`` is a view, or a ``Subgraph`` or ``PathResult`` to
    draw with ``network_view`` or ``path_view``. Entity names in the text version link to
    ``entity_url`` + id in a new tab when given (e.g. ``http://127.0.0.1:8000/entity/`` of a
    running ``cryptokg serve``), and nowhere otherwise; there is no side panel.

    >>> from graph.testing import mini_store
    >>> from graph.queries.neighbourhood import neighbourhood
    >>> page = standalone_html(neighbourhood(mini_store(), "carol"), title="Carol")
    >>> page.startswith("<!DOCTYPE html>"), "<title>Carol</title>" in page, "<script src" in page
    (True, True, False)
    """
    view = _as_view(drawable)
    fragment = render_fragment(
        view,
        title=title,
        entity_url=entity_url or "#",
        link_target="_blank" if entity_url else None,
        height="fill",
    )
    css, js = _inline_assets()
    head = Markup(
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{}</title>\n'
    ).format(title)
    return (
        f"{head}<style>{css}\n{_PAGE_CSS}</style>\n</head>\n<body>\n{fragment}\n"
        f"<script>{js}</script>\n</body>\n</html>\n"
    )


def notebook_html(
    drawable: NetworkView | Subgraph | PathResult,
    *,
    title: str = "cryptokg network",
    height: int = NOTEBOOK_HEIGHT,
    entity_url: str | None = None,
) -> str:
    """HTML that shows an interactive view inline in Jupyter and VS Code notebooks, offline.

    The page of ``standalone_html`` goes into the ``srcdoc`` of a sandboxed ``<iframe>``
    ``height`` pixels tall: its scripts and styles cannot clash with the notebook's, several
    views can share a notebook, and nothing is fetched from a CDN. Behind the frame a line of
    text says what to do when a notebook viewer strips frames (untrusted notebooks).

    >>> from graph.testing import mini_store
    >>> from graph.queries.paths import find_paths
    >>> html = notebook_html(find_paths(mini_store(), "alice", "regulator"), height=500)
    >>> html.startswith('<div class="ckg-notebook"'), 'height:500px' in html, "srcdoc=\\"&lt;!DOCTYPE html&gt;" in html
    (True, True, True)
    """
    if not 100 <= height <= 5000:
        msg = f"height must be between 100 and 5000 pixels, not {height}"
        raise ValueError(msg)
    page = standalone_html(drawable, title=title, entity_url=entity_url)
    return str(
        Markup(
            '<div class="ckg-notebook" style="position:relative;width:100%;height:{h}px;margin:0 0 8px">'
            '<p style="position:absolute;margin:8px;color:#57606a">{title}: run the cell, or trust the '
            "notebook, to show the interactive network.</p>"
            '<iframe title="{title}" srcdoc="{page}" '
            'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox allow-downloads" '
            'style="position:absolute;inset:0;width:100%;height:{h}px;border:1px solid #d0d7de;'
            'border-radius:6px;background:#fff" loading="lazy"></iframe></div>'
        ).format(h=height, title=title, page=page)
    )


@dataclass(repr=False)
class NotebookView:
    """A view that notebooks display inline (``_repr_html_``); ``html`` is the offline page.

    Make one from a view, a ``Subgraph`` (a neighbourhood) or a ``PathResult`` and leave it
    as the last expression of a cell, or pass it to ``IPython.display.display``.

    >>> from graph.testing import mini_store
    >>> from graph.queries.neighbourhood import neighbourhood
    >>> shown = NotebookView(neighbourhood(mini_store(), "carol"), title="Carol", height=420)
    >>> shown._repr_html_() == notebook_html(shown.drawable, title="Carol", height=420)
    True
    """

    drawable: NetworkView | Subgraph | PathResult
    title: str = "cryptokg network"
    height: int = NOTEBOOK_HEIGHT
    entity_url: str | None = None

    def __repr__(self) -> str:
        # The plain-text form notebooks store next to the HTML: short, not the whole graph.
        d = self.drawable
        if isinstance(d, PathResult):
            what = f"{len(d.paths)} path(s) from {d.source.name} to {d.target.name}"
        else:
            n, e = (
                (len(d.entities), len(d.relations))
                if isinstance(d, NetworkView)
                else (len(d.nodes), len(d.edges))
            )
            what = f"{n} entities, {e} relationships"
        return f"<NotebookView {self.title!r}: {what}>"

    def _repr_html_(self) -> str:
        return notebook_html(self.drawable, title=self.title, height=self.height, entity_url=self.entity_url)

    def html(self) -> str:
        """The view as a complete offline HTML page (see ``standalone_html``)."""
        return standalone_html(self.drawable, title=self.title, entity_url=self.entity_url)

    def save(self, path: str | Path) -> Path:
        """Write the offline page to ``path`` (open it in any browser) and return the path."""
        out = Path(path)
        out.write_text(self.html(), encoding="utf-8")
        return out
