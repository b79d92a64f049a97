"""Operators see a year's working-day calendar and load the State Council's schedule of a year, effective at once (domain.md §5).

Moved from tests/integration/test_admin_calendar.py, which keeps the operator-only routes, a body that is
not JSON, and the DynamoDB calendar store's per-container cache.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib.domain.workdays import SHANGHAI
from chalicelib.errors import ConflictProblem, ValidationProblem
from chalicelib.models import CalendarLoadRequest
from chalicelib.services import working_calendar
from chalicelib.validation import parse_model
from tests.service.conftest import World
from tests.service.test_reviews_are_decided_once_in_time_and_reach_the_bank import submitted_review

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


def read(world: World, year: str) -> dict:
    """GET /admin/calendar/{year}."""
    return working_calendar.read_year(world.services, year).model_dump(mode="json")


def load(world: World, year: str, body: dict) -> dict:
    """PUT /admin/calendar/{year}: the body parsed as the route parses it, then loaded."""
    request = parse_model(CalendarLoadRequest, body)
    return working_calendar.load_year(world.services, world.operator(), year, request).model_dump(mode="json")


def test_an_operator_sees_2027_as_the_statutory_fallback_and_2026_as_published(world):
    body = read(world, "2027")
    assert (body["source"], body["origin"], body["notice"], body["working_days"]) == ("statutory_fallback", "statutory", None, [])
    assert [d["date"] for d in body["holidays"]][:5] == ["2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"]
    assert {"date": "2027-06-09", "name": "端午节"} in body["holidays"] and len(body["holidays"]) == 13

    published = read(world, "2026")
    assert (published["source"], published["origin"]) == ("published", "chinesecalendar")
    assert published["working_days"] == ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
    assert {"date": "2026-02-15", "name": "春节"} in published["holidays"]
    assert world.notifier.alerts == [], "looking at a year is not computing a due time: no fallback alert"


def test_a_loaded_2027_schedule_is_answered_at_once_and_due_times_follow_it_without_a_fallback_alert(world):
    body = load(world, "2027", SCHEDULE_2027)
    assert (body["source"], body["origin"], body["notice"], body["version"]) == ("published", "loaded", SCHEDULE_2027["notice"], 1)
    assert body["working_days"] == ["2027-02-13", "2027-10-09"]
    assert len(body["holidays"]) == 3 + 8 + 3 + 5 + 1 + 1 + 7
    assert read(world, "2027") == body

    # 元旦 1–3 January, then Monday 4 January; a Thursday before 春节 is due on the working Saturday after it.
    world.clock.set(datetime(2026, 12, 31, 17, 30, tzinfo=SHANGHAI))
    _, _, case = submitted_review(world, "杨磊")
    assert case["matters"][0]["due_at"] == "2027-01-04T23:59:59+08:00"
    calendar = world.services.calendar
    assert calendar.due_at(datetime(2027, 2, 4, 10, tzinfo=SHANGHAI)) == datetime(2027, 2, 13, 23, 59, 59, tzinfo=SHANGHAI)
    assert [m for m in world.notifier.alerts if "2027" in m["subject"]] == [], "a loaded year never falls back"


def test_loading_a_year_again_replaces_it_and_counts_the_version(world):
    load(world, "2027", SCHEDULE_2027)
    again = load(world, "2027", {**SCHEDULE_2027, "working_days": ["2027-02-13"]})
    assert (again["version"], again["working_days"]) == (2, ["2027-02-13"])
    assert not world.services.calendar.is_working_day(datetime(2027, 10, 9).date())


def test_a_loaded_year_overrides_the_packaged_schedule_of_2026(world):
    load(world, "2026", {"notice": "更正通知（测试）", "holidays": [{"name": "元旦", "date": "2026-01-01"}], "working_days": []})
    assert world.services.calendar.year_source(2026) == "loaded"
    assert world.services.calendar.is_working_day(datetime(2026, 10, 1).date())


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
def test_a_bad_schedule_is_422_naming_the_field_and_changes_nothing(world, change, field):
    with pytest.raises(ValidationProblem) as refused:
        load(world, "2027", {**SCHEDULE_2027, **change})
    assert refused.value.status == 422
    assert field in [e["field"] for e in refused.value.errors], refused.value.errors
    assert read(world, "2027")["source"] == "statutory_fallback"


@pytest.mark.parametrize("year", ["1999", "2100", "twenty", "20277"])
def test_a_year_outside_the_sensible_range_is_422_naming_the_year(world, year):
    for call in (lambda: read(world, year), lambda: load(world, year, SCHEDULE_2027)):
        with pytest.raises(ValidationProblem) as refused:
            call()
        assert [e["field"] for e in refused.value.errors] == ["year"]


def test_two_operators_loading_the_same_year_at_once_one_gets_409_and_the_other_schedule_stays(world, monkeypatch):
    load(world, "2027", SCHEDULE_2027)
    store = world.services.calendar_store
    read_before_the_other_wrote = store.get_item(2027)
    load(world, "2027", {**SCHEDULE_2027, "working_days": []})  # the other operator
    monkeypatch.setattr(store, "get_item", lambda year: read_before_the_other_wrote)
    with pytest.raises(ConflictProblem):
        load(world, "2027", {**SCHEDULE_2027, "working_days": ["2027-02-13"]})
    monkeypatch.undo()
    assert read(world, "2027")["working_days"] == []
