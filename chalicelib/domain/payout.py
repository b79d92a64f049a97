"""Pension payout account changes: the effective month (domain.md §6; 2023 form, note 2).

"每月1至15日选择变更发放账号业务的，变更的新卡号将于次月生效用于待遇发放，本月待遇仍将打至原卡。"
The month counts from the day the applicant chose the change (选择变更), i.e. the
case's submission time, not the day the pension system accepts it: submitted on
days 1..cutoff of month M, the new account receives the payout of month M+1;
submitted after the cutoff, from month M+2 (decision: the next month's payroll is
drawn up after the cutoff). The day is taken in Asia/Shanghai.
"""

from __future__ import annotations

from datetime import date, datetime, time

from chalicelib.domain.workdays import SHANGHAI

DEFAULT_CUTOFF_DAY = 15


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def effective_month(submitted_at: datetime, cutoff_day: int = DEFAULT_CUTOFF_DAY) -> str:
    """The first payout month ("YYYY-MM") that goes to the new account, from the case's submission time."""
    if submitted_at.tzinfo is None:
        raise ValueError("submitted_at must carry its time zone")
    if not 1 <= cutoff_day <= 28:
        raise ValueError("the cutoff day must be between 1 and 28")
    local = submitted_at.astimezone(SHANGHAI)
    year, month = _add_months(local.year, local.month, 1 if local.day <= cutoff_day else 2)
    return f"{year:04d}-{month:02d}"


def accepted_change_month(submitted_at: datetime, accepted_at: datetime, cutoff_day: int = DEFAULT_CUTOFF_DAY) -> str:
    """The effective month of a change the pension system accepted at `accepted_at`.

    The acceptance only has to come after the submission; the month itself is the
    submission's (a change submitted on the 15th at 23:50 and accepted on the 16th is
    still effective the next month).
    """
    if accepted_at.tzinfo is None:
        raise ValueError("accepted_at must carry its time zone")
    if accepted_at < submitted_at:
        raise ValueError("a change cannot be accepted before it was submitted")
    return effective_month(submitted_at, cutoff_day)


def effective_at(month: str) -> datetime:
    """When the switch happens: 00:00 Asia/Shanghai on the first day of the effective month."""
    year, number = (int(part) for part in month.split("-"))
    return datetime.combine(date(year, number, 1), time(0, 0), tzinfo=SHANGHAI)


def month_text(month: str) -> str:
    year, number = month.split("-")
    return f"{year}年{int(number)}月"
