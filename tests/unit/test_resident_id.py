"""Resident ID numbers (GB 11643-1999), masking, and log redaction: property tests."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from stdnum import luhn

from chalicelib.domain.resident_id import (
    is_valid_resident_id,
    mask_account,
    mask_phone,
    mask_resident_id,
    normalize_resident_id,
)
from chalicelib.observability import redact

# Known-valid IDs (the demo residents): a valid region code and birth date each.
KNOWN_VALID = [
    "342701198503120022",
    "341003199002150037",
    "341004198811200040",
    "341021199507070051",
    "342701198001010069",
    "34270119770606007X",
    "342701195905050086",
    "342701195808080099",
    "341003200203030109",
    "341004199312120112",
]
DIGITS = "0123456789"


def with_check_digit(number17: str) -> str:
    # GB 11643: weights 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11, 10 written X
    check = (12 - sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(number17)) % 11) % 11
    return number17 + ("X" if check == 10 else str(check))


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    """A valid ID: a known region and birth date, any sequence code (digits 15-17), its check digit."""
    base = draw(st.sampled_from(KNOWN_VALID))
    sequence = draw(st.integers(min_value=0, max_value=999))
    return with_check_digit(f"{base[:14]}{sequence:03d}")


@st.composite
def resident_ids_ending_in_x(draw: st.DrawFn) -> str:
    """A valid ID whose check digit is X (about one sequence code in eleven)."""
    base = draw(st.sampled_from(KNOWN_VALID))
    start = draw(st.integers(min_value=0, max_value=999))
    for offset in range(1000):
        number = with_check_digit(f"{base[:14]}{(start + offset) % 1000:03d}")
        if number.endswith("X"):
            return number
    raise AssertionError("no sequence code gives the check digit X")


phones = st.from_regex(r"1[0-9]{10}", fullmatch=True)


@st.composite
def bank_accounts(draw: st.DrawFn) -> str:
    length = draw(st.integers(min_value=16, max_value=19))
    body = draw(st.text(alphabet=DIGITS, min_size=length - 1, max_size=length - 1))
    return body + luhn.calc_check_digit(body)


# A character that does not continue a number: anything but a decimal digit.
separators = st.characters(exclude_categories=("Nd", "Cs"))
texts = st.text(max_size=40)


# --- validation -----------------------------------------------------------------


@pytest.mark.parametrize("number", KNOWN_VALID)
def test_the_known_valid_ids_are_valid(number: str) -> None:
    assert is_valid_resident_id(number)


def test_the_check_digit_of_the_known_ids_is_the_gb_11643_one() -> None:
    # GB 11643: weights 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11, 10 written X
    for number in KNOWN_VALID:
        total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(number[:17]))
        check = (12 - total % 11) % 11
        assert number[17] == ("X" if check == 10 else str(check))


@given(resident_ids())
def test_any_sequence_code_with_its_computed_check_digit_is_valid(number: str) -> None:
    assert is_valid_resident_id(number)


@given(resident_ids(), st.integers(min_value=0, max_value=17), st.sampled_from(DIGITS + "X"))
def test_changing_any_single_character_makes_an_id_invalid(number: str, position: int, replacement: str) -> None:
    assume(replacement != number[position])
    changed = number[:position] + replacement + number[position + 1 :]
    assert not is_valid_resident_id(changed)


@given(resident_ids(), st.integers(min_value=0, max_value=16))
def test_swapping_two_different_adjacent_digits_makes_an_id_invalid(number: str, position: int) -> None:
    assume(number[position] != number[position + 1] and number[position + 1] != "X")
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    assert not is_valid_resident_id(swapped)


@given(resident_ids(), st.integers(min_value=0, max_value=17))
def test_an_id_cut_short_is_invalid(number: str, length: int) -> None:
    assert not is_valid_resident_id(number[:length])


@given(resident_ids(), st.text(alphabet=DIGITS + "X", min_size=1, max_size=5))
def test_an_id_with_characters_added_is_invalid(number: str, extra: str) -> None:
    assert not is_valid_resident_id(number + extra)
    assert not is_valid_resident_id(extra + number)


@given(resident_ids(), st.integers(min_value=0, max_value=16), st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
def test_a_letter_before_the_last_position_makes_an_id_invalid(number: str, position: int, letter: str) -> None:
    assert not is_valid_resident_id(number[:position] + letter + number[position + 1 :])


@given(resident_ids(), st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWYZabcdefghijklmnopqrstuvwyz"))
def test_a_final_letter_other_than_x_makes_an_id_invalid(number: str, letter: str) -> None:
    assert not is_valid_resident_id(number[:17] + letter)


@pytest.mark.parametrize(
    "value",
    [None, "", " ", "\n", "None", "null", "0", 341003199002150037, "341003900215003", "34100319900215003"],
    ids=["None", "empty", "space", "newline", "None-text", "null-text", "zero", "int", "15-digit-old-format", "17-digits"],
)
def test_empty_none_like_and_wrong_length_values_are_invalid(value: object) -> None:
    assert not is_valid_resident_id(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "number",
    [
        "341003199002150037".translate(str.maketrans(DIGITS, "٠١٢٣٤٥٦٧٨٩")),  # Arabic-Indic digits
        "341003-19900215-0037",
        "341003 19900215 0037",
    ],
    ids=["arabic-indic", "hyphens", "inner-spaces"],
)
def test_only_ascii_digits_without_separators_are_accepted(number: str) -> None:
    assert not is_valid_resident_id(number)


def test_a_full_width_id_is_either_refused_or_normalized_to_ascii_digits() -> None:
    full_width = "341003199002150037".translate(str.maketrans(DIGITS, "０１２３４５６７８９"))
    assert not is_valid_resident_id(full_width) or normalize_resident_id(full_width) == "341003199002150037"


def test_an_id_with_an_impossible_birth_date_is_invalid_even_with_a_correct_check_digit() -> None:
    assert not is_valid_resident_id(with_check_digit("34100319900231003"))  # 31 February


@given(resident_ids_ending_in_x())
@example("34270119770606007X")
def test_a_lowercase_check_character_x_is_accepted_and_normalized(number: str) -> None:
    lower = number[:17] + "x"
    assert is_valid_resident_id(lower)
    assert normalize_resident_id(lower) == number


# --- masking --------------------------------------------------------------------


@given(resident_ids())
def test_a_masked_id_shows_only_the_first_six_and_the_last_four_characters(number: str) -> None:
    masked = mask_resident_id(number)
    assert len(masked) == 18
    assert masked[:6] == number[:6]
    assert masked[-4:] == number[-4:]
    assert masked[6:-4] == "*" * 8
    assert number[6:14] not in masked  # the birth date


def test_a_known_id_is_masked_as_api_md_says() -> None:
    assert mask_resident_id("341003199002150037") == "341003********0037"


@given(phones)
def test_a_masked_phone_shows_only_the_first_three_and_the_last_four_digits(phone: str) -> None:
    masked = mask_phone(phone)
    assert masked == phone[:3] + "****" + phone[-4:]


@given(bank_accounts())
def test_a_masked_account_shows_only_the_last_four_digits(account: str) -> None:
    masked = mask_account(account)
    assert len(masked) == len(account)
    assert masked[-4:] == account[-4:]
    assert set(masked[:-4]) == {"*"}


@given(st.text(alphabet=DIGITS, min_size=1, max_size=4))
def test_values_too_short_to_mask_partly_are_masked_entirely(value: str) -> None:
    for mask in (mask_resident_id, mask_phone, mask_account):
        assert mask(value) == "*" * len(value)


# --- redaction of log text --------------------------------------------------------


@given(texts, separators, resident_ids(), separators, texts)
@example("身份证号", "：", "34270119770606007X", "，", "已受理")
@example("", "X", "341003199002150037", "x", "")
def test_redact_removes_a_resident_id_from_any_text(before: str, left: str, number: str, right: str, after: str) -> None:
    redacted = redact(before + left + number + right + after)
    assert number not in redacted
    assert number.lower() not in redacted


@given(texts, separators, resident_ids_ending_in_x(), separators, texts)
def test_redact_removes_a_resident_id_written_with_a_lowercase_x(before: str, left: str, number: str, right: str, after: str) -> None:
    lower = number[:17] + "x"
    assert lower not in redact(before + left + lower + right + after)


@given(texts, separators, phones, separators, texts)
@example("联系电话", "：", "13905590001", "。", "")
def test_redact_removes_a_mobile_number_from_any_text(before: str, left: str, phone: str, right: str, after: str) -> None:
    assert phone not in redact(before + left + phone + right + after)


@given(texts, separators, bank_accounts(), separators, texts)
@example("account=", " ", "6217005590000000017", " ", "bound")
def test_redact_removes_a_bank_account_number_from_any_text(before: str, left: str, account: str, right: str, after: str) -> None:
    assert account not in redact(before + left + account + right + after)


@given(resident_ids(), phones)
def test_redact_masks_ids_and_phones_like_the_masking_functions(number: str, phone: str) -> None:
    text = f"id={number} phone={phone}"
    assert redact(text) == f"id={mask_resident_id(number)} phone={mask_phone(phone)}"


@given(bank_accounts())
def test_redact_keeps_at_most_the_last_four_digits_of_an_account_beyond_an_id_like_prefix(account: str) -> None:
    # an 18-digit account looks exactly like an ID and is masked like one (first 6, last 4)
    redacted = redact(f"account={account}")
    assert redacted.startswith("account=")
    masked = redacted.removeprefix("account=")
    assert len(masked) == len(account)
    assert masked[-4:] == account[-4:]
    assert masked in (mask_account(account), mask_resident_id(account))


@given(st.text(alphabet=st.characters(exclude_categories=("Nd", "Cs"))))
def test_redact_leaves_text_without_digits_unchanged(text: str) -> None:
    assert redact(text) == text


@given(st.from_regex(r"[0-9]{1,10}", fullmatch=True))
def test_redact_leaves_short_numbers_such_as_amounts_and_counts_alone(number: str) -> None:
    assert redact(f"金额 {number} 元") == f"金额 {number} 元"


def test_redact_keeps_the_surrounding_message_readable() -> None:
    text = "申请人 341003199002150037 手机 13905590002 账号 6217005590000000025 已提交"
    redacted = redact(text)
    assert redacted.startswith("申请人 341003")
    assert redacted.endswith(" 已提交")
    assert not re.search(r"\d{11,}", redacted)
