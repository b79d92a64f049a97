"""A pension payout account change end to end on the local stack: the pension system's decision over HTTP resumes the run.

The rules (effective months, the switch job, refusals, timeouts) are tested at service level:
tests/service/test_pension_account_changes_take_effect_by_the_month_of_submission.py.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib.domain.workdays import SHANGHAI
from chalicelib.wiring import services
from tests.conftest import awaiting_review, demo_resident, finished

PENSIONER = "黄秀英"


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def pension_system(api):
    return api.token({"id_number": "pension-system", "name": "养老保险系统", "phone": "13900000002"}, roles=["pension_system"])


def request_change(api, when: datetime):
    """Submit a pension_account case at `when`; answers (resident, token, case id)."""
    services().clock = lambda: when
    resident = demo_resident(PENSIONER)
    token = api.token(resident)
    created = api.create_case(
        token, [{"code": "pension_account", "form": {"account_number": resident["card"]["account_number"]}}], phone=resident["phone"]
    )
    assert created.status_code == 201, created.body
    case_id = created.json_body["case_id"]
    assert api.post(f"/cases/{case_id}/submit", None, token).status_code == 202
    api.wait_for(case_id, token, awaiting_review)
    return resident, token, case_id


def accept(api, case_id: str, when: datetime):
    services().clock = lambda: when
    response = api.post(f"/pension/requests/{case_id}.pension_account/decision", {"decision": "accept"}, pension_system(api))
    assert response.status_code == 200, response.body
    return response.json_body


def pension_record(resident):
    return services().pension_system.record(resident["id_number"])


@pytest.mark.parametrize(("submitted", "accepted", "month"), [(at(2026, 12, 15, 23, 50), at(2026, 12, 16, 9, 0), "2027-01")])
def test_the_effective_month_counts_from_the_submission_whenever_the_pension_system_accepts(api, submitted, accepted, month):
    resident, token, case_id = request_change(api, submitted)
    listed = api.get("/pension/requests?status=pending", pension_system(api)).json_body["reviews"]
    assert [r["case_id"] for r in listed] == [case_id]
    decision = accept(api, case_id, accepted)  # the business clock has moved on since the submission
    assert decision["result"]["effective_month"] == month
    case = api.wait_for(case_id, token, finished)
    assert case["status"] == "completed"
    result = case["matters"][0]["result"]
    assert result["effective_month"] == month
    assert result["new_account"].endswith(resident["card"]["account_number"][-4:])
    record = pension_record(resident)
    assert (record.payout_account, record.pending_account, record.pending_effective_month) == (
        resident["pension"]["payout_account"],
        resident["card"]["account_number"],
        month,
    )
    texts = [n["text"] for n in case["notifications"]]
    year, number = month.split("-")
    assert any(f"自{year}年{int(number)}月待遇起" in t for t in texts), texts
