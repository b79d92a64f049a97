"""Resuming a run with a decision, and ending a wait past its expiry, go through the Workflow port.

Service level: the in-memory case store and a workflow that answers as Step Functions
would (delivered, the wait is over, or unavailable for now); no moto, no state machine.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.adapters import case_keys
from chalicelib.adapters.memory_cases import InMemoryCaseStore
from chalicelib.adapters.workflow import StepFunctionsWorkflow
from chalicelib.domain.outcomes import Event
from chalicelib.ports import WorkflowUnavailable
from chalicelib.services import deadlines, reviews
from chalicelib.settings import Settings
from chalicelib.wiring import Services

NOW = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
CASE = "00000000-0000-4000-8000-000000000001"


class AnsweringWorkflow:
    """Takes resume / fail_wait calls and answers `answer`: True (delivered), False (the wait is over) or an exception."""

    def __init__(self, answer: bool | Exception, run: str = "RUNNING"):
        self.answer = answer
        self.run = run  # the case's current run: still running, or over (lost, aborted)
        self.calls: list[tuple[str, ...]] = []

    def describe(self, case_id: str, run: int = 0) -> dict[str, Any] | None:
        return {"status": self.run}

    def _answer(self) -> bool:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    def resume(self, task_token: str, outcome: dict[str, Any]) -> bool:
        self.calls.append(("resume", task_token, outcome["decision"]))
        return self._answer()

    def fail_wait(self, task_token: str, error: str, cause: str) -> bool:
        self.calls.append(("fail_wait", task_token, error))
        return self._answer()


def services_with(workflow: AnsweringWorkflow) -> Services:
    built = Services(Settings(stage="test"), clock=lambda: NOW)
    built.store = InMemoryCaseStore(clock=built.now)  # the cached adapters, set instead of built
    built.workflow = workflow
    return built


def a_waiting_matter(services: Services, **wait: Any) -> dict:
    services.store.create(
        {
            "case_id": CASE,
            "person_key": "k",
            "created_at": "2026-12-01T00:00:00.000+00:00",
            "status": "processing",
            "matter_status": {"apply": "pending"},
        },
        [{"code": "apply", "status": "pending"}],
        {"kind": "created", "text": "案件已创建"},
    )
    item = {"case_id": CASE, "matter": "apply", "review_id": f"{CASE}.apply", "task_token": "token-1", "department": "hr", **wait}
    assert services.store.open_wait(CASE, "apply", item, department="hr", district="341003", event=Event("awaiting_review", "待审核"))
    return services.store.get_wait(CASE, "apply")


def a_decided_wait(services: Services) -> dict:
    a_waiting_matter(services, status="pending", due_at="2026-12-09T15:59:59+00:00")
    return services.store.decide_wait(
        CASE,
        "apply",
        {"status": "decided", "decision": "approve", "resume": "pending"},
        decided_at=NOW.isoformat(),
        department="hr",
        district="341003",
    )


def test_a_delivered_decision_is_marked_sent_and_leaves_the_resume_list():
    workflow = AnsweringWorkflow(True)
    services = services_with(workflow)
    assert reviews.resume(services, a_decided_wait(services))
    assert workflow.calls == [("resume", "token-1", "approve")]
    wait = services.store.get_wait(CASE, "apply")
    assert (wait["status"], wait["resume"], wait["resumed_at"]) == ("decided", "sent", "2026-12-08T02:00:00.000+00:00")
    assert "gsi3pk" not in wait["index"]


def test_a_decision_the_run_no_longer_waits_for_times_the_wait_out():
    services = services_with(AnsweringWorkflow(False))
    decided = a_decided_wait(services)
    services.store.mutate_case(CASE, lambda c: {"matter_status": {"apply": "failed"}})  # the run recorded the time-out
    assert not reviews.resume(services, decided)
    wait = services.store.get_wait(CASE, "apply")
    assert (wait["status"], wait["resume"]) == ("timed_out", "too_late")
    assert services.store.resumes_due("2099") == ([], 0)


@pytest.mark.parametrize("run", ["ABORTED", "FAILED"])
def test_a_decision_whose_run_was_lost_while_its_matter_is_open_is_kept_for_the_next_run(run):
    services = services_with(AnsweringWorkflow(False, run=run))
    assert reviews.resume(services, a_decided_wait(services))  # the matter is open: the run was lost, not the wait
    wait = services.store.get_wait(CASE, "apply")
    assert (wait["status"], wait["resume"]) == ("decided", "pending")
    assert [w["matter"] for w in services.store.resumes_due("2099")[0]] == ["apply"]  # sent again once a run waits


def test_a_decision_refused_with_a_token_of_an_earlier_run_is_kept_for_the_current_one():
    services = services_with(AnsweringWorkflow(False, run="RUNNING"))  # run 1 runs, not yet back at the wait
    decided = a_decided_wait(services)
    services.store.mutate_case(CASE, lambda c: {"run": 1})
    assert reviews.resume(services, decided)
    assert services.store.get_wait(CASE, "apply")["resume"] == "pending"


def test_a_decision_refused_by_the_current_running_run_is_too_late():
    """The deadline job ended the wait in the run, which is on its way to record the time-out."""
    services = services_with(AnsweringWorkflow(False, run="RUNNING"))
    assert not reviews.resume(services, a_decided_wait(services))
    assert services.store.get_wait(CASE, "apply")["resume"] == "too_late"


def test_a_decision_the_workflow_cannot_take_now_stays_pending_for_the_deadline_job():
    services = services_with(AnsweringWorkflow(WorkflowUnavailable("ServiceUnavailable")))
    assert reviews.resume(services, a_decided_wait(services))
    wait = services.store.get_wait(CASE, "apply")
    assert (wait["status"], wait["resume"]) == ("decided", "pending")
    assert [w["matter"] for w in services.store.resumes_due("2099")[0]] == ["apply"]


@pytest.mark.parametrize(("answer", "timed_out"), [(True, [f"{CASE}.apply"]), (False, [])])
def test_an_expired_wait_is_ended_once_and_one_whose_run_is_over_leaves_every_list(answer, timed_out):
    workflow = AnsweringWorkflow(answer)
    services = services_with(workflow)
    a_waiting_matter(services, status="pending", due_at="2026-12-01T15:59:59+00:00", expires_at="2026-12-08T01:00:00+08:00")
    done = deadlines.run_deadline_alerts(services, NOW)
    assert workflow.calls == [("fail_wait", "token-1", deadlines.WAIT_TIMED_OUT)]
    assert done["timed_out"] == timed_out
    wait = services.store.get_wait(CASE, "apply")
    if answer:  # the run records the failure itself
        assert wait["status"] == "pending"
    else:
        assert (wait["status"], wait["index"]) == ("timed_out", {})


def test_an_expired_wait_the_workflow_cannot_end_now_is_tried_again_on_the_next_run():
    services = services_with(AnsweringWorkflow(WorkflowUnavailable("ThrottlingException")))
    a_waiting_matter(services, status="pending", due_at="2026-12-01T15:59:59+00:00", expires_at="2026-12-08T01:00:00+08:00")
    assert deadlines.run_deadline_alerts(services, NOW)["timed_out"] == []
    assert services.store.get_wait(CASE, "apply")["index"] == {"gsi2pk": "REVIEW#hr#341003", "gsi3pk": case_keys.OPEN_WAITS}


class RaisingStepFunctions:
    def __init__(self, code: str | None):
        self.code = code
        self.sent: list[dict] = []

    def _call(self, operation: str, **kwargs: Any) -> dict:
        if self.code:
            raise ClientError({"Error": {"Code": self.code, "Message": "-"}}, operation)
        self.sent.append(kwargs)
        return {}

    def send_task_success(self, **kwargs: Any) -> dict:
        return self._call("SendTaskSuccess", **kwargs)

    def send_task_failure(self, **kwargs: Any) -> dict:
        return self._call("SendTaskFailure", **kwargs)


@pytest.mark.parametrize("code", ["TaskTimedOut", "InvalidToken", "TaskDoesNotExist"])
def test_step_functions_answering_that_the_wait_is_over_reads_as_false(code):
    workflow = StepFunctionsWorkflow(RaisingStepFunctions(code), "arn:aws:states:us-east-1:1:stateMachine:m")
    assert workflow.resume("t", {"decision": "approve"}) is False
    assert workflow.fail_wait("t", "Review.TimedOut", "late") is False


def test_step_functions_failing_for_a_passing_reason_reads_as_unavailable_with_its_code():
    workflow = StepFunctionsWorkflow(RaisingStepFunctions("ThrottlingException"), "arn:aws:states:us-east-1:1:stateMachine:m")
    with pytest.raises(WorkflowUnavailable) as raised:
        workflow.resume("t", {"decision": "approve"})
    assert raised.value.code == "ThrottlingException"


def test_a_delivered_resume_sends_the_outcome_as_json_with_chinese_kept_readable():
    client = RaisingStepFunctions(None)
    workflow = StepFunctionsWorkflow(client, "arn:aws:states:us-east-1:1:stateMachine:m")
    assert workflow.resume("t", {"decision": "reject", "reason": "材料不清晰"}) is True
    assert workflow.fail_wait("t", "Review.TimedOut", "超时") is True
    assert client.sent == [
        {"taskToken": "t", "output": '{"decision": "reject", "reason": "材料不清晰"}'},
        {"taskToken": "t", "error": "Review.TimedOut", "cause": "超时"},
    ]


FACTS = {"case_id": CASE, "id_number": "341003199002150037", "district": "341003", "submitted_at": "2026-12-01T00:00:00.000+00:00"}


def test_a_new_run_that_finds_its_wait_ended_by_the_deadline_job_records_the_time_out(monkeypatch):
    """The run was lost and the wait expired before the reconciler came: the new run does not wait on a token nobody holds."""
    from chalicelib.services.stages import department

    workflow = AnsweringWorkflow(True)
    services = services_with(workflow)
    a_waiting_matter(services, status="pending", due_at="2026-12-01T15:59:59+00:00")
    services.store.end_wait(CASE, "apply", expected_status="pending", changes={"status": "timed_out"})
    department.request_decision(services, CASE, "apply", "token-run-1", {**FACTS, "run": 1}, {"resumed": True, "due": {}})
    assert ("fail_wait", "token-run-1", "Review.TimedOut") in workflow.calls


def test_a_resumed_run_sends_a_matter_already_with_its_department_back_to_it_without_judging_it_again(monkeypatch):
    from chalicelib.services.stages import department

    services = services_with(AnsweringWorkflow(True))
    a_waiting_matter(services, status="pending", due_at="2026-12-01T15:59:59+00:00")
    services.store.mutate_case(CASE, lambda c: {"matter_status": {"apply": "awaiting_review"}})

    def judged_again(*_: Any) -> None:
        raise AssertionError("the department's own approval may already show in the records: not judged again")

    monkeypatch.setattr(department, "_still_refused", judged_again)
    answer = department.check_before_review(services, CASE, "apply", FACTS, {"resumed": True})
    assert (answer["go"], answer["case_status"]) == (True, None)
