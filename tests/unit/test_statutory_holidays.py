"""The statutory holidays of a year without a published schedule (全国年节及纪念日放假办法, 2024), from the lunar calendar.

The lunar dates are checked against dates known independently (the 2027 almanac), and
the computation against the State Council's published schedules of 2008–2026 (as
chinesecalendar encodes them): every published schedule gives the statutory festival
days off, so a festival day the computation puts elsewhere would show up as a working day.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from chalicelib.domain.statutory_holidays import (
    DRAGON_BOAT,
    LABOUR_DAY,
    MID_AUTUMN,
    NATIONAL_DAY,
    NEW_YEAR,
    QINGMING,
    SPRING_FESTIVAL,
    chuxi,
    lunar_to_solar,
    qingming,
    spring_festival,
    statutory_holidays,
)

ROOT = Path(__file__).resolve().parents[2]


def test_the_lunar_library_gives_the_2027_festivals_of_the_almanac() -> None:
    assert chuxi(2027) == date(2027, 2, 5)
    assert spring_festival(2027) == date(2027, 2, 6)
    assert lunar_to_solar(2027, 5, 5) == date(2027, 6, 9)  # 端午
    assert lunar_to_solar(2027, 8, 15) == date(2027, 9, 15)  # 中秋
    assert qingming(2027) == date(2027, 4, 5)


def test_2027_has_the_thirteen_statutory_days_off_with_their_names() -> None:
    assert dict(statutory_holidays(2027)) == {
        date(2027, 1, 1): NEW_YEAR,
        date(2027, 2, 5): SPRING_FESTIVAL,  # 除夕
        date(2027, 2, 6): SPRING_FESTIVAL,  # 正月初一
        date(2027, 2, 7): SPRING_FESTIVAL,
        date(2027, 2, 8): SPRING_FESTIVAL,  # 正月初三
        date(2027, 4, 5): QINGMING,
        date(2027, 5, 1): LABOUR_DAY,
        date(2027, 5, 2): LABOUR_DAY,
        date(2027, 6, 9): DRAGON_BOAT,
        date(2027, 9, 15): MID_AUTUMN,
        date(2027, 10, 1): NATIONAL_DAY,
        date(2027, 10, 2): NATIONAL_DAY,
        date(2027, 10, 3): NATIONAL_DAY,
    }
    assert list(statutory_holidays(2027)) == sorted(statutory_holidays(2027))  # in date order, for the operators' view


@pytest.mark.parametrize(("year", "eve"), [(2025, date(2025, 1, 28)), (2026, date(2026, 2, 16)), (2028, date(2028, 1, 25))])
def test_chuxi_is_the_day_before_the_first_day_of_the_lunar_year_whether_the_twelfth_month_has_29_or_30_days(year: int, eve: date) -> None:
    # 2026's twelfth lunar month has 29 days: 除夕 is 腊月廿九 (16 February 2026).
    assert chuxi(year) == eve


@pytest.mark.parametrize("year", range(2004, 2100))
def test_every_year_has_qingming_on_4_or_5_april_and_its_festivals_inside_the_year(year: int) -> None:
    assert qingming(year) in (date(year, 4, 4), date(year, 4, 5))
    days = statutory_holidays(year)
    assert all(d.year == year for d in days)
    assert 12 <= len(days) <= 13  # 13, or 12 when 中秋 falls on 1–3 October
    assert date(year, 1, 20) <= chuxi(year) <= date(year, 2, 19)


def test_mid_autumn_on_national_day_is_one_day_off_with_both_names() -> None:
    assert lunar_to_solar(2020, 8, 15) == date(2020, 10, 1)
    days = statutory_holidays(2020)
    assert len(days) == 12
    assert days[date(2020, 10, 1)] == f"{MID_AUTUMN}、{NATIONAL_DAY}"


@pytest.mark.parametrize("year", range(2008, 2027))
def test_the_published_schedules_of_2008_to_2026_give_every_festival_day_the_computation_finds(year: int) -> None:
    festivals = {
        date(year, 1, 1),
        qingming(year),  # a statutory holiday since 2008
        lunar_to_solar(year, 5, 5),
        lunar_to_solar(year, 8, 15),
        date(year, 5, 1),
        date(year, 10, 1),
        date(year, 10, 2),
        date(year, 10, 3),
        *(spring_festival(year) + timedelta(days=i) for i in range(3)),  # 初一 to 初三 before the 2025 revision too
    }
    if year >= 2020:
        festivals.add(date(year, 5, 2))  # 劳动节 2 days since the 2013 revision's 2020 schedule
    assert sorted(d for d in festivals if chinese_calendar.is_workday(d)) == []


@pytest.mark.parametrize("year", [2025, 2026])
def test_since_the_2024_revision_every_statutory_day_is_off_in_the_published_schedule(year: int) -> None:
    assert sorted(d for d in statutory_holidays(year) if chinese_calendar.is_workday(d)) == []
    for day in statutory_holidays(year):
        assert chinese_calendar.is_holiday(day), day


def test_the_lunar_library_is_imported_only_when_a_year_is_computed() -> None:
    code = (
        "import sys, chalicelib.domain.statutory_holidays as s\n"
        "before = 'sxtwl' in sys.modules\n"
        "s.statutory_holidays(2027)\n"
        "print(before, 'sxtwl' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "True"]
