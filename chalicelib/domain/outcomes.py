"""What one state change of a case writes, as values: the store turns it into one transaction.

A matter's outcome (办理结果), its timeline event, the messages that report it and, when
it is the last open matter, the case's final status are recorded together or not at
all. The conditions make the first outcome win: a retried or duplicated task finds the
matter already final, writes nothing and sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from chalicelib.domain.case import CaseStatus, MatterStatus

# A matter still open on the case's `matter_status` map (what a conclusion may move on from).
OPEN_MATTER_STATUSES = (MatterStatus.PENDING, MatterStatus.IN_PROGRESS, MatterStatus.AWAITING_REVIEW)


class Channel(StrEnum):
    SMS = "sms"  # to the applicant's contact phone
    ALERT = "alert"  # to a department (the departments' topic)


class Delivery(StrEnum):
    """An outbox record's state: written with its state change, sent once (claimed first)."""

    PENDING = "pending"
    SENT = "sent"


class WaitStatus(StrEnum):
    """A department wait (task token) of a reviewed matter."""

    PENDING = "pending"  # with the department
    DECIDED = "decided"  # decided; the decision travels back to the run
    TIMED_OUT = "timed_out"
    WITHDRAWN = "withdrawn"
    FAILED = "failed"  # the run failed the matter while it waited


class Resume(StrEnum):
    """Whether a recorded decision reached the waiting run."""

    PENDING = "pending"
    SENT = "sent"
    TOO_LATE = "too_late"


@dataclass(frozen=True)
class Message:
    """One notification, with an id stable across retries (`<case>.<matter or case>.<purpose>`)."""

    id: str
    channel: Channel
    text: str
    to: str = ""  # the phone (SMS)
    matter: str | None = None
    subject: str = ""  # alerts
    department: str = ""
    district: str = ""
    level: str = ""


@dataclass(frozen=True)
class Outcome:
    code: str
    status: MatterStatus
    result: dict[str, Any] | None = None
    reason: str | None = None
    reason_code: str | None = None


@dataclass(frozen=True)
class Event:
    kind: str
    text: str
    matter: str | None = None
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class Closing:
    """The case's final status, written with the last matter's outcome."""

    status: CaseStatus
    at: str
    retention_due: str | None = None  # uploaded materials are deleted after this (materials retention)


@dataclass(frozen=True)
class WaitChange:
    """A department wait ends with the outcome (timed out, failed): off the lists."""

    code: str
    status: WaitStatus
    expected: tuple[WaitStatus, ...]
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PayoutSwitch:
    """An accepted payout account change, for the payout switch job to switch on its effective date (domain.md §6).

    One per person (`person_key`, the HMAC of the ID): a later change replaces the pending one.
    """

    person_key: str
    request_id: str
    case_id: str
    id_number: str  # the job hands it to the pension system
    effective_month: str
    effective_at: str  # when the job switches it


@dataclass(frozen=True)
class Conclusion:
    """Everything one outcome writes, and what must still hold for it to be the first.

    `case_status`: the case must still be in it (a withdrawal wins over a late outcome).
    `some_open`: when this is not the last matter, at least one of these must still be open
    (else this one is the last, and the writer must read and close the case).
    `others_final`: when this is the last, the other matters' outcomes as read (final, so fixed).
    `contact_phone`: the SMS goes to the case's contact phone only if it is still this one.
    """

    case_id: str
    outcomes: tuple[Outcome, ...]
    events: tuple[Event, ...] = ()
    messages: tuple[Message, ...] = ()
    case_status: CaseStatus = CaseStatus.PROCESSING
    some_open: tuple[str, ...] = ()
    others_final: dict[str, str] = field(default_factory=dict)
    closing: Closing | None = None
    contact_phone: str | None = None
    new_contact_phone: str | None = None  # a phone change moves the case's later messages to the new number
    wait: WaitChange | None = None
    card_order: dict[str, Any] | None = None  # a card for its bank to make (`bank_code`), listed by `ordered_at`
    payout_switch: PayoutSwitch | None = None
