"""An operator's typed-in State Council schedule (PUT /admin/calendar/{year}): what is accepted, and each mistake named."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from chalicelib.domain.published_schedule import (
    MAX_DAYS_PER_HOLIDAY,
    MAX_HOLIDAY_ENTRIES,
    MAX_WORKING_DAYS,
    ScheduleInvalid,
    parse_year,
    published_schedule,
)
from chalicelib.domain.workdays import WorkingDayCalendar

NOTICE_2026 = "国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）"
HOLIDAYS_2026 = [
    ("元旦", None, "2026-01-01", "2026-01-03"),
    ("春节", None, "2026-02-15", "2026-02-23"),
    ("清明节", None, "2026-04-04", "2026-04-06"),
    ("劳动节", None, "2026-05-01", "2026-05-05"),
    ("端午节", None, "2026-06-19", "2026-06-21"),
    ("中秋节", None, "2026-09-25", "2026-09-27"),
    ("国庆节", None, "2026-10-01", "2026-10-07"),
]
WORKING_2026 = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]


def errors_of(year: int, holidays: list, working: list[str] | None = None) -> list[tuple[str, str]]:
    with pytest.raises(ScheduleInvalid) as caught:
        published_schedule(year, "通知", holidays, working or [])
    return [(e["field"], e["code"]) for e in caught.value.errors]


def test_the_2026_notice_typed_in_gives_every_day_of_2026_as_chinesecalendar_does(tmp_path) -> None:
    schedule = published_schedule(2026, NOTICE_2026, HOLIDAYS_2026, WORKING_2026)
    calendar = WorkingDayCalendar(data_dir=tmp_path, loaded=lambda year: schedule if year == 2026 else None)
    assert calendar.year_source(2026) == "loaded"
    day = date(2026, 1, 1)
    while day.year == 2026:
        assert calendar.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)
    assert len(schedule.days_off) == 33
    assert dict(schedule.holiday_names)[date(2026, 2, 15)] == "春节"


def test_a_loaded_year_overrides_the_packaged_year_and_the_fallback_and_no_alert_fires(tmp_path) -> None:
    alerts: list[int] = []
    only_new_year = published_schedule(2027, "通知", [("元旦", "2027-01-01", None, None)], [])
    loaded: dict[int, object] = {}
    calendar = WorkingDayCalendar(data_dir=tmp_path, on_fallback=alerts.append, loaded=loaded.get)
    assert calendar.year_source(2027) == "statutory_fallback"
    loaded[2027] = only_new_year
    assert calendar.year_source(2027) == "loaded"
    assert calendar.is_working_day(date(2027, 2, 5))  # 除夕 is off only in the statutory fallback
    view = calendar.year_calendar(2027)
    assert (view.source, view.notice, view.holidays, view.working_days) == ("loaded", "通知", ((date(2027, 1, 1), "元旦"),), ())
    assert alerts == []


def test_the_single_day_form_and_the_range_form_are_the_same_day() -> None:
    single = published_schedule(2027, "通知", [("元旦", "2027-01-01", None, None)], [])
    ranged = published_schedule(2027, "通知", [("元旦", None, "2027-01-01", "2027-01-01")], [])
    assert single.days_off == ranged.days_off == {date(2027, 1, 1)}


@pytest.mark.parametrize(
    ("holiday", "expected"),
    [
        (("元旦", "2026-12-31", None, None), ("holidays[0].date", "outside_year")),
        (("春节", None, "2027-12-30", "2028-01-02"), ("holidays[0].end", "outside_year")),
        (("春节", None, "2027-02-10", "2027-02-05"), ("holidays[0].end", "before_start")),
        (("春节", None, "2027-02-01", "2027-02-28"), ("holidays[0].end", "too_long")),
        (("春节", "2027-02-05", "2027-02-05", "2027-02-11"), ("holidays[0].date", "ambiguous")),
        (("春节", None, "2027-02-05", None), ("holidays[0].end", "missing")),
        (("春节", None, None, "2027-02-05"), ("holidays[0].start", "missing")),
        (("春节", None, None, None), ("holidays[0].start", "missing")),
        (("元旦", "2027-02-30", None, None), ("holidays[0].date", "invalid")),
        (("元旦", "2027/01/01", None, None), ("holidays[0].date", "invalid")),
        (("元旦", "27-1-1", None, None), ("holidays[0].date", "invalid")),
    ],
    ids=str,
)
def test_a_bad_holiday_line_is_named(holiday: tuple, expected: tuple[str, str]) -> None:
    assert errors_of(2027, [holiday]) == [expected]


def test_a_day_in_two_holidays_is_named_at_the_second() -> None:
    holidays = [("国庆节", None, "2027-10-01", "2027-10-07"), ("中秋节", "2027-10-03", None, None)]
    assert errors_of(2027, holidays) == [("holidays[1]", "overlap")]


@pytest.mark.parametrize(
    ("working", "expected"),
    [
        (["2027-02-06"], ("working_days[0]", "also_holiday")),  # a Saturday inside 春节
        (["2027-02-17"], ("working_days[0]", "not_weekend")),  # a Wednesday
        (["2028-01-08"], ("working_days[0]", "outside_year")),
        (["2027-01-09", "2027-01-09"], ("working_days[1]", "duplicate")),
        (["9 January"], ("working_days[0]", "invalid")),
    ],
    ids=str,
)
def test_a_bad_adjusted_working_day_is_named(working: list[str], expected: tuple[str, str]) -> None:
    assert errors_of(2027, [("春节", None, "2027-02-05", "2027-02-11")], working) == [expected]


def test_every_mistake_is_named_at_once() -> None:
    holidays = [("元旦", "2026-01-01", None, None), ("春节", None, "2027-02-11", "2027-02-05")]
    assert errors_of(2027, holidays, ["2027-02-10"]) == [
        ("holidays[0].date", "outside_year"),
        ("holidays[1].end", "before_start"),
        ("working_days[0]", "not_weekend"),
    ]


def test_sizes_are_bounded() -> None:
    assert errors_of(2027, []) == [("holidays", "too_short")]
    many = [("假", f"2027-03-{d:02d}", None, None) for d in range(1, MAX_HOLIDAY_ENTRIES + 2)]
    assert errors_of(2027, many) == [("holidays", "too_long")]
    saturdays = [(date(2027, 1, 2) + timedelta(weeks=w)).isoformat() for w in range(MAX_WORKING_DAYS + 1)]
    assert errors_of(2027, [("元旦", "2027-01-01", None, None)], saturdays) == [("working_days", "too_long")]
    assert MAX_DAYS_PER_HOLIDAY >= 10  # the longest break so far (春节 2020, extended)


def test_too_many_days_off_in_the_year_is_refused() -> None:
    months = [(f"假{m}", None, f"2027-{m:02d}-01", f"2027-{m:02d}-12") for m in range(1, 5)]  # 48 days
    assert ("holidays", "too_many_days") in errors_of(2027, months)


def test_adjacent_holidays_making_a_month_off_are_refused() -> None:
    holidays = [("一", None, "2027-07-01", "2027-07-15"), ("二", None, "2027-07-16", "2027-07-30")]
    assert errors_of(2027, holidays) == [("holidays", "run_too_long")]


@pytest.mark.parametrize("text", ["2027", "2004", "2099"])
def test_a_year_in_range_is_accepted(text: str) -> None:
    assert parse_year(text) == int(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1999", "out_of_range"),
        ("2100", "out_of_range"),
        ("abcd", "invalid"),
        ("20270", "invalid"),
        ("", "invalid"),
        ("２０２７", "invalid"),
    ],
)
def test_a_year_out_of_range_or_not_a_year_is_named(text: str, code: str) -> None:
    with pytest.raises(ScheduleInvalid) as caught:
        parse_year(text)
    assert [(e["field"], e["code"]) for e in caught.value.errors] == [("year", code)]
