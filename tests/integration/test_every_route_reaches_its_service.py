"""Routes whose rules are tested at service level (tests/service) still reach their service over HTTP:
the counter's search, the printable form, a change and a delete of a draft, a review's details with links that
serve the files from S3, and the decided list."""

from __future__ import annotations

import json

import requests

from tests.conftest import demo_resident
from tests.integration.test_materials_and_counter import clerk, counter_case
from tests.integration.test_reviews import reviewer, submitted_review


def test_the_counter_and_draft_routes_reach_their_services(api):
    desk = clerk(api)
    wang = demo_resident("王芳")
    case_id = counter_case(api, desk, "王芳", [{"code": "status_query"}]).json_body["case_id"]
    found = api.get(f"/counter/cases?id_number={wang['id_number']}", desk)
    assert found.status_code == 200 and [c["case_id"] for c in found.json_body["cases"]] == [case_id]
    form = api.get(f"/cases/{case_id}/form", desk)
    assert form.status_code == 200 and form.headers["Content-Type"].startswith("text/html")
    assert wang["id_number"] in form.body.decode()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {desk}"}
    changed = api.client.http.patch(f"/cases/{case_id}", headers=headers, body=json.dumps({"contact": {"phone": "13905590111"}}))
    assert changed.status_code == 200 and changed.json_body["contact"]["phone"] == "13905590111"
    deleted = api.client.http.delete(f"/cases/{case_id}", headers={"Authorization": f"Bearer {desk}"})
    assert deleted.status_code == 204
    assert api.get(f"/cases/{case_id}", desk).status_code == 404


def test_a_reviews_details_link_to_files_s3_serves_and_the_decided_list_holds_it(api):
    resident, _, case = submitted_review(api, "赵敏")  # the photo uploaded through its presigned POST, the ID shared
    hr = reviewer(api, resident["district"])
    review_id = f"{case['case_id']}.apply"
    review = api.get(f"/reviews/{review_id}", hr)
    assert review.status_code == 200, review.body
    assert {m["kind"]: m["source"] for m in review.json_body["materials"]}["photo"] == "upload"
    for material in review.json_body["materials"]:
        fetched = requests.get(material["download_url"], timeout=10)
        assert fetched.status_code == 200 and fetched.content[:3] in (b"\x89PN", b"\xff\xd8\xff"), material["kind"]
    assert api.post(f"/reviews/{review_id}/decision", {"decision": "approve"}, hr).status_code == 200
    decided = api.get("/reviews?status=decided", hr)
    assert decided.status_code == 200 and [r["review_id"] for r in decided.json_body["reviews"]] == [review_id]
