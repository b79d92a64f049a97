"""Cooperating banks: the cards they are to make (制卡), and that a card was made and handed over, or could not be made.

A bank sees only its own bank's cards (the `bank` claim of its token against the code
the card records); any other card answers exactly as an unknown one does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from chalicelib.adapters.dynamo_cases import CaseRecord, ConcurrentUpdate
from chalicelib.adapters.simulators import preexisting_case_id
from chalicelib.auth import Principal
from chalicelib.domain import messages
from chalicelib.domain.access import Looked
from chalicelib.domain.banks import Bank, find_bank
from chalicelib.domain.cards import Card, CardStatus
from chalicelib.domain.case import FINAL_CASE_STATUSES, FINAL_MATTER_STATUSES, CaseStatus, MatterStatus, finished_case_status
from chalicelib.domain.catalogue import MatterCode, matter_name
from chalicelib.domain.outcomes import Event, Outcome
from chalicelib.domain.resident_id import mask_resident_id
from chalicelib.domain.workdays import SHANGHAI
from chalicelib.errors import ConflictProblem, NotFoundProblem, checked_cursor
from chalicelib.models import BankCardList, BankCardView, CardIssued, CardNotMadeRequest
from chalicelib.observability import MetricUnit, logger, metrics
from chalicelib.ports import ExternalRefusal
from chalicelib.residents import Resident
from chalicelib.services import access
from chalicelib.services.case_facts import case_facts
from chalicelib.services.cases import notify_applicant
from chalicelib.services.stages.conclude import Sms, conclude
from chalicelib.wiring import Services

AWAITING_PRODUCTION = "awaiting_production"


def mask_name(name: str) -> str:
    """王芳 → 王*, 欧阳娜娜 → 欧***: the surname is enough for the bank's list."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def card_order(services: Services, facts: dict, code: str, card: Card, bank: Bank) -> dict:
    """An approved apply/reissue's card on its bank's list, written with the approval (CaseStore.conclude)."""
    return _order(services, facts["case_id"], code, card.card_id, card.branch, bank, facts.get("applicant_name", ""), facts["id_number"])


def _order(services: Services, case_id: str, code: str, card_id: str, branch_name: str, bank: Bank, name: str, id_number: str) -> dict:
    branch = bank.branch(branch_name)
    return {
        "card_id": card_id,
        "case_id": case_id,
        "matter": code,
        "bank_code": bank.code,
        "bank": bank.name,
        "branch": branch_name,
        "branch_district": branch.district if branch else "",
        "applicant_name": mask_name(name),
        "applicant_id_number": mask_resident_id(id_number),
        "person_key": services.person_key(id_number),  # whose card: the bank's read of it is recorded (PIPL Art. 51)
        "status": AWAITING_PRODUCTION,
        "ordered_at": services.now_iso(),
    }


def _put_order(services: Services, case_id: str, code: str, card_id: str, branch_name: str, bank: Bank, name: str, id_number: str) -> None:
    services.store.put_card_order(case_id, _order(services, case_id, code, card_id, branch_name, bank, name, id_number))


def list_cards_waiting_from_before(services: Services, residents: Iterable[Resident]) -> int:
    """Cards already waiting at a bank when the service starts (the residents file's `awaiting_collection`)
    go on their bank's list too, under the placeholder case the card system records for them. Replay-safe."""
    count = 0
    for r in residents:
        if r.card and r.card.status == CardStatus.AWAITING_COLLECTION and (bank := find_bank(r.card.bank)) is not None:
            case_id = preexisting_case_id(r.card.card_id)
            _put_order(services, case_id, MatterCode.APPLY.value, r.card.card_id, r.card.branch, bank, r.name, r.id_number)
            count += 1
    return count


def list_cards(services: Services, principal: Principal, limit: int, cursor: str | None) -> BankCardList:
    """The caller's bank's cards waiting to be made, oldest order first."""
    with checked_cursor():
        orders, next_cursor = services.store.list_bank_cards(principal.bank or "", limit, cursor)
    access.record_staff_reads(services, principal, "bank", _whose(services, orders), Looked.CARD_LIST)
    return BankCardList(
        cards=[
            BankCardView(
                card_id=o["card_id"],
                matter=o["matter"],
                matter_name=matter_name(o["matter"]),
                bank=o["bank_code"],
                bank_name=o["bank"],
                branch=o["branch"],
                branch_district=o.get("branch_district", ""),
                applicant_name=o["applicant_name"],
                applicant_id_number=o["applicant_id_number"],
                status=o["status"],
                ordered_at=o["ordered_at"],
            )
            for o in orders
        ],
        next_cursor=next_cursor,
    )


def _whose(services: Services, orders: list[dict]) -> list[dict]:
    """Each order's case and person; an order listed before orders named their person reads its case
    (a card waiting from before the service has no case to read, and nobody to record)."""
    from chalicelib.adapters.dynamo_cases import NotFound

    whose = []
    for order in orders:
        person_key = order.get("person_key")
        if person_key is None:
            try:
                person_key = services.store.get_case_item(order["case_id"])["person_key"]
            except NotFound:
                continue
        whose.append({"case_id": order["case_id"], "person_key": person_key})
    return whose


def _own_card(services: Services, principal: Principal, card_id: str) -> dict:
    """The card item, if it is a card of the caller's bank; otherwise 404 as for an unknown card."""
    item = services.card_system.card_owner_item(card_id) if len(card_id) <= 40 else None
    if item is None or not principal.bank or item.get("bank_code") != principal.bank:
        raise NotFoundProblem("未找到该社会保障卡")
    return item


def _card_system_answer(call: Callable[[], tuple[Card, str | None, bool]]) -> tuple[Card, str | None, bool]:
    """The card system's answer to a bank's report; its refusal as 404 (no such card) or 409 (not waiting to be made)."""
    try:
        return call()
    except ExternalRefusal as refusal:
        if refusal.code == "CARD_NOT_FOUND":
            raise NotFoundProblem("未找到该社会保障卡") from None
        raise ConflictProblem(refusal.message) from None


def card_issued(services: Services, principal: Principal, card_id: str) -> CardIssued:
    """The card becomes `issued` (a card it replaces, `replaced`); the applicant is told. Idempotent."""
    _own_card(services, principal, card_id)
    today = services.now().astimezone(SHANGHAI).date().isoformat()
    card, case_id, changed = _card_system_answer(lambda: services.card_system.mark_issued(card_id, today))
    if case_id:
        services.store.close_card_order(case_id, card_id, "issued", services.now_iso())
    if changed and case_id:
        record = services.store.get(case_id)
        if record is not None:
            services.store.add_event(case_id, "card_issued", f"社会保障卡已在{card.bank}{card.branch}制卡发放")
            notify_applicant(services, record, messages.card_ready(card.bank, card.branch))
    logger.info("card issued by bank", extra={"card_id": card_id, "changed": changed})
    return CardIssued(card_id=card.card_id, status=card.status.value, bank=card.bank, branch=card.branch, issued_on=card.issued_on)


def card_not_made(services: Services, principal: Principal, card_id: str, request: CardNotMadeRequest) -> CardIssued:
    """The bank could not make the card: the card is `not_made`, the matter fails, the applicant is told. Idempotent.

    Each step is safe to run again, so a retry after a failure half-way finishes the work
    (the applicant is told once: when the matter changes).
    """
    _own_card(services, principal, card_id)
    card, case_id, changed = _card_system_answer(lambda: services.card_system.mark_not_made(card_id, request.reason))
    if case_id:
        services.store.close_card_order(case_id, card_id, "not_made", services.now_iso())
        _fail_card_matter(services, case_id, card, request.reason)
    logger.info("card not made by bank", extra={"card_id": card_id, "changed": changed})
    metrics.add_metric(name="CardsNotMade", unit=MetricUnit.Count, value=1)
    return CardIssued(card_id=card.card_id, status=card.status.value, bank=card.bank, branch=card.branch, issued_on=card.issued_on)


def _fail_card_matter(services: Services, case_id: str, card: Card, bank_reason: str) -> None:
    record = services.store.get(case_id)
    if record is None:
        return
    # a case holds at most one of apply/reissue (domain.md §3 combinations): the matter that asked for the card
    code = next((c for c in (MatterCode.APPLY.value, MatterCode.REISSUE.value) if c in record.matters), None)
    if code is None:
        return
    reason = f"{card.bank}{card.branch}未能制卡：{bank_reason}"
    matter = record.matters[code]
    if matter["status"] not in FINAL_MATTER_STATUSES and record.case["status"] == CaseStatus.PROCESSING:
        # the approval is still being recorded: the bank's answer is the matter's outcome, recorded once, as any
        # other (a later approval finds it final); as the last open matter it closes the case
        _conclude_not_made(services, record, code, card, reason)
        return
    changed = {"value": False}

    def change(matter: dict) -> dict | None:
        # the approval made the matter `succeeded` (or is about to): the bank's answer is its real outcome
        made_for = (matter.get("result") or {}).get("card_id")
        changed["value"] = not (
            matter["status"] == MatterStatus.FAILED or (matter["status"] in FINAL_MATTER_STATUSES and made_for != card.card_id)
        )
        if not changed["value"]:
            return None
        result = {**(matter.get("result") or {}), "card_id": card.card_id, "card_status": card.status.value, "card_status_text": "未能制卡"}
        return {
            "status": MatterStatus.FAILED.value,
            "reason": reason,
            "reason_code": "CARD_NOT_MADE",
            "result": result,
            "updated_at": services.now_iso(),
        }

    services.store.mutate_matter(case_id, code, change)
    if changed["value"]:  # the case item keeps its matters' statuses too: a later outcome closes the case from them
        services.store.mutate_case(
            case_id,
            lambda c: (
                None
                if (c.get("matter_status") or {}).get(code) == MatterStatus.FAILED
                else {
                    "matter_status": {**(c.get("matter_status") or {}), code: MatterStatus.FAILED.value},
                    "matter_reasons": {**(c.get("matter_reasons") or {}), code: reason},
                }
            ),
        )
    _refinish_case(services, case_id)
    if changed["value"]:
        services.store.add_event(case_id, "card_not_made", f"{matter_name(code)}：{reason}", matter=code)
        notify_applicant(services, record, messages.matter_not_done(code, reason), matter=code)


def _conclude_not_made(services: Services, record: CaseRecord, code: str, card: Card, reason: str) -> None:
    result = {"card_id": card.card_id, "card_status": card.status.value, "card_status_text": "未能制卡"}
    conclude(
        services,
        case_facts(record.case, record.matters, record.materials),
        [Outcome(code, MatterStatus.FAILED, result=result, reason=reason, reason_code="CARD_NOT_MADE")],
        [Event("card_not_made", f"{matter_name(code)}：{reason}", matter=code)],
        [Sms("card-not-made", messages.matter_not_done(code, reason), code)],
    )


def _refinish_case(services: Services, case_id: str) -> None:
    """A finished case takes the status its matters now give (a case still running is finished by its workflow)."""
    record = services.store.get(case_id)
    if record is None or any(m["status"] not in FINAL_MATTER_STATUSES for m in record.matters.values()):
        return
    status = finished_case_status(m["status"] for m in record.matters.values())

    statuses = {code: m["status"] for code, m in record.matters.items()}

    def change(case: dict) -> dict | None:
        if case["status"] not in FINAL_CASE_STATUSES or (case["status"] == status.value and case.get("matter_status") == statuses):
            return None
        return {"status": status.value, "matter_status": statuses, "updated_at": services.now_iso()}

    try:
        services.store.mutate_case(case_id, change)
    except ConcurrentUpdate:
        logger.warning("case status not updated after the card was not made", extra={"case_id": case_id})
