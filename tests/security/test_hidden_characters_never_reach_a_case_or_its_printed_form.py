"""Over HTTP: a case whose free text hides characters is refused with 422 naming the field, and nothing is stored."""

from __future__ import annotations

from typing import Any

CONTACT = {"phone": "13905590001", "address": "安徽省黄山市屯溪区新安北路18号"}


def _create(api: Any, token: str, **changes: Any) -> Any:
    notice = api.get("/notice").json_body
    body = {"consent": {"notice_version": notice["version"], "agreed": True}, "matters": [{"code": "status_query"}], "contact": CONTACT}
    body.update(changes)
    return api.post("/cases", body, token)


def test_a_nul_in_the_address_is_422_naming_it_and_no_case_exists(api: Any) -> None:
    token = api.token("王芳")
    response = _create(api, token, contact={**CONTACT, "address": "安徽省黄山市\x00屯溪区"})
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json_body["errors"]] == [("contact.address", "UNSAFE_CHARACTER")]
    assert "控制字符" in response.json_body["errors"][0]["message"]
    assert api.get("/cases", token).json_body["cases"] == []


def test_a_right_to_left_override_in_a_cancel_reason_is_refused(api: Any) -> None:
    token = api.token("王芳")
    matters = [{"code": "cancel", "form": {"reason": "other", "reason_text": "\u202e定居国外"}}, {"code": "status_query"}]
    response = _create(api, token, matters=matters)
    assert response.status_code == 422
    assert response.json_body["errors"][0]["field"] == "matters[0].form.reason_text"


def test_a_counter_applicant_name_with_a_zero_width_space_is_refused(api: Any) -> None:
    clerk = api.token("王芳", roles=["clerk"], service_point="SP-TUNXI-01")
    notice = api.get("/notice").json_body
    body = {
        "consent": {"notice_version": notice["version"], "agreed": True},
        "matters": [{"code": "status_query"}],
        "contact": CONTACT,
        "applicant": {"id_number": "341003199002150037", "name": "李\u200b强"},
    }
    response = api.post("/counter/cases", body, clerk)
    assert response.status_code == 422
    assert response.json_body["errors"][0]["field"] == "applicant.name"


def test_a_decomposed_address_is_stored_and_printed_composed(api: Any) -> None:
    token = api.token("王芳")
    response = _create(api, token, contact={**CONTACT, "address": "安徽省黄山市屯溪区Cafe\u0301路1号"})
    assert response.status_code == 201, response.json_body
    case_id = response.json_body["case_id"]
    assert api.get(f"/cases/{case_id}", token).json_body["contact"]["address"] == "安徽省黄山市屯溪区Café路1号"
    form = api.get(f"/cases/{case_id}/form", token).body
    form = form.decode() if isinstance(form, bytes) else form
    assert "Café路1号" in form and "e\u0301" not in form


def test_a_dev_token_whose_name_hides_characters_is_refused(api: Any) -> None:
    response = api.post("/dev/token", {"sub": "342701198503120022", "name": "王\x1b[31m芳", "roles": ["citizen"]})
    assert response.status_code == 422 and response.json_body["errors"][0]["field"] == "name"
