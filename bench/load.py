"""Load run: N citizens each create and submit a `status_query` case through C concurrent clients.

Against a running local stack (`make run`), then, once every case is terminal (or the time
bound is reached), it counts from each case's timeline (`GET /cases/{id}` as its owner) and
from the SMS sent (`GET /dev/outbox`; each citizen has their own phone number):

- contradictory outcomes: a matter whose timeline has more than one outcome event, or an
  outcome event its final status denies;
- duplicate SMS: more than one outcome SMS for one matter of a case, or more than one
  case summary SMS; contradictory SMS: a success and a failure SMS for one matter, or an
  outcome SMS its final status denies;
- pre-judgments after the case finished: a `prejudged`/`prejudgment_failed` event later
  than `finished`, or more than one;

and reports cases not terminal, the statuses, HTTP errors and resets, create/submit
latency and the time to all-terminal. Exits 1 when any of the first three is found.

A create or submit whose answer is lost (timeout, reset) or still running (409) is sent again
with the same Idempotency-Key, at most --attempts times, as a careful client would.

Bounded: every request by --timeout, load and wait together by --time-limit, the wait for
late messages by --settle-max. Outbox entries from before the run are left out, so the
stack may be reused; the citizens (resident IDs, phones) are the same on every run.

The machine's load average (1 min) is printed at the start and the end of the run: the
figures depend on what else runs there.

Run: make run PORT=8123 &  then  .venv/bin/python bench/load.py --url http://127.0.0.1:8123
(`make run` keeps DynamoDB on DynamoDB Local in `.data/`; `make reset` first for an empty one).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chalicelib.domain import messages  # noqa: E402
from chalicelib.domain.resident_id import check_character  # noqa: E402

TERMINAL = {"completed", "partially_completed", "rejected", "failed", "withdrawn"}
OUTCOME_EVENTS = {"matter_succeeded": "succeeded", "matter_failed": "failed", "matter_rejected": "rejected"}
PREJUDGMENT_EVENTS = {"prejudged", "prejudgment_failed"}
# The Huangshan districts (3410xx); birth dates from 1950 on, all before 1988 (the brief's citizens).
HUANGSHAN_REGIONS = ("341002", "341003", "341004", "341021", "341022", "341023", "341024")
FIRST_BIRTH = date(1950, 1, 1)
MAX_CITIZENS = 10_000  # four digits of phone number each; births stay before 1988


# --- the citizens -------------------------------------------------------------------


def resident_id(index: int) -> str:
    """A valid 18-character ID, one birth date per citizen so no two citizens share it."""
    born = FIRST_BIRTH + timedelta(days=index)
    first17 = f"{HUANGSHAN_REGIONS[index % len(HUANGSHAN_REGIONS)]}{born:%Y%m%d}{index % 1000:03d}"
    return first17 + check_character(first17)


def phone(index: int) -> str:
    return f"1770559{index:04d}"


# --- counting (pure: fed the cases and the SMS texts of each) -------------------------


@dataclass
class Findings:
    contradictory_outcomes: int = 0  # matters
    duplicate_sms: int = 0  # matters, and cases with more than one summary
    contradictory_sms: int = 0  # matters
    prejudgments_after_finish: int = 0  # cases

    def __add__(self, other: Findings) -> Findings:
        return Findings(*(a + b for a, b in zip(vars(self).values(), vars(other).values(), strict=True)))

    def any(self) -> bool:
        return any(vars(self).values())


def contradictory_outcomes(case: dict[str, Any]) -> list[str]:
    """The codes of the matters whose timeline has more than one outcome, or one that its final status denies."""
    bad = []
    for matter in case["matters"]:
        events = [e for e in case["timeline"] if e["kind"] in OUTCOME_EVENTS and e.get("matter") == matter["code"]]
        outcomes = [OUTCOME_EVENTS[e["kind"]] for e in events]
        if len(outcomes) > 1 or any(outcome != matter["status"] for outcome in outcomes):
            bad.append(matter["code"])
    return bad


def prejudged_after_finish(case: dict[str, Any]) -> bool:
    """More than one pre-judgment at submission, or one later than the case's end."""
    prejudgments = [datetime.fromisoformat(e["at"]) for e in case["timeline"] if e["kind"] in PREJUDGMENT_EVENTS]
    finished = [datetime.fromisoformat(e["at"]) for e in case["timeline"] if e["kind"] == "finished"]
    return len(prejudgments) > 1 or bool(finished and any(at > min(finished) for at in prejudgments))


def sms_outcome(text: str, code: str) -> str | None:
    """`succeeded` or `failed` when the text tells the outcome of that matter (the immediate matters' texts), else None."""
    if text.startswith(messages.matter_succeeded(code, "")):
        return "succeeded"
    if text.startswith(messages.matter_not_done(code, "")):
        return "failed"
    return None


def is_case_summary(text: str, case_id: str) -> bool:
    """The message sent when the case ends; the withdrawal notice shares its opening, which names the case."""
    any_status = messages.case_finished(case_id, next(iter(messages.CASE_STATUS_NAMES)), [])
    opening = any_status[: any_status.index("）") + 1]  # up to the case number, the same for every status
    return text.startswith(opening) and text != messages.case_withdrawn(case_id)


def sms_findings(case: dict[str, Any], texts: Iterable[str]) -> tuple[int, int]:
    """(duplicate, contradictory) SMS of one case, counted per matter (a repeated summary counts once as duplicate)."""
    texts = list(texts)
    duplicate = int(sum(is_case_summary(t, case["case_id"]) for t in texts) > 1)
    contradictory = 0
    for matter in case["matters"]:
        told = [o for o in (sms_outcome(t, matter["code"]) for t in texts) if o]
        duplicate += len(told) > 1
        final = "succeeded" if matter["status"] == "succeeded" else "failed" if matter["status"] in ("failed", "rejected") else None
        contradictory += len(set(told)) > 1 or any(o != final for o in told)
    return duplicate, contradictory


def examine(case: dict[str, Any], texts: Iterable[str]) -> Findings:
    duplicate, contradictory = sms_findings(case, texts)
    return Findings(len(contradictory_outcomes(case)), duplicate, contradictory, int(prejudged_after_finish(case)))


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else None


# --- the run ------------------------------------------------------------------------


class Http:
    """JSON over urllib; every non-2xx answer and network error is counted under its step."""

    def __init__(self, url: str, timeout: float):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.errors: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def call(
        self, step: str, method: str, path: str, body: Any = None, token: str | None = None, key: str | None = None
    ) -> tuple[int, Any] | None:
        """(status, JSON body or None) for an answer, None for a network error."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if key:
            headers["Idempotency-Key"] = key
        request = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            error.close()
            self._count(step, str(error.code))
            return error.code, None
        except (OSError, ValueError) as error:  # resets, refusals, timeouts, a body that is not JSON
            self._count(step, type(getattr(error, "reason", error)).__name__)
            return None

    def persist(self, end: float, attempts: int, step: str, method: str, path: str, **kwargs: Any) -> tuple[int, Any] | None:
        """As a careful client: a request lost on the way (or, with an idempotency key, still running: 409) is
        sent again after a growing pause, while time and attempts are left. Each failed attempt is counted."""
        answer = None
        for attempt in range(attempts):
            if time.monotonic() > end:
                break
            answer = self.call(step, method, path, **kwargs)
            if answer is not None and not (answer[0] == 409 and kwargs.get("key")):
                return answer
            if attempt + 1 < attempts:
                time.sleep(2**attempt)
        return answer

    def _count(self, step: str, kind: str) -> None:
        with self._lock:
            self.errors[(step, kind)] += 1


@dataclass
class Citizen:
    index: int
    token: str | None = None
    case_id: str | None = None
    create_s: float | None = None
    submit_s: float | None = None
    submit_sent: bool = False  # a submit whose answer was lost may still have started the run
    submitted: bool = False
    case: dict[str, Any] | None = None
    sms: list[str] = field(default_factory=list)


def act(http: Http, citizen: Citizen, run_id: str, notice_version: str, end: float, attempts: int) -> Citizen:
    """Token, create, submit, each once the one before it worked; create and submit carry an idempotency key
    so that a repeat after a lost answer gets the first answer. Latency is the citizen's: first attempt to answer."""
    i = citizen.index
    claims = {"sub": resident_id(i), "name": f"压测居民{i}", "phone_number": phone(i), "roles": ["citizen"]}
    answer = http.persist(end, attempts, "token", "POST", "/dev/token", body=claims)
    if not answer or answer[0] != 201:
        return citizen
    citizen.token = answer[1]["token"]
    body = {
        "consent": {"notice_version": notice_version, "agreed": True},
        "matters": [{"code": "status_query"}],
        "contact": {"phone": phone(i), "address": "安徽省黄山市屯溪区新安北路18号"},
    }
    started = time.perf_counter()
    answer = http.persist(end, attempts, "create", "POST", "/cases", body=body, token=citizen.token, key=f"{run_id}-create-{i}")
    if not answer or answer[0] != 201:
        return citizen
    citizen.create_s, citizen.case_id = time.perf_counter() - started, answer[1]["case_id"]
    started = time.perf_counter()
    citizen.submit_sent = time.monotonic() <= end
    path = f"/cases/{citizen.case_id}/submit"
    answer = http.persist(end, attempts, "submit", "POST", path, token=citizen.token, key=f"{run_id}-submit-{i}")
    if answer and answer[0] == 202:
        citizen.submitted, citizen.submit_s = True, time.perf_counter() - started
    return citizen


def read_case(http: Http, citizen: Citizen, step: str) -> dict[str, Any] | None:
    answer = http.call(step, "GET", f"/cases/{citizen.case_id}", token=citizen.token)
    return answer[1] if answer and answer[0] == 200 else None


def outbox(http: Http) -> list[dict[str, Any]]:
    answer = http.persist(time.monotonic() + 4 * http.timeout, 4, "outbox", "GET", "/dev/outbox")
    if not answer or answer[0] != 200:
        raise SystemExit(f"GET /dev/outbox failed ({answer and answer[0]}): is this the local stack?")
    return answer[1]["sent"]


def settle(http: Http, quiet: float, most: float) -> list[dict[str, Any]]:
    """The outbox once nothing new was sent for `quiet` seconds (at most `most`): a retry may still be running."""
    sent, since, stop = outbox(http), time.monotonic(), time.monotonic() + most
    while time.monotonic() - since < quiet and time.monotonic() < stop:
        time.sleep(0.5)
        now = outbox(http)
        if len(now) != len(sent):
            sent, since = now, time.monotonic()
    return sent


def run(args: argparse.Namespace) -> int:
    http = Http(args.url, args.timeout)
    answer = http.call("notice", "GET", "/notice")
    if not answer or answer[0] != 200:
        print(f"no answer from {args.url}/notice: start the stack with `make run`", file=sys.stderr)
        return 2
    before = {m["id"] for m in outbox(http)}
    run_id, version = uuid.uuid4().hex[:8], answer[1]["version"]  # a fresh key per run: the stack may be reused
    load_at_start = os.getloadavg()[0]
    started = time.monotonic()
    end = started + args.time_limit
    # the wait polls with fewer clients: reading must not slow the runs it waits for much
    with ThreadPoolExecutor(max_workers=args.clients) as pool, ThreadPoolExecutor(max_workers=min(args.clients, 10)) as poller:
        citizens = list(pool.map(lambda i: act(http, Citizen(i), run_id, version, end, args.attempts), range(args.citizens)))
        loaded = time.monotonic() - started
        waiting = [c for c in citizens if c.submit_sent]
        all_terminal = None
        while waiting and time.monotonic() < end:
            cases = list(poller.map(lambda c: read_case(http, c, "poll"), waiting))
            waiting = [c for c, case in zip(waiting, cases, strict=True) if not is_terminal(case)]
            if not waiting:
                all_terminal = time.monotonic() - started
            else:
                time.sleep(args.poll)
        sent = [m for m in settle(http, args.settle, args.settle_max) if m["id"] not in before and m["channel"] == "sms"]
        made = [c for c in citizens if c.case_id]
        for citizen, case in zip(made, pool.map(lambda c: read_case(http, c, "final read"), made), strict=True):
            citizen.case = case
    by_phone = {phone(c.index): c for c in citizens}
    for message in sent:
        if (owner := by_phone.get(message["to"][-11:])) is not None:
            owner.sms.append(message["text"])
    report(args, citizens, http, loaded, all_terminal, len(sent))
    print(f"  load average (1 min): {load_at_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    return 1 if any(found.any() for found in findings_by_case(citizens).values()) else 0


def is_terminal(case: dict[str, Any] | None) -> bool:
    return bool(case) and case["status"] in TERMINAL


def findings_by_case(citizens: list[Citizen]) -> dict[str, Findings]:
    return {c.case["case_id"]: examine(c.case, c.sms) for c in citizens if c.case}


def report(args: argparse.Namespace, citizens: list[Citizen], http: Http, loaded: float, all_terminal: float | None, sms: int) -> None:
    by_case = findings_by_case(citizens)
    found = sum(by_case.values(), Findings())
    cases = [c.case for c in citizens if c.case]
    statuses = Counter(case["status"] for case in cases)
    matters = Counter(f"{m['status']}/{m.get('reason_code') or '-'}" for case in cases for m in case["matters"])
    submitted = [c for c in citizens if c.submitted]
    print(f"\nload run: {args.citizens} citizens, {args.clients} clients, {args.url}")
    print(f"  {'check':<54}{'found':>7}{'target':>8}")
    rows = [
        ("matters with contradictory outcomes (timeline)", found.contradictory_outcomes),
        ("duplicate SMS (per case and matter, or case summary)", found.duplicate_sms),
        ("contradictory SMS (success and failure, or vs status)", found.contradictory_sms),
        ("cases pre-judged twice or after finishing", found.prejudgments_after_finish),
        ("cases sent to submit not terminal at the end", sum(1 for c in citizens if c.submit_sent and not is_terminal(c.case))),
        ("citizens without a submitted case (no 202)", len(citizens) - len(submitted)),
        ("HTTP errors and resets", sum(http.errors.values())),
    ]
    for label, count in rows:
        print(f"  {label:<54}{count:>7}{0:>8}")
    for kind in vars(found):
        if examples := [case_id for case_id, f in by_case.items() if getattr(f, kind)][:3]:
            print(f"  e.g. {kind.replace('_', ' ')}: {', '.join(examples)}")
    print(f"  case statuses: {dict(statuses.most_common())}")
    print(f"  matter outcomes (status/reason code): {dict(matters.most_common())}")
    if http.errors:
        print(f"  HTTP errors by step: {', '.join(f'{step} {kind}: {n}' for (step, kind), n in sorted(http.errors.items()))}")
    for step in ("create", "submit"):
        times = [t for c in citizens if (t := getattr(c, f"{step}_s")) is not None]
        p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
        if p50 is not None and p95 is not None:
            print(f"  {step} latency: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms ({len(times)} answered)")
    print(f"  create+submit of all citizens: {loaded:.1f} s; SMS sent during the run: {sms}")
    print(f"  time to all terminal: {f'{all_terminal:.1f} s' if all_terminal is not None else f'not reached in {args.time_limit:.0f} s'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--citizens", type=int, default=200)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=60, help="seconds per request")
    parser.add_argument("--attempts", type=int, default=5, help="tries of a request lost on the way (with a growing pause)")
    parser.add_argument("--time-limit", type=float, default=600, help="seconds for load and wait together")
    parser.add_argument("--poll", type=float, default=2, help="seconds between rounds of reading the open cases")
    parser.add_argument("--settle", type=float, default=5, help="seconds without a new SMS before the outbox is read")
    parser.add_argument("--settle-max", type=float, default=60, help="most seconds to wait for the outbox to settle")
    args = parser.parse_args(argv)
    if not 1 <= args.citizens <= MAX_CITIZENS or args.clients < 1:
        parser.error(f"--citizens must be 1..{MAX_CITIZENS}, --clients at least 1")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
