"""One clock (issue 10, point 5): what the store and the simulators record is stamped by the business clock, which they cannot do without.

Before, the case store and the simulators fell back to a wall clock of their own when
built without one (a module-level `now_iso()` and `_now()`); now the clock is a required
argument, and the composition root (`chalicelib.wiring`) passes `Services.now`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.dynamo_cases import DynamoCaseStore
from chalicelib.adapters.simulators import CardSystemSimulator, DataSharingSimulator, PensionSystemSimulator
from chalicelib.services.deadlines import run_deadline_alerts
from chalicelib.wiring import services
from tests.integration.test_the_deadline_job_writes_nothing_for_waits_already_alerted_at_their_level import DUE, open_wait

SET_TO = datetime(2027, 3, 1, 8, 30, tzinfo=UTC)  # far from the real time of any run


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def test_the_alerts_recorded_on_a_wait_and_the_events_of_a_case_are_stamped_at_the_set_clock(stack, monkeypatch):
    monkeypatch.setattr(services(), "clock", lambda: SET_TO)
    review = open_wait()
    case_id = review.split(".")[0]
    assert run_deadline_alerts(services(), DUE - timedelta(hours=1))["warning"] == [review]
    monkeypatch.setattr(services(), "clock", lambda: SET_TO + timedelta(days=1))
    assert run_deadline_alerts(services(), DUE + timedelta(hours=1))["overdue"] == [review]
    wait = services().store.get_wait(case_id, "apply")
    assert wait["created_at"] == stamp(SET_TO)
    assert (wait["warning_alerted_at"], wait["overdue_alerted_at"]) == (stamp(SET_TO), stamp(SET_TO + timedelta(days=1)))
    event = services().store.add_event(case_id, "note", "记录")
    assert event["at"] == stamp(SET_TO + timedelta(days=1))


TIME_RECORDING_ADAPTERS = [DynamoCaseStore, CardSystemSimulator, PensionSystemSimulator, DataSharingSimulator]


@pytest.mark.parametrize("adapter", TIME_RECORDING_ADAPTERS, ids=lambda a: a.__name__)
def test_an_adapter_that_records_times_cannot_be_built_without_the_business_clock(adapter):
    arguments = (object(),) if adapter is DynamoCaseStore else (object(), str)
    with pytest.raises(TypeError, match="clock"):
        adapter(*arguments)
