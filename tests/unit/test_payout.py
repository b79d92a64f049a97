"""The effective month of a payout account change (domain.md §6, 2023 form note 2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.payout import effective_at, effective_month, month_text
from chalicelib.domain.workdays import SHANGHAI


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("submitted_at", "month"),
    [
        (shanghai(2026, 11, 1, 0, 0), "2026-12"),
        (shanghai(2026, 11, 15, 23, 59), "2026-12"),
        (shanghai(2026, 11, 15, 23, 59, 59), "2026-12"),
        (shanghai(2026, 11, 16, 0, 0), "2027-01"),
        (shanghai(2026, 11, 30, 23, 59), "2027-01"),
        (shanghai(2026, 12, 1, 9, 0), "2027-01"),
        (shanghai(2026, 12, 15, 23, 59), "2027-01"),
        (shanghai(2026, 12, 16, 0, 0), "2027-02"),
        (shanghai(2026, 12, 31, 23, 59), "2027-02"),
        (shanghai(2027, 1, 16, 8, 0), "2027-03"),
    ],
)
def test_a_change_submitted_by_the_15th_pays_next_month_and_after_it_the_month_after(submitted_at, month):
    assert effective_month(submitted_at) == month


def test_the_day_is_taken_in_shanghai_not_in_utc():
    # 2026-12-15 16:00 UTC is already 2026-12-16 00:00 in Shanghai
    assert effective_month(datetime(2026, 12, 15, 16, 0, tzinfo=UTC)) == "2027-02"
    assert effective_month(datetime(2026, 12, 15, 15, 59, tzinfo=UTC)) == "2027-01"
    new_york = timezone(timedelta(hours=-5))
    assert effective_month(datetime(2026, 12, 15, 10, 59, tzinfo=new_york)) == "2027-01"


def test_the_cutoff_day_is_configuration():
    assert effective_month(shanghai(2026, 12, 20, 12, 0), cutoff_day=20) == "2027-01"
    assert effective_month(shanghai(2026, 12, 21, 0, 0), cutoff_day=20) == "2027-02"
    with pytest.raises(ValueError):
        effective_month(shanghai(2026, 12, 1), cutoff_day=31)


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        effective_month(datetime(2026, 12, 15, 12, 0))


def test_the_switch_happens_at_midnight_shanghai_on_the_first_of_the_month():
    assert effective_at("2027-01") == shanghai(2027, 1, 1, 0, 0)
    assert effective_at("2027-01").astimezone(UTC) == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    assert month_text("2027-02") == "2027年2月"


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(SHANGHAI)))
def test_the_effective_month_is_always_one_or_two_months_ahead_and_after_submission(submitted_at):
    month = effective_month(submitted_at)
    ahead = (int(month[:4]) * 12 + int(month[5:])) - (submitted_at.year * 12 + submitted_at.month)
    assert ahead == (1 if submitted_at.day <= 15 else 2)
    assert effective_at(month) > submitted_at
