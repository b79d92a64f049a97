"""Working-day calendar (工作日历) and working-day deadlines (domain.md §5).

Working days follow the State Council's (国务院办公厅) holiday schedule, including
adjusted working weekends (调休上班). For each year the calendar uses, in order:

0. a schedule an operator loaded into the running service (``loaded(year)``, read from
   DynamoDB by the service layer: PUT /admin/calendar/{year}) — a loaded year overrides
   the packaged data, so a newly published year needs no deploy;
1. a data file ``YYYY.json`` in the data directory (default ``data/holidays`` at
   the project root; format in that directory's README.md) — it takes precedence so
   an operator can add a newly published year, or correct one, without a code change;
2. the ``chinesecalendar`` package (``chinese_calendar``), which knows the years it
   was released with (1.11.0: 2004–2026) and raises NotImplementedError otherwise;
3. the statutory fallback: weekends plus the statutory holidays computed from the lunar
   calendar (chalicelib.domain.statutory_holidays), no adjusted working weekends. The
   first time a calendar instance answers for such a year it calls ``on_fallback(year)``
   (once per year per instance, thread-safe), so the service layer can log a warning and
   raise an operator alert.

"1 working day" (1个工作日) is due by 23:59:59 Asia/Shanghai on the first working
day strictly after the submission date, the submission date taken in Asia/Shanghai.

This module is pure domain code: no AWS, no project logger. Data files are read and
validated once, when a calendar is constructed (a new year is picked up by a new
instance, i.e. the next cold start); a bad file raises ValueError naming the file.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import chinese_calendar

from chalicelib.domain.statutory_holidays import statutory_holidays

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "holidays"
DUE_TIME = time(23, 59, 59)

# No official schedule has more than ten consecutive days off (Spring Festival 2020,
# extended, is the outlier at 2020-01-24..2020-02-02). Searching further than this for
# a working day means the data is wrong (e.g. a file marking a whole month off).
MAX_CONSECUTIVE_DAYS_OFF = 31

YearSource = Literal["loaded", "data_file", "chinesecalendar", "statutory_fallback"]

_FILE_NAME = re.compile(r"(\d{4})\.json")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_FIELDS = frozenset({"year", "source", "days_off", "working_days"})
_ONE_DAY = timedelta(days=1)

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class YearSchedule:
    """One year's published schedule (a data file, or loaded by an operator): Mon–Fri, minus days_off, plus working_days."""

    year: int
    source: str
    days_off: frozenset[date]
    working_days: frozenset[date]
    path: Path | None = None  # None: loaded into the running service, not a file
    # The festival of each day off, where the schedule names it (data files do not).
    holiday_names: tuple[tuple[date, str], ...] = field(default=(), compare=False)

    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        return day.weekday() < 5


def load_year_file(path: Path) -> YearSchedule:
    """Read and strictly validate one ``YYYY.json`` file; ValueError names the file and the problem."""
    path = Path(path)

    def bad(problem: str) -> ValueError:
        return ValueError(f"holiday data file {path}: {problem}")

    match = _FILE_NAME.fullmatch(path.name)
    if not match:
        raise bad("the file name must be YYYY.json (e.g. 2027.json)")
    file_year = int(match.group(1))
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad(f"cannot be read as UTF-8 JSON ({exc})") from exc
    if not isinstance(raw, dict):
        raise bad("the content must be a JSON object")
    missing = sorted(_FIELDS - raw.keys())
    unknown = sorted(raw.keys() - _FIELDS)
    if missing:
        raise bad(f"missing field(s): {', '.join(missing)}")
    if unknown:
        raise bad(f"unknown field(s): {', '.join(unknown)} (allowed: {', '.join(sorted(_FIELDS))})")

    year = raw["year"]
    if not isinstance(year, int) or isinstance(year, bool):
        raise bad(f'"year" must be an integer, got {year!r}')
    if year != file_year:
        raise bad(f'"year" is {year} but the file name says {file_year}')
    source = raw["source"]
    if not isinstance(source, str) or not source.strip():
        raise bad('"source" must name the notice (e.g. 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔…〕…号）)')

    days_off = _parse_dates(raw["days_off"], "days_off", year, bad)
    working_days = _parse_dates(raw["working_days"], "working_days", year, bad)
    both = sorted(days_off & working_days)
    if both:
        raise bad(f"date(s) in both days_off and working_days: {', '.join(d.isoformat() for d in both)}")
    weekdays = sorted(d for d in working_days if d.weekday() < 5)
    if weekdays:
        raise bad(
            "working_days lists only adjusted working weekends (调休上班), "
            f"but these are Monday–Friday: {', '.join(d.isoformat() for d in weekdays)}"
        )
    return YearSchedule(year=year, source=source.strip(), days_off=days_off, working_days=working_days, path=path)


def _parse_dates(value: Any, field: str, year: int, bad: Callable[[str], ValueError]) -> frozenset[date]:
    if not isinstance(value, list):
        raise bad(f'"{field}" must be a list of "YYYY-MM-DD" strings')
    seen: set[date] = set()
    for item in value:
        if not isinstance(item, str) or not _ISO_DATE.fullmatch(item):
            raise bad(f'"{field}" contains {item!r}, expected a "YYYY-MM-DD" string')
        try:
            day = date.fromisoformat(item)
        except ValueError as exc:
            raise bad(f'"{field}" contains {item!r}, which is not a valid date') from exc
        if day.year != year:
            raise bad(f'"{field}" contains {item}, which is not in {year}')
        if day in seen:
            raise bad(f'"{field}" lists {item} twice')
        seen.add(day)
    return frozenset(seen)


def load_data_dir(data_dir: Path) -> dict[int, YearSchedule]:
    """All ``*.json`` files of a directory, by year. Other files (README.md) are ignored."""
    return {s.year: s for s in (load_year_file(p) for p in sorted(Path(data_dir).glob("*.json")))}


def package_covers(year: int) -> bool:
    """True if the installed chinesecalendar knows ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _require_date(day: object) -> date:
    if isinstance(day, datetime):
        raise TypeError(
            f"expected a date, got the datetime {day!r}; take its date in Asia/Shanghai first: value.astimezone(SHANGHAI).date()"
        )
    if not isinstance(day, date):
        raise TypeError(f"expected a date, got {type(day).__name__}")
    return day


def _require_count(n: object) -> int:
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"the number of working days must be an int, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"the number of working days must be at least 1, got {n}")
    return n


def shanghai_date(moment: datetime) -> date:
    """The calendar date of an aware datetime in Asia/Shanghai; ValueError for naive datetimes."""
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"the submission time must be timezone-aware, got the naive datetime {moment.isoformat()}")
    return moment.astimezone(SHANGHAI).date()


@dataclass(frozen=True)
class YearCalendar:
    """A year as the calendar answers it: for operators to check (GET /admin/calendar/{year})."""

    year: int
    source: YearSource
    notice: str | None  # the State Council's notice a published schedule names
    holidays: tuple[tuple[date, str | None], ...]  # every day off but ordinary weekends, with its festival
    working_days: tuple[date, ...]  # adjusted working weekends (调休上班)


def _chinese_holiday_name(day: date) -> str | None:
    """chinesecalendar's festival of a day off, in Chinese (it names them in English)."""
    english = chinese_calendar.holidays.get(day)
    for holiday in chinese_calendar.Holiday:
        if holiday.value == english:
            return holiday.chinese
    return english


class WorkingDayCalendar:
    """The working-day calendar: a loaded schedule, data files, chinesecalendar, then the statutory fallback with an alert."""

    def __init__(
        self,
        data_dir: Path | None = None,
        on_fallback: Callable[[int], None] | None = None,
        loaded: Callable[[int], YearSchedule | None] | None = None,
    ):
        """Load and validate every ``YYYY.json`` in ``data_dir`` (ValueError on a bad file).

        ``data_dir`` defaults to DEFAULT_DATA_DIR; a missing default directory means "no
        data files", a missing explicit directory is an error. ``on_fallback(year)`` is
        called the first time this instance answers for a year it has no schedule for;
        it should not raise (if it does, the exception reaches the caller and the year
        still counts as reported). ``loaded(year)`` answers the schedule an operator
        loaded for that year, or None; it is asked on every answer, so it must be cheap
        (the service layer caches it briefly).
        """
        if data_dir is None:
            data_dir = DEFAULT_DATA_DIR
            self._schedules = load_data_dir(data_dir) if data_dir.is_dir() else {}
        else:
            data_dir = Path(data_dir)
            if not data_dir.is_dir():
                raise ValueError(f"holiday data directory {data_dir} does not exist or is not a directory")
            self._schedules = load_data_dir(data_dir)
        self.data_dir = data_dir
        self._on_fallback = on_fallback
        self._loaded = loaded
        self._fallback_years: set[int] = set()
        self._lock = threading.Lock()

    # -- years ---------------------------------------------------------------

    def known_year(self, year: int) -> bool:
        """True if ``year`` has a published schedule: loaded, a data file or chinesecalendar (no callback)."""
        return self.year_source(year) != "statutory_fallback"

    def year_source(self, year: int) -> YearSource:
        """Where the schedule for ``year`` comes from."""
        if self._loaded is not None and self._loaded(year) is not None:
            return "loaded"
        if year in self._schedules:
            return "data_file"
        if package_covers(year):
            return "chinesecalendar"
        return "statutory_fallback"

    def _published(self, year: int) -> YearSchedule | None:
        """The loaded schedule of ``year``, else its data file; None for chinesecalendar and fallback years."""
        schedule = self._loaded(year) if self._loaded is not None else None
        return schedule if schedule is not None else self._schedules.get(year)

    def year_calendar(self, year: int) -> YearCalendar:
        """What the calendar knows of ``year``: its days off (with names where known), adjusted working days, source.

        Looking does not count as falling back: no callback.
        """
        schedule = self._published(year)
        source = self.year_source(year)
        if schedule is not None:
            names = dict(schedule.holiday_names)
            holidays = tuple((d, names.get(d)) for d in sorted(schedule.days_off))
            return YearCalendar(year, source, schedule.source, holidays, tuple(sorted(schedule.working_days)))
        if source == "chinesecalendar":
            days = [date(year, 1, 1) + timedelta(days=i) for i in range((date(year, 12, 31) - date(year, 1, 1)).days + 1)]
            holidays = tuple((d, _chinese_holiday_name(d)) for d in days if d in chinese_calendar.holidays)
            working = tuple(d for d in days if d.weekday() >= 5 and chinese_calendar.is_workday(d))
            return YearCalendar(year, source, None, holidays, working)
        return YearCalendar(year, source, None, tuple(statutory_holidays(year).items()), ())

    def data_file_years(self) -> frozenset[int]:
        return frozenset(self._schedules)

    @property
    def fallback_years(self) -> frozenset[int]:
        """The years this instance has answered with the Mon–Fri fallback so far."""
        with self._lock:
            return frozenset(self._fallback_years)

    def _fell_back(self, year: int) -> None:
        with self._lock:
            if year in self._fallback_years:
                return
            self._fallback_years.add(year)
        # Outside the lock: the callback may log, publish an alert, or even use this calendar.
        if self._on_fallback is not None:
            self._on_fallback(year)

    # -- days ----------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        day = _require_date(day)
        schedule = self._published(day.year)
        if schedule is not None:
            return schedule.is_working_day(day)
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            self._fell_back(day.year)
            return day.weekday() < 5 and day not in statutory_holidays(day.year)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        day = _require_date(day)
        candidate = day
        for _ in range(MAX_CONSECUTIVE_DAYS_OFF + 1):
            candidate += _ONE_DAY
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(
            f"no working day in the {MAX_CONSECUTIVE_DAYS_OFF + 1} days after {day.isoformat()}; "
            f"the holiday data for {candidate.year} is wrong"
        )

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day strictly after ``day`` (n >= 1); n=1 is next_working_day."""
        day = _require_date(day)
        for _ in range(_require_count(n)):
            day = self.next_working_day(day)
        return day

    # -- deadlines -----------------------------------------------------------

    def due_at(self, submitted_at: datetime) -> datetime:
        """Due time for 1 working day (1个工作日): 23:59:59 Asia/Shanghai on the first working day after the submission date."""
        return self.due_after_working_days(submitted_at, 1)

    def due_after_working_days(self, submitted_at: datetime, n: int) -> datetime:
        """Due time for n working days: 23:59:59 Asia/Shanghai on the n-th working day after the submission date.

        ``submitted_at`` must be timezone-aware (ValueError otherwise); its date is taken
        in Asia/Shanghai. The result is an aware datetime in Asia/Shanghai.
        """
        n = _require_count(n)
        due_day = self.add_working_days(shanghai_date(submitted_at), n)
        return datetime.combine(due_day, DUE_TIME, tzinfo=SHANGHAI)


# -- the shared default instance ----------------------------------------------

_default: WorkingDayCalendar | None = None
_default_lock = threading.Lock()


def _warn_fallback(year: int) -> None:
    _log.warning(
        "working-day calendar: no holiday schedule for %d (none loaded, no data file, not in chinesecalendar); "
        "using weekends and the statutory holidays. Load the %d schedule (PUT /admin/calendar/%d) or add data/holidays/%d.json "
        "once the State Council publishes it.",
        year,
        year,
        year,
        year,
    )


def default_calendar() -> WorkingDayCalendar:
    """The shared calendar on the default data directory, created on first use.

    Its fallback callback only logs a warning (stdlib logging); a service that must alert
    operators builds its own WorkingDayCalendar with an ``on_fallback`` that does.
    """
    global _default
    with _default_lock:
        if _default is None:
            _default = WorkingDayCalendar(on_fallback=_warn_fallback)
        return _default


def is_working_day(day: date) -> bool:
    return default_calendar().is_working_day(day)


def next_working_day(day: date) -> date:
    return default_calendar().next_working_day(day)


def due_at(submitted_at: datetime) -> datetime:
    return default_calendar().due_at(submitted_at)
