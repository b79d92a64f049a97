"""A payout account change takes effect from the month its SUBMISSION gives (domain.md §6),
whenever the pension system accepts it; a change to the current or pending account is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.cards import Card, CardStatus, PensionRecord
from chalicelib.domain.catalogue import MatterCode, parse_form
from chalicelib.domain.payout import accepted_change_month, effective_month
from chalicelib.domain.prejudge import SAME_ACCOUNT, PersonRecords, prejudge
from chalicelib.domain.workdays import SHANGHAI

CARD_ACCOUNT = "6217005590000000017"
OLD_ACCOUNT = "6222005590000009992"
EARLIER_CARD_ACCOUNT = "4111111111111111"


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("submitted", "accepted", "month"),
    [
        # submitted by the 15th (23:59 Shanghai): M+1, however late the acceptance
        (shanghai(2026, 11, 15, 23, 59), shanghai(2026, 11, 15, 23, 59, 30), "2026-12"),
        (shanghai(2026, 11, 15, 23, 59), shanghai(2026, 11, 16, 0, 1), "2026-12"),
        (shanghai(2026, 11, 15, 23, 59), shanghai(2026, 11, 17, 10, 0), "2026-12"),
        (shanghai(2026, 11, 15, 23, 59), shanghai(2026, 12, 2, 9, 0), "2026-12"),
        (shanghai(2026, 11, 15, 23, 50), shanghai(2026, 11, 16, 8, 30), "2026-12"),
        # submitted on the 16th at 00:00: M+2, whenever accepted
        (shanghai(2026, 11, 16, 0, 0), shanghai(2026, 11, 16, 0, 0), "2027-01"),
        (shanghai(2026, 11, 16, 0, 0), shanghai(2026, 11, 17, 15, 0), "2027-01"),
        (shanghai(2026, 11, 16, 0, 0), shanghai(2026, 12, 1, 9, 0), "2027-01"),
        # December: into the next year
        (shanghai(2026, 12, 15, 23, 59), shanghai(2026, 12, 16, 9, 0), "2027-01"),
        (shanghai(2026, 12, 15, 23, 59), shanghai(2027, 1, 4, 9, 0), "2027-01"),
        (shanghai(2026, 12, 16, 0, 0), shanghai(2026, 12, 17, 9, 0), "2027-02"),
        (shanghai(2026, 12, 31, 23, 59), shanghai(2027, 1, 5, 9, 0), "2027-02"),
        (shanghai(2026, 12, 1, 0, 0), shanghai(2026, 12, 31, 23, 0), "2027-01"),
    ],
)
def test_the_month_follows_the_submission_day_not_the_acceptance_day(submitted, accepted, month):
    assert accepted_change_month(submitted, accepted) == month


def test_the_submission_day_is_taken_in_shanghai_at_the_utc_boundary():
    # 15th 16:30 UTC is the 16th 00:30 in Shanghai: after the cutoff
    late = datetime(2026, 11, 15, 16, 30, tzinfo=UTC)
    assert accepted_change_month(late, late + timedelta(days=1)) == "2027-01"
    # 15th 15:59 UTC is the 15th 23:59 in Shanghai: by the cutoff, even accepted on the 16th UTC
    early = datetime(2026, 11, 15, 15, 59, tzinfo=UTC)
    assert accepted_change_month(early, datetime(2026, 11, 16, 1, 0, tzinfo=UTC)) == "2026-12"
    # the last day of December in UTC is already New Year's Day in Shanghai
    new_year = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    assert effective_month(new_year) == "2027-02"


def test_an_acceptance_before_the_submission_or_without_a_zone_is_refused():
    with pytest.raises(ValueError):
        accepted_change_month(shanghai(2026, 11, 10, 9, 0), shanghai(2026, 11, 10, 8, 59))
    with pytest.raises(ValueError):
        accepted_change_month(shanghai(2026, 11, 10, 9, 0), datetime(2026, 11, 11, 9, 0))


def test_the_cutoff_day_from_configuration_applies_to_the_submission():
    submitted = shanghai(2026, 11, 20, 23, 0)
    assert accepted_change_month(submitted, shanghai(2026, 11, 21, 9, 0), cutoff_day=20) == "2026-12"
    assert accepted_change_month(submitted, shanghai(2026, 11, 21, 9, 0)) == "2027-01"


# --- SAME_ACCOUNT -------------------------------------------------------------------


def _records(payout: str | None, pending: str | None, *, recipient: bool = True) -> PersonRecords:
    card = Card(card_id="HS0001", status=CardStatus.ACTIVE, bank="中国工商银行黄山分行", branch="屯溪老街支行", account_number=CARD_ACCOUNT)
    pension = PensionRecord(recipient=recipient, payout_account=payout, pending_account=pending, pending_effective_month="2027-01")
    return PersonRecords(card=card, pension=pension)


def _codes(records: PersonRecords) -> list[str]:
    selection = {MatterCode.PENSION_ACCOUNT: parse_form(MatterCode.PENSION_ACCOUNT, {"account_number": CARD_ACCOUNT})}
    return [reason.code for _, reason in prejudge(selection, records).failures]


@pytest.mark.parametrize(
    ("payout", "pending", "expected"),
    [
        (OLD_ACCOUNT, None, []),
        (OLD_ACCOUNT, EARLIER_CARD_ACCOUNT, []),  # another pending change: the new one replaces it
        (CARD_ACCOUNT, None, ["SAME_ACCOUNT"]),  # already the payout account
        (OLD_ACCOUNT, CARD_ACCOUNT, ["SAME_ACCOUNT"]),  # already being changed to it
        (None, CARD_ACCOUNT, ["SAME_ACCOUNT"]),
    ],
    ids=["other-account", "other-pending", "already-current", "already-pending", "pending-only"],
)
def test_a_change_to_the_current_or_pending_account_is_refused(payout, pending, expected):
    assert _codes(_records(payout, pending)) == expected


def test_same_account_says_in_chinese_that_nothing_needs_changing():
    assert SAME_ACCOUNT.code == "SAME_ACCOUNT"
    assert SAME_ACCOUNT.message == "该账号已是您的养老保险待遇发放账号（或已在变更中），无需变更"


def test_a_person_who_is_no_pensioner_is_told_that_and_not_same_account():
    assert _codes(_records(CARD_ACCOUNT, None, recipient=False)) == ["NOT_PENSIONER"]
