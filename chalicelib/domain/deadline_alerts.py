"""Deadline alerts to departments (domain.md §5): a warning before a reviewed matter is due, an alert once it is overdue.

Each wait is alerted once per level. The levels are ordered: a wait already alerted as
overdue needs no warning any more, and one warned needs the overdue alert once it is due.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class AlertLevel(StrEnum):
    WARNING = "warning"  # due within the warning window (即将到期)
    OVERDUE = "overdue"  # its time limit has passed (已超期)


_ORDER = (AlertLevel.WARNING, AlertLevel.OVERDUE)


def level_at(due_at: str, now: datetime) -> AlertLevel:
    """The level of a wait due at `due_at` (ISO 8601 with offset) at the moment `now`: overdue from the due time on.

    A wait without a due time sorts first on the deadline job's list and has no time
    left to warn about: it is overdue.
    """
    if not due_at:
        return AlertLevel.OVERDUE
    return AlertLevel.OVERDUE if datetime.fromisoformat(due_at) <= now else AlertLevel.WARNING


def needs_alert(level: AlertLevel, alerted: str | None) -> bool:
    """Whether a wait at `level` still needs an alert, given the highest level it was alerted at (None: never)."""
    if alerted is None:
        return True
    return _ORDER.index(level) > _ORDER.index(AlertLevel(alerted))
