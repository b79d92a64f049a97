"""The deadline job alerts a wait once per level even when two runs overlap, and an alert SNS refused is
sent by the next run (its mark taken back), on the in-memory store and notifier.

Moved from tests/integration/test_the_deadline_job_writes_nothing_for_waits_already_alerted_at_their_level.py,
which keeps the count of the DynamoDB store's writes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.service.test_reviews_are_decided_once_in_time_and_reach_the_bank import submitted_review


def overdue_review(world) -> tuple[str, str, datetime]:
    _, _, case = submitted_review(world)
    return case["case_id"], f"{case['case_id']}.apply", datetime.fromisoformat(case["matters"][0]["due_at"])


def test_of_two_overlapping_runs_only_one_alerts(world, monkeypatch):
    _, review_id, due = overdue_review(world)
    store = world.services.store
    # the second run read the list before the first one recorded its alert
    stale = store.waits_due((due + timedelta(hours=4)).isoformat())
    assert world.deadline_job(due + timedelta(minutes=1))["overdue"] == [review_id]
    monkeypatch.setattr(store, "waits_due", lambda until: stale)
    assert world.deadline_job(due + timedelta(minutes=1))["overdue"] == []
    assert [a["level"] for a in world.notifier.alerts] == ["overdue"]


def test_an_alert_sns_refused_is_sent_by_the_next_run(world):
    case_id, review_id, due = overdue_review(world)
    world.notifier.failing = True
    with pytest.raises(ConnectionError):
        world.deadline_job(due + timedelta(minutes=1))
    assert world.services.store.get_wait(case_id, "apply").get("alerted_level") is None
    world.notifier.failing = False
    assert world.deadline_job(due + timedelta(minutes=2))["overdue"] == [review_id]
    assert [a["level"] for a in world.notifier.alerts] == ["overdue"]
