"""Benchmark: a case from submit to `completed` on the local stack, and its AWS calls.

Prints, for a one-matter case and for the largest all-immediate case the
combination rules allow, the median (and p90) wall time from `POST /submit` to
`completed` over 20 runs, and the AWS API calls one such case makes (counted with
a botocore `before-call` hook on the default session, which every client here,
moto's Step Functions engine included, is created from).

Run: make bench
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["SSCARD_STAGE"] = "local"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import boto3  # noqa: E402

calls: Counter[tuple[str, str]] = Counter()
counting = threading.Event()


def count_call(event_name: str, **_: object) -> None:
    if counting.is_set():
        _, service, operation = event_name.split(".", 2)
        calls[(service, operation)] += 1


from chalice.test import Client  # noqa: E402

from chalicelib import localstack, wiring  # noqa: E402

RUNS = 20
CASES = {
    "one matter (activate)": [{"code": "activate"}],
    "all immediate matters allowed together (info_change + activate + status_query)": [
        {"code": "info_change", "form": {"address": "黄山市黄山区新华路2号"}},
        {"code": "activate"},
        {"code": "status_query"},
    ],
}


def execution_status(stack: localstack.LocalStack, case_id: str) -> str | None:
    """Read the execution from moto's backend directly, so polling makes no AWS call."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    backend = stepfunctions_parser_backends[DEFAULT_ACCOUNT_ID][localstack.REGION]
    for execution in backend._get_executions():
        if execution.name == case_id:
            return execution.status
    return None


def one_run(client: Client, stack: localstack.LocalStack, matters: list[dict], count: bool) -> float:
    resident_id = "341003199002150037"  # 李强: an issued card
    token = client.http.post(
        "/dev/token", headers={"Content-Type": "application/json"}, body=json.dumps({"sub": resident_id, "roles": ["citizen"]})
    ).json_body["token"]
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    body = {
        "consent": {"notice_version": "2023.1", "agreed": True},
        "matters": matters,
        "contact": {"phone": "13905590002", "address": "黄山市黄山区"},
    }
    if count:
        calls.clear()
        counting.set()
    created = client.http.post("/cases", headers=headers, body=json.dumps(body))
    assert created.status_code == 201, created.body
    case_id = created.json_body["case_id"]
    started = time.perf_counter()
    assert client.http.post(f"/cases/{case_id}/submit", headers=headers, body="").status_code == 202
    while execution_status(stack, case_id) not in ("SUCCEEDED", "FAILED"):
        time.sleep(0.002)
    elapsed = time.perf_counter() - started
    counting.clear()
    status = client.http.get(f"/cases/{case_id}", headers=headers).json_body["status"]
    assert status == "completed", status
    return elapsed


def main() -> None:
    import app as application

    for label, matters in CASES.items():
        times = []
        counted: Counter[tuple[str, str]] = Counter()
        for run in range(RUNS):
            stack = localstack.start()  # a fresh stack: the card is `issued` again
            # Clients copy the session's hooks when they are made: hook the session, then
            # let the service make its clients afresh.
            boto3._get_default_session().events.register("before-call", count_call)
            wiring.reset()
            with Client(application.app, stage_name="local") as client:
                times.append(one_run(client, stack, matters, count=(run == 0)))
            if run == 0:
                counted = Counter(calls)
            stack.stop()
        times.sort()
        print(f"\n{label}: submit -> completed over {RUNS} runs")
        p90 = times[int(RUNS * 0.9) - 1]
        print(f"  median {statistics.median(times) * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms, min {times[0] * 1000:.0f} ms")
        total = sum(counted.values())
        print(f"  AWS API calls for one case (create + submit + run): {total}")
        for (service, operation), n in sorted(counted.items(), key=lambda kv: -kv[1]):
            print(f"    {n:4d}  {service}.{operation}")


if __name__ == "__main__":
    main()
