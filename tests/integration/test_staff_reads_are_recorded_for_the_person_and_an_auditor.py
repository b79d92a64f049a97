"""Access records over HTTP (PIPL Art. 51): a clerk's and a reviewer's reads of a person's case are recorded
before they are answered; the applicant reads them at /cases/{id}/access-log, an auditor at /audit/accesses."""

from __future__ import annotations

from tests.conftest import demo_resident


def clerk(api):
    return api.token({"id_number": "clerk-1", "name": "窗口人员", "phone": "13900000003"}, roles=["clerk"], service_point="HS-TX-01")


def auditor(api):
    return api.token({"id_number": "SJ0001", "name": "审计员", "phone": "13900000009"}, roles=["auditor"])


def test_a_clerks_reads_at_the_counter_are_shown_to_the_applicant_and_found_by_an_auditor(api):
    liu = demo_resident("刘洋")
    desk = clerk(api)
    body = {
        "consent": {"notice_version": "2023.1", "agreed": True},
        "matters": [{"code": "status_query"}],
        "contact": {"phone": liu["phone"], "address": liu["address"]},
        "applicant": {"id_number": liu["id_number"], "name": liu["name"]},
    }
    case_id = api.post("/counter/cases", body, desk).json_body["case_id"]
    citizen = api.token(liu)
    opened = api.get(f"/cases/{case_id}/access-log", citizen).json_body["entries"]
    assert [e["looked"] for e in opened] == ["case"]  # the answer to opening it showed the case

    assert api.get(f"/cases/{case_id}", desk).status_code == 200
    assert api.get(f"/cases/{case_id}/form", desk).status_code == 200
    assert api.get("/counter/cases", desk).status_code == 200
    assert api.get(f"/cases/{case_id}", citizen).status_code == 200  # the applicant's own reads are not recorded

    log = api.get(f"/cases/{case_id}/access-log", citizen).json_body
    assert [(e["role_name"], e["staff_id"], e["looked_text"]) for e in log["entries"]] == [
        ("窗口工作人员", "cl***-1", "在窗口案件列表中查看了案件概要"),
        ("窗口工作人员", "cl***-1", "查看了申请表"),
        ("窗口工作人员", "cl***-1", "查看了案件信息"),
        ("窗口工作人员", "cl***-1", "查看了案件信息"),
    ]
    assert all(e["at"].endswith("+08:00") and e["case_id"] is None for e in log["entries"])

    other = api.token("王芳")
    assert api.get(f"/cases/{case_id}/access-log", other).status_code == 404
    assert api.get(f"/cases/{case_id}/access-log", desk).status_code == 403  # a citizen's own view

    found = api.get(f"/audit/accesses?person={liu['id_number']}", auditor(api)).json_body["entries"]
    assert [(e["staff_id"], e["looked"], e["case_id"]) for e in found] == [
        ("clerk-1", "case_list", case_id),
        ("clerk-1", "form", case_id),
        ("clerk-1", "case", case_id),
        ("clerk-1", "case", case_id),
    ]
    assert [e["looked"] for e in api.get("/audit/accesses?staff=clerk-1&limit=1", auditor(api)).json_body["entries"]] == ["case_list"]
    assert api.get(f"/audit/accesses?person={liu['id_number']}", desk).status_code == 403
    wrong = api.get("/audit/accesses?person=34100419881120004", auditor(api))
    assert wrong.status_code == 422 and [e["field"] for e in wrong.json_body["errors"]] == ["person"]
