"""The local stack's business clock (PUT/DELETE /dev/clock): the API, the workflow tasks, the store and the simulators read it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.workdays import SHANGHAI
from chalicelib.wiring import services
from tests.conftest import demo_resident, finished
from tests.integration.test_reviews import BANK, reviewer, submitted_review

SET_TO = datetime(2026, 12, 15, 23, 50, tzinfo=SHANGHAI)
# The test's own steps take a few seconds of real time; the business clock moves on with them.
SLACK = timedelta(minutes=5)


def set_clock(api, body, raw=None):
    return api.client.http.put(
        "/dev/clock", headers={"Content-Type": "application/json"}, body=raw if raw is not None else json.dumps(body)
    )


def reset_clock(api):
    return api.client.http.delete("/dev/clock")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def near_set_time(text: str) -> bool:
    return SET_TO <= parse(text) <= SET_TO + SLACK


def test_setting_the_clock_answers_the_set_time_and_it_runs_on_with_real_time(api):
    response = set_clock(api, {"time": SET_TO.isoformat()})
    assert response.status_code == 200, response.body
    body = response.json_body
    assert body["set"] is True and near_set_time(body["time"])
    assert abs(parse(body["real_time"]) - datetime.now(UTC)) < SLACK
    first = services().now()
    assert services().now() >= first and near_set_time(services().now_iso())


def test_a_case_submitted_under_a_set_clock_is_stamped_then_and_due_the_next_working_day(api):
    assert set_clock(api, {"time": SET_TO.isoformat()}).status_code == 200
    resident, token, case = submitted_review(api)  # created, uploaded, submitted, taken to review: all by the workflow
    assert near_set_time(case["created_at"]) and near_set_time(case["submitted_at"])
    assert case["timeline"] and all(near_set_time(e["at"]) for e in case["timeline"]), case["timeline"]
    # Tuesday 15 December 2026, 23:50 in Shanghai: due by the end of Wednesday the 16th.
    assert case["matters"][0]["due_at"] == "2026-12-16T23:59:59+08:00"
    wait = services().store.get_wait(case["case_id"], "apply")
    assert near_set_time(wait["created_at"])

    hr = reviewer(api, resident["district"])
    decided = api.post(f"/reviews/{case['case_id']}.apply/decision", {"decision": "approve"}, hr)
    assert decided.status_code == 200, decided.body
    done = api.wait_for(case["case_id"], token, finished)
    assert all(near_set_time(e["at"]) for e in done["timeline"]), done["timeline"]
    card = services().card_system._current_item(resident["id_number"])  # the simulator stamps the clock too
    assert card["card_id"] == done["matters"][0]["result"]["card_id"] and near_set_time(card["created_at"])
    assert (card["bank"], card["branch"]) == (BANK["bank"], BANK["branch"])


def test_deleting_the_clock_returns_to_real_time(api):
    assert set_clock(api, {"time": SET_TO.isoformat()}).status_code == 200
    response = reset_clock(api)
    assert response.status_code == 200, response.body
    assert response.json_body["set"] is False
    assert abs(parse(response.json_body["time"]) - datetime.now(UTC)) < SLACK
    token = api.token(demo_resident("杨磊"))
    created = api.create_case(token, [{"code": "apply", "form": BANK}])
    assert created.status_code == 201, created.body
    assert abs(parse(created.json_body["created_at"]) - datetime.now(UTC)) < SLACK


def test_a_job_run_without_a_time_runs_at_the_business_clock(api):
    from functions.jobs import event_time

    assert set_clock(api, {"time": SET_TO.isoformat()}).status_code == 200
    assert SET_TO <= event_time({}) <= SET_TO + SLACK
    assert event_time({"time": "2026-11-30T01:00:00Z"}) == datetime(2026, 11, 30, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "field"),
    [({"time": "2026-12-15T23:50:00"}, "time"), ({"time": "tomorrow"}, "time"), ({}, "time"), ({"time": SET_TO.isoformat(), "x": 1}, "x")],
    ids=str,
)
def test_a_bad_clock_is_422_naming_the_field_and_leaves_the_clock_alone(api, body, field):
    response = set_clock(api, body)
    assert response.status_code == 422, response.body
    assert field in [e["field"] for e in response.json_body["errors"]]
    assert abs(services().now() - datetime.now(UTC)) < timedelta(seconds=5)
