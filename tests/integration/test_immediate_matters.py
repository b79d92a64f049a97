"""Immediate matters end to end on the local stack: API → the real ASL → simulator → case → SMS.

The rule of each matter is tested at service level (tests/service/test_immediate_matters_change_the_card_and_tell_the_applicant.py);
here one run of stage one with the status query (a department wait failed through its task token, the ASL's Catch:
tests/integration/test_workflow_resilience.py).
"""

from __future__ import annotations

from chalicelib.wiring import services
from tests.conftest import demo_resident, finished


def run_case(api, name, matters, phone=None):
    resident = demo_resident(name)
    token = api.token(resident)
    created = api.create_case(token, matters, phone=phone or resident["phone"])
    assert created.status_code == 201, created.body
    case_id = created.json_body["case_id"]
    assert created.json_body["status"] == "draft"
    submitted = api.post(f"/cases/{case_id}/submit", None, token)
    assert submitted.status_code == 202, submitted.body
    return resident, token, api.wait_for(case_id, token, finished)


def sms_to(api, phone):
    return [m["text"] for m in api.get("/dev/outbox").json_body["sent"] if m["channel"] == "sms" and m["to"] == f"+86{phone}"]


def card_status(resident):
    card = services().card_system.current_card(resident["id_number"])
    return card.status.value if card else None


def test_immediate_matters_run_in_stage_order_and_the_status_query_sees_stage_one(api):
    resident, _, case = run_case(
        api,
        "李强",
        [{"code": "status_query"}, {"code": "activate"}, {"code": "info_change", "form": {"address": "黄山市黄山区新华路2号"}}],
    )
    assert case["status"] == "completed"
    done = [e["matter"] for e in case["timeline"] if e["kind"] == "matter_succeeded"]
    assert done == ["info_change", "activate", "status_query"]
    query = next(m for m in case["matters"] if m["code"] == "status_query")
    assert query["result"]["card_status"] == "active"
    assert card_status(resident) == "active"
    summary = [t for t in sms_to(api, resident["phone"]) if "联办业务" in t]
    assert len(summary) == 1 and "已办结" in summary[0]
