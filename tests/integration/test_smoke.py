from tests.conftest import finished


def test_activating_an_issued_card_completes_the_case(api):
    token = api.token("李强")
    created = api.create_case(token, [{"code": "activate"}], phone="13905590002")
    assert created.status_code == 201, created.body
    case_id = created.json_body["case_id"]
    submitted = api.post(f"/cases/{case_id}/submit", None, token)
    assert submitted.status_code == 202, submitted.body
    case = api.wait_for(case_id, token, finished)
    assert case["status"] == "completed", case
