"""The local stack's business clock (PUT/DELETE /dev/clock) at service level: a set clock answers the set time and
runs on with real time, a reset one is real time again, and a time without its offset, or not a time, is 422
naming the field before the clock is touched.

Moved from tests/integration/test_dev_clock.py, which keeps one case submitted and decided under a set clock
(the API, the workflow tasks, the store and the simulators reading it) over HTTP.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.workdays import SHANGHAI
from chalicelib.errors import ValidationProblem
from chalicelib.models import DevClockRequest
from chalicelib.services import dev_clock
from chalicelib.validation import parse_model
from chalicelib.wiring import real_clock

SET_TO = datetime(2026, 12, 15, 23, 50, tzinfo=SHANGHAI)
SLACK = timedelta(minutes=1)  # the real time the test itself takes


def near(text: str, moment: datetime) -> bool:
    return moment <= datetime.fromisoformat(text.replace("Z", "+00:00")) <= moment + SLACK


def test_a_set_clock_answers_the_set_time_runs_on_with_real_time_and_a_reset_returns_to_real_time(world):
    services = world.services
    answer = dev_clock.set_clock(services, parse_model(DevClockRequest, {"time": SET_TO.isoformat()}))
    assert answer.set is True and near(answer.time, SET_TO) and near(answer.real_time, datetime.now(UTC) - SLACK)
    first = services.now()
    assert services.now() >= first and near(services.now_iso(), SET_TO)

    back = dev_clock.reset_clock(services)
    assert back.set is False and services.clock is real_clock
    assert near(back.time, datetime.now(UTC) - SLACK)


@pytest.mark.parametrize(
    ("body", "field"),
    [({"time": "2026-12-15T23:50:00"}, "time"), ({"time": "tomorrow"}, "time"), ({}, "time"), ({"time": SET_TO.isoformat(), "x": 1}, "x")],
    ids=str,
)
def test_a_bad_clock_is_422_naming_the_field(body, field):
    with pytest.raises(ValidationProblem) as refused:
        parse_model(DevClockRequest, body)
    assert field in [e["field"] for e in refused.value.errors]
