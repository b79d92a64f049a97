"""What the service really answers is what the typed document says (issue 12.1): a front-end generated from it
gets the per-matter results, the reason codes, the upload link and the problems it is promised.

Some fields are validated loosely at run time and documented precisely (a matter's `result`, a `reason_code`):
these journeys read them back from real runs and check every answer against its operation's documented schema.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from chalicelib import openapi
from tests.conftest import awaiting_review, demo_resident, finished, png

DOCUMENT = openapi.document(include_dev=True)
BANK = {"bank": "中国银行黄山分行", "branch": "休宁支行"}


def conforms(method: str, path: str, response: Any) -> dict[str, Any]:
    """The answer's body against the schema the document gives `method path` for its status; answers the body."""
    answers = DOCUMENT["paths"][path][method.lower()]["responses"]
    status = str(response.status_code)
    assert status in answers, (method, path, status, response.body)
    content = answers[status].get("content", {})
    media = "application/problem+json" if response.status_code >= 400 else "application/json"
    body = response.json_body
    schema = {**content[media]["schema"], "components": DOCUMENT["components"]}
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in Draft202012Validator(schema).iter_errors(body)]
    assert errors == [], (method, path, body)
    return body


def case_of(api: Any, case_id: str, token: str) -> dict[str, Any]:
    return conforms("GET", "/cases/{case_id}", api.get(f"/cases/{case_id}", token))


def hr(api: Any, district: str) -> str:
    return api.token({"id_number": "hr-reviewer-1", "name": "审核员", "phone": "13900000000"}, roles=["reviewer"], district=district)


def test_immediate_matters_answer_their_documented_results(api: Any) -> None:
    resident = demo_resident("王芳")
    token = api.token(resident)
    conforms("GET", "/matters", api.get("/matters"))
    conforms("GET", "/banks", api.get("/banks?district=341022"))
    conforms("GET", "/scenarios", api.get("/scenarios"))
    matters = [
        {"code": "loss", "form": {"action": "report"}},
        {"code": "info_change", "form": {"phone": "13905590101"}},
        {"code": "status_query"},
    ]
    conforms("POST", "/prejudge", api.post("/prejudge", {"matters": matters}, token))
    created = conforms("POST", "/cases", api.create_case(token, matters, phone=resident["phone"]))
    conforms("POST", "/cases/{case_id}/submit", api.post(f"/cases/{created['case_id']}/submit", None, token))
    api.wait_for(created["case_id"], token, finished)
    case = case_of(api, created["case_id"], token)
    assert {m["code"]: m["status"] for m in case["matters"]} == {
        "loss": "succeeded",
        "info_change": "succeeded",
        "status_query": "succeeded",
    }
    assert all(m["result"] for m in case["matters"])
    holder = api.token("李强")  # an issued card: activating it answers the card's result
    activated = api.create_case(holder, [{"code": "activate"}]).json_body["case_id"]
    api.post(f"/cases/{activated}/submit", None, holder)
    api.wait_for(activated, holder, finished)
    assert case_of(api, activated, holder)["matters"][0]["result"]["card_status"] == "active"
    conforms("GET", "/cases", api.get("/cases", token))


def test_refusals_answer_documented_reason_codes_and_problems(api: Any) -> None:
    token = api.token("王芳")  # holds an active card: applying again fails pre-judgment
    judged = conforms("POST", "/prejudge", api.post("/prejudge", {"matters": [{"code": "apply"}]}, token))
    assert judged["matters"][0]["errors"][0]["code"] == "CARD_EXISTS"
    refused = conforms("POST", "/cases", api.create_case(token, [{"code": "apply", "form": BANK}]))
    assert refused["errors"][0]["code"] == "CARD_EXISTS"
    free_text = conforms("POST", "/cases", api.create_case(token, [{"code": "status_query"}, {"code": "loss", "form": {"action": "lose"}}]))
    assert free_text["errors"][0]["code"] == "literal_error"
    unknown_bank = api.create_case(api.token("杨磊"), [{"code": "apply", "form": {"bank": "随便银行", "branch": "总行"}}])
    assert conforms("POST", "/cases", unknown_bank)["errors"][0]["code"] == "UNKNOWN_BANK"
    conforms("POST", "/cases", api.post("/cases", raw="{not json", token=token))
    conforms("GET", "/banks", api.get("/banks?district=110101"))


def test_a_rejected_upload_and_a_reviewed_card_answer_as_documented(api: Any) -> None:
    resident = demo_resident("赵敏")  # a replaced card: may apply; her police photo is not shared
    token = api.token(resident)
    created = conforms("POST", "/cases", api.create_case(token, [{"code": "apply", "form": BANK}], phone=resident["phone"]))
    case_id = created["case_id"]
    shared = next(m["kind"] for m in created["materials"] if m["status"] == "provided")
    already = api.post(f"/cases/{case_id}/materials", {"kind": shared, "content_type": "image/jpeg", "size": 9}, token)
    assert conforms("POST", "/cases/{case_id}/materials", already)["status"] == "provided"
    kind = next(m["kind"] for m in created["materials"] if m["status"] == "required")
    declared = conforms(
        "POST",
        "/cases/{case_id}/materials",
        api.post(f"/cases/{case_id}/materials", {"kind": kind, "content_type": "image/jpeg", "size": 9}, token),
    )
    assert declared["upload"]["url"] and declared["upload"]["fields"]
    api.upload(token, case_id, kind, png(), content_type="image/jpeg")  # a PNG declared as JPEG: the check refuses it
    rejected = next(m for m in case_of(api, case_id, token)["materials"] if m["kind"] == kind)
    assert rejected["status"] == "rejected" and rejected["reason"]
    api.upload_missing(token, case_id)
    conforms("POST", "/cases/{case_id}/submit", api.post(f"/cases/{case_id}/submit", None, token))
    api.wait_for(case_id, token, awaiting_review)
    reviewer = hr(api, resident["district"])
    listed = conforms("GET", "/reviews", api.get("/reviews?status=pending", reviewer))
    review_id = listed["reviews"][0]["review_id"]
    conforms("GET", "/reviews/{review_id}", api.get(f"/reviews/{review_id}", reviewer))
    conforms("POST", "/reviews/{review_id}/decision", api.post(f"/reviews/{review_id}/decision", {"decision": "approve"}, reviewer))
    api.wait_for(case_id, token, finished)
    approved = case_of(api, case_id, token)["matters"][0]
    assert approved["result"]["card_status"] == "awaiting_collection"
    bank = api.token({"id_number": "boc-staff", "name": "中行", "phone": "13900000001"}, roles=["bank"], bank="boc")
    card_id = conforms("GET", "/bank/cards", api.get("/bank/cards", bank))["cards"][0]["card_id"]
    conforms("POST", "/bank/cards/{card_id}/failed", api.post(f"/bank/cards/{card_id}/failed", {"reason": "芯片写入失败"}, bank))
    not_made = case_of(api, case_id, token)["matters"][0]
    assert not_made["reason_code"] == "CARD_NOT_MADE" and not_made["result"]["card_status"] == "not_made"
    conforms("GET", "/reviews", api.get("/reviews?status=decided", reviewer))


def test_a_pension_change_and_a_rejected_review_answer_as_documented(api: Any) -> None:
    pensioner = demo_resident("黄秀英")
    token = api.token(pensioner)
    form = {"account_number": pensioner["card"]["account_number"]}
    created = conforms("POST", "/cases", api.create_case(token, [{"code": "pension_account", "form": form}], phone=pensioner["phone"]))
    api.post(f"/cases/{created['case_id']}/submit", None, token)
    api.wait_for(created["case_id"], token, awaiting_review)
    system = api.token({"id_number": "pension-system", "name": "养老保险系统", "phone": "13900000002"}, roles=["pension_system"])
    request_id = conforms("GET", "/pension/requests", api.get("/pension/requests", system))["reviews"][0]["review_id"]
    decided = api.post(f"/pension/requests/{request_id}/decision", {"decision": "accept"}, system)
    conforms("POST", "/pension/requests/{request_id}/decision", decided)
    api.wait_for(created["case_id"], token, finished)
    assert case_of(api, created["case_id"], token)["matters"][0]["result"]["effective_month"]

    applicant = demo_resident("杨磊")
    token = api.token(applicant)
    case_id = api.create_case(token, [{"code": "apply", "form": BANK}], phone=applicant["phone"]).json_body["case_id"]
    api.upload_missing(token, case_id)
    api.post(f"/cases/{case_id}/submit", None, token)
    api.wait_for(case_id, token, awaiting_review)
    reviewer = hr(api, applicant["district"])
    rejection = api.post(f"/reviews/{case_id}.apply/decision", {"decision": "reject", "reason": "照片不清晰"}, reviewer)
    conforms("POST", "/reviews/{review_id}/decision", rejection)
    api.wait_for(case_id, token, finished)
    assert case_of(api, case_id, token)["matters"][0]["reason_code"] == "REVIEW_REJECTED"


def test_a_counter_case_with_an_agent_its_access_log_and_the_calendar_answer_as_documented(api: Any) -> None:
    applicant = demo_resident("刘洋")  # a lost card: the counter revokes the loss, through his father
    clerk = api.token({"id_number": "clerk-1", "name": "窗口人员", "phone": "13900000003"}, roles=["clerk"], service_point="HS-TX-01")
    body = {
        "consent": {"notice_version": "2023.1", "agreed": True},
        "applicant": {"id_number": applicant["id_number"], "name": applicant["name"]},
        "agent": {"name": "刘建国", "id_number": "341004196002150013", "phone": "13905590099", "relation": "父子"},
        "id_card_checked": True,
        "matters": [{"code": "loss", "form": {"action": "revoke"}}],
        "contact": {"phone": applicant["phone"], "address": applicant["address"]},
    }
    created = conforms("POST", "/counter/cases", api.post("/counter/cases", body, clerk))
    assert created["agent"]["relation"] == "父子" and created["identity_check"]
    conforms("GET", "/counter/cases", api.get(f"/counter/cases?id_number={applicant['id_number']}", clerk))
    withdrawn = conforms("POST", "/cases/{case_id}/withdraw", api.post(f"/cases/{created['case_id']}/withdraw", None, clerk))
    assert withdrawn["status"] == "withdrawn"
    log = conforms("GET", "/cases/{case_id}/access-log", api.get(f"/cases/{created['case_id']}/access-log", api.token(applicant)))
    assert log["entries"]
    auditor = api.token({"id_number": "SJ0001", "name": "审计员", "phone": "13900000009"}, roles=["auditor"])
    conforms("GET", "/audit/accesses", api.get(f"/audit/accesses?person={applicant['id_number']}", auditor))
    operator = api.token({"id_number": "op-1", "name": "运维", "phone": "13900000004"}, roles=["operator"])
    conforms("GET", "/admin/calendar/{year}", api.get("/admin/calendar/2026", operator))
    conforms("GET", "/notice", api.get("/notice"))
    conforms("GET", "/health", api.get("/health"))
