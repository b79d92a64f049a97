"""RunMatter: the immediate matters, against the card system (stage one, and the status query).

The card system's operations are idempotent by operation id (`<case>#<matter>`), so a
retried task asks again and gets the same answer; the outcome is then recorded once.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain import messages
from chalicelib.domain.cards import CARD_STATUS_NAMES, Card
from chalicelib.domain.case import FINAL_CASE_STATUSES, FINAL_MATTER_STATUSES, MatterStatus
from chalicelib.domain.catalogue import MatterCode, matter_name
from chalicelib.domain.outcomes import Event, Outcome
from chalicelib.domain.resident_id import mask_account
from chalicelib.observability import MetricUnit, logger, metrics
from chalicelib.ports import ExternalRefusal
from chalicelib.services.prejudging import person_records
from chalicelib.services.stages.conclude import Concluded, Sms, conclude, facts_of, not_done, recorded_outcome
from chalicelib.wiring import Services


def card_result(card: Card) -> dict[str, Any]:
    return {
        "card_status": card.status.value,
        "card_status_text": CARD_STATUS_NAMES[card.status],
        "card_id": card.card_id,
        "bank": card.bank,
        "account_number": mask_account(card.account_number) if card.account_number else "",
    }


def answer(code: str, concluded: Concluded) -> dict[str, Any]:
    """A task's answer to the run: the matter's status, and the case's once final (FinishCase reads it)."""
    return {"matter": code, "status": concluded.status, "case_status": concluded.case_status}


def run_matter(services: Services, case_id: str, code: str, facts: dict[str, Any] | None = None, plan: dict | None = None) -> dict:
    if (recorded := recorded_outcome(services, case_id, code, plan)) is not None and recorded["status"] in FINAL_MATTER_STATUSES:
        return recorded  # an earlier run did it: not asked of the card system again
    facts = facts_of(services, case_id, facts)
    matter = MatterCode(code)
    try:
        result, detail = _apply(services, facts, matter, plan)
    except ExternalRefusal as refusal:
        concluded = not_done(
            services,
            facts,
            code,
            MatterStatus.FAILED,
            refusal.message,
            refusal.code,
            "matter_failed",
            f"{matter_name(code)}：{refusal.message}",
            plan=plan,
        )
        logger.info("matter refused by card system", extra={"case_id": case_id, "matter": code, "code": refusal.code})
        return answer(code, concluded)
    form = facts["matters"][code]
    new_phone = form.get("phone") if matter == MatterCode.INFO_CHANGE else None
    outcome = Outcome(code, MatterStatus.SUCCEEDED, result=result)
    event = Event("matter_succeeded", f"{matter_name(code)}：已办结。{detail}", matter=code)
    if new_phone:
        concluded = _conclude_phone_change(services, facts, outcome, event, new_phone, plan)
    else:
        concluded = conclude(
            services, facts, [outcome], [event], [Sms("outcome", messages.matter_succeeded(code, detail), code)], plan=plan
        )
    if concluded.recorded:
        logger.info("matter done", extra={"case_id": case_id, "matter": code})
        metrics.add_metric(name="MattersSucceeded", unit=MetricUnit.Count, value=1)
    return answer(code, concluded)


def _apply(services: Services, facts: dict[str, Any], code: MatterCode, plan: dict | None) -> tuple[dict[str, Any], str]:
    """Perform one immediate matter; answers (result, SMS detail)."""
    id_number = facts["id_number"]
    form = facts["matters"][code.value]
    operation_id = f"{facts['case_id']}#{code.value}"
    cards = services.card_system
    if code == MatterCode.ACTIVATE:
        return card_result(cards.activate(id_number, operation_id)), "您的社会保障卡已启用。"
    if code == MatterCode.LOSS:
        if form.get("action") == "revoke":
            card = cards.revoke_loss(id_number, operation_id)
            return {**card_result(card), "action": "revoke"}, "您的社会保障卡已解挂，恢复正常使用。"
        return {**card_result(cards.report_loss(id_number, operation_id)), "action": "report"}, "您的社会保障卡已挂失。"
    if code == MatterCode.CANCEL:
        return card_result(cards.cancel(id_number, form.get("reason", "other"), operation_id)), "您的社会保障卡已注销。"
    if code == MatterCode.INFO_CHANGE:
        if form.get("phone"):
            _remember_previous_phone(services, facts)
        cards.change_contact(id_number, form.get("phone"), form.get("address"), operation_id)
        changed = [name for name, key in (("联系电话", "phone"), ("联系地址", "address")) if form.get(key)]
        return {"changed": [k for k in ("phone", "address") if form.get(k)]}, f"已变更{'、'.join(changed)}。"
    if code == MatterCode.STATUS_QUERY:
        return _status_query(services, facts, plan)
    raise ValueError(f"{code} is not an immediate matter")


def _status_query(services: Services, facts: dict[str, Any], plan: dict | None) -> tuple[dict[str, Any], str]:
    """The card as the card system has it now; the person's other open applications as this run read them at
    pre-judgment, moments before (no second read of their cases)."""
    id_number = facts["id_number"]
    card = services.card_system.current_card(id_number)
    if plan is not None and "open_applications" in plan:
        applications = list(plan["open_applications"])
        pension = services.pension_system.record(id_number)
    else:
        records = person_records(services, id_number, exclude_case=facts["case_id"])
        applications, pension = sorted(m.value for m in records.open_matters), records.pension
    if card is None:
        return {
            "card_status": "none",
            "card_status_text": "未查询到社会保障卡",
            "open_applications": applications,
        }, "未查询到您的社会保障卡。"
    result = {**card_result(card), "open_applications": applications}
    if pension and pension.recipient:
        result["pension"] = {
            "payout_account": mask_account(pension.payout_account) if pension.payout_account else None,
            "pending_account": mask_account(pension.pending_account) if pension.pending_account else None,
            "pending_effective_month": pension.pending_effective_month,
        }
    return result, f"您的社会保障卡状态：{CARD_STATUS_NAMES[card.status]}。"


# --- a new contact phone (domain.md §8) ------------------------------------------------


def _remember_previous_phone(services: Services, facts: dict[str, Any]) -> None:
    """The number on file before the change, kept on the matter first: a retried task finds the new one on file."""
    profile = services.card_system.profile(facts["id_number"])
    previous = profile.phone if profile and profile.phone else facts["phone"]
    services.store.mutate_matter(
        facts["case_id"], MatterCode.INFO_CHANGE, lambda m: None if m.get("previous_phone") else {"previous_phone": previous}
    )


def _conclude_phone_change(
    services: Services, facts: dict[str, Any], outcome: Outcome, event: Event, new_phone: str, plan: dict | None
) -> Concluded:
    """The case's later messages go to the new number; the change is confirmed to the old number (on file, and the
    case's contact) and to the new one, so a change not made by the holder is noticed on the phone they still have."""
    case_id = facts["case_id"]
    code = MatterCode.INFO_CHANGE.value
    previous = services.store.get_matter(case_id, code).get("previous_phone") or facts["phone"]
    text = messages.contact_phone_changed(previous, new_phone, address_too=bool(facts["matters"][code].get("address")))
    sms = [Sms(f"phone-{i}", text, code, to=phone) for i, phone in enumerate(dict.fromkeys((previous, facts["phone"], new_phone)))]
    concluded = conclude(services, facts, [outcome], [event], sms, plan=plan, new_contact_phone=new_phone)
    if concluded.recorded:
        _move_other_cases_to(services, facts, {previous, facts["phone"]}, new_phone)
    return concluded


def _move_other_cases_to(services: Services, facts: dict[str, Any], old_phones: set[str], new_phone: str) -> None:
    """The person's other cases not yet finished (a draft, a review still waiting) send their later messages
    to the new number too; a case whose contact is some other number (a relative's) keeps it."""

    def change(case: dict) -> dict | None:
        if case["status"] in FINAL_CASE_STATUSES or case["contact"]["phone"] not in old_phones:
            return None
        return {"contact": {**case["contact"], "phone": new_phone}}

    cursor = None
    while True:
        cases, cursor = services.store.list_for_person(facts["person_key"], limit=50, cursor=cursor)
        for case in cases:
            if case["case_id"] != facts["case_id"] and case["status"] not in FINAL_CASE_STATUSES:
                services.store.mutate_case(case["case_id"], change)
        if cursor is None:
            return
