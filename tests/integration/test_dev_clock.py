"""The local stack's business clock (PUT/DELETE /dev/clock) over HTTP: the API, the workflow tasks, the store,
the simulators and the jobs read it, and a reset returns them all to real time.

What a set clock answers and a bad clock's 422 are tested at service level:
tests/service/test_the_dev_clock_is_set_to_a_time_with_its_offset_and_back_to_real_time.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from chalicelib.domain.workdays import SHANGHAI
from chalicelib.wiring import services
from tests.conftest import demo_resident, finished
from tests.integration.test_reviews import BANK, reviewer, submitted_review

SET_TO = datetime(2026, 12, 15, 23, 50, tzinfo=SHANGHAI)
# The test's own steps take a few seconds of real time; the business clock moves on with them.
SLACK = timedelta(minutes=5)


def set_clock(api, body):
    return api.client.http.put("/dev/clock", headers={"Content-Type": "application/json"}, body=json.dumps(body))


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def near_set_time(text: str) -> bool:
    return SET_TO <= parse(text) <= SET_TO + SLACK


def test_a_case_submitted_under_a_set_clock_is_stamped_then_everywhere_and_a_reset_returns_to_real_time(api):
    from functions.jobs import event_time

    response = set_clock(api, {"time": SET_TO.isoformat()})
    assert response.status_code == 200, response.body
    assert response.json_body["set"] is True and near_set_time(response.json_body["time"])
    resident, token, case = submitted_review(api)  # created, uploaded, submitted, taken to review: all by the workflow
    assert near_set_time(case["created_at"]) and near_set_time(case["submitted_at"])
    assert case["timeline"] and all(near_set_time(e["at"]) for e in case["timeline"]), case["timeline"]
    # Tuesday 15 December 2026, 23:50 in Shanghai: due by the end of Wednesday the 16th.
    assert case["matters"][0]["due_at"] == "2026-12-16T23:59:59+08:00"
    assert near_set_time(services().store.get_wait(case["case_id"], "apply")["created_at"])

    decided = api.post(f"/reviews/{case['case_id']}.apply/decision", {"decision": "approve"}, reviewer(api, resident["district"]))
    assert decided.status_code == 200, decided.body
    done = api.wait_for(case["case_id"], token, finished)
    assert all(near_set_time(e["at"]) for e in done["timeline"]), done["timeline"]
    card = services().card_system._current_item(resident["id_number"])  # the simulator stamps the clock too
    assert card["card_id"] == done["matters"][0]["result"]["card_id"] and near_set_time(card["created_at"])
    assert (card["bank"], card["branch"]) == (BANK["bank"], BANK["branch"])
    # a job run without a time runs at the business clock; one given a time answers it in Shanghai
    assert SET_TO <= event_time({}) <= SET_TO + SLACK
    assert event_time({"time": "2026-11-30T01:00:00Z"}) == datetime(2026, 11, 30, 1, tzinfo=UTC)
    job = api.post("/dev/jobs/deadline-alerts/run", {"time": "2026-12-15T16:30:00Z"})
    assert job.status_code == 200 and job.json_body["time"] == "2026-12-16T00:30:00+08:00", job.body

    reset = api.client.http.delete("/dev/clock")
    assert reset.status_code == 200 and reset.json_body["set"] is False, reset.body
    assert abs(parse(reset.json_body["time"]) - datetime.now(UTC)) < SLACK
    created = api.create_case(api.token(demo_resident("吴磊")), [{"code": "apply", "form": BANK}])
    assert created.status_code == 201, created.body
    assert abs(parse(created.json_body["created_at"]) - datetime.now(UTC)) < SLACK
