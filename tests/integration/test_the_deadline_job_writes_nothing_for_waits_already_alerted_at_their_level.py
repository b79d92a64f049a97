"""The deadline job alerts each wait once per level, and a wait already alerted at its level costs it no write (issue 10, point 3).

The waits are put on the job's list the way a reviewed matter's task puts them (the
store's `open_wait`), and the job runs at chosen moments; every DynamoDB call of the
store and every alert SNS publishes is counted. Overlapping runs and an alert SNS refused:
tests/service/test_the_deadline_job_alerts_once_when_runs_overlap_and_again_after_sns_refused.py.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, timedelta

import pytest

from chalicelib import localstack
from chalicelib.domain.outcomes import Event
from chalicelib.services.deadlines import run_deadline_alerts
from chalicelib.wiring import services

DUE = datetime.fromisoformat("2026-12-09T23:59:59+08:00")
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


class CountedCalls:
    """The store's DynamoDB calls by operation, from a botocore hook on its client."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        services().store._table.meta.client.meta.events.register("before-call.dynamodb", self._count)

    def _count(self, event_name: str, **_: object) -> None:
        self.calls[event_name.rsplit(".", 1)[-1]] += 1

    def writes(self) -> int:
        return sum(n for operation, n in self.calls.items() if operation in WRITES)

    def clear(self) -> None:
        self.calls.clear()


def open_wait(matter: str = "apply", due_at: datetime = DUE) -> str:
    """A pending department wait on the deadline job's list; answers its review id."""
    case_id = str(uuid.uuid4())
    wait = {
        "review_id": f"{case_id}.{matter}",
        "case_id": case_id,
        "matter": matter,
        "task_token": f"token-{case_id}",
        "department": "hr",
        "district": "341003",
        "due_at": due_at.isoformat(),
        "expires_at": (due_at + timedelta(days=7)).isoformat(),
        "submitted_at": (due_at - timedelta(days=1)).isoformat(),
        "status": "pending",
    }
    services().store.create(
        {
            "case_id": case_id,
            "person_key": "k",
            "created_at": wait["submitted_at"],
            "status": "processing",
            "matter_status": {matter: "pending"},
            "contact": {"phone": "13905590002", "address": "黄山"},
        },
        [{"code": matter, "status": "pending"}],
        {"kind": "created", "text": "案件已创建"},
    )
    assert services().store.open_wait(case_id, matter, wait, department="hr", district="341003", event=Event("awaiting_review", "待审核"))
    return wait["review_id"]


def alerts() -> list[dict]:
    return [m for m in localstack.outbox() if m["channel"] == "topic"]


@pytest.fixture
def counted(stack) -> CountedCalls:
    return CountedCalls()


def test_a_second_run_over_the_same_overdue_waits_makes_no_write_and_sends_no_second_alert(counted):
    reviews = sorted(open_wait() for _ in range(3))
    before = len(alerts())
    counted.clear()
    first = run_deadline_alerts(services(), DUE + timedelta(minutes=5))
    assert sorted(first["overdue"]) == reviews and first["warning"] == []
    assert counted.writes() == 3  # one conditional update per wait alerted
    assert len(alerts()) - before == 3

    counted.clear()
    second = run_deadline_alerts(services(), DUE + timedelta(hours=2))
    assert second["overdue"] == [] and second["overdue_open"] == 3
    assert counted.writes() == 0, counted.calls
    assert len(alerts()) - before == 3
