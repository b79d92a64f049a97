"""Sending what the outbox holds: every notification is recorded with its state change first.

A message is claimed (pending -> sent, one conditional write) before it is handed to
SNS, so two attempts of a task, or a task and its retry, never both send it. If SNS
fails after the claim, the message is pending again and the error goes up: the task's
retry finds its outcome recorded and sends what is still pending.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING

from chalicelib.domain.outcomes import Channel, Message
from chalicelib.observability import logger

if TYPE_CHECKING:
    from chalicelib.adapters.dynamo_cases import CaseRecord
    from chalicelib.wiring import Services


def sms(case_id: str, purpose: str, phone: str, text: str, matter: str | None = None) -> Message:
    """An SMS to the applicant; its id is stable for the same case, matter and purpose."""
    return Message(id=f"{case_id}.{matter or 'case'}.{purpose}", channel=Channel.SMS, text=text, to=phone, matter=matter)


def alert(case_id: str, purpose: str, department: str, district: str, level: str, subject: str, text: str) -> Message:
    """An alert to a department (the departments' topic)."""
    return Message(
        id=f"{case_id}.alert.{purpose}",
        channel=Channel.ALERT,
        text=text,
        subject=subject,
        department=department,
        district=district,
        level=level,
    )


def deliver(services: Services, case_id: str, messages: Iterable[Message]) -> int:
    """Send each message this caller can claim; answers how many it sent.

    The messages of one write are claimed together (one transaction); if another attempt
    took any of them, each is claimed on its own.
    """
    messages = list(messages)
    claimed_all = len(messages) > 1 and services.store.claim_outbox_all(case_id, [m.id for m in messages])
    # another attempt may have taken some: those are its to send
    claimed = [m for m in messages if claimed_all or services.store.claim_outbox(case_id, m.id)]
    for index, message in enumerate(claimed):
        try:
            if message.channel == Channel.SMS:
                services.notifier.send_sms(message.to, message.text)
            else:
                services.notifier.alert_department(message.department, message.district, message.level, message.subject, message.text)
        except Exception:
            for unsent in claimed[index:]:
                services.store.release_outbox(case_id, unsent.id)
            logger.warning("message not sent, left pending for the retry", extra={"case_id": case_id, "message_id": message.id})
            raise
    return len(claimed)


def deliver_pending(services: Services, case_id: str) -> int:
    """Send what an earlier attempt recorded but did not send (a retry of a task whose outcome is recorded)."""
    return deliver(services, case_id, services.store.pending_outbox(case_id))


def notify_applicant(services: Services, record: CaseRecord, text: str, matter: str | None = None, purpose: str | None = None) -> None:
    """An SMS to the case's contact phone, through the outbox (the case's timeline shows it, phone masked).

    API paths (a withdrawal, a rejected upload) are not re-run by the engine: without a
    `purpose` each call is its own message. A caller that may run twice names the purpose.
    """
    purpose = purpose or secrets.token_hex(6)
    message = sms(record.case_id, purpose, record.case["contact"]["phone"], text, matter)
    if services.store.put_outbox(record.case_id, message):
        deliver(services, record.case_id, [message])
