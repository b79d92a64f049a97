"""The reconciler at service level: the in-memory case store, a workflow whose runs are what the test says.

No case stays submitted or processing without a running run: a lost or aborted run is
followed by the next one (once, whoever else reconciles), a run never started is started,
and after the last allowed run the case fails visibly — every open matter failed, the
applicant told once, the operators alerted once. Finished cases leave the list.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.adapters.memory_cases import InMemoryCaseStore
from chalicelib.domain.workdays import WorkingDayCalendar
from chalicelib.services.reconcile import run_reconcile
from chalicelib.settings import Settings
from chalicelib.wiring import Services

SUBMITTED = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
LATER = SUBMITTED + timedelta(minutes=10)  # past the 5-minute grace
CASE = "00000000-0000-4000-8000-000000000001"


class Runs:
    """The workflow: each (case, run)'s status as the test sets it; starts are recorded (and run)."""

    def __init__(self) -> None:
        self.status: dict[tuple[str, int], str] = {}
        self.started: list[tuple[str, int]] = []

    def describe(self, case_id: str, run: int = 0) -> dict[str, Any] | None:
        status = self.status.get((case_id, run))
        return {"status": status} if status else None

    def start(self, case_id: str, facts: dict | None = None, run: int = 0) -> str:
        assert facts is not None and facts["case_id"] == case_id  # the run gets the case's facts
        self.started.append((case_id, run))
        self.status[case_id, run] = "RUNNING"
        return f"arn:{case_id}:{run}"


class Phone:
    def __init__(self) -> None:
        self.sms: list[tuple[str, str]] = []
        self.alerts: list[tuple[str, str]] = []

    def send_sms(self, phone: str, text: str) -> str:
        self.sms.append((phone, text))
        return f"sms-{len(self.sms)}"

    def alert_department(self, department: str, district: str, level: str, subject: str, text: str) -> str:
        self.alerts.append((department, subject))
        return f"alert-{len(self.alerts)}"


@pytest.fixture
def services() -> Services:
    built = Services(Settings(stage="test"), clock=lambda: LATER)
    built.store = InMemoryCaseStore(clock=built.now)  # the cached adapters, set instead of built
    built.workflow = Runs()
    built.notifier = Phone()
    built.calendar = WorkingDayCalendar()
    return built


def a_case(services: Services, status: str = "processing", *, submitted_at: datetime = SUBMITTED, case_id: str = CASE) -> str:
    store = services.store
    store.create(
        {
            "case_id": case_id,
            "person_key": "person-a",
            "id_number": "341003199002150037",
            "created_at": "2026-12-08T01:00:00.000+00:00",
            "status": "draft",
            "matter_codes": ["activate", "status_query"],
            "contact": {"phone": "13905590002", "address": "黄山"},
        },
        [{"code": "activate", "status": "pending", "form": {}}, {"code": "status_query", "status": "pending", "form": {}}],
        {"kind": "created", "text": "案件已创建"},
    )
    at = submitted_at.isoformat(timespec="milliseconds")
    store.submit(case_id, 1, {"status": "submitted", "submitted_at": at}, {"kind": "submitted", "text": "案件已提交"})
    if status == "processing":
        from chalicelib.domain.outcomes import Event

        assert store.begin_processing(case_id, ["activate", "status_query"], {}, Event("prejudged", "开始办理"), {"passed": True})
    return case_id


def test_a_case_whose_run_is_running_is_left_alone(services):
    services.workflow.status[a_case(services), 0] = "RUNNING"
    assert run_reconcile(services, LATER)["running"] == 1
    assert services.workflow.started == []


def test_a_case_submitted_within_the_grace_period_is_not_looked_at(services):
    a_case(services, submitted_at=LATER - timedelta(minutes=1))
    assert run_reconcile(services, LATER)["read"] == 0
    assert services.workflow.started == []


def test_a_submitted_case_whose_run_never_started_is_started(services):
    a_case(services, "submitted")
    assert run_reconcile(services, LATER)["started"] == 1
    assert services.workflow.started == [(CASE, 0)]


@pytest.mark.parametrize("ended", ["FAILED", "ABORTED", "TIMED_OUT", "SUCCEEDED"])
def test_a_run_over_while_the_case_is_open_is_followed_by_the_next_run_once(services, ended):
    services.workflow.status[a_case(services), 0] = ended
    assert run_reconcile(services, LATER)["resumed"] == 1
    assert services.workflow.started == [(CASE, 1)]
    assert services.store.get_case_item(CASE)["run"] == 1
    assert run_reconcile(services, LATER)["running"] == 1  # the next pass finds run 1 running
    assert services.workflow.started == [(CASE, 1)]


def test_two_reconcilers_at_once_start_one_next_run(services):
    services.workflow.status[a_case(services), 0] = "ABORTED"
    listed = services.store.unfinished_cases("2099")[0]
    assert services.store.next_run(CASE, 0)  # the other reconciler, between this one's read and its write
    from chalicelib.services import reconcile

    assert reconcile._reconcile_case(services, listed[0]) == "running"
    assert services.workflow.started == []


def test_after_the_last_run_the_case_fails_visibly_and_the_applicant_and_operators_are_told_once(services):
    services.workflow.status[a_case(services), 0] = "FAILED"
    run_reconcile(services, LATER)  # run 1
    services.workflow.status[CASE, 1] = "FAILED"
    run_reconcile(services, LATER)  # run 2
    services.workflow.status[CASE, 2] = "ABORTED"
    assert run_reconcile(services, LATER)["failed"] == 1  # 3 runs in all: no fourth
    assert services.workflow.started == [(CASE, 1), (CASE, 2)]
    case = services.store.get(CASE)
    assert case.case["status"] == "failed"
    assert {m["status"] for m in case.matters.values()} == {"failed"}
    assert [a[0] for a in services.notifier.alerts] == ["operator"]
    assert len(services.notifier.sms) == 1 and services.notifier.sms[0][0] == "13905590002"
    tally = run_reconcile(services, LATER)  # the failed case is finished: forgotten, nobody told again
    assert (tally["forgotten"], tally["failed"]) == (1, 0)
    assert run_reconcile(services, LATER)["read"] == 0
    assert len(services.notifier.alerts) == 1 and len(services.notifier.sms) == 1


def test_a_finished_case_leaves_the_list_without_its_run_being_looked_at(services):
    a_case(services)
    services.store.mutate_case(CASE, lambda c: {"status": "completed"})
    assert run_reconcile(services, LATER)["forgotten"] == 1
    assert services.store.unfinished_cases("2099")[0] == []
