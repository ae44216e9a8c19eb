"""HTTP throughput with ``wrk``: one uvicorn worker on 127.0.0.1, 32 connections, a fixed duration.

The server is started on the benchmark workspace, warmed until it answers (the first request
loads the graph), loaded for a bounded time per endpoint, and stopped by its PID.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.workload import MAX_HOPS, Workload

__all__ = ["run_http"]

HOST = "127.0.0.1"
LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def _get(url: str, timeout: float) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - loopback only
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (OSError, TimeoutError):
        return 0


def _parse(text: str) -> dict[str, Any]:
    def ms(v: str, unit: str) -> float:
        return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    out: dict[str, Any] = {"raw": text}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    out["rps"] = float(m.group(1)) if m else 0.0
    for pct in ("50", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        out[f"p{pct}"] = ms(m.group(1), m.group(2)) if m else None
    m = re.search(r"(\d+) requests in", text)
    out["requests"] = int(m.group(1)) if m else 0
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    out["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors:.*timeout (\d+)", text)
    out["timeouts"] = int(m.group(1)) if m else 0
    return out


def run_http(workspace: Path, w: Workload, *, seconds: int = 15, connections: int = 32) -> dict[str, Any]:
    """Requests per second and latencies for entity lookup and shortest path."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return {"error": "wrk is not installed (Debian: apt-get install wrk)"}
    port = _port()
    env = dict(
        os.environ, CRYPTOKG_WORKSPACE=str(workspace), CRYPTOKG_STORE="embedded", CRYPTOKG_QUERY_TIMEOUT="120"
    )
    log = open(Path(tempfile.gettempdir()) / f"cryptokg-bench-uvicorn-{port}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.main:create_app",
            "--factory",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://{HOST}:{port}"
    out: dict[str, Any] = {"connections": connections, "seconds": seconds, "wrk": _wrk_version(wrk)}
    try:
        t0 = time.perf_counter()
        ready = False
        while time.perf_counter() - t0 < 600 and proc.poll() is None:
            if _get(f"{base}/api/v1/entities/{quote(w.entity_ids[0])}", 150) == 200:
                ready = True
                break
            time.sleep(0.5)
        out["ready_s"] = time.perf_counter() - t0
        if not ready:
            out["error"] = "the API did not answer"
            return out
        paths = {
            "entity": [f"/api/v1/entities/{quote(i)}" for i in w.entity_ids[:1000]],
            "shortest": [
                f"/api/v1/paths?source={quote(a)}&target={quote(b)}&max_hops={MAX_HOPS}" for a, b in w.pairs
            ],
        }
        for name, urls in paths.items():
            for u in urls[:20]:
                _get(base + u, 60)
            script = Path(tempfile.gettempdir()) / f"cryptokg-bench-{name}-{port}.lua"
            script.write_text(LUA % ", ".join(f'"{u}"' for u in urls))
            cmd = [
                wrk,
                "-t1",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "--timeout",
                "10s",
                "-s",
                str(script),
                base,
            ]
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
            out[name] = _parse(run.stdout + run.stderr)
            script.unlink(missing_ok=True)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)
        log.close()
    return out


def _wrk_version(wrk: str) -> str:
    run = subprocess.run([wrk, "-v"], capture_output=True, text=True, timeout=10)
    first = (run.stdout + run.stderr).strip().splitlines()
    return first[0] if first else "wrk"
