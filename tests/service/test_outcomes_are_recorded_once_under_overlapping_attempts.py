"""Two attempts of a task, interleaved at each of the first one's writes: one outcome, one SMS.

Step Functions retries a task that timed out while the first attempt may still run,
and a failure path (RecordMatterFailure) may run beside a late success. Here the tasks
are called directly on the in-memory store (held to the DynamoDB store's conditional
writes by tests/contract), and the second attempt runs to its end at the moment the
first is about to make its n-th write (or send), for every n: what is recorded and
what is sent must not depend on where the overlap falls.

Moved from tests/integration/test_outcomes_are_recorded_once_under_overlapping_attempts.py.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.services import workflow_tasks as tasks
from chalicelib.wiring import Services
from tests.conftest import demo_resident
from tests.service.conftest import World

WRITES = {
    "begin_processing",
    "conclude",
    "open_wait",
    "claim_outbox",
    "claim_outbox_all",
    "release_outbox",
    "put_outbox",
    "mutate_matter",
    "mutate_case",
    "update_wait",
}


class Sent:
    """The notifier both attempts share: what left, in order."""

    def __init__(self) -> None:
        self.sms: list[tuple[str, str]] = []
        self.alerts: list[str] = []

    def send_sms(self, phone: str, text: str) -> str:
        self.sms.append((phone, text))
        return f"sms-{len(self.sms)}"

    def alert_department(self, department: str, district: str, level: str, subject: str, text: str) -> str:
        self.alerts.append(subject)
        return f"alert-{len(self.alerts)}"


class Overlap:
    """Runs `other` to its end just before the wrapped attempt's `at`-th write (counting from 0), once."""

    def __init__(self, at: int, other: Callable[[], Any]):
        self.at, self.other, self.writes, self.done = at, other, 0, False

    def before_write(self) -> None:
        if self.writes == self.at and not self.done:
            self.done = True
            self.other()
        self.writes += 1


class _Store:
    def __init__(self, store: Any, overlap: Overlap):
        self._store, self._overlap = store, overlap

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._store, name)
        if name not in WRITES:
            return attribute

        def write(*args: Any, **kwargs: Any) -> Any:
            self._overlap.before_write()
            return attribute(*args, **kwargs)

        return write


class _Notifier:
    def __init__(self, sent: Sent, overlap: Overlap):
        self._sent, self._overlap = sent, overlap

    def send_sms(self, phone: str, text: str) -> str:
        self._overlap.before_write()
        return self._sent.send_sms(phone, text)

    def alert_department(self, *args: Any) -> str:
        self._overlap.before_write()
        return self._sent.alert_department(*args)


def attempt(world: World, sent: Sent, overlap: Overlap | None = None) -> Services:
    """The service's adapters as one attempt sees them: the shared store (wrapped) and notifier."""
    real = world.services
    mine = copy.copy(real)
    mine.__dict__["store"] = _Store(real.store, overlap) if overlap else real.store
    mine.__dict__["notifier"] = _Notifier(sent, overlap) if overlap else sent
    return mine


def submitted_case(world: World, name: str, matters: list[dict]) -> tuple[str, dict]:
    """A case submitted with its run held: the test plays the run's tasks itself, with the facts submit gave the run."""
    world.workflow.held = True
    who = world.citizen(name)
    case_id = world.create(who, matters, phone=demo_resident(name)["phone"])["case_id"]
    world.submit(who, case_id)
    return case_id, world.workflow.runs[case_id].facts


def outcome_events(world: World, case_id: str) -> list[str]:
    record = world.services.store.get(case_id)
    return [e["kind"] for e in record.events if e["kind"] in ("matter_succeeded", "matter_failed", "matter_rejected")]


def kinds(world: World, case_id: str, kind: str) -> int:
    return sum(1 for e in world.services.store.get(case_id).events if e["kind"] == kind)


@pytest.mark.parametrize("at", range(3))
def test_a_retried_immediate_matter_records_one_outcome_and_sends_one_sms(world, at):
    case_id, facts = submitted_case(world, "李强", [{"code": "activate"}])
    plan = tasks.prejudge_at_submission(world.services, case_id, facts)
    sent = Sent()
    second = attempt(world, sent)
    overlap = Overlap(at, lambda: tasks.run_matter(second, case_id, "activate", facts, plan))
    first = tasks.run_matter(attempt(world, sent, overlap), case_id, "activate", facts, plan)
    assert overlap.done, f"the first attempt made only {overlap.writes} writes"
    record = world.services.store.get(case_id)
    assert record.matters["activate"]["status"] == "succeeded"
    assert first["status"] == "succeeded"
    assert outcome_events(world, case_id) == ["matter_succeeded"]
    assert len(sent.sms) == 1, sent.sms
    assert record.case["status"] == "completed"
    assert kinds(world, case_id, "finished") == 1


@pytest.mark.parametrize("at", range(3))
def test_a_late_failure_beside_a_success_leaves_one_outcome_and_no_contradicting_sms(world, at):
    case_id, facts = submitted_case(world, "李强", [{"code": "activate"}])
    plan = tasks.prejudge_at_submission(world.services, case_id, facts)
    sent = Sent()
    failure = attempt(world, sent)
    overlap = Overlap(at, lambda: tasks.record_matter_failure(failure, case_id, "activate", {"Error": "States.Timeout"}, facts, plan))
    tasks.run_matter(attempt(world, sent, overlap), case_id, "activate", facts, plan)
    assert overlap.done
    record = world.services.store.get(case_id)
    status = record.matters["activate"]["status"]
    assert status in ("succeeded", "failed")
    assert outcome_events(world, case_id) == ["matter_succeeded" if status == "succeeded" else "matter_failed"]
    assert len(sent.sms) == 1, sent.sms
    told = sent.sms[0][1]
    assert ("已办结" in told) == (status == "succeeded"), told
    assert record.case["status"] == ("completed" if status == "succeeded" else "failed")
    assert kinds(world, case_id, "finished") == 1


@pytest.mark.parametrize("at", range(4))
def test_the_last_of_three_matters_closes_the_case_once_whichever_attempt_writes(world, at):
    matters = [{"code": "info_change", "form": {"address": "黄山市黄山区新华路2号"}}, {"code": "activate"}, {"code": "status_query"}]
    case_id, facts = submitted_case(world, "李强", matters)
    plan = tasks.prejudge_at_submission(world.services, case_id, facts)
    sent = Sent()
    for code in plan["stage_one"]:
        tasks.run_matter(attempt(world, sent), case_id, code, facts, plan)
    second = attempt(world, sent)
    overlap = Overlap(at, lambda: tasks.run_matter(second, case_id, "status_query", facts, plan))
    answered = tasks.run_matter(attempt(world, sent, overlap), case_id, "status_query", facts, plan)
    assert overlap.done
    record = world.services.store.get(case_id)
    assert record.case["status"] == "completed"
    assert answered["case_status"] in ("completed", None)
    assert sorted(outcome_events(world, case_id)) == ["matter_succeeded"] * 3
    assert kinds(world, case_id, "finished") == 1
    summaries = [t for _, t in sent.sms if "联办业务" in t]
    assert len(summaries) == 1, sent.sms
    assert len(sent.sms) == 4  # one per matter, and the case's summary


@pytest.mark.parametrize("at", range(1))
def test_pre_judgment_runs_once_and_never_after_the_case_finished(world, at):
    case_id, facts = submitted_case(world, "李强", [{"code": "activate"}])
    sent = Sent()
    second = attempt(world, sent)
    answers: list[dict] = []
    overlap = Overlap(at, lambda: answers.append(tasks.prejudge_at_submission(second, case_id, facts)))
    plan = tasks.prejudge_at_submission(attempt(world, sent, overlap), case_id, facts)
    # the attempt that came second answers the recorded plan, marked as a run that may follow another
    assert [{**a, "resumed": True} for a in answers] == [{**plan, "resumed": True}] and plan["passed"]
    assert [a.get("resumed") for a in answers] + [plan.get("resumed")] in ([True, None], [None, True])
    assert kinds(world, case_id, "prejudged") == 1
    tasks.run_matter(attempt(world, sent), case_id, "activate", facts, plan)
    assert world.services.store.get(case_id).case["status"] == "completed"
    late = tasks.prejudge_at_submission(attempt(world, sent), case_id, facts)
    assert late["passed"] is False
    assert kinds(world, case_id, "prejudged") == 1
    assert kinds(world, case_id, "prejudgment_failed") == 0


def test_a_refusal_at_pre_judgment_is_recorded_and_told_once(world):
    case_id, facts = submitted_case(world, "李强", [{"code": "activate"}])
    # the card became active after the draft (at another counter): activation is refused at submission
    world.services.card_system.activate(facts["id_number"], "elsewhere")
    sent = Sent()
    first = tasks.prejudge_at_submission(attempt(world, sent), case_id, facts)
    again = tasks.prejudge_at_submission(attempt(world, sent), case_id, facts)
    record = world.services.store.get(case_id)
    assert first["passed"] is False and again == first
    assert record.case["status"] == "rejected"
    assert kinds(world, case_id, "prejudgment_failed") == 1
    assert kinds(world, case_id, "finished") == 1
    assert len(sent.sms) == 1


class FailsOnce(Sent):
    """SNS answers an error to the first SMS, then works."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    def send_sms(self, phone: str, text: str) -> str:
        if not self.failed:
            self.failed = True
            raise ConnectionError("SNS unreachable")
        return super().send_sms(phone, text)


def test_an_sms_that_sns_refused_after_the_case_closed_is_sent_by_the_retry(world):
    case_id, facts = submitted_case(world, "李强", [{"code": "activate"}])
    plan = tasks.prejudge_at_submission(world.services, case_id, facts)
    sent = FailsOnce()
    with pytest.raises(ConnectionError):
        tasks.run_matter(attempt(world, sent), case_id, "activate", facts, plan)
    assert world.services.store.get(case_id).case["status"] == "completed"  # the write stands; the message waits
    assert sent.sms == []
    tasks.run_matter(attempt(world, sent), case_id, "activate", facts, plan)  # Step Functions retries the task
    assert len(sent.sms) == 1 and "已办结" in sent.sms[0][1]
    assert outcome_events(world, case_id) == ["matter_succeeded"]
    assert world.services.store.pending_outbox(case_id) == []


def test_a_case_that_began_without_its_matters_statuses_on_the_case_item_still_concludes(world):
    case_id, facts = submitted_case(world, "李强", [{"code": "activate"}])
    plan = tasks.prejudge_at_submission(world.services, case_id, facts)
    store = world.services.store
    # the case item as an older release wrote it, without its matters' statuses
    for attribute in ("matter_status", "matter_reasons"):
        store._items[f"CASE#{case_id}", "CASE"].pop(attribute, None)
    sent = Sent()
    answered = tasks.run_matter(attempt(world, sent), case_id, "activate", facts, plan)
    assert answered["case_status"] == "completed"
    assert store.get_case_item(case_id)["matter_status"] == {"activate": "succeeded"}
    assert len(sent.sms) == 1
