"""Fixtures of the browser tests: the real app under uvicorn, and headless Chromium.

Fixture strategy: one uvicorn process serves a workspace ingested from the bundled ``data/``
(the story a journalist explores), a second one a tiny hostile dataset for the XSS checks.
Both listen on 127.0.0.1 only. Chromium is Debian's ``/usr/bin/chromium`` driven by
Playwright; every page records its requests and console errors, and ``Tab.assert_clean``
checks that nothing left 127.0.0.1 and that the console stayed clean.

Without Chromium the browser tests skip, except under CI (``CI`` set), where they fail.

``Tab.screenshot(name)`` keeps a full-page screenshot under ``CRYPTOKG_SCREENSHOTS`` (default
``tests/browser/artifacts/``, git-ignored), for CI to keep as artifacts.
"""

from __future__ import annotations

import functools
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from graph.ingest.pipeline import load_dataset
from graph.store.memory import MemoryStore

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
#: Where the suite writes the screenshots of the pages it visits.
SCREENSHOTS = Path(os.environ.get("CRYPTOKG_SCREENSHOTS") or ROOT / "tests" / "browser" / "artifacts")
from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402,F401  (shared with the notebook view test)

#: The API key of the servers the browser tests start.
API_KEY = "browser-test-key"
#: The hostile name of the XSS dataset (also its description and more).
HOSTILE = "</script><script>window.__pwned=1</script>"

XSS_SOURCES = """id,kind,title,publisher,url,date,date_note,summary
s1,news_report,"Title <img src=x onerror=""window.__pwned=2"">",<b>Pub</b>,https://example.org/a?x=1&y=<2>,2024-01-02,,"<script>window.__pwned=3</script>"
"""
XSS_ENTITIES = f"""- id: xss
  kind: person
  name: '{HOSTILE}'
  aliases: ['<img src=x onerror="window.__pwned=4">']
  description: '{HOSTILE}'
  country: '<svg onload="window.__pwned=5">'
  attributes:
    note: '<a href="javascript:window.__pwned=6">click</a>'
  sources: [s1]
- id: firm
  kind: company
  name: 'Firm "quoted" & <i>italic</i>'
  description: "A firm; its name has quotes and markup."
  sources: [s1]
- id: agency
  kind: agency
  name: "Agency ' onmouseover='window.__pwned=7"
  sources: [s1]
"""
XSS_RELATIONSHIPS = f"""id,source,type,target,role,start,end,amount,currency,status,denied_by,sources,notes
r1,xss,role_at,firm,"{HOSTILE}",2020,,,,reported,,s1,"{HOSTILE}"
r2,firm,fined_by,agency,,2021-05,,1000,<b>USD</b>,alleged,xss,s1,
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ingest(data: Path, workspace: Path) -> None:
    store = MemoryStore(workspace)
    store.replace_all(load_dataset(data))
    store.close()


def _serve(workspace: Path, log: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "CRYPTOKG_STORE": "embedded",
        "CRYPTOKG_WORKSPACE": str(workspace),
        # Story maps are written behind the API key.
        "CRYPTOKG_API_KEY": API_KEY,
        **(extra_env or {}),
    }
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "api.main:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the server exited early:\n{log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(base + "/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the app serving a workspace ingested from the bundled ``data/``."""
    root = tmp_path_factory.mktemp("story")
    _ingest(DATA, root / "workspace")
    yield from _serve(root / "workspace", root / "server.log")


@pytest.fixture(scope="session")
def xss_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the app serving the hostile dataset (markup in names, descriptions, sources)."""
    root = tmp_path_factory.mktemp("xss")
    data = root / "data"
    (data / "entities").mkdir(parents=True)
    (data / "relationships").mkdir()
    (data / "sources.csv").write_text(XSS_SOURCES, encoding="utf-8")
    (data / "entities" / "all.yaml").write_text(XSS_ENTITIES, encoding="utf-8")
    (data / "relationships" / "all.csv").write_text(XSS_RELATIONSHIPS, encoding="utf-8")
    _ingest(data, root / "workspace")
    yield from _serve(root / "workspace", root / "server.log")


@dataclass
class Tab:
    """A page that records every request and every console error."""

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def goto(self, url: str) -> None:
        self.page.goto(url)

    def wait_network(self, timeout: float = 30_000) -> None:
        """Wait until the page's network has stabilised and physics is off."""
        self.page.wait_for_selector("[data-ckg-network][data-ready=true]", timeout=timeout)

    def node_count(self, dom_id: str = "network") -> int:
        return int(self.page.evaluate(f"window.cryptokg.networks[{dom_id!r}].nodes.length"))

    def edge_count(self, dom_id: str = "network") -> int:
        return int(self.page.evaluate(f"window.cryptokg.networks[{dom_id!r}].edges.length"))

    def click_node(self, node_id: str, dom_id: str = "network") -> None:
        """Click a node where it is drawn on the canvas."""
        canvas = self.page.locator(f"#{dom_id} .ckg-canvas")
        canvas.scroll_into_view_if_needed()
        point = self.page.evaluate(
            """([dom, id]) => {
                const net = window.cryptokg.networks[dom].network;
                net.focus(id, {scale: 1.2, animation: false});
                return net.canvasToDOM(net.getPosition(id));
            }""",
            [dom_id, node_id],
        )
        box = canvas.bounding_box()
        self.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])

    def foreign_requests(self) -> list[str]:
        """Requests to any host but 127.0.0.1 (``data:`` and ``blob:`` URLs stay in the page)."""
        out = []
        for url in self.requests:
            parsed = urlparse(url)
            if parsed.scheme == "data":
                continue
            if parsed.scheme == "blob":
                parsed = urlparse(parsed.path)
            if parsed.hostname != "127.0.0.1":
                out.append(url)
        return out

    def screenshot(self, name: str) -> Path:
        """A full-page screenshot of the current page, kept as ``SCREENSHOTS/<name>.png``."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_clean(self) -> None:
        assert self.requests
        assert self.foreign_requests() == []
        assert self.errors == []


def _open_tab(browser: Any, **context_args: Any) -> tuple[Any, Tab]:
    context = browser.new_context(**context_args)
    page = context.new_page()
    page.set_default_timeout(15_000)
    t = Tab(page)
    page.on("request", lambda r: t.requests.append(r.url))
    page.on(
        "console", lambda m: t.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: t.errors.append(f"page error: {e}"))
    return context, t


@pytest.fixture()
def tab(browser: Any) -> Iterator[Tab]:
    """A fresh browser context and page; requests and console errors are recorded."""
    context, t = _open_tab(browser, viewport={"width": 1400, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=None)
    yield t
    context.close()


@pytest.fixture()
def phone(browser: Any) -> Iterator[Tab]:
    """A page as a phone shows it: 390 x 844 CSS pixels, touch, a mobile viewport."""
    context, t = _open_tab(
        browser,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield t
    context.close()


@pytest.fixture(scope="session")
def other_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], str]]:
    """Serve pages of "another site" (127.0.0.1, another port): ``other_site(html)`` gives its URL."""
    root = tmp_path_factory.mktemp("other-site")
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    count = 0

    def page(html: str) -> str:
        nonlocal count
        count += 1
        (root / f"page{count}.html").write_text(html, encoding="utf-8")
        return f"http://127.0.0.1:{httpd.server_address[1]}/page{count}.html"

    yield page
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass
