"""The deadline alert rule (domain.md §5): a wait is warned before its due time, alerted once overdue, each level once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chalicelib.domain.deadline_alerts import AlertLevel, level_at, needs_alert

DUE = "2026-12-09T23:59:59+08:00"


@pytest.mark.parametrize(
    ("moment", "level"),
    [
        (datetime.fromisoformat(DUE) - timedelta(hours=3), AlertLevel.WARNING),
        (datetime.fromisoformat(DUE), AlertLevel.OVERDUE),  # due at that second: its time is up
        (datetime.fromisoformat("2026-12-09T15:59:59+00:00"), AlertLevel.OVERDUE),  # the same instant, written in UTC
        (datetime.fromisoformat("2026-12-09T15:59:58+00:00"), AlertLevel.WARNING),  # a second before it
    ],
    ids=str,
)
def test_a_wait_is_overdue_from_its_due_time_on_in_any_offset(moment, level):
    assert level_at(DUE, moment) is level


def test_a_wait_without_a_due_time_is_overdue():
    assert level_at("", datetime.fromisoformat(DUE)) is AlertLevel.OVERDUE


@pytest.mark.parametrize(
    ("level", "alerted", "needed"),
    [
        (AlertLevel.WARNING, None, True),
        (AlertLevel.OVERDUE, None, True),
        (AlertLevel.WARNING, "warning", False),
        (AlertLevel.OVERDUE, "warning", True),
        (AlertLevel.OVERDUE, "overdue", False),
        (AlertLevel.WARNING, "overdue", False),  # an overdue wait is never warned afterwards
    ],
    ids=str,
)
def test_each_level_is_alerted_once_and_never_after_a_higher_one(level, alerted, needed):
    assert needs_alert(level, alerted) is needed
