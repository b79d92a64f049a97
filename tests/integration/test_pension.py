"""A pension payout account change end to end on the local stack: the pension system's decision over HTTP resumes
the run, and every time in an HTTP answer on the way is written in Asia/Shanghai (+08:00) while the store keeps UTC.

The rules (effective months, the switch job, refusals, timeouts) are tested at service level:
tests/service/test_pension_account_changes_take_effect_by_the_month_of_submission.py.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from chalicelib.domain.workdays import SHANGHAI
from chalicelib.wiring import services
from tests.conftest import awaiting_review, demo_resident, finished

PENSIONER = "黄秀英"
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}[0-9:.]*(Z|[+-]\d{2}:\d{2})?")


def pension_system(api):
    return api.token({"id_number": "pension-system", "name": "养老保险系统", "phone": "13900000002"}, roles=["pension_system"])


def assert_all_shanghai(body) -> int:
    found = [m.group(0) for m in ISO_TIME.finditer(json.dumps(body, ensure_ascii=False))]
    assert found, body
    wrong = [t for t in found if not t.endswith("+08:00")]
    assert not wrong, wrong
    return len(found)


def test_an_accepted_change_resumes_the_run_and_every_answer_on_the_way_is_in_shanghai_time(api):
    # 16:30 UTC on the 15th: already the 16th in Shanghai, so the change counts from February
    services().clock = lambda: datetime(2026, 12, 16, 0, 30, tzinfo=SHANGHAI)
    resident = demo_resident(PENSIONER)
    token = api.token(resident)
    created = api.create_case(
        token, [{"code": "pension_account", "form": {"account_number": resident["card"]["account_number"]}}], phone=resident["phone"]
    )
    assert created.status_code == 201, created.body
    assert_all_shanghai(created.json_body)
    case_id = created.json_body["case_id"]
    submitted = api.post(f"/cases/{case_id}/submit", None, token)
    assert submitted.status_code == 202, submitted.body
    assert_all_shanghai(submitted.json_body)
    assert submitted.json_body["submitted_at"].startswith("2026-12-16T00:30:00")
    api.wait_for(case_id, token, awaiting_review)

    pending = api.get("/pension/requests?status=pending", pension_system(api)).json_body
    assert [r["case_id"] for r in pending["reviews"]] == [case_id]
    assert_all_shanghai(pending)
    services().clock = lambda: datetime(2026, 12, 17, 9, 0, tzinfo=SHANGHAI)  # the business clock has moved on since
    decided = api.post(f"/pension/requests/{case_id}.pension_account/decision", {"decision": "accept"}, pension_system(api))
    assert decided.status_code == 200, decided.body
    assert_all_shanghai(decided.json_body)
    assert decided.json_body["result"]["effective_month"] == "2027-02"

    case = api.wait_for(case_id, token, finished)
    assert case["status"] == "completed"
    assert assert_all_shanghai(case) > 10
    assert_all_shanghai(api.get("/cases", token).json_body)
    result = case["matters"][0]["result"]
    assert result["effective_month"] == "2027-02" and result["new_account"].endswith(resident["card"]["account_number"][-4:])
    record = services().pension_system.record(resident["id_number"])
    assert (record.payout_account, record.pending_account, record.pending_effective_month) == (
        resident["pension"]["payout_account"],
        resident["card"]["account_number"],
        "2027-02",
    )
    awaiting = next(e["text"] for e in case["timeline"] if e["kind"] == "awaiting_review")
    assert "办结时限 12月17日（星期四）24时前" in awaiting, awaiting
    assert not any(ISO_TIME.search(e["text"]) for e in case["timeline"])
    assert not any(ISO_TIME.search(n["text"]) for n in case["notifications"])
    assert any("自2027年2月待遇起" in n["text"] for n in case["notifications"])
    # what is stored is unchanged: the business clock's UTC
    assert services().store.get(case_id).case["submitted_at"] == "2026-12-15T16:30:00.000+00:00"
