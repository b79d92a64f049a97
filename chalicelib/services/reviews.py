"""Department decisions on waiting matters (审核): the reviewer's list and the decision.

A decision is recorded first (single use, bound to the reviewer) and then resumes the
execution through the stored task token. If that call fails for a passing reason the
decision stays recorded with `resume = pending` and the deadline job sends it again.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.dynamo_cases import CaseRecord, ConcurrentUpdate
from chalicelib.auth import Principal
from chalicelib.domain.access import Looked
from chalicelib.domain.case import FINAL_MATTER_STATUSES, CaseStatus
from chalicelib.domain.catalogue import CATALOGUE, Department, MatterCode
from chalicelib.domain.payout import accepted_change_month, month_text
from chalicelib.domain.resident_id import mask_phone, mask_resident_id
from chalicelib.domain.workdays import SHANGHAI
from chalicelib.errors import ConflictProblem, GoneProblem, NotFoundProblem, ValidationProblem, checked_cursor
from chalicelib.models import DecisionRequest, PensionDecisionRequest, ReviewDetail, ReviewList, ReviewView
from chalicelib.observability import MetricUnit, logger, metrics
from chalicelib.ports import WorkflowUnavailable
from chalicelib.services import access
from chalicelib.services.case_views import material_views
from chalicelib.services.workflow_tasks import CaseMissing, review_queue
from chalicelib.wiring import Services


def parse_review_id(review_id: str) -> tuple[str, str]:
    case_id, _, code = review_id.partition(".")
    try:
        uuid.UUID(case_id)
        MatterCode(code)
    except ValueError:
        raise NotFoundProblem("未找到该审核") from None
    return case_id, code


def _case_of(services: Services, wait: dict) -> CaseRecord:
    """The case a wait belongs to; a wait without its case is a broken store, not a client's error."""
    record = services.store.get(wait["case_id"])
    if record is None:
        raise CaseMissing(wait["case_id"])
    return record


def _view(services: Services, wait: dict, record: CaseRecord | None = None) -> ReviewView:
    record = record or _case_of(services, wait)
    matter = record.matters[wait["matter"]]
    return ReviewView(
        review_id=wait["review_id"],
        case_id=wait["case_id"],
        matter=wait["matter"],
        matter_name=CATALOGUE[MatterCode(wait["matter"])].name,
        department=wait["department"],
        district=wait.get("district", ""),
        applicant_name=record.case.get("applicant_name", ""),
        applicant_id_number=mask_resident_id(record.case["id_number"]),
        channel=record.case.get("channel", "online"),
        form=matter.get("form", {}),
        status=wait["status"],
        due_at=wait.get("due_at") or None,
        submitted_at=record.case.get("submitted_at"),
        decision=wait.get("decision"),
        reason=wait.get("reason"),
        decided_at=wait.get("decided_at"),
        materials=material_views(record, services if wait["department"] == Department.HR else None),
        result=matter.get("result")
        or (
            {"effective_month": wait["effective_month"], "effective_month_text": month_text(wait["effective_month"])}
            if wait.get("effective_month")
            else None
        ),
    )


def list_pending(services: Services, principal: Principal, department: str, limit: int, cursor: str | None) -> ReviewList:
    """The pending reviews of the caller's department (HR: of their district), oldest due first (index query)."""
    with checked_cursor():
        waits, next_cursor = services.store.list_pending_reviews(
            department, review_queue(department, principal.district or ""), limit, cursor
        )
    return _shown(services, principal, department, waits, next_cursor)


def _shown(services: Services, principal: Principal, department: str, waits: list[dict], next_cursor: str | None) -> ReviewList:
    """A page of a list as the caller may see it (an HR reviewer never their own case), each line's read recorded."""
    person = principal.person_id_number if department == Department.HR else None
    records = [(w, _case_of(services, w)) for w in waits]
    shown = [(w, r) for w, r in records if person is None or r.case["id_number"] != person]
    role = "reviewer" if department == Department.HR else "pension_system"
    access.record_staff_reads(services, principal, role, [r.case for _, r in shown], Looked.REVIEW_LIST)
    return ReviewList(reviews=[_view(services, w, r) for w, r in shown], next_cursor=next_cursor)


def _own_wait(services: Services, principal: Principal, review_id: str, department: str) -> dict:
    case_id, code = parse_review_id(review_id)
    wait = services.store.get_wait(case_id, code)
    if wait is None or wait["department"] != department:
        raise NotFoundProblem("未找到该审核")
    if department == Department.HR and wait.get("district") != principal.district:
        raise NotFoundProblem("未找到该审核")
    if department == Department.HR and _is_own_case(services, principal, case_id):
        raise NotFoundProblem("未找到该审核")
    return wait


def _is_own_case(services: Services, principal: Principal, case_id: str) -> bool:
    """A reviewer never sees or decides a case of their own (domain.md §7)."""
    person = principal.person_id_number
    return person is not None and services.store.get_case_item(case_id)["id_number"] == person


def list_decided(services: Services, principal: Principal, limit: int, cursor: str | None) -> ReviewList:
    """The decided reviews of the reviewer's district, newest decision first (index query)."""
    with checked_cursor():
        waits, next_cursor = services.store.list_decided_reviews(Department.HR, principal.district or "", limit, cursor)
    return _shown(services, principal, Department.HR, waits, next_cursor)


def get_review(services: Services, principal: Principal, review_id: str) -> ReviewDetail:
    """One review with what the reviewer needs: the applicant, the matter and its form, every material's link."""
    wait = _own_wait(services, principal, review_id, Department.HR)
    record = _case_of(services, wait)
    access.record_staff_reads(services, principal, "reviewer", [record.case], Looked.REVIEW)  # before anything is answered
    view = _view(services, wait, record)
    case = record.case
    agent = case.get("agent")
    return ReviewDetail(
        **view.model_dump(),
        applicant={
            "name": case.get("applicant_name", ""),
            "id_number": mask_resident_id(case["id_number"]),
            "phone": mask_phone(case["contact"]["phone"]),
            "address": case["contact"]["address"],
            "district": case.get("district", ""),
        },
        agent={"name": agent.get("name", ""), "id_number": mask_resident_id(agent["id_number"])} if agent else None,
        matter_time_limit=CATALOGUE[MatterCode(wait["matter"])].time_limit_text,
        service_point=case.get("service_point"),
    )


def decide(
    services: Services, principal: Principal, review_id: str, request: DecisionRequest, department: str, extra: dict | None = None
) -> ReviewView:
    """Record a decision once, then resume the execution; `extra` travels with it (e.g. accepted_at)."""
    wait = _own_wait(services, principal, review_id, department)
    case_id, code = wait["case_id"], wait["matter"]
    if wait["status"] == "timed_out":
        raise GoneProblem("该审核已超过办理时限，流程已终止，不能再作决定")
    if wait["status"] != "pending":
        raise ConflictProblem("该审核已作出决定，不能重复决定")
    decided_at = services.now_iso()
    try:
        wait = services.store.decide_wait(
            case_id,
            code,
            {
                "status": "decided",
                "decision": request.decision,
                "reason": request.reason,
                "decided_by": principal.sub,
                "decided_at": decided_at,
                "resume": "pending",
                **(extra or {}),
            },
            decided_at=decided_at,
            department=department,
            # HR: onto the district's decided reviews, the reviewers' record; the pension system keeps none here
            district=wait.get("district", "") if department == Department.HR else None,
        )
    except ConcurrentUpdate:
        again = services.store.get_wait(case_id, code) or {}
        if again.get("status") == "timed_out":
            raise GoneProblem("该审核已超过办理时限，流程已终止，不能再作决定") from None
        raise ConflictProblem("该审核已作出决定，不能重复决定") from None
    services.store.add_event(
        case_id,
        "decided",
        f"{CATALOGUE[MatterCode(code)].name}：经办部门已{'通过' if request.decision == 'approve' else '驳回'}",
        matter=code,
    )
    logger.info("review decided", extra={"case_id": case_id, "matter": code, "decision": request.decision})
    metrics.add_metric(name="ReviewsDecided", unit=MetricUnit.Count, value=1)
    if not resume(services, wait):
        raise GoneProblem("该审核已超过办理时限，流程已终止，决定未生效")
    record = _case_of(services, wait)
    role = "reviewer" if department == Department.HR else "pension_system"
    access.record_staff_reads(services, principal, role, [record.case], Looked.REVIEW)  # the answer shows the case
    return _view(services, services.store.get_wait(case_id, code) or wait, record)


def decide_pension(services: Services, principal: Principal, request_id: str, request: PensionDecisionRequest) -> ReviewView:
    """The pension system's answer; on acceptance the service computes the effective month."""
    decision = DecisionRequest(decision="approve" if request.decision == "accept" else "reject", reason=request.reason)
    extra: dict[str, Any] = {}
    if request.decision == "accept":
        wait = _own_wait(services, principal, request_id, Department.PENSION)
        record = _case_of(services, wait)
        now = services.now()
        accepted_at = request.accepted_at or now
        # the month counts from the submission (domain.md §6), whenever the pension system accepts
        submitted_at = datetime.fromisoformat(wait.get("submitted_at") or record.case.get("submitted_at") or record.case["created_at"])
        if accepted_at > now + timedelta(minutes=5) or accepted_at < submitted_at:
            raise ValidationProblem(
                "受理时间须在提交之后、且不晚于当前时间",
                [{"field": "accepted_at", "code": "out_of_range", "message": "受理时间须在申请提交之后，且不能晚于当前时间"}],
            )
        month = accepted_change_month(submitted_at, accepted_at, services.settings.payout_cutoff_day)
        extra = {"accepted_at": accepted_at.astimezone(SHANGHAI).isoformat(), "effective_month": month}
    return decide(services, principal, request_id, decision, Department.PENSION, extra)


def resume(services: Services, wait: dict) -> bool:
    """Send a recorded decision to the waiting execution. False if the wait is over."""
    case_id, code = wait["case_id"], wait["matter"]
    output = {"decision": wait["decision"], "reason": wait.get("reason"), "decided_at": wait.get("decided_at")}
    for key in ("accepted_at", "effective_month"):
        if wait.get(key):
            output[key] = wait[key]
    try:
        delivered = services.workflow.resume(wait["task_token"], output)
    except WorkflowUnavailable as error:
        logger.warning("resume failed, will retry", extra={"case_id": case_id, "matter": code, "error": error.code})
        metrics.add_metric(name="ResumesDeferred", unit=MetricUnit.Count, value=1)
        return True  # recorded; the deadline job sends it again
    if not delivered:
        if _run_lost(services, case_id, code):
            # The run is gone, not the wait: the matter is still open, so the reconciler's next run
            # takes the wait again with its own token, and the decision is sent there (deadline job).
            logger.warning("decision kept for the case's next run", extra={"case_id": case_id, "matter": code})
            return True
        try:
            services.store.settle_resume(case_id, code, {"status": "timed_out", "resume": "too_late"})
        except ConcurrentUpdate:
            pass
        return False
    try:
        services.store.settle_resume(case_id, code, {"resume": "sent", "resumed_at": services.now_iso()})
    except ConcurrentUpdate:
        pass
    return True


def _run_lost(services: Services, case_id: str, code: str) -> bool:
    """A wait's token is refused while its matter is open and its case processing, and the token is not
    the current run's or that run no longer runs: the run that issued it was lost, aborted or replaced by
    the reconciler's next one — the department was not late. (A wait that timed out is refused by the
    current, running run, on its way to record the time-out: that decision is too late.)"""
    case = services.store.get_case_item(case_id)
    matter_status = (case.get("matter_status") or {}).get(code)
    if case["status"] != CaseStatus.PROCESSING or matter_status is None or matter_status in FINAL_MATTER_STATUSES:
        return False
    run = int(case.get("run", 0))
    wait = services.store.get_wait(case_id, code) or {}
    if int(wait.get("run", 0)) != run:
        return True  # a token of an earlier run: the current one takes the wait again
    execution = services.workflow.describe(case_id, run)
    return execution is None or execution["status"] != "RUNNING"


def retry_resumes(services: Services, until: str) -> tuple[int, int]:
    """Send every recorded decision whose resume has not gone through; answers (sent, items read)."""
    waits, read = services.store.resumes_due(until)
    sent = 0
    for wait in waits:
        if wait.get("status") == "decided" and wait.get("resume") == "pending":
            full = services.store.get_wait(wait["case_id"], wait["matter"])
            if full and resume(services, full):
                sent += 1
    return sent, read
