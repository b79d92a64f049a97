"""Every time in an HTTP response is written in Asia/Shanghai (+08:00), while what is stored keeps UTC."""

from __future__ import annotations

import json
import re
from datetime import datetime

from chalicelib.domain.workdays import SHANGHAI
from chalicelib.wiring import services
from tests.conftest import awaiting_review, demo_resident, finished

ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}[0-9:.]*(Z|[+-]\d{2}:\d{2})?")


def times_in(body) -> list[str]:
    return [m.group(0) for m in ISO_TIME.finditer(json.dumps(body, ensure_ascii=False))]


def assert_all_shanghai(body) -> int:
    found = times_in(body)
    assert found, body
    wrong = [t for t in found if not t.endswith("+08:00")]
    assert not wrong, wrong
    return len(found)


def test_cases_reviews_and_pension_requests_answer_in_shanghai_time(api):
    # 16:30 UTC on the 15th: already the 16th in Shanghai
    services().clock = lambda: datetime(2026, 12, 16, 0, 30, tzinfo=SHANGHAI)
    resident = demo_resident("黄秀英")
    token = api.token(resident)
    created = api.create_case(token, [{"code": "pension_account", "form": {"account_number": resident["card"]["account_number"]}}])
    assert created.status_code == 201
    assert_all_shanghai(created.json_body)
    case_id = created.json_body["case_id"]
    submitted = api.post(f"/cases/{case_id}/submit", None, token)
    assert_all_shanghai(submitted.json_body)
    assert submitted.json_body["submitted_at"].startswith("2026-12-16T00:30:00")
    api.wait_for(case_id, token, awaiting_review)

    pension = api.token({"id_number": "pension-system", "name": "养老保险系统", "phone": "13900000002"}, roles=["pension_system"])
    assert_all_shanghai(api.get("/pension/requests?status=pending", pension).json_body)
    services().clock = lambda: datetime(2026, 12, 17, 9, 0, tzinfo=SHANGHAI)
    decided = api.post(f"/pension/requests/{case_id}.pension_account/decision", {"decision": "accept"}, pension)
    assert decided.status_code == 200, decided.body
    assert_all_shanghai(decided.json_body)
    assert decided.json_body["result"]["effective_month"] == "2027-02"  # submitted on the 16th (Shanghai)

    case = api.wait_for(case_id, token, finished)
    assert assert_all_shanghai(case) > 10
    assert_all_shanghai(api.get("/cases", token).json_body)
    awaiting = next(e["text"] for e in case["timeline"] if e["kind"] == "awaiting_review")
    assert "办结时限 12月17日（星期四）24时前" in awaiting, awaiting
    assert not any(ISO_TIME.search(e["text"]) for e in case["timeline"])
    assert not any(ISO_TIME.search(n["text"]) for n in case["notifications"])
    assert any("自2027年2月待遇起" in n["text"] for n in case["notifications"])

    # what is stored is unchanged: the business clock's UTC
    assert services().store.get(case_id).case["submitted_at"] == "2026-12-15T16:30:00.000+00:00"


def test_a_scheduled_job_answers_its_time_in_shanghai(api):
    response = api.post("/dev/jobs/deadline-alerts/run", {"time": "2026-12-15T16:30:00Z"})
    assert response.status_code == 200, response.body
    assert response.json_body["time"] == "2026-12-16T00:30:00+08:00"
