"""The State Council's holiday schedule of a year, as an operator loads it (PUT /admin/calendar/{year}).

Each November the State Council (国务院办公厅) publishes the next year's schedule: the
festivals with their days off (ranges, e.g. 春节 2月5日至11日), and the weekends that
become working days (调休上班). An operator types it in; these rules check it before it
changes a single due time, and name the field of every mistake (in Chinese, for the
problem+json answer). Pure: no AWS.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.domain.workdays import YearSchedule

# chinesecalendar starts at 2004; a schedule past 2099 is a typo, not foresight.
MIN_YEAR = 2004
MAX_YEAR = 2099
# Sizes no real notice comes near: 7 festivals; the longest break so far is 10 days
# (春节 2020, extended); at most 6 adjusted working weekends (2026).
MAX_HOLIDAY_ENTRIES = 20
MAX_DAYS_PER_HOLIDAY = 15
MAX_DAYS_OFF = 45
MAX_WORKING_DAYS = 15
# A longer run of days off (weekends included) cannot be a real schedule, and the
# working-day search (workdays.MAX_CONSECUTIVE_DAYS_OFF) would give up on it.
MAX_CONSECUTIVE_DAYS_OFF = 16

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class HolidayEntry:
    """One line of the notice: a festival and its days off (``first`` to ``last``, inclusive)."""

    name: str
    first: date
    last: date

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


class ScheduleInvalid(ValueError):
    """The schedule breaks a rule; ``errors`` are problem+json errors: field, code, Chinese message."""

    def __init__(self, errors: list[dict[str, str]]):
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


def _error(field: str, code: str, message: str) -> dict[str, str]:
    return {"field": field, "code": code, "message": message}


def parse_year(text: str) -> int:
    """The year of the path (/admin/calendar/{year}); ScheduleInvalid naming ``year`` otherwise."""
    if not re.fullmatch(r"[0-9]{4}", text or ""):
        raise ScheduleInvalid([_error("year", "invalid", "年份应为4位数字，例如 2027")])
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ScheduleInvalid([_error("year", "out_of_range", f"年份须在{MIN_YEAR}至{MAX_YEAR}年之间")])
    return year


def _date(text: str, year: int, field: str, errors: list[dict[str, str]]) -> date | None:
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
        errors.append(_error(field, "invalid", "日期格式应为 YYYY-MM-DD"))
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors.append(_error(field, "invalid", f"{text} 不是有效日期"))
        return None
    if day.year != year:
        errors.append(_error(field, "outside_year", f"{text} 不在{year}年内"))
        return None
    return day


def parse_holiday(
    year: int, index: int, name: str, on: str | None, start: str | None, end: str | None, errors: list[dict[str, str]]
) -> HolidayEntry | None:
    """One holiday line: a single day (``on``) or a range (``start`` to ``end``), inside ``year``."""
    where = f"holidays[{index}]"
    if on is not None:
        if start is not None or end is not None:
            errors.append(_error(f"{where}.date", "ambiguous", "单日假期填 date，连续假期填 start 和 end，二者不能同时填写"))
            return None
        day = _date(on, year, f"{where}.date", errors)
        return HolidayEntry(name, day, day) if day else None
    if start is None or end is None:
        errors.append(_error(f"{where}.start" if start is None else f"{where}.end", "missing", "缺少日期：填 date，或同时填 start 和 end"))
        return None
    first = _date(start, year, f"{where}.start", errors)
    last = _date(end, year, f"{where}.end", errors)
    if first is None or last is None:
        return None
    if last < first:
        errors.append(_error(f"{where}.end", "before_start", "结束日期早于开始日期"))
        return None
    if (last - first).days + 1 > MAX_DAYS_PER_HOLIDAY:
        errors.append(_error(f"{where}.end", "too_long", f"一个假期最多{MAX_DAYS_PER_HOLIDAY}天"))
        return None
    return HolidayEntry(name, first, last)


def published_schedule(
    year: int,
    notice: str,
    holidays: Sequence[tuple[str, str | None, str | None, str | None]],
    working_days: Sequence[str],
) -> YearSchedule:
    """The schedule of ``year`` from the notice's lines; ScheduleInvalid with every mistake found.

    ``holidays`` are (name, date, start, end) as typed; ``working_days`` the adjusted
    working weekends. Checked: every date inside the year; no day in two holidays; no day
    both off and working; adjusted working days on weekends only; sane sizes.
    """
    errors: list[dict[str, str]] = []
    if not holidays:
        errors.append(_error("holidays", "too_short", "至少需要一个假期"))
    if len(holidays) > MAX_HOLIDAY_ENTRIES:
        errors.append(_error("holidays", "too_long", f"假期最多{MAX_HOLIDAY_ENTRIES}项"))
    if len(working_days) > MAX_WORKING_DAYS:
        errors.append(_error("working_days", "too_long", f"调休上班日最多{MAX_WORKING_DAYS}天"))
    if errors:
        raise ScheduleInvalid(errors)

    names: dict[date, str] = {}
    for index, (name, on, start, end) in enumerate(holidays):
        entry = parse_holiday(year, index, name, on, start, end, errors)
        if entry is None:
            continue
        for off_day in entry.days():
            if off_day in names:
                errors.append(_error(f"holidays[{index}]", "overlap", f"{off_day.isoformat()} 已在“{names[off_day]}”中放假"))
                break
            names[off_day] = entry.name
    if len(names) > MAX_DAYS_OFF:
        errors.append(_error("holidays", "too_many_days", f"全年放假日合计最多{MAX_DAYS_OFF}天"))

    working: set[date] = set()
    for index, text in enumerate(working_days):
        field = f"working_days[{index}]"
        day = _date(text, year, field, errors)
        if day is None:
            continue
        if day in working:
            errors.append(_error(field, "duplicate", f"{text} 重复"))
        elif day in names:
            errors.append(_error(field, "also_holiday", f"{text} 同时是“{names[day]}”的放假日"))
        elif day.weekday() < 5:
            errors.append(_error(field, "not_weekend", f"{text} 是周一至周五，调休上班日只能是周六或周日"))
        working.add(day)
    if errors:
        raise ScheduleInvalid(errors)

    schedule = YearSchedule(
        year=year,
        source=notice,
        days_off=frozenset(names),
        working_days=frozenset(working),
        holiday_names=tuple(sorted(names.items())),
    )
    run = _longest_run_off(schedule)
    if run > MAX_CONSECUTIVE_DAYS_OFF:
        message = f"连续休息{run}天（含周末），超过{MAX_CONSECUTIVE_DAYS_OFF}天，请核对日期"
        raise ScheduleInvalid([_error("holidays", "run_too_long", message)])
    return schedule


def _longest_run_off(schedule: YearSchedule) -> int:
    longest = current = 0
    day = date(schedule.year, 1, 1)
    while day.year == schedule.year:
        current = 0 if schedule.is_working_day(day) else current + 1
        longest = max(longest, current)
        day += _ONE_DAY
    return longest
