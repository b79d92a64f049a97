"""Resident identity numbers (居民身份证号码, GB 11643-1999), and masking.

The ID number is also the social security number (domain.md §7a). A number is well
formed when it has 17 digits and a check character, and:
- its region code (digits 1-6) starts with a province code (GB/T 2260);
- its birth date (digits 7-14) is a real calendar date, not in the future and not
  before 1900;
- its check character (digit 18, 0-9 or X) is the ISO 7064 MOD 11-2 one.

The region code is where the number was first issued, often a code created after the
person's birth (Huangshan's 3410xx codes date from 1987-88, yet every Huangshan
resident born before then who registered later carries one). So only the province
is checked, never whether the full region code existed at the birth date: that check
(python-stdnum's `cn.ric`) refused real residents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum


class IdPart(StrEnum):
    """The part of an ID number that is wrong."""

    FORMAT = "format"
    PROVINCE = "province"
    BIRTH_DATE = "birth_date"
    CHECK_CHARACTER = "check_character"


@dataclass(frozen=True)
class ResidentIdError:
    part: IdPart
    message: str

    @property
    def code(self) -> str:
        """A stable machine-readable code naming the part, e.g. `ID_NUMBER_CHECK_CHARACTER`."""
        return f"ID_NUMBER_{self.part.upper()}"


# First two digits of the GB/T 2260 region codes: the provinces, autonomous regions and
# municipalities, plus Taiwan (71), Hong Kong (81), Macao (82) and the residence permits
# of Taiwan residents (83), whose numbers have the same shape.
PROVINCES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82", "83",
    }
)  # fmt: skip
# Nobody born before this applies for a card: an earlier date is a typo, not a person.
EARLIEST_BIRTH = date(1900, 1, 1)
WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_CHINA = timedelta(hours=8)  # birth dates are China dates (no daylight saving)


def normalize_resident_id(value: str) -> str:
    return value.strip().upper()


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits (10 is written X)."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


def birth_date_of(value: str) -> date | None:
    """The birth date written in a (normalized, well-shaped) number, or None if it is no date."""
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def china_today() -> date:
    """Today's date in China, the bound of a birth date when no other is given."""
    return (datetime.now(UTC) + _CHINA).date()


def resident_id_error(value: object, today: date | None = None) -> ResidentIdError | None:
    """None for a well-formed ID number; else the first wrong part, with a Chinese message.

    The parts are checked in the order format, province, birth date, check character,
    so that a number wrong in one part only is reported for that part (a wrong province
    or an impossible date also breaks the check character; the check character is named
    only when everything it covers is otherwise plausible).
    """
    if not isinstance(value, str):
        return ResidentIdError(IdPart.FORMAT, "身份证号码应为18位：前17位为数字，最后一位为数字或X")
    number = normalize_resident_id(value)
    if not _SHAPE.fullmatch(number):
        return ResidentIdError(IdPart.FORMAT, "身份证号码应为18位：前17位为数字，最后一位为数字或X")
    if number[:2] not in PROVINCES:
        return ResidentIdError(IdPart.PROVINCE, "身份证号码的地区代码不是有效的省份")
    born = birth_date_of(number)
    if born is None:
        return ResidentIdError(IdPart.BIRTH_DATE, "身份证号码中的出生日期不是有效日期")
    if born > (today or china_today()):
        return ResidentIdError(IdPart.BIRTH_DATE, "身份证号码中的出生日期晚于今天，不是有效日期")
    if born < EARLIEST_BIRTH:
        return ResidentIdError(IdPart.BIRTH_DATE, "身份证号码中的出生日期早于1900年，不是有效日期")
    if number[17] != check_character(number[:17]):
        return ResidentIdError(IdPart.CHECK_CHARACTER, "身份证号码校验位不正确")
    return None


def is_valid_resident_id(value: object, today: date | None = None) -> bool:
    """True for a well-formed 18-character resident ID (see `resident_id_error`)."""
    return resident_id_error(value, today) is None


def mask_resident_id(value: str) -> str:
    """First 6 and last 4 characters (api.md conventions)."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_account(value: str) -> str:
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]
