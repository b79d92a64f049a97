"""Routes whose rules are tested at service level (tests/service) still reach their service over HTTP: the counter's
search and printable form, a clerk's reads recorded for the applicant and an auditor before they are answered, a change
of a draft (repeated with its Idempotency-Key: done once) and its delete. A review's details, with links that S3
serves, and the decided list: tests/integration/test_reviews.py.
"""

from __future__ import annotations

import json

from tests.conftest import demo_resident
from tests.integration.test_materials_and_counter import clerk, counter_case


def auditor(api):
    return api.token({"id_number": "SJ0001", "name": "审计员", "phone": "13900000009"}, roles=["auditor"])


def patch(api, case_id, body, token, key):
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}", "Idempotency-Key": key}
    return api.client.http.patch(f"/cases/{case_id}", headers=headers, body=json.dumps(body))


def test_the_counter_access_log_and_draft_routes_reach_their_services(api):
    desk = clerk(api)
    liu = demo_resident("刘洋")
    case_id = counter_case(api, desk, "刘洋", [{"code": "status_query"}]).json_body["case_id"]
    found = api.get(f"/counter/cases?id_number={liu['id_number']}", desk)
    assert found.status_code == 200 and [c["case_id"] for c in found.json_body["cases"]] == [case_id]
    form = api.get(f"/cases/{case_id}/form", desk)
    assert form.status_code == 200 and form.headers["Content-Type"].startswith("text/html")
    assert liu["id_number"] in form.body.decode()
    assert api.get(f"/cases/{case_id}", desk).status_code == 200
    citizen = api.token(liu)
    assert api.get(f"/cases/{case_id}", citizen).status_code == 200  # the applicant's own reads are not recorded

    # each route records what it showed (PIPL Art. 51): the applicant reads it, an auditor finds it
    log = api.get(f"/cases/{case_id}/access-log", citizen).json_body["entries"]
    assert [(e["role_name"], e["staff_id"], e["looked_text"]) for e in log] == [
        ("窗口工作人员", "cl***-1", "查看了案件信息"),
        ("窗口工作人员", "cl***-1", "查看了申请表"),
        ("窗口工作人员", "cl***-1", "在窗口案件列表中查看了案件概要"),
        ("窗口工作人员", "cl***-1", "查看了案件信息"),  # the answer to opening the case showed it
    ]
    assert all(e["at"].endswith("+08:00") and e["case_id"] is None for e in log)
    found = api.get(f"/audit/accesses?person={liu['id_number']}", auditor(api)).json_body["entries"]
    assert [(e["staff_id"], e["looked"], e["case_id"]) for e in found] == [
        ("clerk-1", "case", case_id),
        ("clerk-1", "form", case_id),
        ("clerk-1", "case_list", case_id),
        ("clerk-1", "case", case_id),
    ]
    assert api.get(f"/cases/{case_id}/access-log", api.token("王芳")).status_code == 404  # another person's case
    wrong = api.get("/audit/accesses?person=34100419881120004", auditor(api))
    assert wrong.status_code == 422 and [e["field"] for e in wrong.json_body["errors"]] == ["person"]

    body = {"contact": {"phone": "13905590111"}}
    changed, again = (patch(api, case_id, body, desk, "draft-change-1") for _ in range(2))
    assert changed.status_code == again.status_code == 200 and changed.json_body == again.json_body
    assert changed.json_body["contact"]["phone"] == "13905590111"
    assert [e["kind"] for e in api.get(f"/cases/{case_id}", citizen).json_body["timeline"]].count("updated") == 1
    reused = patch(api, case_id, {"contact": {"phone": "13905590666"}}, desk, "draft-change-1")
    assert reused.status_code == 422 and reused.headers["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in reused.json_body["errors"]] == ["Idempotency-Key"]
    unkeyed = api.client.http.patch(
        f"/cases/{case_id}", headers={"Content-Type": "application/json", "Authorization": f"Bearer {desk}"}, body=json.dumps(body)
    )
    assert unkeyed.status_code == 200, unkeyed.body  # without a key, simply done
    deleted = api.client.http.delete(f"/cases/{case_id}", headers={"Authorization": f"Bearer {desk}"})
    assert deleted.status_code == 204
    assert api.get(f"/cases/{case_id}", desk).status_code == 404
