"""No Chinese message carries an English code (a matter code, a material kind, a form choice):
every message the catalogue, the pre-judgment and the combination rules can produce is scanned."""

from __future__ import annotations

import re
from itertools import combinations, product

import pytest
from pydantic import ValidationError

from chalicelib.domain import messages
from chalicelib.domain import prejudge as rules
from chalicelib.domain.cards import Card, CardStatus, PensionRecord
from chalicelib.domain.case import CaseStatus
from chalicelib.domain.catalogue import CATALOGUE, CHOICE_NAMES, FORM_MODELS, MATERIAL_NAMES, MatterCode, parse_form
from chalicelib.domain.payout import month_text
from chalicelib.domain.prejudge import PersonRecords, Reason, conflict_reason, prejudge
from chalicelib.models import PrejudgeRequest
from chalicelib.validation import field_errors

CODE = re.compile(r"[A-Za-z_]{3,}")
ACCOUNT = "6217005590000000017"
OTHER = "6222005590000009992"
FORMS: dict[MatterCode, list[dict]] = {
    MatterCode.APPLY: [{"bank": "中国工商银行黄山分行", "branch": "屯溪老街支行"}],
    MatterCode.REISSUE: [{"bank": "中国工商银行黄山分行", "branch": "屯溪老街支行", "kind": k} for k in ("lost", "damaged", "expired")],
    MatterCode.LOSS: [{"action": "report"}, {"action": "revoke"}],
    MatterCode.CANCEL: [{"reason": r, "reason_text": "说明"} for r in ("emigration", "duplicate", "deceased", "other")],
    MatterCode.INFO_CHANGE: [{"phone": "13905590011"}],
    MatterCode.PENSION_ACCOUNT: [{"account_number": ACCOUNT}, {"account_number": OTHER}],
}
PENSIONS = (
    None,
    PensionRecord(recipient=False),
    PensionRecord(recipient=True, payout_account=ACCOUNT),
    PensionRecord(recipient=True, payout_account=OTHER, pending_account=ACCOUNT),
)


def assert_no_code(texts) -> None:
    found = {t: CODE.findall(t) for t in texts if CODE.search(t)}
    assert not found, found


def card(state: str) -> Card | None:
    return (
        None
        if state == "none"
        else Card(card_id="HS0001", status=CardStatus(state), bank="黄山农商银行", branch="祁门支行", account_number=ACCOUNT)
    )


def every_prejudgment_message() -> set[str]:
    texts: set[str] = set()
    codes = list(MatterCode)
    for size in range(1, len(codes) + 1):
        for chosen in combinations(codes, size):
            for variant in range(4):
                selection = {c: parse_form(c, FORMS.get(c, [{}])[variant % len(FORMS.get(c, [{}]))]) for c in chosen}
                for state, pension, open_matters in product(
                    ("none", *(s.value for s in CardStatus)), PENSIONS, (frozenset(), frozenset({MatterCode.REISSUE}))
                ):
                    if size > 2 and (pension, open_matters) != (PENSIONS[3], frozenset()):
                        continue  # larger selections: one set of records is enough for the messages they add
                    records = PersonRecords(card=card(state), pension=pension, open_matters=open_matters)
                    for offline in (False, True):
                        texts |= {reason.message for _, reason in prejudge(selection, records, offline_or_agent=offline).failures}
    return texts


def test_every_pre_judgment_and_combination_message_names_matters_in_chinese():
    produced = every_prejudgment_message()
    declared = {v.message for v in vars(rules).values() if isinstance(v, Reason)}
    pairs = {conflict_reason(a, b).message for a, b in combinations(MatterCode, 2)}
    assert produced - declared - pairs == set()  # nothing is produced that the scan below would miss
    assert_no_code(produced | declared | pairs)


def test_the_catalogue_speaks_chinese_names_labels_and_choices():
    texts = [m.name for m in CATALOGUE.values()] + [m.time_limit_text for m in CATALOGUE.values()]
    texts += [f.label for m in CATALOGUE.values() for f in m.form_fields]
    texts += list(MATERIAL_NAMES.values()) + list(CHOICE_NAMES.values())
    assert_no_code(texts)
    for matter in CATALOGUE.values():
        for field in matter.form_fields:
            assert all(choice in CHOICE_NAMES for choice in field.choices), field


@pytest.mark.parametrize(
    ("code", "form"),
    [
        (MatterCode.REISSUE, {"bank": "工行", "branch": "支行", "kind": "stolen"}),
        (MatterCode.LOSS, {"action": "find"}),
        (MatterCode.CANCEL, {"reason": "moved"}),
        (MatterCode.CANCEL, {"reason": "other"}),
        (MatterCode.INFO_CHANGE, {}),
        (MatterCode.PENSION_ACCOUNT, {"account_number": "1234"}),
    ],
)
def test_form_errors_name_the_allowed_choices_in_chinese(code, form):
    with pytest.raises(ValidationError) as error:
        FORM_MODELS[code].model_validate(form)
    errors = field_errors(error.value)
    assert_no_code(e["message"] for e in errors)


def test_a_refused_choice_lists_what_may_be_chosen_by_name():
    with pytest.raises(ValidationError) as error:
        FORM_MODELS[MatterCode.LOSS].model_validate({"action": "find"})
    assert field_errors(error.value)[0]["message"] == "取值不在允许范围内（可选：挂失、解挂）"


def test_a_matter_chosen_twice_is_named_in_chinese():
    with pytest.raises(ValidationError) as error:
        PrejudgeRequest.model_validate({"matters": [{"code": "status_query"}, {"code": "status_query"}, {"code": "apply"}]})
    [message] = [e["message"] for e in field_errors(error.value)]
    assert message == "同一事项只能选择一次：社会保障卡应用状态查询"
    with pytest.raises(ValidationError) as error:
        PrejudgeRequest.model_validate({"matters": [{"code": "cancle"}]})
    assert_no_code(e["message"] for e in field_errors(error.value))


def test_texts_sent_to_applicants_name_no_code():
    texts = [messages.NOTICE_TEXT, messages.SYSTEM_FAILURE_REASON, messages.NOT_RUN_BECAUSE_OF_OTHERS, messages.WAIT_TIMED_OUT_REASON]
    for code in MatterCode:
        texts += [
            messages.matter_succeeded(code, "已办结。"),
            messages.matter_not_done(code, "原因"),
            messages.card_approved(code, "工行", "支行"),
        ]
    texts += [messages.case_finished("12345678-0000", status, ["已办结"]) for status in CaseStatus if status in messages.CASE_STATUS_NAMES]
    texts += [
        messages.payout_change_accepted(month_text("2027-01"), "**** 0017"),
        messages.payout_switched(month_text("2027-01"), "**** 0017"),
        messages.contact_phone_changed("13905590001", "13800002222", address_too=True),
        messages.prejudgment_failed(["社会保障卡启用：您的社会保障卡已启用，无需重复启用"]),
        messages.case_withdrawn("12345678-0000"),
    ]
    for level in messages.ALERT_LEVEL_NAMES:
        for code in MatterCode:
            subject, text = messages.department_alert(level, code, "12345678-0000", f"12345678-0000.{code}", "2026-12-02T23:59:59+08:00")
            texts += [subject.removeprefix("[社保卡一件事] "), text]
    assert_no_code(texts)
