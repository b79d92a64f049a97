"""Benchmark: the deadline job's cost for 100 versus 10,000 open cases, 10 of them due.

The job reads the index `ByDue` only up to now + the warning window, so what it reads
should stay the same when the number of open cases grows. Prints the job's wall time
(median of 5 runs at a moment where the same 10 reviews are due) and the DynamoDB
items it read (ScannedCount of its queries, and its AWS calls by operation).

Target (issue 10, point 3): the job makes 0 writes for waits already alerted at their
level. The 5 measured runs come after a first run that alerted all 10 due waits, so
every write they make is one for an already-alerted wait; printed per run beside the
target, with the 10,000-case figures as ratios of the 100-case ones (1.0x: the job's
cost does not grow with the number of open cases).

Run: make bench
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["SSCARD_STAGE"] = "local"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import boto3  # noqa: E402

from chalicelib import localstack, wiring  # noqa: E402
from chalicelib.domain.workdays import SHANGHAI  # noqa: E402

NOW = datetime(2026, 12, 8, 20, 0, tzinfo=SHANGHAI)
DUE_SOON = NOW + timedelta(hours=2)  # inside the 4-hour warning window
DUE_LATER = NOW + timedelta(days=7)
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")
TARGET_WRITES_PER_RUN = 0
calls: Counter[str] = Counter()


def count(event_name: str, **_: object) -> None:
    calls[event_name.split(".", 2)[2]] += 1


def seed(table, open_cases: int, due: int) -> None:
    """Open cases, each with one pending review; `due` of them due soon."""
    with table.batch_writer() as batch:
        for i in range(open_cases):
            case_id = str(uuid.uuid4())
            due_at = (DUE_SOON if i < due else DUE_LATER).isoformat()
            pk = f"CASE#{case_id}"
            batch.put_item(Item={"pk": pk, "sk": "CASE", "entity": "case", "case_id": case_id, "status": "processing", "version": 2})
            batch.put_item(
                Item={
                    "pk": pk,
                    "sk": "WAIT#apply",
                    "entity": "wait",
                    "review_id": f"{case_id}.apply",
                    "case_id": case_id,
                    "matter": "apply",
                    "task_token": "token",
                    "department": "hr",
                    "district": "341003",
                    "due_at": due_at,
                    "expires_at": (DUE_LATER + timedelta(days=10)).isoformat(),
                    "status": "pending",
                    "version": 1,
                    "gsi2pk": "REVIEW#hr#341003",
                    "gsi2sk": f"{due_at}#{case_id}#apply",
                    "gsi3pk": "OPEN_WAIT",
                    "gsi3sk": f"{due_at}#{case_id}#apply",
                }
            )


def measure(open_cases: int, backend: str, endpoint: str | None) -> dict[str, float]:
    from chalicelib.services.deadlines import run_deadline_alerts

    if endpoint:
        os.environ["SSCARD_DYNAMODB_ENDPOINT_URL"] = endpoint
    else:
        os.environ.pop("SSCARD_DYNAMODB_ENDPOINT_URL", None)
    stack = localstack.start()
    try:
        services = wiring.services()
        seed(services.store._table, open_cases, due=10)
        # once per session, however many measurements: a second registration would count every call twice
        boto3._get_default_session().events.register("before-call", count, unique_id="bench-deadline-count")
        wiring.reset()
        services = wiring.services()
        first = run_deadline_alerts(services, NOW)  # sends the 10 warnings
        assert len(first["warning"]) == 10, first
        times, reads, writes = [], [], []
        for _ in range(5):
            calls.clear()
            started = time.perf_counter()
            result = run_deadline_alerts(services, NOW)  # the steady state: nothing new to send
            times.append(time.perf_counter() - started)
            reads.append(result["items_read"])
            writes.append(sum(calls[operation] for operation in WRITES))
            assert result["warning"] == [] and result["overdue"] == [], result
        writes_per_run = statistics.median(writes)
        print(
            f"\n[{backend}] {open_cases:>6} open cases, 10 due: job median {statistics.median(times) * 1000:.1f} ms, "
            f"items read {reads[0]}, AWS calls {dict(calls)}"
        )
        print(f"        first run (sends 10 warnings): {len(first['warning'])} alerts, items read {first['items_read']}")
        if endpoint:  # a fresh database for the next measurement
            client = services.client("dynamodb")
            for name in client.list_tables()["TableNames"]:
                client.delete_table(TableName=name)
    finally:
        stack.stop()
    return {"ms": statistics.median(times) * 1000, "items_read": reads[0], "writes": writes_per_run}


def summary(backend: str, small: dict[str, float], large: dict[str, float]) -> None:
    """The 10,000-case figures beside the 100-case ones, and the writes beside their target."""
    print(f"\n[{backend}] 10,000 vs 100 open cases (10 due, all already alerted):")
    print(f"        job time    {large['ms']:8.1f} ms vs {small['ms']:.1f} ms: {large['ms'] / small['ms']:.1f}x")
    print(f"        items read  {large['items_read']:8g}    vs {small['items_read']:g}: {large['items_read'] / small['items_read']:.1f}x")
    for label, figures in (("100", small), ("10,000", large)):
        met = "met" if figures["writes"] <= TARGET_WRITES_PER_RUN else "NOT met"
        print(f"        writes per run, waits already alerted ({label}): {figures['writes']:g}, target {TARGET_WRITES_PER_RUN}: {met}")


if __name__ == "__main__":
    summary("moto", *(measure(n, "moto", None) for n in (100, 10_000)))
    # moto evaluates an index query by walking every item; DynamoDB Local shows what
    # DynamoDB does with the same query.
    from tests import dynamodb_local

    try:
        with dynamodb_local.running() as url:
            summary("DynamoDB Local", *(measure(n, "DynamoDB Local", url) for n in (100, 10_000)))
    except RuntimeError as error:
        print(f"\n(DynamoDB Local not measured: {error})")
