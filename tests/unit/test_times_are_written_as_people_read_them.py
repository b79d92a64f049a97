"""Times for people: responses in Asia/Shanghai (+08:00), texts as 12月2日（星期三）24时前, months as 2027年1月."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain import messages
from chalicelib.domain.payout import month_text
from chalicelib.domain.times import shanghai_times, to_shanghai_iso
from chalicelib.domain.workdays import SHANGHAI


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (shanghai(2026, 12, 2, 23, 59, 59), "12月2日（星期三）24时"),  # a day's end is that day's 24时
        (shanghai(2026, 12, 2, 15, 30), "12月2日（星期三）15时30分"),
        (shanghai(2026, 12, 2, 9, 0), "12月2日（星期三）9时"),
        (shanghai(2026, 12, 2, 0, 0), "12月2日（星期三）0时"),
        (shanghai(2026, 12, 2, 23, 59), "12月2日（星期三）23时59分"),
        (shanghai(2027, 1, 3, 23, 59, 59), "1月3日（星期日）24时"),
        (shanghai(2026, 11, 30, 8, 5), "11月30日（星期一）8时5分"),
    ],
)
def test_a_time_reads_as_month_day_weekday_and_hour(moment, text):
    assert messages.people_time(moment) == text


def test_a_deadline_reads_as_before_24_oclock_of_its_day():
    assert messages.deadline_text(shanghai(2026, 12, 2, 23, 59, 59)) == "12月2日（星期三）24时前"
    assert messages.deadline_text("2026-12-02T23:59:59+08:00") == "12月2日（星期三）24时前"
    assert messages.deadline_text("2026-12-02T15:30:00+08:00") == "12月2日（星期三）15时30分前"


def test_a_utc_time_is_read_in_shanghai():
    # 15:59:59 UTC on 2 December is 23:59:59 in Shanghai; 16:30 UTC is already 3 December
    assert messages.people_time(datetime(2026, 12, 2, 15, 59, 59, tzinfo=UTC)) == "12月2日（星期三）24时"
    assert messages.people_time("2026-12-02T16:30:00.000+00:00") == "12月3日（星期四）0时30分"
    with pytest.raises(ValueError):
        messages.people_time(datetime(2026, 12, 2, 12, 0))


def test_an_effective_month_reads_as_year_and_month():
    assert month_text("2027-01") == "2027年1月"
    assert month_text("2026-12") == "2026年12月"


def test_department_alerts_write_the_due_time_as_people_read_it_and_name_no_code():
    subject, text = messages.department_alert(
        "warning", "pension_account", "0f1e2d3c-0000-4000-8000-000000000000", "x.pension_account", "2026-12-02T23:59:59+08:00"
    )
    assert "12月2日（星期三）24时前" in text
    assert "养老保险待遇发放账号维护申请" in subject and "pension_account" not in text + subject
    assert "T23:59" not in text


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("2026-11-30T18:33:45.123+00:00", "2026-12-01T02:33:45.123+08:00"),
        ("2026-11-30T18:33:45+00:00", "2026-12-01T02:33:45+08:00"),
        ("2026-11-30T18:33:45Z", "2026-12-01T02:33:45+08:00"),
        ("2026-12-02T23:59:59+08:00", "2026-12-02T23:59:59+08:00"),
        ("2026-12-02T10:00:00-05:00", "2026-12-02T23:00:00+08:00"),
    ],
)
def test_a_stored_time_is_shown_in_shanghai_as_the_same_instant(stored, shown):
    assert to_shanghai_iso(stored) == shown
    assert datetime.fromisoformat(shown) == datetime.fromisoformat(stored.replace("Z", "+00:00"))


@pytest.mark.parametrize("text", ["2026-12-02", "2026-12-02T10:00:00", "2027-01", "已办结", "13905590001", "2026-13-40T10:00:00+00:00", ""])
def test_what_is_no_zoned_time_is_left_as_it_is(text):
    assert to_shanghai_iso(text) == text


def test_every_time_in_a_nested_body_is_converted_and_the_input_is_kept():
    body = {
        "created_at": "2026-11-30T18:00:00.000+00:00",
        "matters": [{"due_at": "2026-12-01T23:59:59+08:00", "result": {"accepted_at": "2026-11-30T16:00:00+00:00"}}],
        "timeline": [{"at": "2026-11-30T17:00:00.500+00:00", "text": "已提交"}],
        "count": 3,
        "issued_on": "2026-11-30",
        "none": None,
    }
    shown = shanghai_times(body)
    assert shown == {
        "created_at": "2026-12-01T02:00:00+08:00",
        "matters": [{"due_at": "2026-12-01T23:59:59+08:00", "result": {"accepted_at": "2026-12-01T00:00:00+08:00"}}],
        "timeline": [{"at": "2026-12-01T01:00:00.500+08:00", "text": "已提交"}],
        "count": 3,
        "issued_on": "2026-11-30",
        "none": None,
    }
    assert body["created_at"] == "2026-11-30T18:00:00.000+00:00"
