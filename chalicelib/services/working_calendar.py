"""The working-day calendar for operators: see a year, load the State Council's schedule of a year (domain.md §5)."""

from __future__ import annotations

from chalicelib.adapters.dynamo_cases import ConcurrentUpdate
from chalicelib.auth import Principal
from chalicelib.domain.published_schedule import ScheduleInvalid, parse_year, published_schedule
from chalicelib.errors import ConflictProblem, ValidationProblem
from chalicelib.models import CalendarDay, CalendarLoadRequest, CalendarYearView
from chalicelib.observability import logger
from chalicelib.wiring import Services

_ORIGINS = {"loaded": "loaded", "data_file": "data_file", "chinesecalendar": "chinesecalendar", "statutory_fallback": "statutory"}


def _year(text: str) -> int:
    try:
        return parse_year(text)
    except ScheduleInvalid as error:
        raise ValidationProblem("年份有误", error.errors) from None


def read_year(services: Services, year_text: str) -> CalendarYearView:
    """The year as every due-time computation sees it now (a loaded year at once, in this process)."""
    year = _year(year_text)
    calendar = services.calendar.year_calendar(year)
    stored = services.calendar_store.get_item(year) if calendar.source == "loaded" else None
    return CalendarYearView(
        year=year,
        source="statutory_fallback" if calendar.source == "statutory_fallback" else "published",
        origin=_ORIGINS[calendar.source],
        notice=calendar.notice,
        holidays=[CalendarDay(date=d.isoformat(), name=name) for d, name in calendar.holidays],
        working_days=[d.isoformat() for d in calendar.working_days],
        loaded_at=stored.get("loaded_at") if stored else None,
        version=stored.get("version") if stored else None,
    )


def load_year(services: Services, principal: Principal, year_text: str, request: CalendarLoadRequest) -> CalendarYearView:
    """Check the schedule and store it (one conditional write); it overrides the packaged data of that year."""
    year = _year(year_text)
    lines = [(h.name, h.date, h.start, h.end) for h in request.holidays]
    try:
        schedule = published_schedule(year, request.notice, lines, request.working_days)
    except ScheduleInvalid as error:
        fields = "、".join(dict.fromkeys(e["field"] for e in error.errors))
        raise ValidationProblem(f"{year}年节假日安排有误：{fields}", error.errors) from None
    # Stored as typed, one range per festival line (checked above), so every container reads the same schedule.
    holidays = [{"name": name, "first": start or on, "last": end or on} for name, on, start, end in lines]
    content = {"notice": schedule.source, "holidays": holidays, "working_days": sorted(d.isoformat() for d in schedule.working_days)}
    current = services.calendar_store.get_item(year)
    try:
        services.calendar_store.put(year, content, principal.sub, current["version"] if current else None)
    except ConcurrentUpdate:
        raise ConflictProblem(f"{year}年节假日安排正被他人同时载入，请刷新后重试") from None
    logger.info(
        "holiday schedule loaded",
        extra={"year": year, "days_off": len(schedule.days_off), "working_days": len(schedule.working_days), "by": principal.sub},
    )
    return read_year(services, str(year))
