"""Department reviews on the local stack: a review's details with links that S3 serves, an approval resuming the
real run, the decided list and the card made at its own bank over HTTP, and the deadline job ending a wait through
the ASL's Review.TimedOut path.

The review rules are tested at service level: tests/service/test_reviews_are_decided_once_in_time_and_reach_the_bank.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import requests

from chalicelib.wiring import services
from tests.conftest import awaiting_review, demo_resident, finished

BANK = {"bank": "中国银行黄山分行", "branch": "休宁支行"}


def reviewer(api, district, sub="hr-reviewer-1"):
    return api.token({"id_number": sub, "name": "审核员", "phone": "13900000000"}, roles=["reviewer"], district=district)


def submitted_review(api, name="杨磊", matter=None):
    resident = demo_resident(name)
    token = api.token(resident)
    matter = matter or {"code": "apply", "form": BANK}
    created = api.create_case(token, [matter], phone=resident["phone"])
    assert created.status_code == 201, created.body
    case_id = created.json_body["case_id"]
    api.upload_missing(token, case_id)
    assert api.post(f"/cases/{case_id}/submit", None, token).status_code == 202
    case = api.wait_for(case_id, token, awaiting_review)
    return resident, token, case


def approved_card(api, name="杨磊", matter=None):
    """A card of the form's bank, approved and waiting to be made: (resident, token, case, card id)."""
    resident, token, case = submitted_review(api, name, matter)
    code = case["matters"][0]["code"]
    decided = api.post(f"/reviews/{case['case_id']}.{code}/decision", {"decision": "approve"}, reviewer(api, resident["district"]))
    assert decided.status_code == 200, decided.body
    case = api.wait_for(case["case_id"], token, finished)
    return resident, token, case, case["matters"][0]["result"]["card_id"]


def sms(api, phone):
    return [m["text"] for m in api.get("/dev/outbox").json_body["sent"] if m["channel"] == "sms" and m["to"] == f"+86{phone}"]


def alerts(api):
    return [m for m in api.get("/dev/outbox").json_body["sent"] if m["channel"] == "topic"]


def run_job(api, moment: datetime):
    response = api.post("/dev/jobs/deadline-alerts/run", {"time": moment.isoformat()})
    assert response.status_code == 200, response.body
    return response.json_body


def test_a_reviewer_sees_the_review_and_its_files_and_approval_makes_the_card_at_the_bank(api):
    resident, token, case = submitted_review(api, "赵敏")  # the photo uploaded through its presigned POST, the ID shared
    due_at = case["matters"][0]["due_at"]
    submitted = datetime.fromisoformat(case["submitted_at"])
    assert due_at == services().calendar.due_at(submitted).isoformat()
    hr = reviewer(api, resident["district"])
    listing = api.get("/reviews?status=pending", hr).json_body["reviews"]
    assert [r["case_id"] for r in listing] == [case["case_id"]]
    review = listing[0]
    assert review["due_at"] == due_at and review["form"] == BANK
    assert review["applicant_id_number"] == resident["id_number"][:6] + "********" + resident["id_number"][-4:]
    details = api.get(f"/reviews/{review['review_id']}", hr)
    assert details.status_code == 200, details.body
    assert {m["kind"]: m["source"] for m in details.json_body["materials"]}["photo"] == "upload"
    for material in details.json_body["materials"]:
        fetched = requests.get(material["download_url"], timeout=10)
        assert fetched.status_code == 200 and fetched.content[:3] in (b"\x89PN", b"\xff\xd8\xff"), material["kind"]

    decided = api.post(f"/reviews/{review['review_id']}/decision", {"decision": "approve"}, hr)
    assert decided.status_code == 200, decided.body
    assert decided.json_body["status"] == "decided"
    case = api.wait_for(case["case_id"], token, finished)
    assert case["status"] == "completed"
    result = case["matters"][0]["result"]
    assert result["card_status"] == "awaiting_collection" and result["bank"] == BANK["bank"] and result["branch"] == BANK["branch"]
    card = services().card_system.current_card(resident["id_number"])
    assert card.status.value == "awaiting_collection" and card.card_id == result["card_id"]
    assert any(BANK["bank"] in t and BANK["branch"] in t for t in sms(api, resident["phone"]))
    # the card's own bank makes it and hands it over; another bank is told what an unknown card answers
    bank, other = (
        api.token({"id_number": f"bank-{code}", "name": "银行柜员", "phone": "13900000009"}, roles=["bank"], bank=code)
        for code in ("boc", "icbc")
    )
    assert result["card_id"] in [c["card_id"] for c in api.get("/bank/cards", bank).json_body["cards"]]
    refused = api.post(f"/bank/cards/{result['card_id']}/failed", {"reason": "芯片写入失败"}, other)
    assert (
        refused.status_code == 404
        and refused.json_body == api.post("/bank/cards/HS0123456789ABCDEF/failed", {"reason": "芯片写入失败"}, other).json_body
    )
    handed = api.post(f"/bank/cards/{result['card_id']}/issued", None, bank)
    assert handed.status_code == 200, handed.body
    assert api.post(f"/bank/cards/{result['card_id']}/failed", {"reason": "芯片写入失败"}, bank).status_code == 409
    assert services().card_system.current_card(resident["id_number"]).status.value == "issued"
    assert api.get("/reviews?status=pending", hr).json_body["reviews"] == []
    assert [r["review_id"] for r in api.get("/reviews?status=decided", hr).json_body["reviews"]] == [review["review_id"]]


def test_the_deadline_job_warns_once_then_alerts_overdue_once_then_ends_the_wait(api):
    resident, token, case = submitted_review(api)
    case_id = case["case_id"]
    review_id = f"{case_id}.apply"
    due = datetime.fromisoformat(case["matters"][0]["due_at"])
    before = len(alerts(api))

    assert run_job(api, due - timedelta(hours=5))["warning"] == []
    assert run_job(api, due - timedelta(hours=3))["warning"] == [review_id]
    assert run_job(api, due - timedelta(hours=2))["warning"] == []
    overdue = run_job(api, due + timedelta(minutes=1))
    assert overdue["overdue"] == [review_id] and overdue["overdue_open"] == 1
    assert run_job(api, due + timedelta(hours=6))["overdue"] == []
    levels = [m["subject"] for m in alerts(api)[before:]]
    assert len(levels) == 2 and "即将到期" in levels[0] and "已超期" in levels[1]

    record = services().store.get(case_id)
    expires = datetime.fromisoformat(record.matters["apply"]["expires_at"])
    assert expires == services().calendar.due_after_working_days(datetime.fromisoformat(case["submitted_at"]), 6)
    assert run_job(api, expires - timedelta(minutes=1))["timed_out"] == []
    assert run_job(api, expires)["timed_out"] == [review_id]
    case = api.wait_for(case_id, token, finished)
    assert case["status"] == "failed"
    assert case["matters"][0]["reason_code"] == "DEPARTMENT_TIMEOUT"
    assert any("已超时终止" in m["subject"] for m in alerts(api)[before:])
    # a decision after the wait timed out is 410 and changes nothing
    late = api.post(f"/reviews/{review_id}/decision", {"decision": "approve"}, reviewer(api, resident["district"]))
    assert late.status_code == 410, late.body
    assert api.get(f"/cases/{case_id}", token).json_body["matters"][0]["status"] == "failed"
    assert run_job(api, expires + timedelta(days=1))["timed_out"] == []
