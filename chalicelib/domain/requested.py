"""What the applicant asked for in each matter, in the words of the 2023 form (domain.md §2, §9).

Pure: a matter's stored form in, labelled Chinese lines out. The printed form puts
these beside the ticked matter, so a clerk and the applicant sign what was actually
requested (bank and branch, reissue kind, loss action, cancel reason, new contact
details, new payout account), not just a tick.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from chalicelib.domain.catalogue import CHOICE_NAMES, MatterCode
from chalicelib.domain.resident_id import mask_account, mask_phone

# The form's choice values in the words printed on paper: the catalogue's, so the API, the SMS and the paper agree.
REISSUE_KINDS = {v: CHOICE_NAMES[v] for v in ("lost", "damaged", "expired")}
LOSS_ACTIONS = {v: CHOICE_NAMES[v] for v in ("report", "revoke")}
CANCEL_REASONS = {v: CHOICE_NAMES[v] for v in ("emigration", "duplicate", "deceased", "other")}


def _choice(labels: Mapping[str, str], value: object) -> str:
    # A value from before a label existed is still printed, never dropped: the paper must show what was stored.
    return labels.get(str(value), str(value))


def requested_details(code: MatterCode | str, form: Mapping[str, object] | None, *, full: bool = True) -> list[tuple[str, str]]:
    """(label, value) pairs of what was requested in this matter; empty for matters without a form.

    `full` is False for a viewer who is neither the applicant nor the counter that filed
    the case: the new phone number and payout account are then masked.
    """
    form = form or {}
    code = MatterCode(code)
    phone: Callable[[str], str] = (lambda v: v) if full else mask_phone
    account: Callable[[str], str] = (lambda v: v) if full else mask_account
    lines: list[tuple[str, str]] = []
    if code is MatterCode.REISSUE and form.get("kind"):
        lines.append(("补换类型", _choice(REISSUE_KINDS, form["kind"])))
    if code in (MatterCode.APPLY, MatterCode.REISSUE):
        if form.get("bank"):
            lines.append(("合作银行", str(form["bank"])))
        if form.get("branch"):
            lines.append(("制卡网点", str(form["branch"])))
    elif code is MatterCode.LOSS and form.get("action"):
        lines.append(("办理", _choice(LOSS_ACTIONS, form["action"])))
    elif code is MatterCode.CANCEL and form.get("reason"):
        reason = _choice(CANCEL_REASONS, form["reason"])
        if form.get("reason_text"):
            reason += f"：{form['reason_text']}"
        lines.append(("注销原因", reason))
    elif code is MatterCode.INFO_CHANGE:
        if form.get("phone"):
            lines.append(("新联系电话", phone(str(form["phone"]))))
        if form.get("address"):
            lines.append(("新联系地址", str(form["address"])))
    elif code is MatterCode.PENSION_ACCOUNT and form.get("account_number"):
        lines.append(("新发放账号", account(str(form["account_number"]))))
    return lines
