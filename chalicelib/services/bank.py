"""Cooperating banks: a card was made and handed over (制卡发放)."""

from __future__ import annotations

from chalicelib.domain import messages
from chalicelib.domain.workdays import SHANGHAI
from chalicelib.errors import ConflictProblem, NotFoundProblem
from chalicelib.models import CardIssued
from chalicelib.observability import logger
from chalicelib.ports import ExternalRefusal
from chalicelib.services.cases import notify_applicant
from chalicelib.wiring import Services


def card_issued(services: Services, card_id: str) -> CardIssued:
    """The card becomes `issued` (a card it replaces, `replaced`); the applicant is told. Idempotent."""
    today = services.now().astimezone(SHANGHAI).date().isoformat()
    try:
        card, case_id, changed = services.card_system.mark_issued(card_id, today)
    except ExternalRefusal as refusal:
        if refusal.code == "CARD_NOT_FOUND":
            raise NotFoundProblem("未找到该社会保障卡") from None
        raise ConflictProblem(refusal.message) from None
    if changed and case_id:
        record = services.store.get(case_id)
        if record is not None:
            services.store.add_event(case_id, "card_issued", f"社会保障卡已在{card.bank}{card.branch}制卡发放")
            notify_applicant(services, record, messages.card_ready(card.bank, card.branch))
    logger.info("card issued by bank", extra={"card_id": card_id, "changed": changed})
    return CardIssued(card_id=card.card_id, status=card.status.value, bank=card.bank, branch=card.branch, issued_on=card.issued_on)
