"""FinishCase, FailCase, RecordMatterFailure: nothing stays open once the run ends.

The last matter's outcome normally closes the case in its own write, and its task
says so in its answer; FinishCase then has nothing to do. It reads the case only when
no branch reported the case final (a matter concluded outside the run, e.g.).
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo_cases import CaseRecord, ConcurrentUpdate
from chalicelib.domain import messages
from chalicelib.domain.case import FINAL_CASE_STATUSES, FINAL_MATTER_STATUSES, CaseStatus, MatterStatus, finished_case_status
from chalicelib.domain.catalogue import matter_name
from chalicelib.domain.outcomes import Event, Outcome, WaitChange, WaitStatus
from chalicelib.observability import MetricUnit, logger, metrics
from chalicelib.services import outbox
from chalicelib.services.case_facts import case_facts
from chalicelib.services.stages.conclude import conclude, load, not_done
from chalicelib.services.stages.immediate import answer
from chalicelib.wiring import Services


def reported_final(results: Any) -> str | None:
    """A final case status any branch answered (the lists of the Map and Parallel states)."""
    if isinstance(results, dict):
        status = results.get("case_status")
        if status in FINAL_CASE_STATUSES:
            return status
        return next((s for s in map(reported_final, results.values()) if s), None)
    if isinstance(results, list):
        return next((s for s in map(reported_final, results) if s), None)
    return None


def finish_case(services: Services, case_id: str, facts: dict | None = None, results: Any = None) -> dict[str, Any]:
    """Every matter has its result: the case is final (normally already, with its last matter)."""
    status = reported_final(results)
    if status:
        return {"case_id": case_id, "status": status}
    return _close_what_is_open(services, case_id, "NOT_FINISHED", messages.SYSTEM_FAILURE_REASON, broken=False)


def fail_case(services: Services, case_id: str, error: dict | None, facts: dict | None = None) -> dict[str, Any]:
    """The last resort when the run itself broke: no case stays `processing`.

    Independent of `finish_case` (which may be what broke): every open matter fails,
    the case takes the status its matters give, or `failed`.
    """
    logger.error("case workflow failed", extra={"case_id": case_id, "error": (error or {}).get("Error")})
    metrics.add_metric(name="CaseWorkflowsFailed", unit=MetricUnit.Count, value=1)
    return _close_what_is_open(services, case_id, "SYSTEM_ERROR", messages.SYSTEM_FAILURE_REASON, broken=True)


def _close_what_is_open(services: Services, case_id: str, reason_code: str, reason: str, *, broken: bool) -> dict[str, Any]:
    record = load(services, case_id)
    status = record.case["status"]
    if status not in (CaseStatus.SUBMITTED, CaseStatus.PROCESSING):
        outbox.deliver_pending(services, case_id)  # what an attempt that closed it recorded but did not send
        return {"case_id": case_id, "status": status}
    facts = case_facts(record.case, record.matters, record.materials)
    open_codes = [code for code, m in record.matters.items() if m["status"] not in FINAL_MATTER_STATUSES]
    if not open_codes:  # every matter has its outcome, the case does not: close it from them
        return {"case_id": case_id, "status": _close_from_matters(services, record)}
    outcomes = [Outcome(code, MatterStatus.FAILED, reason=reason, reason_code=reason_code) for code in open_codes]
    events = [Event("matter_failed", f"{matter_name(code)}：{reason}", matter=code) for code in open_codes]
    # a matter that waited on its department leaves the department's lists with it: nobody decides a dead case
    waiting = [c for c in open_codes if (record.waits.get(c) or {}).get("status") in (WaitStatus.PENDING, WaitStatus.DECIDED)]
    ended = [WaitChange(code, WaitStatus.FAILED, (WaitStatus.PENDING, WaitStatus.DECIDED), {"resume": "too_late"}) for code in waiting]
    concluded = conclude(
        services, facts, outcomes, events, [], expect=CaseStatus(status), system_failure=broken, wait=ended[0] if ended else None
    )
    if concluded.recorded:
        for change in ended[1:]:  # more than one waiting matter: the others' waits end after the case closed
            try:
                services.store.end_wait(case_id, change.code, expected_status=("pending", "decided"), changes={"status": "failed"})
            except ConcurrentUpdate:
                pass
    return {"case_id": case_id, "status": concluded.case_status or load(services, case_id).case["status"]}


def _close_from_matters(services: Services, record: CaseRecord) -> str:
    statuses = {code: m["status"] for code, m in record.matters.items()}
    final = finished_case_status(statuses.values())
    at = services.now_iso()
    case = services.store.mutate_case(
        record.case_id,
        lambda c: (
            None
            if c["status"] in FINAL_CASE_STATUSES
            else {"status": final.value, "finished_at": at, "updated_at": at, "matter_status": statuses}
        ),
    )
    if case.get("finished_at") == at:
        services.store.add_event(record.case_id, "finished", f"案件{messages.CASE_STATUS_NAMES[final]}")
    return case["status"]


def record_matter_failure(
    services: Services, case_id: str, code: str, error: dict | None, facts: dict | None = None, plan: dict | None = None
) -> dict[str, Any]:
    """After retries are spent: the matter fails with a reason the applicant can read."""
    record = load(services, case_id)
    logger.error("matter failed in workflow", extra={"case_id": case_id, "matter": code, "error": (error or {}).get("Error")})
    facts = facts or case_facts(record.case, record.matters, record.materials)
    wait = record.waits.get(code)
    concluded = not_done(
        services,
        facts,
        code,
        MatterStatus.FAILED,
        messages.SYSTEM_FAILURE_REASON,
        "SYSTEM_ERROR",
        "matter_failed",
        f"{matter_name(code)}：{messages.SYSTEM_FAILURE_REASON}",
        plan=plan,
        # no reviewer is left with a wait whose run has ended
        wait=(
            WaitChange(code, WaitStatus.FAILED, (WaitStatus.PENDING, WaitStatus.DECIDED))
            if wait and wait.get("status") in (WaitStatus.PENDING, WaitStatus.DECIDED)
            else None
        ),
    )
    if concluded.recorded:
        metrics.add_metric(name="MattersFailed", unit=MetricUnit.Count, value=1)
    return answer(code, concluded)
