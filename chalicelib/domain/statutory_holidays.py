"""The statutory holidays of a year (全国年节及纪念日放假办法, 2024 revision), from the lunar calendar.

A year without a published schedule falls back to these days plus weekends (domain.md
§5). The law fixes the holidays for all citizens (全体公民放假的节日):

- 元旦 1 day, 1 January;
- 春节 4 days, 除夕 (the last day of the lunar year) to 正月初三;
- 清明节 1 day, the day of the Qingming solar term (4 or 5 April);
- 劳动节 2 days, 1–2 May;
- 端午节 1 day, 五月初五;
- 中秋节 1 day, 八月十五;
- 国庆节 3 days, 1–3 October.

Left out on purpose: the State Council's adjusted working weekends (调休) and make-up
days (补假) for a holiday on a weekend. Only a published schedule says which days those
are; without it, counting fewer days off makes a due time earlier, never later.

The lunar dates and the solar term come from `sxtwl` (寿星天文历), imported on first use
only: most years come from a published schedule, and a Lambda cold start should not pay
for the import.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any

NEW_YEAR = "元旦"
SPRING_FESTIVAL = "春节"
QINGMING = "清明节"
LABOUR_DAY = "劳动节"
DRAGON_BOAT = "端午节"
MID_AUTUMN = "中秋节"
NATIONAL_DAY = "国庆节"

# sxtwl numbers the 24 solar terms from 冬至 (0); 清明 is the 8th.
_QINGMING_TERM = 7
_ONE_DAY = timedelta(days=1)


def _sxtwl() -> Any:
    import sxtwl  # lazy: only a year without a published schedule needs it

    return sxtwl


def _solar(day: Any) -> date:
    return date(day.getSolarYear(), day.getSolarMonth(), day.getSolarDay())


def lunar_to_solar(year: int, month: int, day: int) -> date:
    """The Gregorian date of a day of the lunar year ``year`` (not a leap month)."""
    return _solar(_sxtwl().fromLunar(year, month, day))


def spring_festival(year: int) -> date:
    """正月初一 of the lunar year that starts in Gregorian ``year``."""
    return lunar_to_solar(year, 1, 1)


def chuxi(year: int) -> date:
    """除夕: the last day of the lunar year before ``spring_festival(year)`` (腊月廿九 or 三十)."""
    return spring_festival(year) - _ONE_DAY


def qingming(year: int) -> date:
    """The day (Beijing time) of the Qingming solar term: 4 or 5 April, sometimes 3 or 6 in other centuries."""
    sxtwl = _sxtwl()
    for day_of_month in range(3, 7):
        day = sxtwl.fromSolar(year, 4, day_of_month)
        if day.hasJieQi() and day.getJieQi() == _QINGMING_TERM:
            return date(year, 4, day_of_month)
    raise ValueError(f"no Qingming solar term between 3 and 6 April {year}")  # not for any year sxtwl computes


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> MappingProxyType[date, str]:
    """Every statutory day off of ``year``, each with its festival's name (13 days; 12 when 中秋 falls on 1–3 October).

    The 春节 of the lunar year that starts in ``year`` is counted from its 除夕; the
    春节 days of the lunar year that started in ``year - 1`` always fall before
    January's end, never into ``year - 1``'s December, so a year's days are all here.
    """
    eve = chuxi(year)
    named = [
        (date(year, 1, 1), NEW_YEAR),
        *((eve + timedelta(days=offset), SPRING_FESTIVAL) for offset in range(4)),
        (qingming(year), QINGMING),
        (date(year, 5, 1), LABOUR_DAY),
        (date(year, 5, 2), LABOUR_DAY),
        (lunar_to_solar(year, 5, 5), DRAGON_BOAT),
        (lunar_to_solar(year, 8, 15), MID_AUTUMN),
        *((date(year, 10, day_of_month), NATIONAL_DAY) for day_of_month in (1, 2, 3)),
    ]
    days: dict[date, str] = {}
    for day, name in named:
        # 中秋 may fall on 1–3 October (2020, 2031): one day off with both names, not two.
        days[day] = f"{days[day]}、{name}" if day in days else name
    return MappingProxyType(dict(sorted(days.items())))
