"""The work of each state-machine task (statemachine/case.asl.json).

Every function is safe to run again with the same input (Step Functions retries):
a matter that already has its final status is left as it is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamo_cases import CaseRecord, ConcurrentUpdate
from chalicelib.domain import messages
from chalicelib.domain.banks import find_bank, review_district
from chalicelib.domain.cards import CARD_STATUS_NAMES, Card, CardStatus
from chalicelib.domain.case import FINAL_CASE_STATUSES, FINAL_MATTER_STATUSES, CaseStatus, MatterStatus, finished_case_status
from chalicelib.domain.catalogue import CATALOGUE, Department, MatterCode, execution_order, matter_name, parse_form
from chalicelib.domain.payout import effective_at, effective_month, month_text
from chalicelib.domain.prejudge import Reason, prejudge
from chalicelib.domain.resident_id import mask_account, mask_phone
from chalicelib.domain.workdays import SHANGHAI
from chalicelib.observability import MetricUnit, logger, metrics
from chalicelib.ports import ExternalRefusal
from chalicelib.services.bank import order_card_production
from chalicelib.services.cases import notify_applicant, person_records
from chalicelib.wiring import Services

OPEN_WAIT = "OPEN_WAIT"  # the deadline job's list (index ByDue)
NOT_PASSED: dict[str, Any] = {"passed": False, "stage_one": [], "status_query": [], "reviewed": []}
PAYOUT_SWITCH = "PAYOUT_SWITCH"  # the payout switch job's list (index ByDue)


class CaseMissing(Exception):
    """The execution names a case the store does not have (not retried)."""


def _load(services: Services, case_id: str) -> CaseRecord:
    record = services.store.get(case_id)
    if record is None:
        raise CaseMissing(case_id)
    return record


def _finish_matter(
    services: Services,
    case_id: str,
    code: str,
    status: MatterStatus,
    *,
    result: dict | None = None,
    reason: str | None = None,
    reason_code: str | None = None,
) -> bool:
    """Give a matter its final status; False if it already had one."""
    done = {"changed": False}

    def change(matter: dict) -> dict | None:
        if matter["status"] in FINAL_MATTER_STATUSES:
            return None
        done["changed"] = True
        changes: dict[str, Any] = {"status": status.value, "updated_at": services.now_iso()}
        if result is not None:
            changes["result"] = result
        if reason is not None:
            changes["reason"] = reason
        if reason_code is not None:
            changes["reason_code"] = reason_code
        return changes

    services.store.mutate_matter(case_id, code, change)
    return done["changed"]


def _start_matter(services: Services, case_id: str, code: str, status: MatterStatus) -> bool:
    """Move a matter on (in progress / awaiting review); False if it is already final."""

    def change(matter: dict) -> dict | None:
        if matter["status"] in FINAL_MATTER_STATUSES or matter["status"] == status.value:
            return None
        return {"status": status.value, "updated_at": services.now_iso()}

    matter = services.store.mutate_matter(case_id, code, change)
    return matter["status"] not in FINAL_MATTER_STATUSES


# --- PrejudgeAtSubmission ------------------------------------------------------


def prejudge_at_submission(services: Services, case_id: str) -> dict[str, Any]:
    """Pre-judgment again, authoritatively (records may have changed since the draft)."""
    record = _load(services, case_id)
    if record.case["status"] in FINAL_CASE_STATUSES:
        return NOT_PASSED
    # only a submitted case moves on: one withdrawn meanwhile stays withdrawn
    case = services.store.mutate_case(
        case_id,
        lambda case: (
            {"status": CaseStatus.PROCESSING.value, "updated_at": services.now_iso()} if case["status"] == CaseStatus.SUBMITTED else None
        ),
    )
    if case["status"] != CaseStatus.PROCESSING:
        return NOT_PASSED
    selection = {MatterCode(code): parse_form(MatterCode(code), m.get("form")) for code, m in record.matters.items()}
    judgment = prejudge(
        selection,
        person_records(services, record.case["id_number"], exclude_case=case_id),
        offline_or_agent=record.case.get("channel") == "offline" or bool(record.case.get("agent")),
    )
    if not judgment.passed:
        failing = {}
        for code, reason in judgment.failures:
            failing.setdefault(code.value, reason)
        changed = False
        for code in record.matters:
            if code in failing:
                reason = failing[code]
                changed |= _finish_matter(services, case_id, code, MatterStatus.REJECTED, reason=reason.message, reason_code=reason.code)
            else:
                changed |= _finish_matter(
                    services, case_id, code, MatterStatus.REJECTED, reason=messages.NOT_RUN_BECAUSE_OF_OTHERS, reason_code="NOT_RUN"
                )
        if not changed:  # a retry of this task: told already
            return NOT_PASSED
        services.store.add_event(
            case_id,
            "prejudgment_failed",
            "提交时条件预判未通过：" + "；".join(f"{matter_name(c)}：{r.message}" for c, r in failing.items()),
        )
        notify_applicant(services, record, messages.prejudgment_failed([f"{matter_name(c)}：{r.message}" for c, r in failing.items()]))
        logger.info("prejudgment at submission failed", extra={"case_id": case_id, "codes": [r.code for r in failing.values()]})
        metrics.add_metric(name="PrejudgmentFailuresAtSubmission", unit=MetricUnit.Count, value=1)
        return NOT_PASSED

    stage_one, stage_two = execution_order(list(selection))
    _set_due_times(services, record, [c for c in stage_two if CATALOGUE[c].reviewed])
    services.store.add_event(case_id, "prejudged", "提交时条件预判通过，开始办理")
    return {
        "passed": True,
        "stage_one": [c.value for c in stage_one],
        "status_query": [c.value for c in stage_two if c == MatterCode.STATUS_QUERY],
        "reviewed": [c.value for c in stage_two if CATALOGUE[c].reviewed],
    }


def _set_due_times(services: Services, record: CaseRecord, reviewed: list[MatterCode]) -> None:
    """Each reviewed matter is due 1 working day after submission (domain.md §5)."""
    submitted_at = datetime.fromisoformat(record.case.get("submitted_at") or services.now_iso())
    due_at = services.calendar.due_at(submitted_at).isoformat()
    expires_at = services.calendar.due_after_working_days(submitted_at, 1 + services.settings.review_expiry_working_days).isoformat()
    for code in reviewed:
        services.store.mutate_matter(
            record.case_id,
            code.value,
            lambda m: None if m.get("due_at") else {"due_at": due_at, "expires_at": expires_at},
        )


# --- RunMatter (immediate matters against the card system) ----------------------


def _card_result(card: Card) -> dict[str, Any]:
    return {
        "card_status": card.status.value,
        "card_status_text": CARD_STATUS_NAMES[card.status],
        "card_id": card.card_id,
        "bank": card.bank,
        "account_number": mask_account(card.account_number) if card.account_number else "",
    }


def _status_query(services: Services, record: CaseRecord) -> tuple[dict[str, Any], str]:
    id_number = record.case["id_number"]
    card = services.card_system.current_card(id_number)
    records = person_records(services, id_number, exclude_case=record.case_id)
    applications = sorted(m.value for m in records.open_matters)
    if card is None:
        return {
            "card_status": "none",
            "card_status_text": "未查询到社会保障卡",
            "open_applications": applications,
        }, "未查询到您的社会保障卡。"
    result = {**_card_result(card), "open_applications": applications}
    pension = services.pension_system.record(id_number)
    if pension and pension.recipient:
        result["pension"] = {
            "payout_account": mask_account(pension.payout_account) if pension.payout_account else None,
            "pending_account": mask_account(pension.pending_account) if pension.pending_account else None,
            "pending_effective_month": pension.pending_effective_month,
        }
    return result, f"您的社会保障卡状态：{CARD_STATUS_NAMES[card.status]}。"


def _apply_immediate(services: Services, record: CaseRecord, code: MatterCode) -> tuple[dict[str, Any], str]:
    """Perform one immediate matter; answers (result, SMS detail)."""
    id_number = record.case["id_number"]
    form = record.matters[code.value].get("form", {})
    operation_id = f"{record.case_id}#{code.value}"
    cards = services.card_system
    if code == MatterCode.ACTIVATE:
        card = cards.activate(id_number, operation_id)
        return _card_result(card), "您的社会保障卡已启用。"
    if code == MatterCode.LOSS:
        if form.get("action") == "revoke":
            card = cards.revoke_loss(id_number, operation_id)
            return {**_card_result(card), "action": "revoke"}, "您的社会保障卡已解挂，恢复正常使用。"
        card = cards.report_loss(id_number, operation_id)
        return {**_card_result(card), "action": "report"}, "您的社会保障卡已挂失。"
    if code == MatterCode.CANCEL:
        card = cards.cancel(id_number, form.get("reason", "other"), operation_id)
        return _card_result(card), "您的社会保障卡已注销。"
    if code == MatterCode.INFO_CHANGE:
        if form.get("phone"):
            _remember_previous_phone(services, record)
        cards.change_contact(id_number, form.get("phone"), form.get("address"), operation_id)
        changed = [name for name, key in (("联系电话", "phone"), ("联系地址", "address")) if form.get(key)]
        return {"changed": [k for k in ("phone", "address") if form.get(k)]}, f"已变更{'、'.join(changed)}。"
    if code == MatterCode.STATUS_QUERY:
        return _status_query(services, record)
    raise ValueError(f"{code} is not an immediate matter")


def _remember_previous_phone(services: Services, record: CaseRecord) -> None:
    """The number on file before the change, kept on the matter first: a retried task finds the new one on file."""
    profile = services.card_system.profile(record.case["id_number"])
    previous = profile.phone if profile and profile.phone else record.case["contact"]["phone"]
    services.store.mutate_matter(
        record.case_id, MatterCode.INFO_CHANGE, lambda m: None if m.get("previous_phone") else {"previous_phone": previous}
    )


def _confirm_phone_change(services: Services, record: CaseRecord, new_phone: str) -> None:
    """A new contact phone (domain.md §8): the case's later messages go to it; the change is confirmed to
    the old number (on file, and the case's contact) and to the new one, so a change not made by the holder
    is noticed on the phone they still have."""
    case_id = record.case_id
    previous = services.store.get_matter(case_id, MatterCode.INFO_CHANGE).get("previous_phone") or record.case["contact"]["phone"]
    case_phone = record.case["contact"]["phone"]
    services.store.mutate_case(
        case_id, lambda c: None if c["contact"]["phone"] == new_phone else {"contact": {**c["contact"], "phone": new_phone}}
    )
    _move_other_cases_to(services, record, {previous, case_phone}, new_phone)
    form = record.matters[MatterCode.INFO_CHANGE].get("form", {})
    text = messages.contact_phone_changed(previous, new_phone, address_too=bool(form.get("address")))
    for phone in dict.fromkeys((previous, case_phone, new_phone)):
        services.notifier.send_sms(phone, text)
        services.store.add_event(
            case_id, "notification", "已发送短信通知", matter=MatterCode.INFO_CHANGE, data={"to": mask_phone(phone), "text": text}
        )


def _move_other_cases_to(services: Services, record: CaseRecord, old_phones: set[str], new_phone: str) -> None:
    """The person's other cases not yet finished (a draft, a review still waiting) send their later messages
    to the new number too; a case whose contact is some other number (a relative's) keeps it."""

    def change(case: dict) -> dict | None:
        if case["status"] in FINAL_CASE_STATUSES or case["contact"]["phone"] not in old_phones:
            return None
        return {"contact": {**case["contact"], "phone": new_phone}}

    cursor = None
    while True:
        cases, cursor = services.store.list_for_person(record.case["person_key"], limit=50, cursor=cursor)
        for case in cases:
            if case["case_id"] != record.case_id and case["status"] not in FINAL_CASE_STATUSES:
                services.store.mutate_case(case["case_id"], change)
        if cursor is None:
            return


def run_matter(services: Services, case_id: str, code: str) -> dict[str, Any]:
    record = _load(services, case_id)
    matter = MatterCode(code)
    if record.case["status"] in FINAL_CASE_STATUSES:  # withdrawn meanwhile: nothing more is done
        return {"matter": code, "status": record.matters[code]["status"]}
    if not _start_matter(services, case_id, code, MatterStatus.IN_PROGRESS):
        return {"matter": code, "status": record.matters[code]["status"]}
    try:
        result, detail = _apply_immediate(services, record, matter)
    except ExternalRefusal as refusal:
        if _finish_matter(services, case_id, code, MatterStatus.FAILED, reason=refusal.message, reason_code=refusal.code):
            services.store.add_event(case_id, "matter_failed", f"{matter_name(code)}：{refusal.message}", matter=code)
            notify_applicant(services, record, messages.matter_not_done(code, refusal.message), matter=code)
        logger.info("matter refused by card system", extra={"case_id": case_id, "matter": code, "code": refusal.code})
        return {"matter": code, "status": MatterStatus.FAILED.value}
    if _finish_matter(services, case_id, code, MatterStatus.SUCCEEDED, result=result):
        services.store.add_event(case_id, "matter_succeeded", f"{matter_name(code)}：已办结。{detail}", matter=code)
        new_phone = record.matters[code].get("form", {}).get("phone") if matter == MatterCode.INFO_CHANGE else None
        if new_phone:
            _confirm_phone_change(services, record, new_phone)
        else:
            notify_applicant(services, record, messages.matter_succeeded(code, detail), matter=code)
    logger.info("matter done", extra={"case_id": case_id, "matter": code})
    metrics.add_metric(name="MattersSucceeded", unit=MetricUnit.Count, value=1)
    return {"matter": code, "status": MatterStatus.SUCCEEDED.value}


def record_matter_failure(services: Services, case_id: str, code: str, error: dict | None) -> dict[str, Any]:
    """After retries are spent: the matter fails with a reason the applicant can read."""
    record = _load(services, case_id)
    logger.error("matter failed in workflow", extra={"case_id": case_id, "matter": code, "error": (error or {}).get("Error")})
    if code in record.waits:  # no reviewer is left with a wait whose run has ended
        try:
            services.store.update_wait(
                case_id, code, expected_status=("pending", "decided"), changes={"status": "failed"}, unlist=True, undue=True
            )
        except ConcurrentUpdate:
            pass
    if _finish_matter(services, case_id, code, MatterStatus.FAILED, reason=messages.SYSTEM_FAILURE_REASON, reason_code="SYSTEM_ERROR"):
        services.store.add_event(case_id, "matter_failed", f"{matter_name(code)}：{messages.SYSTEM_FAILURE_REASON}", matter=code)
        notify_applicant(services, record, messages.matter_not_done(code, messages.SYSTEM_FAILURE_REASON), matter=code)
    metrics.add_metric(name="MattersFailed", unit=MetricUnit.Count, value=1)
    return {"matter": code, "status": MatterStatus.FAILED.value}


# --- Department waits (task token) -------------------------------------------------


def review_id(case_id: str, code: str) -> str:
    return f"{case_id}.{code}"


def review_list_key(department: str, district: str) -> str:
    """HR reviews are listed per district; the pension system sees all its requests."""
    return f"REVIEW#{department}#{district if department == Department.HR else 'all'}"


def request_decision(services: Services, case_id: str, code: str, task_token: str) -> dict[str, Any]:
    """Hand a reviewed matter to its department and keep the task token for the answer."""
    record = _load(services, case_id)
    matter = record.matters[code]
    department = CATALOGUE[MatterCode(code)].handled_by.value
    district = review_district(record.case.get("district"), record.case["id_number"])  # every review reaches a queue
    wait = {
        "review_id": review_id(case_id, code),
        "case_id": case_id,
        "matter": code,
        "task_token": task_token,
        "department": department,
        "district": district,
        "due_at": matter.get("due_at", ""),
        "expires_at": matter.get("expires_at", ""),
        # the pension change's effective month counts from here (domain.md §6)
        "submitted_at": record.case.get("submitted_at", ""),
        "status": "pending",
    }
    created = services.store.put_wait(case_id, code, wait, listed_for=review_list_key(department, district), due_key=OPEN_WAIT)
    if not created:
        # Step Functions retried this task and issued a new token: keep the live one.
        try:
            services.store.update_wait(case_id, code, expected_status="pending", changes={"task_token": task_token})
        except ConcurrentUpdate:
            logger.warning("wait already decided when its task was retried", extra={"case_id": case_id, "matter": code})
    if _start_matter(services, case_id, code, MatterStatus.AWAITING_REVIEW):
        services.store.add_event(
            case_id,
            "awaiting_review",
            f"{matter_name(code)}：已提交{messages.DEPARTMENT_NAMES[department]}审核"
            + (f"，办结时限 {messages.deadline_text(wait['due_at'])}" if wait["due_at"] else ""),
            matter=code,
        )
    logger.info("matter awaiting department", extra={"case_id": case_id, "matter": code, "department": department})
    metrics.add_metric(name="DepartmentWaitsStarted", unit=MetricUnit.Count, value=1)
    return {"matter": code, "status": MatterStatus.AWAITING_REVIEW.value}


def check_before_review(services: Services, case_id: str, code: str) -> dict[str, Any]:
    """Before a matter goes to its department, check it once more.

    Stage one may have failed a matter it relied on (a loss report before a reissue,
    an activation before a payout change), or the case may have been withdrawn: then
    it does not go to the department at all, and the applicant is told why.
    """
    record = _load(services, case_id)
    if record.matters[code]["status"] in FINAL_MATTER_STATUSES:
        return {"matter": code, "go": False}
    refusal = _still_refused(services, record, MatterCode(code))
    if refusal is None:
        return {"matter": code, "go": True}
    if _finish_matter(services, case_id, code, MatterStatus.REJECTED, reason=refusal.message, reason_code=refusal.code):
        services.store.add_event(case_id, "matter_rejected", f"{matter_name(code)}：{refusal.message}", matter=code)
        notify_applicant(services, record, messages.matter_not_done(code, refusal.message), matter=code)
    logger.info("matter not sent to its department", extra={"case_id": case_id, "matter": code, "code": refusal.code})
    return {"matter": code, "go": False}


def _still_refused(services: Services, record: CaseRecord, code: MatterCode) -> Reason | None:
    """This matter's pre-judgment against the records as stage one left them."""
    if record.case["status"] in FINAL_CASE_STATUSES:
        return Reason("WITHDRAWN", "申请人已撤回")
    form = parse_form(code, record.matters[code.value].get("form"))
    records = person_records(services, record.case["id_number"], exclude_case=record.case_id)
    judgment = prejudge({code: form}, records, offline_or_agent=record.case.get("channel") == "offline" or bool(record.case.get("agent")))
    return judgment.failures[0][1] if judgment.failures else None


def _approve_card(services: Services, record: CaseRecord, code: str) -> tuple[dict[str, Any], str]:
    """An approved apply/reissue: the card system records a new card to be made at the bank."""
    form = record.matters[code].get("form", {})
    id_number = record.case["id_number"]
    replaces = None
    if code == MatterCode.REISSUE:
        # remembered on the matter first: a retried approval must not take the new card for the old
        replaces = record.matters[code].get("replaces")
        if replaces is None:
            current = services.card_system.current_card(id_number)
            replaces = current.card_id if current else ""
            services.store.mutate_matter(record.case_id, code, lambda m: None if m.get("replaces") is not None else {"replaces": replaces})
            replaces = services.store.get_matter(record.case_id, code)["replaces"]
        replaces = replaces or None
    bank = find_bank(form["bank"])  # the card records the bank's code: only that bank sees it
    card = services.card_system.issue_new_card(
        id_number,
        bank.name if bank else form["bank"],
        form["branch"],
        f"{record.case_id}#{code}",
        record.case_id,
        replaces,
        bank_code=bank.code if bank else "",
    )
    if bank is not None and card.status == CardStatus.AWAITING_COLLECTION:  # a replay may find it already made, or not made
        order_card_production(services, record, code, card, bank)
    result = {**_card_result(card), "branch": card.branch, "replaces": replaces}
    return result, messages.card_approved(code, card.bank, card.branch)


def record_decision(services: Services, case_id: str, code: str, decision: dict[str, Any]) -> dict[str, Any]:
    """The department answered through the task token: record its outcome."""
    record = _load(services, case_id)
    metrics.add_metric(name="DepartmentDecisions", unit=MetricUnit.Count, value=1)
    if decision.get("decision") == "approve":
        if record.matters[code]["status"] in FINAL_MATTER_STATUSES:
            return {"matter": code, "status": record.matters[code]["status"]}
        if code in (MatterCode.APPLY, MatterCode.REISSUE):
            result, text = _approve_card(services, record, code)
        else:
            result, text = _accept_payout_change(services, record, decision)
        if _finish_matter(services, case_id, code, MatterStatus.SUCCEEDED, result=result):
            services.store.add_event(case_id, "matter_succeeded", f"{matter_name(code)}：审核通过", matter=code)
            notify_applicant(services, record, text, matter=code)
        return {"matter": code, "status": MatterStatus.SUCCEEDED.value}
    reason = decision.get("reason") or "经办部门审核未通过"
    if _finish_matter(services, case_id, code, MatterStatus.REJECTED, reason=reason, reason_code="REVIEW_REJECTED"):
        services.store.add_event(case_id, "matter_rejected", f"{matter_name(code)}：审核未通过，{reason}", matter=code)
        notify_applicant(services, record, messages.matter_not_done(code, reason), matter=code)
    return {"matter": code, "status": MatterStatus.REJECTED.value}


def _accept_payout_change(services: Services, record: CaseRecord, decision: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The pension system accepted: the new account is pending until its effective month."""
    accepted_at = datetime.fromisoformat(decision.get("accepted_at") or decision.get("decided_at") or services.now_iso())
    # a decision without its month (an older resume) counts from the submission too (domain.md §6)
    submitted_at = datetime.fromisoformat(record.case.get("submitted_at") or record.case["created_at"])
    month = decision.get("effective_month") or effective_month(submitted_at, services.settings.payout_cutoff_day)
    account = record.matters[MatterCode.PENSION_ACCOUNT]["form"]["account_number"]
    id_number = record.case["id_number"]
    request_id = review_id(record.case_id, MatterCode.PENSION_ACCOUNT)
    previous = services.pension_system.record(id_number)
    services.pension_system.accept_change(id_number, account, month, request_id)
    services.store.put_scheduled(
        f"PAYOUT#{services.person_key(id_number)}",
        "PENDING",
        PAYOUT_SWITCH,
        effective_at(month).isoformat(),
        {"request_id": request_id, "case_id": record.case_id, "id_number": id_number, "effective_month": month},
    )
    result = {
        "effective_month": month,
        "effective_month_text": month_text(month),
        "new_account": mask_account(account),
        "current_account": mask_account(previous.payout_account) if previous and previous.payout_account else None,
        "accepted_at": accepted_at.astimezone(SHANGHAI).isoformat(),
    }
    return result, messages.payout_change_accepted(month_text(month), mask_account(account))


def record_wait_timeout(services: Services, case_id: str, code: str) -> dict[str, Any]:
    """The department did not answer in time: the matter fails, the department is told."""
    record = _load(services, case_id)
    try:
        wait = services.store.update_wait(
            case_id,
            code,
            expected_status=("pending", "decided"),
            changes={"status": "timed_out", "resume": "too_late"},
            unlist=True,
            undue=True,
        )
    except ConcurrentUpdate:
        wait = services.store.get_wait(case_id, code)
    else:
        subject, text = messages.department_alert("timed_out", code, case_id, wait["review_id"], wait.get("due_at", ""))
        services.notifier.alert_department(wait["department"], wait.get("district", ""), "timed_out", subject, text)
    if _finish_matter(
        services, case_id, code, MatterStatus.FAILED, reason=messages.WAIT_TIMED_OUT_REASON, reason_code="DEPARTMENT_TIMEOUT"
    ):
        services.store.add_event(case_id, "matter_failed", f"{matter_name(code)}：{messages.WAIT_TIMED_OUT_REASON}", matter=code)
        notify_applicant(services, record, messages.matter_not_done(code, messages.WAIT_TIMED_OUT_REASON), matter=code)
    logger.warning("department wait timed out", extra={"case_id": case_id, "matter": code})
    metrics.add_metric(name="DepartmentWaitsTimedOut", unit=MetricUnit.Count, value=1)
    return {"matter": code, "status": MatterStatus.FAILED.value}


# --- FinishCase / FailCase --------------------------------------------------------------


def _summary_line(code: str, matter: dict) -> str:
    if matter["status"] == MatterStatus.SUCCEEDED:
        return f"{matter_name(code)}已办结"
    return f"{matter_name(code)}未办理（{matter.get('reason') or '未完成'}）"


def _keep_materials_until_retention(services: Services, record: CaseRecord, finished_at: str) -> None:
    from chalicelib.services.materials import schedule_retention

    if any(m.get("key") for m in record.materials.values()):
        schedule_retention(services, record.case_id, finished_at)


def _fail_open_matters(services: Services, record: CaseRecord, reason_code: str) -> CaseRecord:
    """Nothing may stay open once the run ends."""
    for code, matter in record.matters.items():
        if matter["status"] not in FINAL_MATTER_STATUSES:
            _finish_matter(
                services, record.case_id, code, MatterStatus.FAILED, reason=messages.SYSTEM_FAILURE_REASON, reason_code=reason_code
            )
    return _load(services, record.case_id)


def _close_case(services: Services, record: CaseRecord, status: CaseStatus, event_text: str) -> tuple[dict, bool]:
    """Write the final status once; answers (the case, whether this call closed it)."""
    finished_at = services.now_iso()
    case = services.store.mutate_case(
        record.case_id,
        lambda c: (
            None if c["status"] in FINAL_CASE_STATUSES else {"status": status.value, "finished_at": finished_at, "updated_at": finished_at}
        ),
    )
    closed = case.get("finished_at") == finished_at
    if closed:
        services.store.add_event(record.case_id, "finished", event_text)
        _keep_materials_until_retention(services, record, finished_at)
    return case, closed


def finish_case(services: Services, case_id: str) -> dict[str, Any]:
    """Every matter has its result: set the case status and tell the applicant."""
    record = _load(services, case_id)
    if record.case["status"] in FINAL_CASE_STATUSES:
        return {"case_id": case_id, "status": record.case["status"]}
    record = _fail_open_matters(services, record, "NOT_FINISHED")
    status = finished_case_status(m["status"] for m in record.matters.values())
    case, closed = _close_case(services, record, status, f"案件{messages.CASE_STATUS_NAMES[status]}")
    if closed:
        order = list(CATALOGUE).index
        lines = [_summary_line(c, record.matters[c]) for c in sorted(record.matters, key=lambda c: order(MatterCode(c)))]
        if len(record.matters) > 1:
            notify_applicant(services, record, messages.case_finished(case_id, status, lines))
        logger.info("case finished", extra={"case_id": case_id, "status": status.value})
        metrics.add_metric(name=f"Cases{status.value.title().replace('_', '')}", unit=MetricUnit.Count, value=1)
    return {"case_id": case_id, "status": case["status"]}


def fail_case(services: Services, case_id: str, error: dict | None) -> dict[str, Any]:
    """The last resort when the run itself broke: no case stays `processing`.

    Independent of `finish_case` (which may be what broke): every open matter fails,
    the case takes the status its matters give, or `failed`.
    """
    logger.error("case workflow failed", extra={"case_id": case_id, "error": (error or {}).get("Error")})
    metrics.add_metric(name="CaseWorkflowsFailed", unit=MetricUnit.Count, value=1)
    record = _fail_open_matters(services, _load(services, case_id), "SYSTEM_ERROR")
    try:
        status = finished_case_status(m["status"] for m in record.matters.values())
    except ValueError:
        status = CaseStatus.FAILED
    case, closed = _close_case(services, record, status, f"案件{messages.CASE_STATUS_NAMES[status]}（办理过程出现系统故障）")
    if closed:
        notify_applicant(services, record, messages.case_finished(case_id, status, [messages.SYSTEM_FAILURE_REASON]))
    return {"case_id": case_id, "status": case["status"]}
