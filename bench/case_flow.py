"""Benchmark: a case from create to `completed` on the local stack: its own AWS calls, and its time.

Prints, each beside its target (issue 10 point 3) and the ratio measured / target:
- the service's OWN AWS calls (the cases and idempotency tables, Step Functions calls
  made by our code, SNS, S3) for a one-matter immediate case (`activate`) from
  `POST /cases` to `completed`, for create and for submit alone, and per extra matter
  (from the three-matter immediate case). The simulators' calls (their table) and the
  local engine's Lambda invokes (moto's Step Functions running our task Lambdas) are
  counted apart; what the task Lambdas call themselves is our own. Calls are counted
  with a botocore hook on the default session, which every client here (moto's
  engine included) is created from. Create and submit send an `Idempotency-Key`, as a
  careful front-end does.
- API create+submit latency against a bare Chalice route doing one PutItem on the
  same moto setup, measured side by side in one run (alternating pairs, median of
  the pairs' ratios); and the same again with DynamoDB on DynamoDB Local for both
  sides (`make run`'s DynamoDB; skipped without Java);
- the median (and p90) wall time from `POST /submit` to `completed`.

The bench prints; it asserts nothing. Run: make bench (BENCH_RUNS=n for fewer timing runs).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time
import uuid
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["SSCARD_STAGE"] = "local"
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")  # no metric lines between the figures
warnings.filterwarnings("ignore", message="No application metrics to publish")

import boto3  # noqa: E402
from chalice import Chalice  # noqa: E402
from chalice.test import Client  # noqa: E402

from chalicelib import localstack, wiring  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "20"))
LATENCY_PAIRS = int(os.environ.get("BENCH_LATENCY_PAIRS", "15"))
LI_QIANG = "341003199002150037"  # an issued card: `activate` passes on a fresh stack
ONE_MATTER = [{"code": "activate"}]
THREE_MATTERS = [  # the largest all-immediate case the combination rules allow
    {"code": "info_change", "form": {"address": "黄山市黄山区新华路2号"}},
    {"code": "activate"},
    {"code": "status_query"},
]

# --- counting: who made each AWS call -------------------------------------------------

calls: Counter[tuple[str, str, str]] = Counter()  # (phase, kind, "service.Operation")
counting = threading.Event()
phase = {"now": "idle"}  # the API request running in the main thread: "create" or "submit"


def _tables(params: dict) -> set[str]:
    if "TableName" in params:
        return {params["TableName"]}
    if "TransactItems" in params:
        return {next(iter(item.values()))["TableName"] for item in params["TransactItems"]}
    return set(params.get("RequestItems", {}))


def kind_of(service: str, operation: str, params: dict) -> str:
    """`own`, `simulators` (their table) or `engine` (the local engine's Lambda invokes)."""
    if service == "lambda" and operation == "Invoke":
        return "engine"
    if service == "dynamodb" and _tables(params) == {wiring.services().settings.simulator_table}:
        return "simulators"
    return "own"


def count_call(event_name: str, params: dict, **_: object) -> None:
    if not counting.is_set():
        return
    _, service, operation = event_name.split(".", 2)
    # the API runs in the main thread; the engine runs the case (and our task Lambdas) in its own
    where = phase["now"] if threading.current_thread() is threading.main_thread() else "run"
    calls[(where, kind_of(service, operation, params), f"{service}.{operation}")] += 1


def hook_calls() -> None:
    # Clients copy the session's hooks when they are made: hook the session, then let the
    # service make its clients afresh.
    boto3._get_default_session().events.register("before-parameter-build", count_call, unique_id="bench-count-calls")
    wiring.reset()


def own(counted: Counter, where: str | None = None) -> int:
    return sum(n for (p, kind, _), n in counted.items() if kind == "own" and where in (None, p))


# --- driving the API -------------------------------------------------------------------


def execution_status(case_id: str) -> str | None:
    """Read the execution from moto's backend directly, so polling makes no AWS call."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    backend = stepfunctions_parser_backends[DEFAULT_ACCOUNT_ID][localstack.REGION]
    for execution in backend._get_executions():
        if execution.name == case_id:
            return execution.status
    return None


def wait_finished(case_id: str) -> None:
    while execution_status(case_id) not in ("SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"):
        time.sleep(0.002)


def headers_of(client: Client, resident_id: str) -> dict[str, str]:
    token = client.http.post(
        "/dev/token", headers={"Content-Type": "application/json"}, body=json.dumps({"sub": resident_id, "roles": ["citizen"]})
    ).json_body["token"]
    return {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}


def create_and_submit(client: Client, headers: dict[str, str], matters: list[dict]) -> str:
    """POST /cases, then POST /cases/{id}/submit, each with its own Idempotency-Key; answers the case id."""
    body = {
        "consent": {"notice_version": "2023.1", "agreed": True},
        "matters": matters,
        "contact": {"phone": "13905590002", "address": "黄山市黄山区"},
    }
    phase["now"] = "create"
    created = client.http.post("/cases", headers={**headers, "Idempotency-Key": str(uuid.uuid4())}, body=json.dumps(body))
    if created.status_code != 201:
        raise RuntimeError(f"create answered {created.status_code}: {created.body!r}")
    case_id = created.json_body["case_id"]
    phase["now"] = "submit"
    submitted = client.http.post(f"/cases/{case_id}/submit", headers={**headers, "Idempotency-Key": str(uuid.uuid4())}, body="")
    phase["now"] = "idle"
    if submitted.status_code != 202:
        raise RuntimeError(f"submit answered {submitted.status_code}: {submitted.body!r}")
    return case_id


def one_case(application: Chalice, matters: list[dict], count: bool) -> tuple[float, Counter]:
    """A fresh stack (the card is `issued` again), one case to its end; answers (submit -> completed, calls)."""
    stack = localstack.start()
    hook_calls()
    try:
        with Client(application, stage_name="local") as client:
            headers = headers_of(client, LI_QIANG)
            calls.clear()
            if count:
                counting.set()
            case_id = create_and_submit(client, headers, matters)
            submitted = time.perf_counter()
            wait_finished(case_id)
            elapsed = time.perf_counter() - submitted
            counting.clear()
            status = client.http.get(f"/cases/{case_id}", headers=headers).json_body["status"]
            if status != "completed":
                raise RuntimeError(f"the case ended {status}")
            return elapsed, Counter(calls)
    finally:
        stack.stop()


# --- the bare route: Chalice + one PutItem -------------------------------------------------


def bare_app() -> Chalice:
    """The yardstick: a Chalice route that parses a JSON body and makes one PutItem, on the same moto setup."""
    settings = wiring.services().settings
    _, config = wiring._boto3()  # the service's own client settings
    table = boto3.resource("dynamodb", region_name=settings.region, config=config, endpoint_url=settings.dynamodb_endpoint_url).Table(
        settings.cases_table
    )
    bare = Chalice(app_name="bare")

    @bare.route("/items", methods=["POST"])
    def put_item() -> dict:
        item = bare.current_request.json_body or {}
        table.put_item(Item={**item, "pk": f"BENCH#{uuid.uuid4()}", "sk": "ITEM"})
        return {"stored": True}

    return bare


def latency(application: Chalice, dynamodb: str | None = None) -> tuple[float, float, float]:
    """(median create+submit s, median bare route s, median of the pairs' ratios), alternating on one stack.

    `dynamodb="memory"`: both sides on DynamoDB Local (in memory) instead of moto's DynamoDB.
    """
    stack = localstack.start(dynamodb=dynamodb)
    try:
        with Client(application, stage_name="local") as client, Client(bare_app()) as bare:
            # `status_query` passes for everyone; each pair is another person's, as in real use (a
            # person has a few cases, not one more every second)
            residents = json.loads((ROOT / wiring.services().settings.residents_file).read_text(encoding="utf-8"))["residents"]
            people = [headers_of(client, r["id_number"]) for r in residents]
            api_times, bare_times, ratios = [], [], []
            for pair in range(LATENCY_PAIRS + 1):  # the first pair warms both up and is not counted
                started = time.perf_counter()
                case_id = create_and_submit(client, people[pair % len(people)], [{"code": "status_query"}])
                api = time.perf_counter() - started
                wait_finished(case_id)  # the engine's thread is idle again before the bare call is timed
                started = time.perf_counter()
                answer = bare.http.post("/items", headers={"Content-Type": "application/json"}, body=json.dumps({"n": pair}))
                plain = time.perf_counter() - started
                if answer.status_code != 200:
                    raise RuntimeError(f"the bare route answered {answer.status_code}")
                if pair:
                    api_times.append(api)
                    bare_times.append(plain)
                    ratios.append(api / plain)
            return statistics.median(api_times), statistics.median(bare_times), statistics.median(ratios)
    finally:
        stack.stop()


def latency_on_dynamodb_local(application: Chalice) -> tuple[float, float, float] | None:
    from chalicelib.dynamodb_local import DynamoDBLocalUnavailable

    try:
        return latency(application, dynamodb="memory")
    except DynamoDBLocalUnavailable:
        return None


# --- report -------------------------------------------------------------------------------------


def row(label: str, measured: float, target: float, unit: str = "") -> None:
    ratio = measured / target
    verdict = "met" if measured <= target else "NOT MET"
    print(f"  {label:<62} {measured:>7.1f}{unit:<2} target <= {target:g}{unit:<2} ratio {ratio:4.2f}  {verdict}")


def breakdown(counted: Counter) -> None:
    for (where, kind, call), n in sorted(counted.items(), key=lambda kv: (kv[0][1], kv[0][0], -kv[1])):
        print(f"      {kind:<10} {where:<6} {n:3d}  {call}")


def main() -> None:
    import app as application

    _, one = one_case(application.app, ONE_MATTER, count=True)
    _, three = one_case(application.app, THREE_MATTERS, count=True)
    api, plain, ratio = latency(application.app)
    on_dynamodb_local = latency_on_dynamodb_local(application.app)

    print("\nIssue 10 targets (own AWS calls: cases + idempotency tables, Step Functions by our code, SNS, S3)")
    row("own calls: activate case, create -> completed", own(one), 12)
    row("own calls per extra matter (3 immediate matters vs 1)", (own(three) - own(one)) / 2, 4)
    row("own calls: create (POST /cases, Idempotency-Key)", own(one, "create"), 3)
    row("own calls: submit (POST /cases/{id}/submit, Idempotency-Key)", own(one, "submit"), 3)
    row("API create+submit / bare Chalice route + one PutItem (median)", ratio, 4, "x")
    print(f"    (create+submit median {api * 1000:.1f} ms, bare route median {plain * 1000:.1f} ms, {LATENCY_PAIRS} alternating pairs)")
    if on_dynamodb_local is None:
        print("  (DynamoDB Local not available here: its latency ratio was not measured)")
    else:
        api_ddb, plain_ddb, ratio_ddb = on_dynamodb_local
        row("the same, both sides on DynamoDB Local (make run's DynamoDB)", ratio_ddb, 4, "x")
        print(f"    (create+submit median {api_ddb * 1000:.1f} ms, bare route median {plain_ddb * 1000:.1f} ms)")
    for label, counted in (("one matter (activate)", one), ("three immediate matters (info_change + activate + status_query)", three)):
        apart = {k: sum(n for (_, kind, _), n in counted.items() if kind == k) for k in ("simulators", "engine")}
        print(f"\n  {label}: {own(counted)} own calls, {apart['simulators']} simulator calls, {apart['engine']} engine Lambda invokes")
        breakdown(counted)

    for label, matters in (("one matter (activate)", ONE_MATTER), ("three immediate matters", THREE_MATTERS)):
        times = sorted(one_case(application.app, matters, count=False)[0] for _ in range(RUNS))
        p90 = times[max(int(RUNS * 0.9) - 1, 0)]
        print(f"\n{label}: submit -> completed over {RUNS} runs")
        print(f"  median {statistics.median(times) * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms, min {times[0] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
