"""Benchmark: the cold start of each Lambda entry point, and the size of the deployment zip.

Every function of the template imports `app` (the authorizer imports `infra.authorizer`),
so the import of an entry point is most of a cold start. It is measured the way Lambda
runs it: the deployment zip unpacked (`/var/task`), a clean interpreter (`python -I -S`,
no site-packages) that writes no bytecode (Lambda's task directory is read-only, and the
zip ships none), and beside the zip the packages the Lambda Python runtime provides
(boto3, botocore and what botocore needs, linked from this venv). Each figure is the
median ratio over paired, alternating runs against the import of a bare Chalice app from
the same zip, so the machine's load cancels out of it.

Run: make bench (or `python bench/cold_start.py [--pairs 15] [--zip path/to/deployment.zip]`
to measure another build, e.g. the one before a change).
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BARE = 'from chalice import Chalice; app = Chalice("x")'
ENTRY_POINTS = {  # label -> (statement, the zip it runs from); `app` is the module of every handler but the authorizer's
    "import app": ("import app", "deployment.zip"),
    "import functions.workflow": ("import functions.workflow", "deployment.zip"),
    "import functions.jobs": ("import functions.jobs", "deployment.zip"),
    "import infra.authorizer": ("import infra.authorizer", "authorizer.zip"),  # its own zip (PyJWT)
}
# What the authorizer's first call costs besides its import: PyJWT and cryptography are imported then (issue 10), so
# this figure shows where that cost went. For information, no target: the statement is made by `first_token()`.
FIRST_TOKEN_LABEL = "infra.authorizer: import and first token"
IMPORT_TARGET = 3.0  # issue 10: each entry point's import <= 3x a bare Chalice app's
ZIP_TARGET_MB = 10.0  # issue 10: the deployment zip <= 10 MB
RUNTIME_PROVIDED = ("boto3", "s3transfer", "botocore", "urllib3", "dateutil", "six")  # the Lambda python3.11 runtime's

TIMED = """
import sys, time
sys.path[:0] = [{task!r}]
sys.path.append({runtime!r})
start = time.perf_counter()
{statement}
print(time.perf_counter() - start)
"""


def first_token() -> str:
    """Import the authorizer and verify one token against a key set given in memory (no network)."""
    import base64
    import json
    import time

    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = key.public_key().public_numbers()

    def b64(n: int) -> str:
        return base64.urlsafe_b64encode(n.to_bytes((n.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()

    jwks = {"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "n": b64(numbers.n), "e": b64(numbers.e)}]}
    issuer = "https://id.example.gov.cn"
    claims = {"iss": issuer, "aud": "sscard", "sub": "342701198503120022", "roles": ["citizen"], "exp": int(time.time()) + 3600}
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
    return (
        "from infra import authorizer\n"
        f"keys = authorizer.KeySet({issuer!r}, {issuer + '/jwks'!r}, fetch=lambda url: {json.dumps(jwks)})\n"
        f"authorizer.verify({token!r}, keys, 'sscard')"
    )


def lambda_runtime(directory: Path) -> Path:
    """What the Lambda runtime puts beside the zip: links to this venv's SDK."""
    directory.mkdir()
    for name in RUNTIME_PROVIDED:
        source = Path(importlib.import_module(name).__file__)
        if source.name == "__init__.py":  # a package (six is a module)
            source = source.parent
        (directory / source.name).symlink_to(source)
    return directory


def import_seconds(statement: str, task: Path, runtime: Path) -> float:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "LAMBDA_TASK_ROOT": str(task),  # Powertools sees Lambda: tracing on, as deployed
        "AWS_DEFAULT_REGION": "cn-north-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "SSCARD_STAGE": "dev",
        "LOG_LEVEL": "WARNING",
    }
    code = TIMED.format(task=str(task), runtime=str(runtime), statement=statement)
    result = subprocess.run(  # noqa: S603 — our interpreter, our statement
        [sys.executable, "-I", "-S", "-B", "-c", code], cwd=task, env=env, capture_output=True, text=True, check=False, timeout=120
    )
    if result.returncode != 0:
        raise RuntimeError(f"{statement!r} failed from the zip:\n{result.stderr[-3000:]}")
    return float(result.stdout.split()[-1])


def paired_ratio(statement: str, task: Path, runtime: Path, pairs: int, bare_task: Path | None = None) -> tuple[float, float, float]:
    """Median of (entry / bare) over alternating runs; also both medians in seconds. The bare app is
    imported from `bare_task` (the deployment zip's, where Chalice is) when the entry has a zip of its own."""
    ratios, bare_times, entry_times = [], [], []
    for _ in range(pairs):
        bare = import_seconds(BARE, bare_task or task, runtime)
        entry = import_seconds(statement, task, runtime)
        ratios.append(entry / bare)
        bare_times.append(bare)
        entry_times.append(entry)
    return statistics.median(ratios), statistics.median(bare_times), statistics.median(entry_times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=15, help="paired runs per entry point (default 15)")
    parser.add_argument("--zip", type=Path, help="a deployment.zip to measure (default: the dev package, built if needed)")
    args = parser.parse_args(argv)
    if args.zip is None:
        from infra import build

        args.zip = build.package("dev", quiet=True) / "deployment.zip"

    megabytes = args.zip.stat().st_size / 1e6
    print(f"zip: {megabytes:.1f} MB (target <= {ZIP_TARGET_MB:.0f} MB, {megabytes / ZIP_TARGET_MB:.2f}x the target)  {args.zip}")
    with zipfile.ZipFile(args.zip) as archive:
        biggest: dict[str, int] = {}
        for info in archive.infolist():
            top = info.filename.split("/", 1)[0]
            biggest[top] = biggest.get(top, 0) + info.compress_size
    largest = sorted(biggest.items(), key=lambda kv: -kv[1])[:5]
    print("  largest parts: " + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in largest))

    work = Path(tempfile.mkdtemp(prefix="sscard-cold-start-"))
    try:
        tasks = {}
        for name in sorted({zip_name for _, zip_name in ENTRY_POINTS.values()}):
            tasks[name] = work / name.removesuffix(".zip")
            with zipfile.ZipFile(args.zip.parent / name if name != "deployment.zip" else args.zip) as archive:
                archive.extractall(tasks[name])
        runtime = lambda_runtime(work / "runtime")
        print(f"imports from the unpacked zips as Lambda runs them ({args.pairs} alternating pairs, median ratio):")
        for label, (statement, zip_name) in ENTRY_POINTS.items():
            ratio, bare, entry = paired_ratio(statement, tasks[zip_name], runtime, args.pairs, tasks["deployment.zip"])
            verdict = "met" if ratio <= IMPORT_TARGET else "NOT met"
            print(
                f"  {label}: {ratio:.1f}x bare chalice (target <= {IMPORT_TARGET:.0f}x, {verdict}; "
                f"{entry * 1000:.0f} ms vs {bare * 1000:.0f} ms on this machine now)"
            )
        ratio, bare, entry = paired_ratio(first_token(), tasks["authorizer.zip"], runtime, args.pairs, tasks["deployment.zip"])
        print(f"  {FIRST_TOKEN_LABEL}: {ratio:.1f}x bare chalice (for information; {entry * 1000:.0f} ms vs {bare * 1000:.0f} ms)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
