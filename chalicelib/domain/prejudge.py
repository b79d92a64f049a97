"""Pre-judgment (条件预判): domain.md §3, as pure functions.

`prejudge` checks a selection of matters against what the card system, the pension
system and the person's other open cases say, and answers for every chosen matter
whether it passes, and if not, every reason with a stable code and a Chinese message.

Matters are checked in the order in which they will run (stage one in order, then
stage two), each against the card as the earlier passing matters of the same case
will have left it: `loss`/`report` then `reissue`/`lost` passes; `activate` then
`pension_account` sees an active card.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations

from chalicelib.domain.cards import Card, CardStatus, PensionRecord
from chalicelib.domain.catalogue import (
    CATALOGUE,
    CancelForm,
    LossForm,
    MatterCode,
    PensionAccountForm,
    ReissueForm,
    execution_order,
    matter_name,
)

M = MatterCode


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


@dataclass(frozen=True)
class MatterCheck:
    matter: MatterCode
    reasons: tuple[Reason, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class PersonRecords:
    """Everything pre-judgment reads, gathered by the service beforehand."""

    card: Card | None
    pension: PensionRecord | None = None
    # matters of this person's other open (submitted / processing) cases
    open_matters: frozenset[MatterCode] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Prejudgment:
    checks: tuple[MatterCheck, ...]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[tuple[MatterCode, Reason]]:
        return [(c.matter, r) for c in self.checks for r in c.reasons]


# --- messages -----------------------------------------------------------------

CARD_EXISTS = Reason("CARD_EXISTS", "您已持有有效社会保障卡，无需重复申领")
APPLICATION_IN_PROGRESS = Reason("APPLICATION_IN_PROGRESS", "您已有正在办理中的社会保障卡申领或补换申请，请等待办理结果")
NO_CARD = Reason("NO_CARD", "未查询到您名下有效的社会保障卡")
CARD_NOT_LOST_FOR_REISSUE = Reason("CARD_NOT_LOST", "补领须先挂失原社会保障卡，您可以在本次办理中同时选择“挂失”")
CARD_NOT_LOST_FOR_REVOKE = Reason("CARD_NOT_LOST", "您的社会保障卡未处于挂失状态，无需解挂")
CARD_LOST = Reason("CARD_LOST", "您的社会保障卡已挂失，请先解挂，或选择补领")
CARD_BEING_REPLACED = Reason("CARD_BEING_REPLACED", "您的社会保障卡正在补领换卡中，原卡不能解挂")
CARD_NOT_ISSUED = Reason("CARD_NOT_ISSUED", "您的社会保障卡尚未制卡发放，请先到银行网点领取")
CARD_ALREADY_ACTIVE = Reason("CARD_ALREADY_ACTIVE", "您的社会保障卡已启用，无需重复启用")
CARD_ALREADY_LOST = Reason("CARD_ALREADY_LOST", "您的社会保障卡已挂失，无需重复挂失")
PAYOUT_ACCOUNT_BOUND = Reason("PAYOUT_ACCOUNT_BOUND", "该卡为养老保险待遇发放账户，请先变更发放账号")
CANCEL_REASON_NOT_ALLOWED = Reason("CANCEL_REASON_NOT_ALLOWED", "因持卡人身故注销社会保障卡，须由代办人办理或到服务网点办理")
NOT_PENSIONER = Reason("NOT_PENSIONER", "未查询到您的养老保险待遇领取记录，不能办理发放账号维护")
CARD_NOT_ACTIVE = Reason("CARD_NOT_ACTIVE", "新发放账号须为本人正常使用状态的社会保障卡金融账户，您的社会保障卡当前未启用或不可用")
ACCOUNT_NOT_OWN_CARD = Reason("ACCOUNT_NOT_OWN_CARD", "填写的账号不是本人社会保障卡的金融账户")
SAME_ACCOUNT = Reason("SAME_ACCOUNT", "该账号已是您的养老保险待遇发放账号（或已在变更中），无需变更")

REVIEWED_CARD_MATTERS = frozenset({M.APPLY, M.REISSUE})


def conflicting_matters(selection: Mapping[MatterCode, object]) -> list[tuple[MatterCode, MatterCode]]:
    """Pairs of chosen matters that may not be combined in one case (decision, §3)."""
    codes = set(selection)
    refused: set[frozenset[MatterCode]] = set()
    for a, b in combinations(sorted(codes, key=list(CATALOGUE).index), 2):
        pair = {a, b}
        if M.CANCEL in pair and pair - {M.CANCEL} != {M.STATUS_QUERY}:
            refused.add(frozenset(pair))
        if M.APPLY in pair and pair - {M.APPLY} != {M.STATUS_QUERY}:
            refused.add(frozenset(pair))
        if M.ACTIVATE in pair and pair & {M.REISSUE, M.LOSS}:
            refused.add(frozenset(pair))
        if pair == {M.LOSS, M.REISSUE}:
            loss = selection.get(M.LOSS)
            if isinstance(loss, LossForm) and loss.action == "revoke":
                refused.add(frozenset(pair))
        if M.PENSION_ACCOUNT in pair and pair & {M.REISSUE, M.APPLY}:
            refused.add(frozenset(pair))
    order = list(CATALOGUE).index
    pairs = [(first, second) for first, second in (sorted(p, key=order) for p in refused)]
    return sorted(pairs, key=lambda p: (order(p[0]), order(p[1])))


def conflict_reason(a: MatterCode, b: MatterCode) -> Reason:
    return Reason("CONFLICTING_MATTERS", f"“{matter_name(a)}”与“{matter_name(b)}”不能在同一次办理中联办")


def _check_apply(card: Card | None, records: PersonRecords) -> list[Reason]:
    reasons = []
    if card is not None and card.valid:
        reasons.append(CARD_EXISTS)
    if records.open_matters & REVIEWED_CARD_MATTERS:
        reasons.append(APPLICATION_IN_PROGRESS)
    return reasons


def _check_reissue(card: Card | None, form: ReissueForm, records: PersonRecords) -> list[Reason]:
    reasons: list[Reason] = []
    if card is None or not card.valid:
        reasons.append(NO_CARD)
    elif form.kind == "lost":
        if card.status != CardStatus.LOST:
            reasons.append(CARD_NOT_LOST_FOR_REISSUE)
    elif card.status == CardStatus.LOST:
        reasons.append(CARD_LOST)
    elif card.status == CardStatus.AWAITING_COLLECTION:
        reasons.append(CARD_NOT_ISSUED)
    if records.open_matters & REVIEWED_CARD_MATTERS:
        reasons.append(APPLICATION_IN_PROGRESS)
    return reasons


def _check_activate(card: Card | None) -> list[Reason]:
    if card is None or not card.valid:
        return [NO_CARD]
    return {
        CardStatus.ISSUED: [],
        CardStatus.ACTIVE: [CARD_ALREADY_ACTIVE],
        CardStatus.LOST: [CARD_LOST],
        CardStatus.AWAITING_COLLECTION: [CARD_NOT_ISSUED],
    }[card.status]


def _check_loss(card: Card | None, form: LossForm, records: PersonRecords) -> list[Reason]:
    if card is None or not card.valid:
        return [NO_CARD]
    if form.action == "report":
        return {
            CardStatus.ISSUED: [],
            CardStatus.ACTIVE: [],
            CardStatus.LOST: [CARD_ALREADY_LOST],
            CardStatus.AWAITING_COLLECTION: [CARD_NOT_ISSUED],
        }[card.status]
    if card.status != CardStatus.LOST:
        return [CARD_NOT_LOST_FOR_REVOKE]
    if M.REISSUE in records.open_matters:
        return [CARD_BEING_REPLACED]
    return []


def _check_cancel(card: Card | None, form: CancelForm, records: PersonRecords, offline_or_agent: bool) -> list[Reason]:
    reasons: list[Reason] = []
    if card is None or not card.valid:
        reasons.append(NO_CARD)
    elif card.status == CardStatus.AWAITING_COLLECTION:
        reasons.append(CARD_NOT_ISSUED)
    elif _is_payout_account(card, records.pension):
        reasons.append(PAYOUT_ACCOUNT_BOUND)
    # before the forms the reason may still be open (cases.JUDGED_WITHOUT)
    if getattr(form, "reason", None) == "deceased" and not offline_or_agent:
        reasons.append(CANCEL_REASON_NOT_ALLOWED)
    return reasons


def _is_payout_account(card: Card, pension: PensionRecord | None) -> bool:
    if pension is None or not pension.recipient or not card.account_number:
        return False
    return card.account_number in (pension.payout_account, pension.pending_account)


def _check_info_change(card: Card | None) -> list[Reason]:
    """Any card record not cancelled (domain.md §3): contact details live on the person."""
    if card is None or card.status == CardStatus.CANCELLED:
        return [NO_CARD]
    return []


def _check_pension_account(card: Card | None, form: PensionAccountForm, records: PersonRecords) -> list[Reason]:
    reasons: list[Reason] = []
    if records.pension is None or not records.pension.recipient:
        reasons.append(NOT_PENSIONER)
    if card is None or card.status != CardStatus.ACTIVE:
        reasons.append(CARD_NOT_ACTIVE)
    account = getattr(form, "account_number", None)  # before the forms it may still be open (cases.JUDGED_WITHOUT)
    if account is not None and (card is None or card.account_number != account):
        reasons.append(ACCOUNT_NOT_OWN_CARD)
    pension = records.pension
    if account is not None and pension is not None and pension.recipient and account in (pension.payout_account, pension.pending_account):
        reasons.append(SAME_ACCOUNT)
    return reasons


def _after(card: Card | None, code: MatterCode, form: object) -> Card | None:
    """The card as a passing stage-one matter leaves it."""
    if card is None:
        return None
    if code == M.LOSS and isinstance(form, LossForm):
        return card.with_status(CardStatus.LOST if form.action == "report" else CardStatus.ACTIVE)
    if code == M.ACTIVATE:
        return card.with_status(CardStatus.ACTIVE)
    if code == M.CANCEL:
        return card.with_status(CardStatus.CANCELLED)
    return card


def prejudge(
    selection: Mapping[MatterCode, object],
    records: PersonRecords,
    *,
    offline_or_agent: bool = False,
) -> Prejudgment:
    """Check every chosen matter; `selection` maps each matter to its parsed form."""
    reasons: dict[MatterCode, list[Reason]] = {code: [] for code in selection}
    for a, b in conflicting_matters(selection):
        reasons[a].append(conflict_reason(a, b))
        reasons[b].append(conflict_reason(a, b))

    stage_one, stage_two = execution_order(list(selection))
    card = records.card
    for code in stage_one + stage_two:
        form = selection[code]
        found: list[Reason]
        if code == M.APPLY:
            found = _check_apply(card, records)
        elif code == M.REISSUE:
            found = _check_reissue(card, form, records)  # type: ignore[arg-type]
        elif code == M.ACTIVATE:
            found = _check_activate(card)
        elif code == M.LOSS:
            found = _check_loss(card, form, records)  # type: ignore[arg-type]
        elif code == M.CANCEL:
            found = _check_cancel(card, form, records, offline_or_agent)  # type: ignore[arg-type]
        elif code == M.INFO_CHANGE:
            found = _check_info_change(card)
        elif code == M.PENSION_ACCOUNT:
            found = _check_pension_account(card, form, records)  # type: ignore[arg-type]
        else:  # status_query always passes
            found = []
        reasons[code].extend(found)
        if not found and code in stage_one:
            card = _after(card, code, form)

    order = list(CATALOGUE).index
    return Prejudgment(tuple(MatterCheck(code, tuple(reasons[code])) for code in sorted(selection, key=order)))
