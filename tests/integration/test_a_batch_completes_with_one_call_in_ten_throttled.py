"""Fault injection (issue 11): with one DynamoDB, SNS and Lambda call in ten throttled, a batch of cases
ends with every valid case completed, no outcome or SMS twice, none lost.

The throttles are AWS's own answers (DynamoDB `ThrottlingException`, SNS `Throttling`, Lambda 429
`TooManyRequestsException`), answered in moto's place (its botocore stubber, wrapped: a throttled
call does nothing, as AWS does), for the service's calls and the local engine's Lambda invokes
alike. (A separate before-send hook would not do: botocore calls every before-send handler, so
moto would still carry the call out and only its answer would be lost — another fault.) What gets through is the SDK's
retries, the state machine's Retry blocks, the outbox, and a client that sends a request again
with its Idempotency-Key when it gets no answer it can use (as bench/load.py does).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DEMO_RESIDENTS, finished

SERVICES = ("dynamodb", "sns", "lambda")
EVERY = 10  # one call in ten

_spec = importlib.util.spec_from_file_location("bench_load", Path(__file__).resolve().parents[2] / "bench" / "load.py")
assert _spec and _spec.loader
load = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = load
_spec.loader.exec_module(load)

_THROTTLED = {
    "dynamodb": (400, {"x-amzn-ErrorType": "ThrottlingException"}, b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'),
    "lambda": (429, {"x-amzn-ErrorType": "TooManyRequestsException"}, b'{"Type": "User", "message": "Rate exceeded"}'),
    "sns": (
        400,
        {"Content-Type": "text/xml"},
        b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>",
    ),
}


class _Raw:
    def __init__(self, body: bytes):
        self.body = body

    def stream(self, **_: Any):
        yield self.body


class Throttle:
    """In moto's place: answers one call in ten of each of SERVICES (the 4th, the 14th...) with the service's
    throttling error, unprocessed. Counted per service, so every service is throttled however the engine's
    threads interleave."""

    def __init__(self) -> None:
        self.on = False
        self.seen: Counter[str] = Counter()
        self.throttled: Counter[str] = Counter()
        self.passed: Counter[str] = Counter()
        self.lock = threading.Lock()

    def answer(self, request: Any, event_name: str) -> Any:
        """The throttling answer for this call, or None to let moto carry it out."""
        from botocore.awsrequest import AWSResponse

        service = event_name.split(".")[1]
        if not self.on or service not in SERVICES:
            return None
        with self.lock:
            self.seen[service] += 1
            throttled = self.seen[service] % EVERY == 4 % EVERY
            (self.throttled if throttled else self.passed)[service] += 1
        if not throttled:
            return None
        status, headers, body = _THROTTLED[service]
        return AWSResponse(request.url, status, {**headers, "x-amzn-RequestId": str(uuid.uuid4())}, _Raw(body))


@pytest.fixture
def throttle(stack: Any, monkeypatch: pytest.MonkeyPatch):
    from moto.core.botocore_stubber import BotocoreStubber

    hook = Throttle()
    moto_answers = BotocoreStubber.__call__  # the local stack's (serialised) stubber

    def throttled_or_carried_out(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        return hook.answer(request, event_name) or moto_answers(self, event_name, request, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", throttled_or_carried_out)
    try:
        yield hook
    finally:
        hook.on = False


def sent_again_until_answered(call: Any, ok: tuple[int, ...], attempts: int = 8) -> Any:
    """A careful client: a request that got no usable answer (5xx, 429, 409 still running) goes again, same key."""
    for _ in range(attempts):
        answer = call()
        if answer.status_code in ok:
            return answer
        assert answer.status_code in (409, 429, 500, 502, 503, 504), answer.body  # only a fault may go again
    raise AssertionError(f"no answer after {attempts} attempts: {answer.status_code} {answer.body!r}")


def test_every_case_of_a_batch_completes_once_with_one_call_in_ten_throttled(api, throttle):
    residents = json.loads(DEMO_RESIDENTS.read_text(encoding="utf-8"))["residents"]
    tokens = {r["id_number"]: api.token(r) for r in residents}
    notice = api.get("/notice").json_body["version"]
    throttle.on = True
    cases = {}
    for r in residents:  # a status query passes for everyone
        body = {
            "consent": {"notice_version": notice, "agreed": True},
            "matters": [{"code": "status_query"}],
            "contact": {"phone": r["phone"], "address": r["address"]},
        }
        key = {"Idempotency-Key": str(uuid.uuid4())}
        token = tokens[r["id_number"]]
        created = sent_again_until_answered(lambda: api.post("/cases", body, token, key), (201,))  # noqa: B023
        case_id = created.json_body["case_id"]
        key = {"Idempotency-Key": str(uuid.uuid4())}
        sent_again_until_answered(lambda: api.post(f"/cases/{case_id}/submit", None, token, key), (202,))  # noqa: B023
        cases[case_id] = token
    ended = {case_id: api.wait_for(case_id, token, finished, timeout=120) for case_id, token in cases.items()}
    throttle.on = False

    assert sum(throttle.throttled.values()) >= 20 and set(throttle.throttled) == set(SERVICES), (throttle.throttled, throttle.passed)
    assert Counter(c["status"] for c in ended.values()) == Counter({"completed": len(residents)})
    by_phone: dict[str, list[str]] = {}
    for sms in api.get("/dev/outbox").json_body["sent"]:
        if sms["channel"] == "sms":
            by_phone.setdefault(sms["to"].removeprefix("+86"), []).append(sms["text"])
    found = load.Findings()
    for r, case in zip(residents, ended.values(), strict=True):  # each resident has a phone of their own
        texts = by_phone.get(r["phone"], [])
        found += load.examine(case, texts)
        told = [load.sms_outcome(t, "status_query") for t in texts]
        assert told.count("succeeded") == 1, (r["name"], texts)  # told once, not lost
    assert not found.any(), found
