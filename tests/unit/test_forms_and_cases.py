"""Per-matter forms (domain.md §2), the catalogue, finished case statuses (api.md), bank card numbers."""

from __future__ import annotations

import re
from itertools import combinations_with_replacement, permutations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import ValidationError
from stdnum import luhn

from chalicelib.domain.accounts import is_bank_card_number
from chalicelib.domain.case import CaseStatus, MatterStatus, finished_case_status
from chalicelib.domain.catalogue import (
    CATALOGUE,
    FORM_MODELS,
    IMMEDIATE,
    ONE_WORKING_DAY,
    Department,
    Material,
    MatterCode,
    parse_form,
)
from chalicelib.validation import field_errors

M = MatterCode
CJK = re.compile(r"[\u4e00-\u9fff]")
BANK = {"bank": "中国工商银行黄山分行", "branch": "屯溪老街支行"}
ACCOUNT = "6217005590000000017"  # Luhn-valid, 19 digits


def chinese_errors(matter: MatterCode, data: object) -> list[dict[str, str]]:
    """The errors the applicant reads when the form is refused."""
    with pytest.raises(ValidationError) as raised:
        parse_form(matter, data)  # type: ignore[arg-type]
    errors = field_errors(raised.value)
    assert errors
    for error in errors:
        assert CJK.search(error["message"]), error
    return errors


# --- the catalogue --------------------------------------------------------------


def test_there_are_exactly_the_eight_matters_of_domain_md_each_with_a_form() -> None:
    codes = {"apply", "reissue", "activate", "loss", "cancel", "info_change", "status_query", "pension_account"}
    assert set(CATALOGUE) == codes
    assert set(FORM_MODELS) == codes


@pytest.mark.parametrize(
    ("matter", "time_limit", "reviewed"),
    [
        (M.APPLY, ONE_WORKING_DAY, True),
        (M.REISSUE, ONE_WORKING_DAY, True),
        (M.ACTIVATE, IMMEDIATE, False),
        (M.LOSS, IMMEDIATE, False),
        (M.CANCEL, IMMEDIATE, False),
        (M.INFO_CHANGE, IMMEDIATE, False),
        (M.STATUS_QUERY, IMMEDIATE, False),
        (M.PENSION_ACCOUNT, ONE_WORKING_DAY, True),
    ],
)
def test_each_matter_has_the_time_limit_of_domain_md(matter: MatterCode, time_limit: str, reviewed: bool) -> None:
    assert CATALOGUE[matter].time_limit == time_limit
    assert CATALOGUE[matter].time_limit_text == {IMMEDIATE: "即时办结", ONE_WORKING_DAY: "1个工作日"}[time_limit]
    assert CATALOGUE[matter].reviewed is reviewed


@pytest.mark.parametrize(
    ("matter", "department"),
    [(M.APPLY, Department.HR), (M.REISSUE, Department.HR), (M.PENSION_ACCOUNT, Department.PENSION)]
    + [(m, Department.CARD_SYSTEM) for m in (M.ACTIVATE, M.LOSS, M.CANCEL, M.INFO_CHANGE, M.STATUS_QUERY)],
)
def test_each_matter_is_handled_by_the_department_of_domain_md(matter: MatterCode, department: Department) -> None:
    assert CATALOGUE[matter].handled_by == department


@pytest.mark.parametrize(
    ("matter", "fields"),
    [
        (M.APPLY, {"bank": (), "branch": ()}),
        (M.REISSUE, {"kind": ("lost", "damaged", "expired"), "bank": (), "branch": ()}),
        (M.LOSS, {"action": ("report", "revoke")}),
        (M.CANCEL, {"reason": ("emigration", "duplicate", "deceased", "other"), "reason_text": ()}),
        (M.INFO_CHANGE, {"phone": (), "address": ()}),
        (M.PENSION_ACCOUNT, {"account_number": ()}),
        (M.ACTIVATE, {}),
        (M.STATUS_QUERY, {}),
    ],
)
def test_each_matter_offers_the_form_fields_of_domain_md(matter: MatterCode, fields: dict[str, tuple[str, ...]]) -> None:
    offered = {f.name: f.choices for f in CATALOGUE[matter].form_fields}
    assert offered == fields
    for field in CATALOGUE[matter].form_fields:
        assert CJK.search(field.label), field


@pytest.mark.parametrize("matter", list(M))
def test_only_apply_and_reissue_need_the_id_card_and_a_photo(matter: MatterCode) -> None:
    expected = {Material.ID_CARD_FRONT, Material.ID_CARD_BACK, Material.PHOTO} if matter in (M.APPLY, M.REISSUE) else set()
    assert set(CATALOGUE[matter].materials) == expected


# --- forms accepted -------------------------------------------------------------


@pytest.mark.parametrize(
    ("matter", "data"),
    [
        (M.APPLY, BANK),
        (M.REISSUE, {**BANK, "kind": "lost"}),
        (M.REISSUE, {**BANK, "kind": "damaged"}),
        (M.REISSUE, {**BANK, "kind": "expired"}),
        (M.LOSS, {"action": "report"}),
        (M.LOSS, {"action": "revoke"}),
        (M.CANCEL, {"reason": "emigration"}),
        (M.CANCEL, {"reason": "duplicate"}),
        (M.CANCEL, {"reason": "deceased"}),
        (M.CANCEL, {"reason": "other", "reason_text": "卡面信息有误"}),
        (M.INFO_CHANGE, {"phone": "13905590011"}),
        (M.INFO_CHANGE, {"address": "安徽省黄山市屯溪区新安北路18号"}),
        (M.INFO_CHANGE, {"phone": "13905590011", "address": "安徽省黄山市屯溪区新安北路18号"}),
        (M.PENSION_ACCOUNT, {"account_number": ACCOUNT}),
        (M.ACTIVATE, {}),
        (M.ACTIVATE, None),
        (M.STATUS_QUERY, {}),
        (M.STATUS_QUERY, None),
    ],
)  # fmt: skip
def test_a_well_filled_form_is_accepted(matter: MatterCode, data: dict[str, str] | None) -> None:
    parsed = parse_form(matter, data)
    assert parsed.model_dump(exclude_none=True) == (data or {})


def test_surrounding_whitespace_is_trimmed_from_form_fields() -> None:
    parsed = parse_form(M.APPLY, {"bank": "  中国工商银行黄山分行 ", "branch": "\t屯溪老街支行\n"})
    assert parsed.model_dump() == BANK


def test_a_payout_account_may_be_written_in_groups_of_four() -> None:
    parsed = parse_form(M.PENSION_ACCOUNT, {"account_number": "6217 0055 9000 0000 017"})
    assert parsed.account_number == ACCOUNT  # type: ignore[attr-defined]


@given(st.integers(min_value=16, max_value=19).flatmap(lambda n: st.text(alphabet="0123456789", min_size=n - 1, max_size=n - 1)))
def test_any_luhn_valid_bank_card_number_is_accepted_as_payout_account(body: str) -> None:
    number = body + luhn.calc_check_digit(body)
    assert parse_form(M.PENSION_ACCOUNT, {"account_number": number}).account_number == number  # type: ignore[attr-defined]


# --- forms refused, with a Chinese message --------------------------------------


@pytest.mark.parametrize(
    ("matter", "data", "field"),
    [
        (M.APPLY, {"branch": "屯溪老街支行"}, "bank"),
        (M.APPLY, {"bank": "中国工商银行黄山分行", "branch": ""}, "branch"),
        (M.APPLY, {"bank": "   ", "branch": "屯溪老街支行"}, "bank"),
        (M.APPLY, {"bank": "银" * 61, "branch": "屯溪老街支行"}, "bank"),
        (M.APPLY, {**BANK, "kind": "lost"}, "kind"),
        (M.APPLY, None, "bank"),
        (M.REISSUE, BANK, "kind"),
        (M.REISSUE, {**BANK, "kind": "stolen"}, "kind"),
        (M.REISSUE, {"kind": "lost", "bank": "中国工商银行黄山分行"}, "branch"),
        (M.LOSS, {}, "action"),
        (M.LOSS, {"action": "freeze"}, "action"),
        (M.CANCEL, {}, "reason"),
        (M.CANCEL, {"reason": "bored"}, "reason"),
        (M.CANCEL, {"reason": "other", "reason_text": "说" * 201}, "reason_text"),
        (M.INFO_CHANGE, {"phone": "12345"}, "phone"),
        (M.INFO_CHANGE, {"phone": "23905590011"}, "phone"),
        (M.INFO_CHANGE, {"phone": "139055900112"}, "phone"),
        (M.INFO_CHANGE, {"phone": "1390559001a"}, "phone"),
        (M.INFO_CHANGE, {"address": "黄"}, "address"),
        (M.INFO_CHANGE, {"phone": "13905590011", "name": "王芳"}, "name"),
        (M.PENSION_ACCOUNT, {}, "account_number"),
        (M.PENSION_ACCOUNT, {"account_number": "6217005590000000018"}, "account_number"),  # check digit wrong
        (M.PENSION_ACCOUNT, {"account_number": "621700559000009"}, "account_number"),  # 15 digits
        (M.PENSION_ACCOUNT, {"account_number": "62170055900000000174"}, "account_number"),  # 20 digits
        (M.PENSION_ACCOUNT, {"account_number": "6217-0055-9000-0000-017"}, "account_number"),
        (M.PENSION_ACCOUNT, {"account_number": "6217A05590000000017"}, "account_number"),
        (M.ACTIVATE, {"note": "请尽快"}, "note"),
        (M.STATUS_QUERY, {"card_id": "HS0001"}, "card_id"),
    ],
)  # fmt: skip
def test_a_badly_filled_form_is_refused_with_a_chinese_message_on_the_field(matter: MatterCode, data: object, field: str) -> None:
    errors = chinese_errors(matter, data)
    assert field in [e["field"] for e in errors]


@pytest.mark.parametrize("text", [None, "", "   "], ids=["missing", "empty", "blank"])
def test_cancel_for_another_reason_needs_the_reason_written_out(text: str | None) -> None:
    data = {"reason": "other"} if text is None else {"reason": "other", "reason_text": text}
    (error,) = chinese_errors(M.CANCEL, data)
    assert "其他" in error["message"]
    assert "说明" in error["message"]


@pytest.mark.parametrize("data", [{}, None, {"phone": None, "address": None}], ids=["empty", "none", "both-null"])
def test_an_information_change_that_changes_nothing_is_refused(data: dict | None) -> None:
    (error,) = chinese_errors(M.INFO_CHANGE, data)
    assert "联系电话" in error["message"] or "联系地址" in error["message"]


@pytest.mark.parametrize("number", ["6217005590000000018", "1234567890123456", "0000000000000001"])
def test_a_payout_account_that_fails_the_luhn_check_is_refused_as_no_bank_card_number(number: str) -> None:
    (error,) = chinese_errors(M.PENSION_ACCOUNT, {"account_number": number})
    assert error["field"] == "account_number"
    assert error["code"] == "ACCOUNT_NUMBER_INVALID"
    assert "银行卡号" in error["message"]


@pytest.mark.parametrize("digits", ["٠١٢٣٤٥٦٧٨٩", "０１２３４５６７８９"], ids=["arabic-indic", "full-width"])
def test_a_contact_phone_with_non_ascii_digits_is_refused(digits: str) -> None:
    phone = "1" + "3905590011".translate(str.maketrans("0123456789", digits))
    chinese_errors(M.INFO_CHANGE, {"phone": phone})


# --- finished case status -------------------------------------------------------

S = MatterStatus
FINAL = (S.SUCCEEDED, S.REJECTED, S.FAILED)


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ([S.SUCCEEDED], CaseStatus.COMPLETED),
        ([S.SUCCEEDED, S.SUCCEEDED, S.SUCCEEDED], CaseStatus.COMPLETED),
        ([S.SUCCEEDED, S.REJECTED], CaseStatus.PARTIALLY_COMPLETED),
        ([S.SUCCEEDED, S.FAILED], CaseStatus.PARTIALLY_COMPLETED),
        ([S.REJECTED, S.SUCCEEDED, S.FAILED], CaseStatus.PARTIALLY_COMPLETED),
        ([S.REJECTED], CaseStatus.REJECTED),
        ([S.REJECTED, S.REJECTED], CaseStatus.REJECTED),
        ([S.FAILED, S.REJECTED], CaseStatus.REJECTED),
        ([S.FAILED], CaseStatus.FAILED),
        ([S.FAILED, S.FAILED], CaseStatus.FAILED),
    ],
)
def test_a_finished_case_is_summed_up_from_its_matters(outcomes: list[MatterStatus], expected: CaseStatus) -> None:
    assert finished_case_status(outcomes) == expected


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_every_mix_of_final_outcomes_gives_one_status_whatever_the_order(size: int) -> None:
    for mix in combinations_with_replacement(FINAL, size):
        results = {finished_case_status(list(order)) for order in permutations(mix)}
        (status,) = results
        if all(s == S.SUCCEEDED for s in mix):
            assert status == CaseStatus.COMPLETED, mix
        elif S.SUCCEEDED in mix:
            assert status == CaseStatus.PARTIALLY_COMPLETED, mix
        elif S.REJECTED in mix:
            assert status == CaseStatus.REJECTED, mix
        else:
            assert status == CaseStatus.FAILED, mix


def test_matter_statuses_may_be_given_as_their_string_values() -> None:
    assert finished_case_status(["succeeded", "rejected"]) == CaseStatus.PARTIALLY_COMPLETED


@pytest.mark.parametrize(
    "outcomes",
    [[], [S.PENDING], [S.SUCCEEDED, S.IN_PROGRESS], [S.AWAITING_REVIEW, S.REJECTED], [S.FAILED, S.PENDING]],
    ids=["no-matters", "pending", "in-progress", "awaiting-review", "pending-beside-final"],
)
def test_a_case_is_not_finished_while_a_matter_is_not_final(outcomes: list[MatterStatus]) -> None:
    with pytest.raises(ValueError):
        finished_case_status(outcomes)


def test_an_unknown_matter_status_is_refused() -> None:
    with pytest.raises(ValueError):
        finished_case_status(["done"])


# --- bank card numbers ----------------------------------------------------------


@st.composite
def luhn_numbers(draw: st.DrawFn, min_length: int = 16, max_length: int = 19) -> str:
    length = draw(st.integers(min_value=min_length, max_value=max_length))
    body = draw(st.text(alphabet="0123456789", min_size=length - 1, max_size=length - 1))
    return body + luhn.calc_check_digit(body)


@pytest.mark.parametrize(
    "number",
    ["6217005590000000017", "6217005590000000025", "6222005590000009992", "6217005590000000108", "4111111111111111"],
)
def test_known_bank_card_numbers_are_valid(number: str) -> None:
    assert is_bank_card_number(number)


@given(luhn_numbers())
def test_any_16_to_19_digit_number_with_its_luhn_check_digit_is_a_bank_card_number(number: str) -> None:
    assert is_bank_card_number(number)


@given(luhn_numbers(), st.data())
def test_changing_any_single_digit_of_a_bank_card_number_makes_it_invalid(number: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(number) - 1))
    digit = data.draw(st.sampled_from("0123456789"))
    assume(digit != number[position])
    assert not is_bank_card_number(number[:position] + digit + number[position + 1 :])


@given(st.one_of(luhn_numbers(1, 15), luhn_numbers(20, 30)))
def test_a_luhn_valid_number_of_the_wrong_length_is_no_bank_card_number(number: str) -> None:
    assert not is_bank_card_number(number)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "6217 0055 9000 0000 017",
        "6217-0055-9000-0000-017",
        " 6217005590000000017",
        "6217005590000000017\n",
        "621700559000000001X",
        "6217005590000000017".translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        "6217005590000000017".translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
    ],
    ids=["empty", "spaces", "hyphens", "leading-space", "trailing-newline", "letter", "full-width", "arabic-indic"],
)
def test_only_plain_ascii_digits_make_a_bank_card_number(value: str) -> None:
    assert not is_bank_card_number(value)
