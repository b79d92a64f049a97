"""PrejudgeAtSubmission: pre-judgment again, authoritatively (records may have changed since the draft).

It runs once per case: the move from `submitted` to `processing` (or to `rejected`) is
one conditional write, so a retry or a late duplicate finds the case moved on and
answers the plan recorded with it; a finished case is never judged again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain import messages
from chalicelib.domain.case import CaseStatus, MatterStatus
from chalicelib.domain.catalogue import CATALOGUE, MatterCode, execution_order, matter_name, parse_form
from chalicelib.domain.outcomes import Event, Outcome
from chalicelib.domain.prejudge import prejudge
from chalicelib.observability import MetricUnit, logger, metrics
from chalicelib.services.prejudging import person_records
from chalicelib.services.stages.conclude import Sms, conclude, facts_of
from chalicelib.wiring import Services

NOT_PASSED: dict[str, Any] = {"passed": False, "stage_one": [], "status_query": [], "reviewed": [], "due": {}}


def prejudge_at_submission(services: Services, case_id: str, facts: dict[str, Any] | None = None) -> dict[str, Any]:
    facts = facts_of(services, case_id, facts)
    selection = {MatterCode(code): parse_form(MatterCode(code), form) for code, form in facts["matters"].items()}
    records = person_records(services, facts["id_number"], exclude_case=case_id)
    judgment = prejudge(selection, records, offline_or_agent=facts["channel"] == "offline" or facts["agent"])
    if not judgment.passed:
        return _refused(services, facts, judgment.failures)
    stage_one, stage_two = execution_order(list(selection))
    reviewed = [c for c in stage_two if CATALOGUE[c].reviewed]
    due = _due_times(services, facts, reviewed)
    plan = {
        "passed": True,
        "stage_one": [c.value for c in stage_one],
        "status_query": [c.value for c in stage_two if c == MatterCode.STATUS_QUERY],
        "reviewed": [c.value for c in reviewed],
        "due": {code: {"due_at": due_at, "expires_at": expires_at} for code, (due_at, expires_at) in due.items()},
        # the person's other open applications as this run read them: the status query answers with them
        "open_applications": sorted(m.value for m in records.open_matters),
    }
    if services.store.begin_processing(case_id, list(facts["matters"]), due, Event("prejudged", "提交时条件预判通过，开始办理"), plan):
        return plan
    return _recorded_plan(services, case_id)


def _recorded_plan(services: Services, case_id: str) -> dict[str, Any]:
    """Another attempt got there first: its plan, or nothing to run (refused, withdrawn, finished).

    The plan is marked `resumed`: this run may follow one that got further (a retry, or a
    new run the reconciler started), so each matter's task looks at what is recorded first.
    """
    case = services.store.get_case_item(case_id)
    if case["status"] == CaseStatus.PROCESSING and case.get("plan"):
        return {**case["plan"], "resumed": True}
    return NOT_PASSED


def _refused(services: Services, facts: dict[str, Any], failures: list) -> dict[str, Any]:
    failing: dict[str, Any] = {}
    for code, reason in failures:
        failing.setdefault(code.value, reason)
    outcomes = [
        Outcome(code, MatterStatus.REJECTED, reason=failing[code].message, reason_code=failing[code].code)
        if code in failing
        else Outcome(code, MatterStatus.REJECTED, reason=messages.NOT_RUN_BECAUSE_OF_OTHERS, reason_code="NOT_RUN")
        for code in facts["matters"]
    ]
    lines = [f"{matter_name(c)}：{r.message}" for c, r in failing.items()]
    concluded = conclude(
        services,
        facts,
        outcomes,
        [Event("prejudgment_failed", "提交时条件预判未通过：" + "；".join(lines))],
        [Sms("prejudgment", messages.prejudgment_failed(lines))],
        expect=CaseStatus.SUBMITTED,
    )
    if not concluded.recorded:  # an overlapping attempt judged first (and may have passed): its plan stands
        return _recorded_plan(services, facts["case_id"])
    logger.info("prejudgment at submission failed", extra={"case_id": facts["case_id"], "codes": [r.code for r in failing.values()]})
    metrics.add_metric(name="PrejudgmentFailuresAtSubmission", unit=MetricUnit.Count, value=1)
    return NOT_PASSED


def _due_times(services: Services, facts: dict[str, Any], reviewed: list[MatterCode]) -> dict[str, tuple[str, str]]:
    """Each reviewed matter is due 1 working day after submission (domain.md §5)."""
    if not reviewed:
        return {}
    submitted_at = datetime.fromisoformat(facts["submitted_at"])
    due_at = services.calendar.due_at(submitted_at).isoformat()
    expires_at = services.calendar.due_after_working_days(submitted_at, 1 + services.settings.review_expiry_working_days).isoformat()
    return {code.value: (due_at, expires_at) for code in reviewed}
