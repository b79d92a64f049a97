"""The working-day calendar (domain.md §5): the 2026 State Council schedule, deadlines, data files, the statutory fallback.

The 2026 schedule is spelled out below from the notice itself, so the calendar (which
reads chinesecalendar) is checked against an independent source, and chinesecalendar's
encoding of 2026 is checked against it too.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time as time_module
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from chinese_calendar import constants as package_data
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import workdays
from chalicelib.domain.workdays import (
    DEFAULT_DATA_DIR,
    SHANGHAI,
    WorkingDayCalendar,
    load_year_file,
    package_covers,
)

ROOT = Path(__file__).resolve().parents[2]
UTC = timezone.utc
ONE_DAY = timedelta(days=1)

# 国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号，2025年11月4日）:
#   一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
#   二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
#   三、清明节：4月4日（周六）至6日（周一）放假，共3天。
#   四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
#   五、端午节：6月19日（周五）至21日（周日）放假，共3天。
#   六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
#   七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
# name: (first day off, last day off, days, the eve (last working day before), first working day after)
HOLIDAYS_2026 = {
    "元旦 New Year's Day": (date(2026, 1, 1), date(2026, 1, 3), 3, date(2025, 12, 31), date(2026, 1, 4)),
    "春节 Spring Festival": (date(2026, 2, 15), date(2026, 2, 23), 9, date(2026, 2, 14), date(2026, 2, 24)),
    "清明节 Tomb-sweeping Day": (date(2026, 4, 4), date(2026, 4, 6), 3, date(2026, 4, 3), date(2026, 4, 7)),
    "劳动节 Labour Day": (date(2026, 5, 1), date(2026, 5, 5), 5, date(2026, 4, 30), date(2026, 5, 6)),
    "端午节 Dragon Boat Festival": (date(2026, 6, 19), date(2026, 6, 21), 3, date(2026, 6, 18), date(2026, 6, 22)),
    "中秋节 Mid-autumn Festival": (date(2026, 9, 25), date(2026, 9, 27), 3, date(2026, 9, 24), date(2026, 9, 28)),
    "国庆节 National Day": (date(2026, 10, 1), date(2026, 10, 7), 7, date(2026, 9, 30), date(2026, 10, 8)),
}
# adjusted working weekend (调休上班): (the day before, the first working day after it)
ADJUSTED_WORKING_WEEKENDS_2026 = {
    date(2026, 1, 4): (date(2026, 1, 3), date(2026, 1, 5)),  # Sun; the day before is 元旦 (Sat)
    date(2026, 2, 14): (date(2026, 2, 13), date(2026, 2, 24)),  # Sat; the next day starts 春节
    date(2026, 2, 28): (date(2026, 2, 27), date(2026, 3, 2)),  # Sat
    date(2026, 5, 9): (date(2026, 5, 8), date(2026, 5, 11)),  # Sat
    date(2026, 9, 20): (date(2026, 9, 19), date(2026, 9, 21)),  # Sun; the day before is an ordinary Saturday
    date(2026, 10, 10): (date(2026, 10, 9), date(2026, 10, 12)),  # Sat
}
WORKING_DAYS_IN_2026 = 248  # 261 weekdays - 19 weekdays off + 6 adjusted weekends


def span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def days_of(year: int) -> list[date]:
    return span(date(year, 1, 1), date(year, 12, 31))


DAYS_OFF_2026 = {d for first, last, *_ in HOLIDAYS_2026.values() for d in span(first, last)}

# 2027 has no published schedule yet: the statutory holidays (全国年节及纪念日放假办法, 2024),
# from the lunar calendar: 除夕 2027-02-05 (春节 4 days), 清明 5 April, 端午 9 June, 中秋 15 September.
STATUTORY_DAYS_OFF_2027 = {
    date(2027, 1, 1),
    *span(date(2027, 2, 5), date(2027, 2, 8)),
    date(2027, 4, 5),
    date(2027, 5, 1),
    date(2027, 5, 2),
    date(2027, 6, 9),
    date(2027, 9, 15),
    *span(date(2027, 10, 1), date(2027, 10, 3)),
}


def notice_says_working(day: date) -> bool:
    """The 2026 notice, and for 2027 (no schedule: the fallback) Monday–Friday but the statutory holidays."""
    if day.year == 2026:
        return day in ADJUSTED_WORKING_WEEKENDS_2026 or (day.weekday() < 5 and day not in DAYS_OFF_2026)
    assert day.year == 2027, day
    return day.weekday() < 5 and day not in STATUTORY_DAYS_OFF_2027


def notice_next_working_day(day: date) -> date:
    day += ONE_DAY
    while not notice_says_working(day):
        day += ONE_DAY
    return day


def shanghai(y: int, m: int, d: int, hh: int = 12, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=SHANGHAI)


def due(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=SHANGHAI)


class Alerts:
    """A thread-safe on_fallback callback that records the years it was called with."""

    def __init__(self, delay: float = 0.0):
        self.years: list[int] = []
        self.delay = delay
        self._lock = threading.Lock()

    def __call__(self, year: int) -> None:
        time_module.sleep(self.delay)
        with self._lock:
            self.years.append(year)


def write_year(data_dir: Path, year: int, days_off: Iterable[str] = (), working_days: Iterable[str] = (), **fields: Any) -> Path:
    content = {
        "year": year,
        "source": f"国务院办公厅关于{year}年部分节假日安排的通知（测试）",
        "days_off": list(days_off),
        "working_days": list(working_days),
    }
    content.update(fields)
    path = data_dir / f"{year}.json"
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "holidays"
    path.mkdir()
    return path


@pytest.fixture
def alerts() -> Alerts:
    return Alerts()


@pytest.fixture
def calendar(data_dir: Path, alerts: Alerts) -> WorkingDayCalendar:
    """A calendar on an empty data directory: chinesecalendar, then the statutory fallback."""
    return WorkingDayCalendar(data_dir=data_dir, on_fallback=alerts)


@pytest.fixture(scope="module")
def shared_calendar(tmp_path_factory: pytest.TempPathFactory) -> WorkingDayCalendar:
    """One calendar for the property tests (hypothesis runs many examples per test)."""
    return WorkingDayCalendar(data_dir=tmp_path_factory.mktemp("no-holiday-files"))


# -- which years are known ----------------------------------------------------------


def test_chinesecalendar_covers_2004_to_2026_and_not_2027() -> None:
    assert package_covers(2004)
    assert package_covers(2026)
    assert not package_covers(2003)
    assert not package_covers(2027), "chinesecalendar now knows 2027: move the 2027 fallback tests to the next unknown year"


def test_known_years_are_the_package_years_and_the_data_file_years(data_dir: Path, alerts: Alerts) -> None:
    write_year(data_dir, 2030)
    calendar = WorkingDayCalendar(data_dir=data_dir, on_fallback=alerts)
    assert [y for y in range(2000, 2035) if calendar.known_year(y)] == [*range(2004, 2027), 2030]
    assert calendar.year_source(2026) == "chinesecalendar"
    assert calendar.year_source(2027) == "statutory_fallback"
    assert calendar.year_source(2030) == "data_file"
    assert calendar.data_file_years() == {2030}
    assert alerts.years == [], "asking whether a year is known is not a fallback"


def test_the_time_zone_is_asia_shanghai() -> None:
    assert SHANGHAI == ZoneInfo("Asia/Shanghai")
    assert datetime(2026, 7, 1, tzinfo=SHANGHAI).utcoffset() == timedelta(hours=8)


# -- the 2026 schedule --------------------------------------------------------------


def test_the_spelled_out_2026_notice_has_the_announced_number_of_days() -> None:
    for name, (first, last, days, *_) in HOLIDAYS_2026.items():
        assert len(span(first, last)) == days, name
    assert all(d.weekday() >= 5 for d in ADJUSTED_WORKING_WEEKENDS_2026)
    assert sum(notice_says_working(d) for d in days_of(2026)) == WORKING_DAYS_IN_2026


def test_chinesecalendar_encodes_the_state_councils_2026_notice() -> None:
    assert {d for d in package_data.holidays if d.year == 2026} == DAYS_OFF_2026
    assert {d for d in package_data.workdays if d.year == 2026} == set(ADJUSTED_WORKING_WEEKENDS_2026)
    assert [d for d in days_of(2026) if chinese_calendar.is_workday(d) != notice_says_working(d)] == []


def test_every_day_of_2026_is_a_working_day_exactly_when_the_notice_says_so(calendar: WorkingDayCalendar, alerts: Alerts) -> None:
    wrong = [d for d in days_of(2026) if calendar.is_working_day(d) != notice_says_working(d)]
    assert wrong == []
    assert sum(calendar.is_working_day(d) for d in days_of(2026)) == WORKING_DAYS_IN_2026
    assert alerts.years == []


def test_a_submission_on_any_day_of_2026_is_due_on_the_next_working_day_by_the_notice(calendar: WorkingDayCalendar) -> None:
    wrong = []
    for day in days_of(2026):
        for hh, mm in ((0, 0), (12, 0), (23, 59)):
            expected = due(notice_next_working_day(day))
            actual = calendar.due_at(shanghai(day.year, day.month, day.day, hh, mm))
            if actual != expected:
                wrong.append((day, hh, mm, actual, expected))
    assert wrong == []


@pytest.mark.parametrize(("first", "last", "days", "eve", "first_after"), HOLIDAYS_2026.values(), ids=HOLIDAYS_2026.keys())
def test_every_day_of_a_2026_holiday_is_off_and_a_submission_on_its_eve_is_due_after_it(
    calendar: WorkingDayCalendar, first: date, last: date, days: int, eve: date, first_after: date
) -> None:
    assert calendar.is_working_day(eve)
    assert [d for d in span(first, last) if calendar.is_working_day(d)] == []
    assert calendar.is_working_day(first_after)
    assert calendar.next_working_day(eve) == first_after
    assert calendar.due_at(shanghai(eve.year, eve.month, eve.day, 17, 30)) == due(first_after)
    for day in span(first, last):
        assert calendar.due_at(shanghai(day.year, day.month, day.day, 9)) == due(first_after), day


@pytest.mark.parametrize(
    ("weekend_day", "before_and_after"), ADJUSTED_WORKING_WEEKENDS_2026.items(), ids=[d.isoformat() for d in ADJUSTED_WORKING_WEEKENDS_2026]
)
def test_a_submission_the_day_before_an_adjusted_working_weekend_day_is_due_on_it_and_one_on_it_is_due_the_next_working_day(
    calendar: WorkingDayCalendar, weekend_day: date, before_and_after: tuple[date, date]
) -> None:
    before, after = before_and_after
    assert weekend_day.weekday() >= 5
    assert calendar.is_working_day(weekend_day)
    assert calendar.due_at(shanghai(before.year, before.month, before.day, 16)) == due(weekend_day)
    assert calendar.due_at(shanghai(weekend_day.year, weekend_day.month, weekend_day.day, 16)) == due(after)


# -- the key cases, spelled out ------------------------------------------------------


def test_a_submission_on_friday_evening_is_due_on_monday_night(calendar: WorkingDayCalendar) -> None:
    submitted = shanghai(2026, 3, 6, 21)  # Friday
    due_at = calendar.due_at(submitted)
    assert due_at == shanghai(2026, 3, 9, 23, 59, 59)  # Monday
    assert due_at.tzinfo is SHANGHAI
    assert due_at.utcoffset() == timedelta(hours=8)
    assert due_at.astimezone(UTC) == datetime(2026, 3, 9, 15, 59, 59, tzinfo=UTC)


def test_a_submission_at_one_minute_to_midnight_in_shanghai_counts_on_that_day(calendar: WorkingDayCalendar) -> None:
    assert calendar.due_at(shanghai(2026, 3, 5, 23, 59)) == shanghai(2026, 3, 6, 23, 59, 59)  # Thursday → Friday


def test_a_submission_at_one_minute_past_midnight_in_shanghai_counts_on_the_new_day(calendar: WorkingDayCalendar) -> None:
    assert calendar.due_at(shanghai(2026, 3, 6, 0, 1)) == shanghai(2026, 3, 9, 23, 59, 59)  # Friday → Monday


def test_a_utc_time_after_4_pm_is_already_the_next_day_in_shanghai(calendar: WorkingDayCalendar) -> None:
    # 2026-03-05T16:30Z is Friday 2026-03-06 00:30 in Shanghai, though still Thursday in UTC.
    assert calendar.due_at(datetime(2026, 3, 5, 16, 30, tzinfo=UTC)) == shanghai(2026, 3, 9, 23, 59, 59)
    # 2026-03-05T15:59Z is Thursday 23:59 in Shanghai.
    assert calendar.due_at(datetime(2026, 3, 5, 15, 59, tzinfo=UTC)) == shanghai(2026, 3, 6, 23, 59, 59)


def test_a_submission_in_another_time_zone_is_dated_in_shanghai(calendar: WorkingDayCalendar) -> None:
    # Thursday 2026-03-05 12:00 in New York (UTC-5) is Friday 01:00 in Shanghai.
    new_york = datetime(2026, 3, 5, 12, 0, tzinfo=ZoneInfo("America/New_York"))
    assert calendar.due_at(new_york) == shanghai(2026, 3, 9, 23, 59, 59)
    assert calendar.due_at(new_york).tzinfo is SHANGHAI


def test_a_submission_on_the_eve_of_national_day_is_due_on_the_first_working_day_after_golden_week(
    calendar: WorkingDayCalendar,
) -> None:
    # chinesecalendar 1.11.0, chinese_calendar/constants.py: 2026-10-01..2026-10-07 are holidays
    # ("National Day", Thu–Wed), and 2026-09-20 (Sun) and 2026-10-10 (Sat) are adjusted working days;
    # as the notice says (国庆节：10月1日至7日放假调休，共7天。9月20日（周日）、10月10日（周六）上班).
    assert all(package_data.holidays[d] == "National Day" for d in span(date(2026, 10, 1), date(2026, 10, 7)))
    assert package_data.workdays[date(2026, 10, 10)] == "National Day"
    assert calendar.due_at(shanghai(2026, 9, 30, 18)) == shanghai(2026, 10, 8, 23, 59, 59)  # Wednesday → Thursday
    assert calendar.due_at(shanghai(2026, 10, 8, 18)) == shanghai(2026, 10, 9, 23, 59, 59)
    assert calendar.due_at(shanghai(2026, 10, 9, 18)) == shanghai(2026, 10, 10, 23, 59, 59)  # Friday → adjusted Saturday


def test_a_submission_on_sunday_20_september_2026_an_adjusted_working_day_is_due_on_monday(calendar: WorkingDayCalendar) -> None:
    assert calendar.due_at(shanghai(2026, 9, 19, 10)) == shanghai(2026, 9, 20, 23, 59, 59)  # an ordinary Saturday → the working Sunday
    assert calendar.due_at(shanghai(2026, 9, 20, 10)) == shanghai(2026, 9, 21, 23, 59, 59)


def test_a_submission_on_the_working_saturday_before_spring_festival_is_due_after_the_nine_day_holiday(
    calendar: WorkingDayCalendar,
) -> None:
    # 春节：2月15日至23日放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
    assert calendar.due_at(shanghai(2026, 2, 13, 20)) == shanghai(2026, 2, 14, 23, 59, 59)  # Friday → working Saturday
    assert calendar.due_at(shanghai(2026, 2, 14, 20)) == shanghai(2026, 2, 24, 23, 59, 59)  # → Tuesday after the holiday
    assert calendar.due_at(shanghai(2026, 2, 17, 10)) == shanghai(2026, 2, 24, 23, 59, 59)  # 正月初一
    assert calendar.due_at(shanghai(2026, 2, 27, 10)) == shanghai(2026, 2, 28, 23, 59, 59)  # Friday → working Saturday


def test_a_submission_on_new_years_eve_2025_is_due_on_the_working_sunday_4_january(calendar: WorkingDayCalendar) -> None:
    assert calendar.due_at(shanghai(2025, 12, 31, 15)) == shanghai(2026, 1, 4, 23, 59, 59)


def test_due_after_one_working_day_is_due_at(calendar: WorkingDayCalendar) -> None:
    submitted = shanghai(2026, 3, 6, 21)
    assert calendar.due_after_working_days(submitted, 1) == calendar.due_at(submitted)
    assert calendar.due_after_working_days(submitted, 2) == shanghai(2026, 3, 10, 23, 59, 59)
    assert calendar.due_after_working_days(shanghai(2026, 9, 30, 9), 3) == shanghai(2026, 10, 10, 23, 59, 59)


# -- add_working_days -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # working Saturday
        (date(2026, 2, 13), 2, date(2026, 2, 24)),  # over the nine days of 春节
        (date(2026, 2, 13), 5, date(2026, 2, 27)),
        (date(2026, 2, 13), 6, date(2026, 2, 28)),  # working Saturday
        (date(2026, 2, 13), 7, date(2026, 3, 2)),
        (date(2026, 9, 24), 1, date(2026, 9, 28)),  # over 中秋节
        (date(2026, 9, 30), 1, date(2026, 10, 8)),  # over 国庆节
        (date(2026, 9, 30), 3, date(2026, 10, 10)),
        (date(2026, 9, 18), 1, date(2026, 9, 20)),  # working Sunday
        (date(2026, 4, 30), 3, date(2026, 5, 8)),  # over 劳动节: 5/6, 5/7, 5/8
        (date(2026, 4, 30), 4, date(2026, 5, 9)),
        (date(2025, 12, 31), WORKING_DAYS_IN_2026, date(2026, 12, 31)),  # every working day of 2026
        (date(2025, 12, 31), WORKING_DAYS_IN_2026 + 1, date(2027, 1, 4)),  # fallback: 元旦 on Friday, then the weekend
        (date(2026, 12, 30), 3, date(2027, 1, 5)),
        (date(2027, 2, 4), 1, date(2027, 2, 9)),  # fallback: 除夕 to 初三 (Fri–Mon)
        (date(2027, 4, 2), 1, date(2027, 4, 6)),  # fallback: 清明 on Monday 5 April
    ],
    ids=str,
)
def test_add_working_days_counts_only_working_days_across_long_holidays(
    calendar: WorkingDayCalendar, start: date, n: int, expected: date
) -> None:
    assert calendar.add_working_days(start, n) == expected


@pytest.mark.parametrize("n", [0, -1])
def test_add_working_days_needs_at_least_one_day(calendar: WorkingDayCalendar, n: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        calendar.add_working_days(date(2026, 3, 6), n)
    with pytest.raises(ValueError, match="at least 1"):
        calendar.due_after_working_days(shanghai(2026, 3, 6), n)


@pytest.mark.parametrize("n", [True, 1.0, "1", None])
def test_add_working_days_needs_an_integer_count(calendar: WorkingDayCalendar, n: Any) -> None:
    with pytest.raises(TypeError):
        calendar.add_working_days(date(2026, 3, 6), n)


# -- the fallback ---------------------------------------------------------------------


def test_a_submission_on_31_december_2026_is_due_on_monday_4_january_2027_by_the_statutory_fallback(
    calendar: WorkingDayCalendar, alerts: Alerts
) -> None:
    assert date(2027, 1, 1).weekday() == 4  # 元旦 on a Friday, then the weekend
    assert calendar.due_at(shanghai(2026, 12, 31, 20)) == shanghai(2027, 1, 4, 23, 59, 59)
    assert alerts.years == [2027]


def test_the_fallback_callback_fires_once_for_2027_however_often_the_calendar_is_asked(
    calendar: WorkingDayCalendar, alerts: Alerts
) -> None:
    for _ in range(50):
        assert calendar.due_at(shanghai(2026, 12, 31, 20)) == shanghai(2027, 1, 4, 23, 59, 59)
    for day in days_of(2027):
        assert calendar.is_working_day(day) == notice_says_working(day), day
    assert calendar.next_working_day(date(2027, 1, 1)) == date(2027, 1, 4)
    assert alerts.years == [2027]
    assert calendar.fallback_years == {2027}


def test_the_fallback_callback_fires_once_per_year(calendar: WorkingDayCalendar, alerts: Alerts) -> None:
    calendar.is_working_day(date(2027, 6, 1))
    calendar.is_working_day(date(2031, 6, 2))
    calendar.is_working_day(date(2027, 6, 3))
    calendar.is_working_day(date(2003, 6, 2))  # before chinesecalendar's first year
    calendar.is_working_day(date(2031, 6, 4))
    assert alerts.years == [2027, 2031, 2003]


def test_the_fallback_callback_fires_once_when_many_threads_meet_the_year_at_once(data_dir: Path) -> None:
    alerts = Alerts(delay=0.02)  # a slow callback widens any race
    calendar = WorkingDayCalendar(data_dir=data_dir, on_fallback=alerts)
    threads_count = 16
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            barrier.wait()
            for k in range(20):
                calendar.is_working_day(date(2027 + k % 2, 3, 1 + (i + k) % 28))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(alerts.years) == [2027, 2028]


def test_each_calendar_instance_reports_a_fallback_year_itself(data_dir: Path, alerts: Alerts) -> None:
    first = WorkingDayCalendar(data_dir=data_dir, on_fallback=alerts)
    second = WorkingDayCalendar(data_dir=data_dir, on_fallback=alerts)
    first.is_working_day(date(2027, 1, 1))
    first.is_working_day(date(2027, 1, 2))
    second.is_working_day(date(2027, 1, 1))
    assert alerts.years == [2027, 2027]


def test_known_years_and_known_year_checks_never_fire_the_fallback(calendar: WorkingDayCalendar, alerts: Alerts) -> None:
    for day in span(date(2004, 1, 1), date(2026, 12, 30)):
        calendar.next_working_day(day)
    assert not calendar.known_year(2027)
    assert alerts.years == []
    assert calendar.fallback_years == frozenset()


def test_a_fallback_callback_may_use_the_calendar_without_deadlock_or_a_second_call(data_dir: Path) -> None:
    seen: list[tuple[int, bool]] = []
    calendar: WorkingDayCalendar

    def reentrant(year: int) -> None:
        seen.append((year, calendar.is_working_day(date(year, 1, 4))))

    calendar = WorkingDayCalendar(data_dir=data_dir, on_fallback=reentrant)
    answers: list[bool] = []
    worker = threading.Thread(target=lambda: answers.append(calendar.is_working_day(date(2027, 1, 1))), daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert not worker.is_alive(), "deadlock: the callback ran while the calendar held its lock"
    assert answers == [False]  # 元旦
    assert seen == [(2027, True)]


def test_a_failing_fallback_callback_reaches_the_caller_once_and_the_year_counts_as_reported(data_dir: Path) -> None:
    calls: list[int] = []

    def failing(year: int) -> None:
        calls.append(year)
        raise RuntimeError("alert topic unavailable")

    calendar = WorkingDayCalendar(data_dir=data_dir, on_fallback=failing)
    with pytest.raises(RuntimeError, match="alert topic"):
        calendar.is_working_day(date(2027, 1, 4))
    assert calendar.is_working_day(date(2027, 1, 4))
    assert calls == [2027]


def test_a_calendar_without_a_callback_still_falls_back_to_the_statutory_holidays(data_dir: Path) -> None:
    calendar = WorkingDayCalendar(data_dir=data_dir)
    assert not calendar.is_working_day(date(2027, 1, 1))  # 元旦, a Friday
    assert not calendar.is_working_day(date(2027, 1, 2))  # Saturday
    assert calendar.is_working_day(date(2027, 1, 4))  # Monday
    assert not calendar.is_working_day(date(2027, 6, 9))  # 端午, a Wednesday
    assert calendar.fallback_years == {2027}


# -- data files -----------------------------------------------------------------------


def test_a_2027_data_file_changes_the_answer_and_no_fallback_fires(data_dir: Path, alerts: Alerts) -> None:
    write_year(data_dir, 2027, days_off=["2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04"])
    calendar = WorkingDayCalendar(data_dir=data_dir, on_fallback=alerts)
    assert calendar.due_at(shanghai(2026, 12, 31, 20)) == shanghai(2027, 1, 5, 23, 59, 59)  # the fallback says 4 January
    assert calendar.known_year(2027)
    assert calendar.year_source(2027) == "data_file"
    assert alerts.years == []


def test_a_data_file_adjusted_working_weekend_is_a_working_day(data_dir: Path, alerts: Alerts) -> None:
    write_year(data_dir, 2027, days_off=["2027-02-05", "2027-02-08"], working_days=["2027-02-06"])
    calendar = WorkingDayCalendar(data_dir=data_dir, on_fallback=alerts)
    assert calendar.is_working_day(date(2027, 2, 6))  # Saturday, 调休上班
    assert not calendar.is_working_day(date(2027, 2, 5))  # Friday off
    assert not calendar.is_working_day(date(2027, 2, 7))  # an ordinary Sunday
    assert calendar.next_working_day(date(2027, 2, 4)) == date(2027, 2, 6)
    assert calendar.next_working_day(date(2027, 2, 6)) == date(2027, 2, 9)
    assert alerts.years == []


def test_a_data_file_takes_precedence_over_chinesecalendar_for_its_whole_year(data_dir: Path, alerts: Alerts) -> None:
    write_year(data_dir, 2026, days_off=["2026-03-09"])
    calendar = WorkingDayCalendar(data_dir=data_dir, on_fallback=alerts)
    assert calendar.year_source(2026) == "data_file"
    assert calendar.due_at(shanghai(2026, 3, 6, 21)) == shanghai(2026, 3, 10, 23, 59, 59)
    assert calendar.is_working_day(date(2026, 10, 1))  # not off in this file
    assert not calendar.is_working_day(date(2026, 10, 10))  # nor an adjusted working day
    assert calendar.year_source(2025) == "chinesecalendar"
    assert alerts.years == []


def test_the_2026_notice_as_a_data_file_gives_the_same_calendar_as_chinesecalendar(data_dir: Path) -> None:
    write_year(
        data_dir,
        2026,
        days_off=sorted(d.isoformat() for d in DAYS_OFF_2026),
        working_days=sorted(d.isoformat() for d in ADJUSTED_WORKING_WEEKENDS_2026),
    )
    from_file = WorkingDayCalendar(data_dir=data_dir)
    assert from_file.year_source(2026) == "data_file"
    assert [d for d in days_of(2026) if from_file.is_working_day(d) != chinese_calendar.is_workday(d)] == []


def test_the_readme_example_is_a_valid_data_file_for_the_2026_notice(data_dir: Path) -> None:
    readme = (ROOT / "data" / "holidays" / "README.md").read_text(encoding="utf-8")
    [example] = [block for block in re.findall(r"```json\n(.*?)```", readme, re.DOTALL) if '"year": 2026' in block]
    (data_dir / "2026.json").write_text(example, encoding="utf-8")
    schedule = load_year_file(data_dir / "2026.json")
    assert schedule.days_off == DAYS_OFF_2026
    assert schedule.working_days == set(ADJUSTED_WORKING_WEEKENDS_2026)


def test_other_files_in_the_data_directory_are_ignored(data_dir: Path) -> None:
    (data_dir / "README.md").write_text("# notes", encoding="utf-8")
    (data_dir / "2027.json.bak").write_text("not json", encoding="utf-8")
    assert WorkingDayCalendar(data_dir=data_dir).data_file_years() == frozenset()


VALID = {"year": 2027, "source": "国务院办公厅关于2027年部分节假日安排的通知", "days_off": ["2027-01-01"], "working_days": []}


@pytest.mark.parametrize(
    ("file_name", "content", "problem"),
    [
        ("2027.json", {**VALID, "year": 2028}, '"year" is 2028 but the file name says 2027'),
        ("2027.json", {**VALID, "year": "2027"}, '"year" must be an integer'),
        ("2027.json", {**VALID, "year": True}, '"year" must be an integer'),
        ("2027.json", {**VALID, "days_off": ["2028-01-01"]}, "2028-01-01, which is not in 2027"),
        ("2027.json", {**VALID, "working_days": ["2026-12-26"]}, "2026-12-26, which is not in 2027"),
        (
            "2027.json",
            {**VALID, "days_off": ["2027-02-06"], "working_days": ["2027-02-06"]},
            "in both days_off and working_days: 2027-02-06",
        ),
        ("2027.json", {**VALID, "days_off": ["2027/01/01"]}, 'expected a "YYYY-MM-DD" string'),
        ("2027.json", {**VALID, "days_off": ["20270101"]}, 'expected a "YYYY-MM-DD" string'),
        ("2027.json", {**VALID, "days_off": [20270101]}, 'expected a "YYYY-MM-DD" string'),
        ("2027.json", {**VALID, "days_off": ["2027-02-30"]}, "not a valid date"),
        ("2027.json", {**VALID, "days_off": ["2027-01-01", "2027-01-01"]}, "lists 2027-01-01 twice"),
        ("2027.json", {**VALID, "days_off": "2027-01-01"}, '"days_off" must be a list'),
        ("2027.json", {**VALID, "working_days": ["2027-01-04"]}, "Monday–Friday: 2027-01-04"),
        ("2027.json", {k: v for k, v in VALID.items() if k != "source"}, "missing field(s): source"),
        ("2027.json", {**VALID, "source": "  "}, '"source" must name the notice'),
        ("2027.json", {**VALID, "workingdays": []}, "unknown field(s): workingdays"),
        ("2027.json", [VALID], "must be a JSON object"),
        ("2027.json", "{not json", "cannot be read as UTF-8 JSON"),
        ("holidays-2027.json", VALID, "the file name must be YYYY.json"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 60 else None,
)
def test_an_invalid_data_file_is_rejected_naming_the_file_and_the_problem(
    data_dir: Path, file_name: str, content: Any, problem: str
) -> None:
    path = data_dir / file_name
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        WorkingDayCalendar(data_dir=data_dir)
    assert str(path) in str(caught.value)
    assert problem in str(caught.value)


def test_a_valid_data_file_is_accepted(data_dir: Path) -> None:
    path = data_dir / "2027.json"
    path.write_text(json.dumps(VALID, ensure_ascii=False), encoding="utf-8")
    schedule = load_year_file(path)
    assert schedule.year == 2027
    assert schedule.days_off == {date(2027, 1, 1)}
    assert schedule.working_days == frozenset()


def test_a_data_file_with_a_month_off_makes_the_search_for_a_working_day_fail_loudly(data_dir: Path) -> None:
    write_year(data_dir, 2027, days_off=[d.isoformat() for d in span(date(2027, 1, 1), date(2027, 2, 28))])
    calendar = WorkingDayCalendar(data_dir=data_dir)
    with pytest.raises(ValueError, match="holiday data for 2027 is wrong"):
        calendar.next_working_day(date(2026, 12, 31))


def test_a_missing_explicit_data_directory_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        WorkingDayCalendar(data_dir=tmp_path / "nowhere")


def test_a_missing_default_data_directory_means_no_data_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workdays, "DEFAULT_DATA_DIR", tmp_path / "nowhere")
    calendar = WorkingDayCalendar()
    assert calendar.data_file_years() == frozenset()
    assert calendar.is_working_day(date(2026, 10, 10))


def test_the_default_data_directory_is_data_holidays_and_every_shipped_file_is_valid() -> None:
    assert DEFAULT_DATA_DIR == ROOT / "data" / "holidays"
    assert (DEFAULT_DATA_DIR / "README.md").is_file()
    calendar = WorkingDayCalendar()  # raises on any bad file shipped in data/holidays
    assert calendar.data_dir == DEFAULT_DATA_DIR
    for year in calendar.data_file_years():
        assert calendar.year_source(year) == "data_file"


# -- input checks ---------------------------------------------------------------------


def test_a_naive_submission_time_is_rejected(calendar: WorkingDayCalendar) -> None:
    naive = datetime(2026, 3, 6, 21, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.due_at(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.due_after_working_days(naive, 2)
    with pytest.raises(ValueError, match="timezone-aware"):
        workdays.due_at(naive)


def test_a_date_is_not_a_submission_time(calendar: WorkingDayCalendar) -> None:
    with pytest.raises(TypeError):
        calendar.due_at(date(2026, 3, 6))  # type: ignore[arg-type]


def test_a_datetime_is_not_a_calendar_day_because_its_date_depends_on_the_time_zone(calendar: WorkingDayCalendar) -> None:
    with pytest.raises(TypeError, match="astimezone"):
        calendar.is_working_day(datetime(2026, 3, 6, 21, tzinfo=UTC))
    with pytest.raises(TypeError):
        calendar.next_working_day("2026-03-06")  # type: ignore[arg-type]


# -- the module-level functions -------------------------------------------------------


def test_the_module_level_functions_answer_from_the_shared_default_calendar() -> None:
    assert workdays.default_calendar() is workdays.default_calendar()
    assert workdays.is_working_day(date(2026, 10, 10))
    assert not workdays.is_working_day(date(2026, 10, 1))
    assert workdays.next_working_day(date(2026, 9, 30)) == date(2026, 10, 8)
    assert workdays.due_at(datetime(2026, 3, 6, 13, 0, tzinfo=UTC)) == shanghai(2026, 3, 9, 23, 59, 59)


def test_the_default_calendar_logs_a_warning_once_when_it_falls_back(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(workdays, "_default", None)  # a fresh shared instance, restored afterwards
    year = 2099
    assert year not in workdays.default_calendar().data_file_years()
    with caplog.at_level("WARNING", logger=workdays.__name__):
        workdays.is_working_day(date(year, 3, 2))
        workdays.is_working_day(date(year, 3, 3))
    messages = [r.getMessage() for r in caplog.records if r.name == workdays.__name__]
    assert len(messages) == 1
    assert "2099" in messages[0]
    assert "data/holidays/2099.json" in messages[0]


def test_the_domain_module_imports_no_aws_no_project_logger_and_no_lunar_calendar_until_a_year_falls_back() -> None:
    code = (
        "import sys, chalicelib.domain.workdays\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'boto3', 'botocore', 'aws_lambda_powertools', 'chalice'}"
        " or m.startswith('chalicelib.')"
        " and m not in {'chalicelib.domain', 'chalicelib.domain.workdays', 'chalicelib.domain.statutory_holidays'}"
        " or m == 'sxtwl')\n"
        "print(bad)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# -- properties -----------------------------------------------------------------------

dates = st.dates(min_value=date(2004, 1, 1), max_value=date(2030, 12, 31))  # package years and fallback years
zones = st.sampled_from(
    [UTC, SHANGHAI, ZoneInfo("America/New_York"), ZoneInfo("Europe/London"), timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))]
)
submission_times = st.datetimes(min_value=datetime(2004, 1, 2), max_value=datetime(2030, 12, 30), timezones=zones)


def working_days_strictly_between(calendar: WorkingDayCalendar, start: date, end: date) -> Iterator[date]:
    day = start + ONE_DAY
    while day < end:
        if calendar.is_working_day(day):
            yield day
        day += ONE_DAY


@given(day=dates)
def test_the_next_working_day_is_a_later_working_day_with_none_in_between(shared_calendar: WorkingDayCalendar, day: date) -> None:
    following = shared_calendar.next_working_day(day)
    assert following > day
    assert shared_calendar.is_working_day(following)
    assert list(working_days_strictly_between(shared_calendar, day, following)) == []


@given(day=dates, n=st.integers(min_value=1, max_value=30))
def test_add_working_days_lands_on_the_nth_working_day(shared_calendar: WorkingDayCalendar, day: date, n: int) -> None:
    result = shared_calendar.add_working_days(day, n)
    assert shared_calendar.is_working_day(result)
    assert len(list(working_days_strictly_between(shared_calendar, day, result))) == n - 1
    if n > 1:
        assert result == shared_calendar.add_working_days(shared_calendar.next_working_day(day), n - 1)


@given(submitted_at=submission_times)
def test_due_at_is_always_23_59_59_in_shanghai_on_a_working_day_after_the_submission(
    shared_calendar: WorkingDayCalendar, submitted_at: datetime
) -> None:
    due_at = shared_calendar.due_at(submitted_at)
    assert due_at.tzinfo is SHANGHAI
    assert due_at.timetz().replace(tzinfo=None) == time(23, 59, 59)
    assert due_at > submitted_at
    submitted_day = submitted_at.astimezone(SHANGHAI).date()
    assert due_at.date() == shared_calendar.next_working_day(submitted_day)
    assert due_at == shared_calendar.due_after_working_days(submitted_at, 1)
