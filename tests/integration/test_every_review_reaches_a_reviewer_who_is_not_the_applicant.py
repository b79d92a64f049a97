"""Reviews: routed to a queue some reviewer sees; never to the applicant; pending and decided lists; the review's details."""

from __future__ import annotations

import requests
from stdnum.cn import ric

from tests.conftest import awaiting_review, demo_resident
from tests.integration.test_reviews import BANK, submitted_review


def reviewer(api, district, sub="hr-reviewer-1", **claims):
    return api.token({"id_number": sub, "name": "审核员", "phone": "13900000000"}, roles=["reviewer"], district=district, **claims)


def newcomer(region: str, name: str, phone: str) -> dict:
    """A person the card system does not know, with an ID first issued in `region`."""
    body = region + "19900307" + "001"
    return {"id_number": body + ric.calc_check_digit(body + "0"), "name": name, "phone": phone}  # the last digit is ignored


def submitted_by(api, person):
    token = api.token(person)
    created = api.create_case(token, [{"code": "apply", "form": BANK}], phone=person["phone"])
    assert created.status_code == 201, created.body
    case_id = created.json_body["case_id"]
    api.upload_missing(token, case_id)
    assert api.post(f"/cases/{case_id}/submit", None, token).status_code == 202
    return api.wait_for(case_id, token, awaiting_review)


def listed(api, token, status="pending"):
    response = api.get(f"/reviews?status={status}", token)
    assert response.status_code == 200, response.body
    return [r["review_id"] for r in response.json_body["reviews"]]


def can_see(api, token, review_id):
    return review_id in listed(api, token) and api.get(f"/reviews/{review_id}", token).status_code == 200


def test_the_review_goes_to_the_applicants_district_in_the_card_system_and_no_other(api):
    resident, _, case = submitted_review(api)  # 杨磊: 341022 in the card system, an old 3427xx ID
    review_id = f"{case['case_id']}.apply"
    assert can_see(api, reviewer(api, resident["district"]), review_id)
    for other in ("341002", "341000"):
        token = reviewer(api, other)
        assert review_id not in listed(api, token)
        assert api.get(f"/reviews/{review_id}", token).status_code == 404
        assert api.post(f"/reviews/{review_id}/decision", {"decision": "approve"}, token).status_code == 404


def test_a_person_unknown_to_the_card_system_is_reviewed_in_the_district_of_the_id_else_in_the_city_queue(api):
    local = submitted_by(api, newcomer("341021", "方圆", "13905591001"))
    outsider = submitted_by(api, newcomer("110101", "孙悦", "13905591002"))
    local_id, outsider_id = f"{local['case_id']}.apply", f"{outsider['case_id']}.apply"
    assert can_see(api, reviewer(api, "341021"), local_id)
    assert not can_see(api, reviewer(api, "341000"), local_id)
    city = reviewer(api, "341000")
    assert can_see(api, city, outsider_id)
    assert api.post(f"/reviews/{outsider_id}/decision", {"decision": "approve"}, city).status_code == 200
    assert outsider_id in listed(api, city, "decided")
    assert all(outsider_id not in listed(api, reviewer(api, d)) for d in ("341002", "341021", "341022"))


def test_a_reviewer_never_sees_or_decides_their_own_case(api):
    resident, _, case = submitted_review(api)
    review_id = f"{case['case_id']}.apply"
    by_claim = reviewer(api, resident["district"], sub="hr-7", id_number=resident["id_number"])
    by_sub = reviewer(api, resident["district"], sub=resident["id_number"])
    for token in (by_claim, by_sub):
        assert review_id not in listed(api, token)
        assert api.get(f"/reviews/{review_id}", token).status_code == 404
        assert api.post(f"/reviews/{review_id}/decision", {"decision": "approve"}, token).status_code == 404
    colleague = reviewer(api, resident["district"], sub="hr-8", id_number=demo_resident("王芳")["id_number"])
    assert can_see(api, colleague, review_id)
    assert api.post(f"/reviews/{review_id}/decision", {"decision": "approve"}, colleague).status_code == 200
    assert review_id in listed(api, colleague, "decided")
    assert review_id not in listed(api, by_claim, "decided")


def test_decided_reviews_are_listed_newest_first_and_leave_the_pending_list(api):
    first_resident, _, first = submitted_review(api, "杨磊")
    hr = reviewer(api, first_resident["district"])
    other = submitted_by(api, newcomer("341022", "程明", "13905591003"))
    ids = [f"{first['case_id']}.apply", f"{other['case_id']}.apply"]
    assert set(ids) <= set(listed(api, hr)) and listed(api, hr, "decided") == []
    assert api.post(f"/reviews/{ids[0]}/decision", {"decision": "approve"}, hr).status_code == 200
    assert api.post(f"/reviews/{ids[1]}/decision", {"decision": "reject", "reason": "照片不清晰"}, hr).status_code == 200
    decided = api.get("/reviews?status=decided", hr).json_body["reviews"]
    assert [r["review_id"] for r in decided] == [ids[1], ids[0]]
    assert [r["decision"] for r in decided] == ["reject", "approve"] and all(r["status"] == "decided" for r in decided)
    assert not set(ids) & set(listed(api, hr))
    paged = api.get("/reviews?status=decided&limit=1", hr).json_body
    assert [r["review_id"] for r in paged["reviews"]] == [ids[1]] and paged["next_cursor"]
    rest = api.get(f"/reviews?status=decided&limit=1&cursor={paged['next_cursor']}", hr).json_body
    assert [r["review_id"] for r in rest["reviews"]] == [ids[0]]


def test_any_other_status_is_422_naming_the_field(api):
    response = api.get("/reviews?status=all", reviewer(api, "341022"))
    assert response.status_code == 422
    assert response.json_body["errors"][0]["field"] == "status"


def test_the_review_shows_the_applicant_the_form_the_due_time_and_a_link_to_every_material_shared_or_uploaded(api):
    resident, _, case = submitted_review(api, "赵敏")  # ID e-license shared, police photo not: the photo is uploaded
    review = api.get(f"/reviews/{case['case_id']}.apply", reviewer(api, resident["district"]))
    assert review.status_code == 200, review.body
    body = review.json_body
    assert body["applicant"]["name"] == resident["name"]
    assert body["applicant"]["id_number"] == resident["id_number"][:6] + "********" + resident["id_number"][-4:]
    assert body["form"] == BANK and body["matter"] == "apply" and body["due_at"] == case["matters"][0]["due_at"]
    assert body["matter_time_limit"] == "1个工作日"
    sources = {m["kind"]: m["source"] for m in body["materials"]}
    assert sources == {"id_card_front": "data_sharing", "id_card_back": "data_sharing", "photo": "upload"}
    for material in body["materials"]:
        assert material["download_url"], material
        fetched = requests.get(material["download_url"], timeout=10)
        assert fetched.status_code == 200 and (fetched.content.startswith(b"\x89PNG") or fetched.content.startswith(b"\xff\xd8\xff")), (
            material["kind"]
        )


def test_a_reviewer_whose_token_does_not_say_who_they_are_is_refused_so_no_one_reviews_their_own_case(api):
    anonymous = api.post("/dev/token", {"sub": "hr-unknown", "roles": ["reviewer"], "district": "341022"}).json_body["token"]
    assert api.get("/reviews?status=pending", anonymous).status_code == 403
    assert api.get("/reviews/some-case.apply", anonymous).status_code == 403
