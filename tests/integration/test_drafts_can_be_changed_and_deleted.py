"""Drafts (issue 9 point 8) over HTTP: `PATCH` and `DELETE /cases/{caseId}` answer 404 as problem+json to
whoever may not, and a change repeated with its Idempotency-Key is done once.

The draft rules (pre-judged again, materials follow, delete, once submitted, races with submit) are tested at
service level: tests/service/test_drafts_can_be_changed_and_deleted_until_submitted.py.
"""

from __future__ import annotations

import json


def patch(api, case_id, body, token, headers=None):
    h = {"Content-Type": "application/json", "Authorization": f"Bearer {token}", **(headers or {})}
    return api.client.http.patch(f"/cases/{case_id}", headers=h, body=json.dumps(body))


def delete(api, case_id, token):
    return api.client.http.delete(f"/cases/{case_id}", headers={"Authorization": f"Bearer {token}"})


def problem(response, status, field=None):
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json_body
    if field:
        assert field in [e.get("field") for e in body["errors"]], body
    return body


def clerk(api, point="HS-TX-01", sub="clerk-1"):
    return api.token({"id_number": sub, "name": "窗口人员", "phone": "13900000003"}, roles=["clerk"], service_point=point)


def test_a_change_repeated_with_its_idempotency_key_is_done_once(api):
    token = api.token("王芳")
    case_id = api.create_case(token, [{"code": "status_query"}]).json_body["case_id"]
    body = {"contact": {"phone": "13905590555"}}
    first = patch(api, case_id, body, token, {"Idempotency-Key": "draft-change-1"})
    again = patch(api, case_id, body, token, {"Idempotency-Key": "draft-change-1"})
    assert first.status_code == again.status_code == 200
    assert first.json_body == again.json_body
    updates = [e for e in api.get(f"/cases/{case_id}", token).json_body["timeline"] if e["kind"] == "updated"]
    assert len(updates) == 1
    problem(
        patch(api, case_id, {"contact": {"phone": "13905590666"}}, token, {"Idempotency-Key": "draft-change-1"}), 422, "Idempotency-Key"
    )
