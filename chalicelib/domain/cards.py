"""Card states (domain.md §3). One valid card per person (一人一卡)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class CardStatus(StrEnum):
    AWAITING_COLLECTION = "awaiting_collection"  # 待领卡（银行制卡中）
    ISSUED = "issued"  # 已发放，未启用
    ACTIVE = "active"  # 已启用
    LOST = "lost"  # 已挂失
    CANCELLED = "cancelled"  # 已注销
    REPLACED = "replaced"  # 已被补换的新卡取代
    NOT_MADE = "not_made"  # 合作银行未能制卡（申领或补换未成）


VALID_CARD_STATUSES = frozenset({CardStatus.AWAITING_COLLECTION, CardStatus.ISSUED, CardStatus.ACTIVE, CardStatus.LOST})

CARD_STATUS_NAMES: dict[CardStatus, str] = {
    CardStatus.AWAITING_COLLECTION: "待领卡",
    CardStatus.ISSUED: "已发放未启用",
    CardStatus.ACTIVE: "正常使用",
    CardStatus.LOST: "已挂失",
    CardStatus.CANCELLED: "已注销",
    CardStatus.REPLACED: "已补换（失效）",
    CardStatus.NOT_MADE: "未能制卡",
}


@dataclass(frozen=True)
class Card:
    card_id: str
    status: CardStatus
    bank: str = ""
    branch: str = ""
    account_number: str = ""
    issued_on: str | None = None
    bank_code: str = ""  # the cooperating bank that makes and hands over the card (data/banks.json)

    @property
    def valid(self) -> bool:
        return self.status in VALID_CARD_STATUSES

    def with_status(self, status: CardStatus) -> Card:
        return replace(self, status=status)


@dataclass(frozen=True)
class PensionRecord:
    """What the pension system says of a person (养老保险待遇领取信息)."""

    recipient: bool
    payout_account: str | None = None
    pending_account: str | None = None
    pending_effective_month: str | None = None
