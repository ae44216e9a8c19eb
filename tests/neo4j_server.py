"""A real Neo4j 5 server for the test suite: Neo4j Community's test harness, from Maven Central.

``tests/neo4j_server/`` is a small Maven project: ``pom.xml`` names
``org.neo4j.test:neo4j-harness`` (``NEO4J_VERSION``, the 5.26 LTS) and
``src/main/java/cryptokg/Neo4jTestServer.java`` starts servers in one JVM on command. The first
run resolves the classpath with Maven (the jars land in ``~/.m2``; the classpath list and the
compiled launcher in ``tests/neo4j_server/target/``, git-ignored); later runs reuse both and need
no network.

One JVM (heap capped by ``NEO4J_TEST_HEAP``) hosts every server of the session: ``Neo4jServer``
asks it for a server of its own (own files, own Bolt port on 127.0.0.1, authentication on: user
``neo4j`` with a password, default database ``DATABASE``). ``Neo4jServer`` offers what
``tests.bolt_server.BoltServer`` offers (``uri``, ``user``, ``password``, ``version``,
``ensure_running()``, ``restart()``, ``is_answering()``, ``stop()``), so a test can take either.
The JVM exits when its stdin closes, so it never outlives the test process.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from tests.bolt_server import bolt_handshake

__all__ = [
    "DATABASE",
    "NEO4J_VERSION",
    "PROJECT",
    "Neo4jServer",
    "Neo4jServerUnavailable",
    "build_launcher",
    "launcher",
]

PROJECT = Path(__file__).resolve().parent / "neo4j_server"
TARGET = PROJECT / "target"
CLASSPATH_FILE = TARGET / "classpath.txt"
CLASSES = TARGET / "classes"
SOURCE = PROJECT / "src" / "main" / "java" / "cryptokg" / "Neo4jTestServer.java"
MAIN_CLASS = "cryptokg.Neo4jTestServer"
#: The default database of every test server (Community Edition has one user database).
DATABASE = "cryptokg"
DEFAULT_PASSWORD = "cryptokg-neo4j-test-pw"
#: Heap of the one JVM hosting the session's servers (the machine is shared).
HEAP = os.environ.get("NEO4J_TEST_HEAP", "1g")
#: Seconds allowed for Maven (first run: downloads), for the JVM, and for one server to start.
MAVEN_TIMEOUT = 1200.0
START_TIMEOUT = 180.0


def _pom_version() -> str:
    import re

    m = re.search(r"<neo4j.version>([^<]+)</neo4j.version>", (PROJECT / "pom.xml").read_text())
    return m.group(1) if m else "unknown"


#: The Neo4j version the launcher is built against (from ``pom.xml``).
NEO4J_VERSION = _pom_version()


class Neo4jServerUnavailable(RuntimeError):
    """Java or Maven is missing, the artifacts cannot be resolved, or a server would not start."""


def _tool(name: str) -> str:
    home = os.environ.get("JAVA_HOME")
    if name in ("java", "javac") and home and (Path(home) / "bin" / name).exists():
        return str(Path(home) / "bin" / name)
    found = shutil.which(name)
    if found is None:
        msg = f"{name!r} is not on PATH (the Neo4j test server needs a JDK 17+ and Maven)"
        raise Neo4jServerUnavailable(msg)
    return found


def _run(cmd: list[str], what: str, timeout: float) -> None:
    try:
        res = subprocess.run(cmd, cwd=PROJECT, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        msg = f"{what} took longer than {timeout:.0f}s: {' '.join(cmd[:3])} ..."
        raise Neo4jServerUnavailable(msg) from None
    if res.returncode != 0:
        tail = (res.stdout + res.stderr)[-3000:]
        msg = f"{what} failed (exit {res.returncode}): {' '.join(cmd[:4])} ...\n{tail}"
        raise Neo4jServerUnavailable(msg)


def _stale(product: Path, *inputs: Path) -> bool:
    if not product.exists():
        return True
    made = product.stat().st_mtime
    return any(p.stat().st_mtime > made for p in inputs)


def build_launcher() -> str:
    """Resolve the harness classpath (Maven, offline first) and compile the launcher; the classpath.

    Cheap when nothing changed: both products are reused while newer than their inputs.
    """
    TARGET.mkdir(exist_ok=True)
    with open(TARGET / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _stale(CLASSPATH_FILE, PROJECT / "pom.xml"):
            mvn = _tool("mvn")
            goal = ["dependency:build-classpath", f"-Dmdep.outputFile={CLASSPATH_FILE}"]
            try:
                _run([mvn, "-q", "-o", "-B", *goal], "Maven (offline)", MAVEN_TIMEOUT)
            except Neo4jServerUnavailable:
                _run([mvn, "-q", "-B", *goal], "Maven (resolving neo4j-harness)", MAVEN_TIMEOUT)
        classpath = CLASSPATH_FILE.read_text().strip()
        stamp = CLASSES / "cryptokg" / "Neo4jTestServer.class"
        if _stale(stamp, SOURCE, CLASSPATH_FILE):
            CLASSES.mkdir(parents=True, exist_ok=True)
            _run(
                [_tool("javac"), "-d", str(CLASSES), "-cp", classpath, str(SOURCE)],
                "javac",
                MAVEN_TIMEOUT,
            )
    return f"{CLASSES}{os.pathsep}{classpath}"


class _Launcher:
    """The JVM hosting the servers; commands on its stdin, answers read from its stdout."""

    def __init__(self) -> None:
        classpath = build_launcher()
        self.workdir = Path(tempfile.mkdtemp(prefix="cryptokg-neo4j-"))
        self.log_path = self.workdir / "jvm.log"
        self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed in close())
        self.proc = subprocess.Popen(
            [
                _tool("java"),
                f"-Xmx{HEAP}",
                "-XX:+UseSerialGC",
                "-cp",
                classpath,
                MAIN_CLASS,
                str(self.workdir),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            start_new_session=True,
        )
        self._answers: queue.Queue[str | None] = queue.Queue()
        self._cmd_lock = threading.Lock()
        threading.Thread(target=self._read, name="neo4j-launcher-stdout", daemon=True).start()
        first = self._answer(START_TIMEOUT)
        if not first.startswith("LAUNCHER"):
            self.close()
            msg = f"the Neo4j launcher did not start: {first}\n{self.log_tail()}"
            raise Neo4jServerUnavailable(msg)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("CRYPTOKG "):
                self._answers.put(line[len("CRYPTOKG ") :].strip())
        self._answers.put(None)

    def _answer(self, timeout: float) -> str:
        try:
            got = self._answers.get(timeout=timeout)
        except queue.Empty:
            return f"no answer within {timeout:.0f}s"
        return "the JVM exited" if got is None else got

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def command(self, line: str, timeout: float = START_TIMEOUT) -> str:
        with self._cmd_lock:
            if not self.alive or self.proc.stdin is None:
                msg = f"the Neo4j launcher JVM is not running\n{self.log_tail()}"
                raise Neo4jServerUnavailable(msg)
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
            return self._answer(timeout)

    def close(self) -> None:
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self._log.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


_launcher: _Launcher | None = None
_launcher_lock = threading.Lock()


def launcher() -> _Launcher:
    """The process's launcher JVM (started on first use, stopped at exit)."""
    global _launcher
    with _launcher_lock:
        if _launcher is None or not _launcher.alive:
            _launcher = _Launcher()
            atexit.register(_launcher.close)
        return _launcher


class Neo4jServer:
    """One Neo4j 5 server (in the shared launcher JVM) with Bolt on 127.0.0.1 and auth on."""

    kind = "neo4j"

    def __init__(self, *, password: str = DEFAULT_PASSWORD, database: str = DATABASE) -> None:
        self.user = "neo4j"
        self.password = password
        self.database = database
        self.bolt_port = 0
        self.server_id: int | None = None
        self.restarts = 0
        self._version = ""

    @property
    def uri(self) -> str:
        """``bolt://127.0.0.1:<port>``."""
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def version(self) -> str:
        """The server's Neo4j version, e.g. ``5.26.30`` (from ``dbms.components()``)."""
        return self._version

    def start(self) -> Neo4jServer:
        """Start the server (on the port it had before, else on a free one)."""
        if self.server_id is not None:
            return self
        jvm = launcher()
        reply = jvm.command(f"start {self.bolt_port} {self.password} {self.database}")
        words = reply.split()
        if len(words) != 4 or words[0] != "READY":
            msg = f"Neo4j did not come up: {reply}\n{jvm.log_tail()}"
            raise Neo4jServerUnavailable(msg)
        self.server_id, self.bolt_port, self._version = int(words[1]), int(words[2]), words[3]
        return self

    def is_answering(self, timeout: float = 2.0) -> bool:
        """True when the server runs and its Bolt port handshakes."""
        return self.server_id is not None and launcher().alive and bolt_handshake(self.bolt_port, timeout)

    def ensure_running(self) -> None:
        """Restart the server (same port) if it stopped or stopped answering."""
        if not self.is_answering():
            self.restart()

    def restart(self) -> None:
        """Stop the server and start a new empty one on the same port."""
        self._terminate()
        self.restarts += 1
        self.start()

    def _terminate(self) -> None:
        sid, self.server_id = self.server_id, None
        if sid is not None and _launcher is not None and _launcher.alive:
            reply = _launcher.command(f"stop {sid}", timeout=120)
            if reply != f"STOPPED {sid}":
                msg = f"Neo4j server {sid} did not stop: {reply}"
                raise Neo4jServerUnavailable(msg)

    def stop(self) -> None:
        """Stop the server and delete its files."""
        self._terminate()

    def __enter__(self) -> Neo4jServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
