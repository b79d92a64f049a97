"""Scenario guidance (场景引导, domain.md §8a): start from a life situation, not a list of matters.

Each scenario proposes the matters of one situation with their forms filled in as far
as the situation itself decides them (a lost card: report the loss, reissue of kind
`lost`). What only the applicant can say (the bank where the card is made, a new
phone number, the new payout account, why the card is cancelled) is left out of the
form and named in `remaining`; pre-judgment then checks the proposal against the
person's records. Pure data, no AWS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from chalicelib.domain.catalogue import MatterCode

M = MatterCode


@dataclass(frozen=True)
class ProposedMatter:
    code: MatterCode
    form: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    # form fields the applicant still has to fill in before the case can be created
    remaining: tuple[str, ...] = ()

    def form_dict(self) -> dict[str, Any]:
        return dict(self.form)


@dataclass(frozen=True)
class Scenario:
    code: str
    title: str
    description: str
    matters: tuple[ProposedMatter, ...]

    @property
    def complete(self) -> bool:
        """Whether every form is filled in (the proposal can be submitted as it is)."""
        return not any(m.remaining for m in self.matters)


def _matter(code: MatterCode, remaining: tuple[str, ...] = (), **form: str) -> ProposedMatter:
    return ProposedMatter(code=code, form=MappingProxyType(form), remaining=remaining)


_BANK = ("bank", "branch")

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "first_card",
        "第一次办卡",
        "还没有社会保障卡，想申领一张。请选择制卡的合作银行和网点，审核通过后到该网点领卡。",
        (_matter(M.APPLY, _BANK), _matter(M.STATUS_QUERY)),
    ),
    Scenario(
        "card_lost",
        "卡丢了",
        "社会保障卡遗失：先挂失，防止被他人使用，同时补领新卡。请选择制作新卡的合作银行和网点。",
        (_matter(M.LOSS, action="report"), _matter(M.REISSUE, _BANK, kind="lost")),
    ),
    Scenario(
        "card_damaged",
        "卡坏了",
        "社会保障卡损坏、无法使用：换领新卡，原卡在新卡发放后作废。请选择制作新卡的合作银行和网点。",
        (_matter(M.REISSUE, _BANK, kind="damaged"),),
    ),
    Scenario(
        "card_expired",
        "卡过期了",
        "社会保障卡到了有效期：换发新卡，原卡在新卡发放后作废。请选择制作新卡的合作银行和网点。",
        (_matter(M.REISSUE, _BANK, kind="expired"),),
    ),
    Scenario(
        "card_received",
        "领到新卡",
        "已从银行网点领到社会保障卡，启用后即可使用。",
        (_matter(M.ACTIVATE),),
    ),
    Scenario(
        "card_found",
        "找回了挂失的卡",
        "挂失的社会保障卡找到了：解除挂失，恢复使用。",
        (_matter(M.LOSS, action="revoke"),),
    ),
    Scenario(
        "contact_changed",
        "换了手机号或地址",
        "联系电话或联系地址变了：变更社会保障卡登记的联系信息。请填写新的手机号、新的地址，或两者都填。",
        (_matter(M.INFO_CHANGE, ("phone", "address")),),
    ),
    Scenario(
        "pension_account",
        "退休了，要换养老金到账的卡",
        "领取养老金，想改用本人社会保障卡的金融账户接收：请填写本人社会保障卡的银行卡号。每月1日至15日申请的，次月起发放到新账户。",
        (_matter(M.PENSION_ACCOUNT, ("account_number",)),),
    ),
    Scenario(
        "stop_using",
        "不再使用这张卡",
        "不再需要社会保障卡（如出国定居、重复持卡）：注销社会保障卡，并查询注销后的状态。请选择注销原因。",
        (_matter(M.CANCEL, ("reason", "reason_text")), _matter(M.STATUS_QUERY)),
    ),
    Scenario(
        "card_status",
        "想知道卡的状态",
        "查询社会保障卡当前的状态和正在办理的申请。",
        (_matter(M.STATUS_QUERY),),
    ),
)


def scenario(code: str) -> Scenario | None:
    return next((s for s in SCENARIOS if s.code == code), None)
