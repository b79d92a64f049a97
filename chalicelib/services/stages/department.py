"""Department waits (task token): CheckBeforeReview, AwaitDepartmentDecision, RecordDecision, RecordWaitTimeout."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain import messages
from chalicelib.domain.banks import find_bank, review_district
from chalicelib.domain.cards import CardStatus
from chalicelib.domain.case import MatterStatus
from chalicelib.domain.catalogue import CATALOGUE, Department, MatterCode, matter_name, parse_form
from chalicelib.domain.outcomes import Event, Outcome, PayoutSwitch, WaitChange, WaitStatus
from chalicelib.domain.payout import effective_at, effective_month, month_text
from chalicelib.domain.prejudge import Reason, prejudge
from chalicelib.domain.resident_id import mask_account
from chalicelib.domain.workdays import SHANGHAI
from chalicelib.observability import MetricUnit, logger, metrics
from chalicelib.services import outbox
from chalicelib.services.bank import card_order
from chalicelib.services.prejudging import person_records
from chalicelib.services.stages.conclude import Sms, conclude, facts_of, not_done, recorded_outcome
from chalicelib.services.stages.immediate import answer, card_result
from chalicelib.wiring import Services


def review_id(case_id: str, code: str) -> str:
    return f"{case_id}.{code}"


def review_queue(department: str, district: str) -> str | None:
    """The district whose reviewers see a department's review: HR reviews are queued per district;
    the pension system sees all its requests in one queue (None)."""
    return district if department == Department.HR else None


# --- CheckBeforeReview -------------------------------------------------------------


def check_before_review(services: Services, case_id: str, code: str, facts: dict | None = None, plan: dict | None = None) -> dict:
    """Before a matter goes to its department, check it once more.

    Stage one may have failed a matter it relied on (a loss report before a reissue,
    an activation before a payout change): then it does not go to the department at
    all, and the applicant is told why. A withdrawn case fails the write's condition.
    """
    if (recorded := recorded_outcome(services, case_id, code, plan)) is not None:
        if recorded["status"] == MatterStatus.AWAITING_REVIEW:
            # an earlier run handed it to its department: back to the same wait, not judged again
            # (the records may already show what the department's approval did)
            return {"matter": code, "go": True, "case_status": None}
        return {**recorded, "go": False}  # an earlier run finished it: not sent to the department again
    facts = facts_of(services, case_id, facts)
    refusal = _still_refused(services, facts, MatterCode(code))
    if refusal is None:
        return {"matter": code, "go": True, "case_status": None}
    concluded = not_done(
        services,
        facts,
        code,
        MatterStatus.REJECTED,
        refusal.message,
        refusal.code,
        "matter_rejected",
        f"{matter_name(code)}：{refusal.message}",
        plan=plan,
    )
    logger.info("matter not sent to its department", extra={"case_id": case_id, "matter": code, "code": refusal.code})
    return {"matter": code, "go": False, "case_status": concluded.case_status}


def _still_refused(services: Services, facts: dict[str, Any], code: MatterCode) -> Reason | None:
    """This matter's pre-judgment against the records as stage one left them."""
    form = parse_form(code, facts["matters"][code.value])
    records = person_records(services, facts["id_number"], exclude_case=facts["case_id"])
    judgment = prejudge({code: form}, records, offline_or_agent=facts["channel"] == "offline" or facts["agent"])
    return judgment.failures[0][1] if judgment.failures else None


# --- AwaitDepartmentDecision ---------------------------------------------------------


def request_decision(
    services: Services, case_id: str, code: str, task_token: str, facts: dict | None = None, plan: dict | None = None
) -> dict:
    """Hand a reviewed matter to its department and keep the task token for the answer."""
    facts = facts_of(services, case_id, facts)
    department = CATALOGUE[MatterCode(code)].handled_by.value
    district = review_district(facts.get("district"), facts["id_number"])  # every review reaches a queue
    due = ((plan or {}).get("due") or {}).get(code) or _due_of(services, case_id, code)
    wait = {
        "review_id": review_id(case_id, code),
        "case_id": case_id,
        "matter": code,
        "task_token": task_token,
        "department": department,
        "district": district,
        "due_at": due.get("due_at", ""),
        "expires_at": due.get("expires_at", ""),
        # the pension change's effective month counts from here (domain.md §6)
        "submitted_at": facts["submitted_at"],
        "status": WaitStatus.PENDING.value,
        "run": run_of(facts),  # whose token this is: a token of an earlier run refused is no late decision
    }
    event = Event(
        "awaiting_review",
        f"{matter_name(code)}：已提交{messages.DEPARTMENT_NAMES[department]}审核"
        + (f"，办结时限 {messages.deadline_text(wait['due_at'])}" if wait["due_at"] else ""),
        matter=code,
    )
    opened = services.store.open_wait(case_id, code, wait, department=department, district=review_queue(department, district), event=event)
    if not opened:
        # Step Functions retried this task, or a new run of the case (the reconciler's) reached the
        # wait, and issued a new token: the wait keeps the live one; a decision already taken goes
        # back on the resumes to send, so that it reaches this run (the deadline job sends it).
        if services.store.rearm_wait(case_id, code, task_token, services.now_iso(), run=run_of(facts)) is None:
            ended = services.store.get_wait(case_id, code) or {}
            if ended.get("status") == WaitStatus.TIMED_OUT.value:
                # the deadline job ended the wait while no run held it: this run records the time-out
                services.workflow.fail_wait(task_token, "Review.TimedOut", "the wait timed out before this run reached it")
            logger.warning("wait already ended, or the case moved on, when its task ran again", extra={"case_id": case_id, "matter": code})
    else:
        logger.info("matter awaiting department", extra={"case_id": case_id, "matter": code, "department": department})
        metrics.add_metric(name="DepartmentWaitsStarted", unit=MetricUnit.Count, value=1)
    return {"matter": code, "status": MatterStatus.AWAITING_REVIEW.value}


def run_of(facts: dict[str, Any]) -> int:
    """The number of the run these facts were started with (0: the submission's; n: the reconciler's n-th)."""
    return int(facts.get("run", 0))


def _due_of(services: Services, case_id: str, code: str) -> dict[str, str]:
    """A run started before the plan carried due times: the matter item has them."""
    matter = services.store.get_matter(case_id, code)
    return {"due_at": matter.get("due_at", ""), "expires_at": matter.get("expires_at", "")}


# --- RecordDecision ------------------------------------------------------------------


def record_decision(
    services: Services, case_id: str, code: str, decision: dict[str, Any], facts: dict | None = None, plan: dict | None = None
) -> dict:
    """The department answered through the task token: record its outcome once."""
    facts = facts_of(services, case_id, facts)
    metrics.add_metric(name="DepartmentDecisions", unit=MetricUnit.Count, value=1)
    if decision.get("decision") != "approve":
        reason = decision.get("reason") or "经办部门审核未通过"
        concluded = not_done(
            services,
            facts,
            code,
            MatterStatus.REJECTED,
            reason,
            "REVIEW_REJECTED",
            "matter_rejected",
            f"{matter_name(code)}：审核未通过，{reason}",
            plan=plan,
        )
        return answer(code, concluded)
    extra: dict[str, Any] = {}
    if code in (MatterCode.APPLY, MatterCode.REISSUE):
        result, text, extra["card_order"] = _approve_card(services, facts, code)
    else:
        result, text, extra["payout_switch"] = _accept_payout_change(services, facts, decision)
    concluded = conclude(
        services,
        facts,
        [Outcome(code, MatterStatus.SUCCEEDED, result=result)],
        [Event("matter_succeeded", f"{matter_name(code)}：审核通过", matter=code)],
        [Sms("outcome", text, code)],
        plan=plan,
        **extra,
    )
    return answer(code, concluded)


def _approve_card(services: Services, facts: dict[str, Any], code: str) -> tuple[dict[str, Any], str, dict | None]:
    """An approved apply/reissue: the card system records a new card to be made at the bank."""
    form = facts["matters"][code]
    id_number = facts["id_number"]
    replaces = None
    if code == MatterCode.REISSUE:
        # remembered on the matter first: a retried approval must not take the new card for the old
        replaces = services.store.get_matter(facts["case_id"], code).get("replaces")
        if replaces is None:
            current = services.card_system.current_card(id_number)
            replaces = current.card_id if current else ""
            services.store.mutate_matter(
                facts["case_id"], code, lambda m: None if m.get("replaces") is not None else {"replaces": replaces}
            )
            replaces = services.store.get_matter(facts["case_id"], code)["replaces"]
        replaces = replaces or None
    bank = find_bank(form["bank"])  # the card records the bank's code: only that bank sees it
    card = services.card_system.issue_new_card(
        id_number,
        bank.name if bank else form["bank"],
        form["branch"],
        f"{facts['case_id']}#{code}",
        facts["case_id"],
        replaces,
        bank_code=bank.code if bank else "",
    )
    order = None
    if bank is not None and card.status == CardStatus.AWAITING_COLLECTION:  # a replay may find it already made, or not made
        order = card_order(services, facts, code, card, bank)
    result = {**card_result(card), "branch": card.branch, "replaces": replaces}
    return result, messages.card_approved(code, card.bank, card.branch), order


def _accept_payout_change(services: Services, facts: dict[str, Any], decision: dict[str, Any]) -> tuple[dict[str, Any], str, PayoutSwitch]:
    """The pension system accepted: the new account is pending until its effective month."""
    accepted_at = datetime.fromisoformat(decision.get("accepted_at") or decision.get("decided_at") or services.now_iso())
    # a decision without its month (an older resume) counts from the submission too (domain.md §6)
    month = decision.get("effective_month") or effective_month(
        datetime.fromisoformat(facts["submitted_at"]), services.settings.payout_cutoff_day
    )
    account = facts["matters"][MatterCode.PENSION_ACCOUNT]["account_number"]
    id_number = facts["id_number"]
    request_id = review_id(facts["case_id"], MatterCode.PENSION_ACCOUNT)
    previous = services.pension_system.record(id_number)
    services.pension_system.accept_change(id_number, account, month, request_id)
    switch = PayoutSwitch(
        person_key=services.person_key(id_number),
        request_id=request_id,
        case_id=facts["case_id"],
        id_number=id_number,
        effective_month=month,
        effective_at=effective_at(month).isoformat(),
    )
    result = {
        "effective_month": month,
        "effective_month_text": month_text(month),
        "new_account": mask_account(account),
        "current_account": mask_account(previous.payout_account) if previous and previous.payout_account else None,
        "accepted_at": accepted_at.astimezone(SHANGHAI).isoformat(),
    }
    return result, messages.payout_change_accepted(month_text(month), mask_account(account)), switch


# --- RecordWaitTimeout -----------------------------------------------------------------


def record_wait_timeout(services: Services, case_id: str, code: str, facts: dict | None = None, plan: dict | None = None) -> dict:
    """The department did not answer in time: the matter fails, the department is told; one write."""
    facts = facts_of(services, case_id, facts)
    wait = services.store.get_wait(case_id, code) or {}
    department = wait.get("department") or CATALOGUE[MatterCode(code)].handled_by.value
    subject, text = messages.department_alert("timed_out", code, case_id, review_id(case_id, code), wait.get("due_at", ""))
    alert = outbox.alert(case_id, f"{code}.timed_out", department, wait.get("district", ""), "timed_out", subject, text)
    concluded = not_done(
        services,
        facts,
        code,
        MatterStatus.FAILED,
        messages.WAIT_TIMED_OUT_REASON,
        "DEPARTMENT_TIMEOUT",
        "matter_failed",
        f"{matter_name(code)}：{messages.WAIT_TIMED_OUT_REASON}",
        plan=plan,
        wait=(
            WaitChange(code, WaitStatus.TIMED_OUT, (WaitStatus.PENDING, WaitStatus.DECIDED), {"resume": "too_late"})
            if wait.get("status") in (WaitStatus.PENDING, WaitStatus.DECIDED)
            else None
        ),
        alerts=[alert],
    )
    logger.warning("department wait timed out", extra={"case_id": case_id, "matter": code})
    metrics.add_metric(name="DepartmentWaitsTimedOut", unit=MetricUnit.Count, value=1)
    return answer(code, concluded)
