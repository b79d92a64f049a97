"""The operators' calendar on the local stack: a load over HTTP into the DynamoDB calendar store, which another
container sees once its cached copy expires and keeps when DynamoDB cannot be read, and a load racing another (409).

Who may see or load the calendar: tests/security (the authorization matrix). What a schedule may be and how due times
follow it: tests/service/test_operators_load_a_years_holiday_schedule_and_due_times_follow_it.py.
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


def put(api, path, body, token):
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    return api.client.http.put(path, headers=headers, body=json.dumps(body))


def test_the_dynamodb_calendar_is_shared_through_each_containers_cache_and_a_racing_load_is_409(api, monkeypatch):
    """Lambda: each container has its own cache; the item in DynamoDB is what they share."""
    ops = operator(api)
    clock = [0.0]
    table = services().dynamodb.Table(services().settings.cases_table)
    other = DynamoCalendarStore(table, services().now, ttl_seconds=60, monotonic=lambda: clock[0])
    assert other.schedule(2027) is None  # read, and cached as "none loaded"
    assert put(api, "/admin/calendar/2027", SCHEDULE_2027, ops).status_code == 200
    clock[0] = 59.0
    assert other.schedule(2027) is None
    clock[0] = 60.5
    schedule = other.schedule(2027)
    assert schedule is not None and schedule.source == SCHEDULE_2027["notice"]
    assert schedule.working_days == {datetime(2027, 2, 13).date(), datetime(2027, 10, 9).date()}

    def unreachable(year):
        raise ConnectionError("DynamoDB unreachable")

    with monkeypatch.context() as outage:
        outage.setattr(other, "get_item", unreachable)
        clock[0] = 600.0
        assert other.schedule(2027) is not None  # the cached copy is kept
        with pytest.raises(ConnectionError):
            other.schedule(2028)  # nothing cached: no due time from a calendar that could not be read

    store = services().calendar_store
    read_before_the_other_wrote = store.get_item(2027)
    assert put(api, "/admin/calendar/2027", {**SCHEDULE_2027, "working_days": []}, ops).status_code == 200  # the other operator
    with monkeypatch.context() as stale:
        stale.setattr(store, "get_item", lambda year: read_before_the_other_wrote)
        late = put(api, "/admin/calendar/2027", {**SCHEDULE_2027, "working_days": ["2027-02-13"]}, ops)
        assert late.status_code == 409, late.body
    assert api.get("/admin/calendar/2027", ops).json_body["working_days"] == []
