"""Operators see a year's working-day calendar and load the State Council's schedule of a year, effective at once (domain.md §5)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from chalicelib.adapters.dynamo_calendar import DynamoCalendarStore
from chalicelib.domain.workdays import SHANGHAI
from chalicelib.wiring import services
from tests.integration.test_reviews import alerts, submitted_review

# A 2027 schedule as the State Council might publish it: 春节 from 除夕 for 8 days, two working Saturdays.
SCHEDULE_2027 = {
    "notice": "国务院办公厅关于2027年部分节假日安排的通知（测试）",
    "holidays": [
        {"name": "元旦", "start": "2027-01-01", "end": "2027-01-03"},
        {"name": "春节", "start": "2027-02-05", "end": "2027-02-12"},
        {"name": "清明节", "start": "2027-04-03", "end": "2027-04-05"},
        {"name": "劳动节", "start": "2027-05-01", "end": "2027-05-05"},
        {"name": "端午节", "date": "2027-06-09"},
        {"name": "中秋节", "date": "2027-09-15"},
        {"name": "国庆节", "start": "2027-10-01", "end": "2027-10-07"},
    ],
    "working_days": ["2027-02-13", "2027-10-09"],
}


def operator(api, sub="ops-1"):
    return api.token({"id_number": sub, "name": "运维人员", "phone": "13900000009"}, roles=["operator"])


def put(api, path, body, token=None, raw=None):
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    return api.client.http.put(path, headers=headers, body=raw if raw is not None else json.dumps(body))


def fields(response):
    return [e["field"] for e in response.json_body.get("errors", [])]


def test_an_operator_sees_2027_as_the_statutory_fallback_and_2026_as_published(api):
    ops = operator(api)
    fallback = api.get("/admin/calendar/2027", ops)
    assert fallback.status_code == 200, fallback.body
    body = fallback.json_body
    assert (body["source"], body["origin"], body["notice"], body["working_days"]) == ("statutory_fallback", "statutory", None, [])
    assert [d["date"] for d in body["holidays"]][:5] == ["2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"]
    assert {"date": "2027-06-09", "name": "端午节"} in body["holidays"] and len(body["holidays"]) == 13

    published = api.get("/admin/calendar/2026", ops).json_body
    assert (published["source"], published["origin"]) == ("published", "chinesecalendar")
    assert published["working_days"] == ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
    assert {"date": "2026-02-15", "name": "春节"} in published["holidays"]
    assert alerts(api) == [], "looking at a year is not computing a due time: no fallback alert"


def test_only_operators_see_or_load_the_calendar(api):
    citizen = api.token("杨磊")
    reviewer = api.token({"id_number": "hr-1", "name": "审核员", "phone": "13900000000"}, roles=["reviewer"], district="341022")
    for token in (citizen, reviewer):
        assert api.get("/admin/calendar/2027", token).status_code == 403
        assert put(api, "/admin/calendar/2027", SCHEDULE_2027, token).status_code == 403
    assert api.get("/admin/calendar/2027").status_code == 401
    assert put(api, "/admin/calendar/2027", SCHEDULE_2027).status_code == 401
    assert api.get("/admin/calendar/2027", operator(api)).json_body["source"] == "statutory_fallback"


def test_a_loaded_2027_schedule_is_answered_at_once_and_due_times_follow_it_without_a_fallback_alert(api):
    ops = operator(api)
    loaded = put(api, "/admin/calendar/2027", SCHEDULE_2027, ops)
    assert loaded.status_code == 200, loaded.body
    body = loaded.json_body
    assert (body["source"], body["origin"], body["notice"], body["version"]) == ("published", "loaded", SCHEDULE_2027["notice"], 1)
    assert body["working_days"] == ["2027-02-13", "2027-10-09"]
    assert len(body["holidays"]) == 3 + 8 + 3 + 5 + 1 + 1 + 7
    assert api.get("/admin/calendar/2027", ops).json_body == body

    # 元旦 1–3 January, then Monday 4 January; a Thursday before 春节 is due on the working Saturday after it.
    services().clock = lambda: datetime(2026, 12, 31, 17, 30, tzinfo=SHANGHAI)
    _, _, case = submitted_review(api, "杨磊")
    assert case["matters"][0]["due_at"] == "2027-01-04T23:59:59+08:00"
    assert services().calendar.due_at(datetime(2027, 2, 4, 10, tzinfo=SHANGHAI)) == datetime(2027, 2, 13, 23, 59, 59, tzinfo=SHANGHAI)
    assert [m for m in alerts(api) if "2027" in m["subject"]] == [], "a loaded year never falls back"


def test_loading_a_year_again_replaces_it_and_counts_the_version(api):
    ops = operator(api)
    assert put(api, "/admin/calendar/2027", SCHEDULE_2027, ops).status_code == 200
    corrected = {**SCHEDULE_2027, "working_days": ["2027-02-13"]}
    again = put(api, "/admin/calendar/2027", corrected, ops)
    assert again.status_code == 200, again.body
    assert (again.json_body["version"], again.json_body["working_days"]) == (2, ["2027-02-13"])
    assert not services().calendar.is_working_day(datetime(2027, 10, 9).date())


def test_a_loaded_year_overrides_the_packaged_schedule_of_2026(api):
    one_day = {"notice": "更正通知（测试）", "holidays": [{"name": "元旦", "date": "2026-01-01"}], "working_days": []}
    assert put(api, "/admin/calendar/2026", one_day, operator(api)).status_code == 200
    assert services().calendar.year_source(2026) == "loaded"
    assert services().calendar.is_working_day(datetime(2026, 10, 1).date())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"holidays": [{"name": "元旦", "date": "2028-01-01"}]}, "holidays[0].date"),
        ({"holidays": [{"name": "春节", "start": "2027-02-05", "end": "2027-02-01"}]}, "holidays[0].end"),
        ({"working_days": ["2027-02-06"]}, "working_days[0]"),  # a Saturday inside 春节
        ({"working_days": ["2027-02-17"]}, "working_days[0]"),  # a Wednesday
        ({"holidays": []}, "holidays"),
        ({"holidays": [{"name": "元旦", "date": "2027-01-01"}] * 21}, "holidays"),
        ({"holidays": [{"name": "元旦"}]}, "holidays[0].start"),
        ({"holidays": [{"name": "", "date": "2027-01-01"}]}, "holidays[0].name"),
        ({"holidays": [{"name": "元旦", "date": 20270101}]}, "holidays[0].date"),
        ({"notice": ""}, "notice"),
        ({"unknown": 1}, "unknown"),
        ({"working_days": "2027-02-13"}, "working_days"),
    ],
    ids=str,
)
def test_a_bad_schedule_is_422_naming_the_field_and_changes_nothing(api, change, field):
    ops = operator(api)
    response = put(api, "/admin/calendar/2027", {**SCHEDULE_2027, **change}, ops)
    assert response.status_code == 422, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in fields(response), response.json_body
    assert api.get("/admin/calendar/2027", ops).json_body["source"] == "statutory_fallback"


@pytest.mark.parametrize("year", ["1999", "2100", "twenty", "20277"])
def test_a_year_outside_the_sensible_range_is_422_naming_the_year(api, year):
    ops = operator(api)
    assert fields(api.get(f"/admin/calendar/{year}", ops)) == ["year"]
    response = put(api, f"/admin/calendar/{year}", SCHEDULE_2027, ops)
    assert response.status_code == 422 and fields(response) == ["year"]


def test_a_body_that_is_not_json_is_400(api):
    response = put(api, "/admin/calendar/2027", None, operator(api), raw="{not json")
    assert response.status_code == 400
    assert fields(response) == ["body"]


def test_another_container_sees_a_loaded_year_once_its_cached_copy_expires(api):
    """Lambda: each container has its own cache; the item in DynamoDB is what they share."""
    clock = [0.0]
    table = services().dynamodb.Table(services().settings.cases_table)
    other = DynamoCalendarStore(table, services().now, ttl_seconds=60, monotonic=lambda: clock[0])
    assert other.schedule(2027) is None  # read, and cached as "none loaded"
    assert put(api, "/admin/calendar/2027", SCHEDULE_2027, operator(api)).status_code == 200
    clock[0] = 59.0
    assert other.schedule(2027) is None
    clock[0] = 60.5
    schedule = other.schedule(2027)
    assert schedule is not None and schedule.source == SCHEDULE_2027["notice"]
    assert schedule.working_days == {datetime(2027, 2, 13).date(), datetime(2027, 10, 9).date()}


def test_a_container_keeps_its_cached_schedule_when_dynamodb_cannot_be_read(api, monkeypatch):
    assert put(api, "/admin/calendar/2027", SCHEDULE_2027, operator(api)).status_code == 200
    clock = [0.0]
    table = services().dynamodb.Table(services().settings.cases_table)
    other = DynamoCalendarStore(table, services().now, ttl_seconds=60, monotonic=lambda: clock[0])
    assert other.schedule(2027) is not None

    def unreachable(year):
        raise ConnectionError("DynamoDB unreachable")

    monkeypatch.setattr(other, "get_item", unreachable)
    clock[0] = 600.0
    assert other.schedule(2027) is not None
    with pytest.raises(ConnectionError):
        other.schedule(2028)  # nothing cached: no due time from a calendar that could not be read


def test_two_operators_loading_the_same_year_at_once_one_gets_409_and_the_other_schedule_stays(api, monkeypatch):
    ops = operator(api)
    assert put(api, "/admin/calendar/2027", SCHEDULE_2027, ops).status_code == 200
    store = services().calendar_store
    read_before_the_other_wrote = store.get_item(2027)
    assert put(api, "/admin/calendar/2027", {**SCHEDULE_2027, "working_days": []}, ops).status_code == 200  # the other operator
    monkeypatch.setattr(store, "get_item", lambda year: read_before_the_other_wrote)
    late = put(api, "/admin/calendar/2027", {**SCHEDULE_2027, "working_days": ["2027-02-13"]}, ops)
    assert late.status_code == 409, late.body
    monkeypatch.undo()
    assert api.get("/admin/calendar/2027", ops).json_body["working_days"] == []
