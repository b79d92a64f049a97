"""Ports: what the services need from the world. Adapters live in `chalicelib.adapters`.

The provincial card system, the pension system and the data-sharing service are
external systems; locally they are simulators (`adapters.simulators`), in production
the wiring replaces them here with clients of the real interfaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.domain.cards import Card, PensionRecord
from chalicelib.domain.identity import IdentityMatch


class ExternalRefusal(Exception):
    """An external system refused an operation for a business reason (not transient)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ResidentProfile:
    name: str
    phone: str
    address: str
    district: str


class CardSystem(Protocol):
    """The provincial social security card system (省社会保障卡管理系统)."""

    def profile(self, id_number: str) -> ResidentProfile | None: ...

    def current_card(self, id_number: str) -> Card | None: ...

    def activate(self, id_number: str, operation_id: str) -> Card: ...

    def report_loss(self, id_number: str, operation_id: str) -> Card: ...

    def revoke_loss(self, id_number: str, operation_id: str) -> Card: ...

    def cancel(self, id_number: str, reason: str, operation_id: str) -> Card: ...

    def change_contact(self, id_number: str, phone: str | None, address: str | None, operation_id: str) -> ResidentProfile: ...

    def issue_new_card(
        self, id_number: str, bank: str, branch: str, operation_id: str, case_id: str, replaces: str | None, bank_code: str = ""
    ) -> Card:
        """An approved apply/reissue: a new card to be made at the bank; a replay answers the same card."""
        ...

    def card_owner_item(self, card_id: str) -> dict | None:
        """The card's record (with its `bank_code`), or None for a card the system does not know."""
        ...

    def mark_issued(self, card_id: str, on: str) -> tuple[Card, str | None, bool]:
        """The bank made and handed over the card: (card, the case that asked for it, whether this call changed it)."""
        ...

    def mark_not_made(self, card_id: str, reason: str) -> tuple[Card, str | None, bool]:
        """The bank could not make the card: (card, the case that asked for it, whether this call changed it)."""
        ...


class PensionSystem(Protocol):
    """The pension business system (养老保险业务系统)."""

    def record(self, id_number: str) -> PensionRecord | None: ...

    def accept_change(self, id_number: str, account: str, month: str, request_id: str) -> PensionRecord: ...

    def switch_payout(self, id_number: str, request_id: str) -> tuple[PensionRecord, bool]: ...


class DataSharing(Protocol):
    """The government data-sharing service (数据共享): ID e-license, police photo, identity check."""

    def shared_materials(self, id_number: str) -> dict[str, bool]: ...

    def verify_identity(self, id_number: str, name: str) -> IdentityMatch:
        """Whether `name` is the name of `id_number` in the population register (公安人口信息).

        Answers match / mismatch / unknown, never the registered name: the counter learns
        no more than whether the person before it is who they say.
        """
        ...

    def document_key(self, id_number: str, source: str) -> str | None:
        """Where a reviewer reads a shared document (`id_license`, `police_photo`): its key in the
        materials bucket, which the data-sharing adapter fills; None when the service does not provide it."""
        ...


class Notifier(Protocol):
    def send_sms(self, phone: str, text: str) -> str: ...

    def alert_department(self, department: str, district: str, level: str, subject: str, text: str) -> str: ...


class Workflow(Protocol):
    def start(self, case_id: str, facts: dict[str, Any] | None = None) -> str: ...

    def describe(self, case_id: str) -> dict[str, Any] | None: ...

    def stop(self, case_id: str, cause: str) -> bool: ...
