"""The operators' calendar routes on the local stack: operators only, a body that is not JSON, a load effective at once
in the process that took it, and the DynamoDB calendar store: its per-container cache, and a load racing another (409).

What a schedule may be and how due times follow it is tested at service level:
tests/service/test_operators_load_a_years_holiday_schedule_and_due_times_follow_it.py.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from chalicelib.adapters.dynamo_calendar import DynamoCalendarStore
from chalicelib.wiring import services

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


def test_only_operators_see_or_load_the_calendar(api):
    citizen = api.token("杨磊")
    reviewer = api.token({"id_number": "hr-1", "name": "审核员", "phone": "13900000000"}, roles=["reviewer"], district="341022")
    for token in (citizen, reviewer):
        assert api.get("/admin/calendar/2027", token).status_code == 403
        assert put(api, "/admin/calendar/2027", SCHEDULE_2027, token).status_code == 403
    assert api.get("/admin/calendar/2027").status_code == 401
    assert put(api, "/admin/calendar/2027", SCHEDULE_2027).status_code == 401
    assert api.get("/admin/calendar/2027", operator(api)).json_body["source"] == "statutory_fallback"


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
