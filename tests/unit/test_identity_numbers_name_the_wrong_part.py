"""Resident ID numbers (domain.md §7a): every well-formed number passes, whatever its region code's
history; a number wrong in one part is refused naming that part."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from chalicelib.domain.resident_id import IdPart, is_valid_resident_id, resident_id_error

TODAY = date(2026, 11, 30)
# GB/T 2260 province codes (first two digits), written out here independently of the code under test.
PROVINCES = "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
NOT_PROVINCES = sorted({f"{n:02d}" for n in range(100)} - set(PROVINCES))
# Huangshan's county-level codes, all created in 1987-88 when 徽州地区 became 黄山市.
HUANGSHAN = ["341002", "341003", "341004", "341021", "341022", "341023", "341024"]


def gb11643(first17: str) -> str:
    """The check character as GB 11643-1999 defines it: weights 2^(17-i) mod 11, (12 - sum) mod 11, 10 is X."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


def number(region: str, born: str, sequence: str) -> str:
    first17 = region + born + sequence
    return first17 + gb11643(first17)


def part(value: object, today: date = TODAY) -> IdPart | None:
    error = resident_id_error(value, today)
    return None if error is None else error.part


# --- people born before their region code existed ---------------------------------------


# Written out in full, so that the numbers themselves do not depend on any check-character function
# (the first assertion cross-checks them against the GB 11643 formula above).
@pytest.mark.parametrize(
    "value",
    [
        "341002195003150018",  # 屯溪区, born 1950
        "341003193001010027",  # 黄山区, born 1930
        "341004196212310038",  # 徽州区, born 1962
        "341021198706300046",  # 歙县, born 1987
        "341022197005050058",  # 休宁县, born 1970
        "341023194510010068",  # 黟县, born 1945
        "34102419800229007X",  # 祁门县, born 29 February 1980, check character X
    ],
)
def test_huangshan_residents_born_before_1988_carry_valid_numbers(value: str) -> None:
    assert value[17] == gb11643(value[:17])  # the hand-worked check characters are right
    assert resident_id_error(value, TODAY) is None
    assert is_valid_resident_id(value)


@pytest.mark.parametrize("region", HUANGSHAN)
@pytest.mark.parametrize("year", range(1930, 1988))
def test_every_huangshan_code_is_valid_for_every_birth_year_from_1930_to_1987(region: str, year: int) -> None:
    for born, sequence in ((f"{year}0101", "001"), (f"{year}0715", "482"), (f"{year}1231", "999")):
        assert part(number(region, born, sequence)) is None, (region, born, sequence)


# --- property: every well-formed number passes ----------------------------------------------

provinces = st.sampled_from(PROVINCES)
districts = st.from_regex(r"[0-9]{4}", fullmatch=True)
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
sequences = st.from_regex(r"[0-9]{3}", fullmatch=True)


@st.composite
def valid_numbers(draw: st.DrawFn) -> str:
    return number(draw(provinces) + draw(districts), draw(birth_dates).strftime("%Y%m%d"), draw(sequences))


@given(valid_numbers())
@example(number("110101", "19000101", "001"))  # the earliest birth date
@example(number("341002", TODAY.strftime("%Y%m%d"), "001"))  # born today
def test_every_number_with_a_province_a_real_date_and_its_check_character_passes(value: str) -> None:
    assert resident_id_error(value, TODAY) is None


@given(valid_numbers())
def test_a_lowercase_x_and_surrounding_spaces_are_accepted(value: str) -> None:
    assert part(f"  {value.lower()} ") is None


# --- property: one part corrupted, that part is named -----------------------------------------


@given(valid_numbers(), st.sampled_from(NOT_PROVINCES))
@example("341002195003150018", "00")
@example("341002195003150018", "99")
def test_a_region_code_outside_every_province_is_named_province(value: str, province: str) -> None:
    changed = number(province + value[2:6], value[6:14], value[14:17])  # the check character fits the change
    assert part(changed) == IdPart.PROVINCE


impossible_dates = st.one_of(
    st.builds(lambda y, m, d: f"{y:04d}{m:02d}{d:02d}", st.integers(1900, 2026), st.sampled_from([0, 13, 19, 99]), st.integers(1, 28)),
    st.builds(lambda y, m, d: f"{y:04d}{m:02d}{d:02d}", st.integers(1900, 2026), st.integers(1, 12), st.sampled_from([0, 32, 99])),
    st.builds(lambda y, d: f"{y:04d}02{d:02d}", st.integers(1900, 2026), st.sampled_from([30, 31])),
    st.builds(lambda y: f"{y:04d}0229", st.integers(1901, 2026).filter(lambda y: not (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)))),
    st.builds(lambda y, m: f"{y:04d}{m}31", st.integers(1900, 2026), st.sampled_from(["04", "06", "09", "11"])),  # 31 April etc.
)


@given(valid_numbers(), impossible_dates)
@example("341002195003150018", "19000229")  # 1900 was not a leap year
@example("341002195003150018", "19900231")
def test_a_date_that_does_not_exist_is_named_birth_date(value: str, born: str) -> None:
    error = resident_id_error(number(value[:6], born, value[14:17]), TODAY)
    assert error is not None and error.part == IdPart.BIRTH_DATE
    assert "出生日期不是有效日期" in error.message


@given(valid_numbers(), st.integers(min_value=1, max_value=365 * 70))
@example("341002195003150018", 1)  # tomorrow
def test_a_birth_date_in_the_future_is_named_birth_date(value: str, days: int) -> None:
    born = (TODAY + timedelta(days=days)).strftime("%Y%m%d")
    error = resident_id_error(number(value[:6], born, value[14:17]), TODAY)
    assert error is not None and error.part == IdPart.BIRTH_DATE
    assert "出生日期" in error.message


@given(valid_numbers(), st.dates(min_value=date(1000, 1, 1), max_value=date(1899, 12, 31)))
@example("341002195003150018", date(1899, 12, 31))
def test_a_birth_date_before_1900_is_named_birth_date(value: str, born: date) -> None:
    assert part(number(value[:6], born.strftime("%Y%m%d"), value[14:17])) == IdPart.BIRTH_DATE


@given(valid_numbers(), st.sampled_from("0123456789X"))
def test_any_other_check_character_is_named_check_character(value: str, character: str) -> None:
    assume(character != value[17])
    error = resident_id_error(value[:17] + character, TODAY)
    assert error is not None and error.part == IdPart.CHECK_CHARACTER
    assert error.message == "身份证号码校验位不正确"
    assert error.code == "ID_NUMBER_CHECK_CHARACTER"


@given(valid_numbers(), st.integers(min_value=14, max_value=16), st.sampled_from("0123456789"))
def test_a_typo_in_the_sequence_code_is_named_check_character(value: str, position: int, digit: str) -> None:
    assume(digit != value[position])
    assert part(value[:position] + digit + value[position + 1 :]) == IdPart.CHECK_CHARACTER


@given(
    valid_numbers(),
    st.one_of(
        st.integers(min_value=0, max_value=17).map(lambda n: ("cut", n)),
        st.text(alphabet="0123456789X", min_size=1, max_size=3).map(lambda t: ("add", t)),
        st.tuples(st.integers(min_value=0, max_value=16), st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWYZ-* ")).map(lambda t: ("letter", t)),
    ),
)
def test_a_number_of_the_wrong_shape_is_named_format(value: str, change: tuple) -> None:
    kind, detail = change
    if kind == "cut":
        changed = value[:detail]
    elif kind == "add":
        changed = value + detail
    else:
        position, letter = detail
        changed = value[:position] + letter + value[position + 1 :]
    assert part(changed) == IdPart.FORMAT


@pytest.mark.parametrize(
    "value", [None, 341002195003150018, "", "   ", "34100219500315001", "341002500315001", "３４１００２１９５００３１５００１３"]
)
def test_empty_non_text_old_15_digit_and_full_width_values_are_named_format(value: object) -> None:
    assert part(value) == IdPart.FORMAT


# --- the messages say which part, in Chinese ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected_part", "words"),
    [
        ("3410021950031500", IdPart.FORMAT, "18位"),
        (number("001002", "19500315", "001"), IdPart.PROVINCE, "地区代码不是有效的省份"),
        (number("341002", "19501315", "001"), IdPart.BIRTH_DATE, "出生日期不是有效日期"),
        (number("341002", "20261201", "001"), IdPart.BIRTH_DATE, "出生日期晚于今天"),
        (number("341002", "18991231", "001"), IdPart.BIRTH_DATE, "出生日期早于1900年"),
        ("341002195003150013", IdPart.CHECK_CHARACTER, "校验位不正确"),
    ],
)
def test_each_refusal_has_a_chinese_message_and_a_code_naming_the_part(value: str, expected_part: IdPart, words: str) -> None:
    error = resident_id_error(value, TODAY)
    assert error is not None
    assert error.part == expected_part
    assert words in error.message and error.message.startswith("身份证号码")
    assert error.code == f"ID_NUMBER_{expected_part.value.upper()}"
    assert not any("a" <= c.lower() <= "z" for c in error.message.replace("X", ""))  # no English inside the message


def test_without_a_given_day_the_bound_is_today_in_china() -> None:
    from chalicelib.domain.resident_id import china_today

    tomorrow = china_today() + timedelta(days=1)
    assert is_valid_resident_id(number("341002", china_today().strftime("%Y%m%d"), "001"))
    assert not is_valid_resident_id(number("341002", tomorrow.strftime("%Y%m%d"), "001"))
