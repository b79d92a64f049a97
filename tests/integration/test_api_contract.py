"""The HTTP contract: authentication, privacy, validation, idempotency, OpenAPI.

Rules behind these routes (pre-judgment answers, each field rule of a case request, who sees the full ID, the
answers remembered per Idempotency-Key) are tested at service level: tests/service/test_case_requests_are_judged_and_answered_once.py.
"""

from __future__ import annotations

import json
import threading

from chalicelib.wiring import services
from tests.conftest import demo_resident, finished


def my_cases(api, token):
    return api.get("/cases", token).json_body["cases"]


def assert_problem(response, status, field=None):
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json_body
    assert body["status"] == status and body["title"] and body["detail"]
    if field:
        assert field in [e.get("field") for e in body["errors"]], body
        assert all(e["message"] for e in body["errors"])
    return body


def test_health_and_openapi_need_no_login(api):
    assert api.get("/health").json_body == {"status": "ok", "stage": "local"}
    document = api.get("/openapi.json").json_body
    assert document["openapi"] == "3.1.0"
    schemas = document["components"]["schemas"]
    for name in ("CreateCaseRequest", "CaseView", "PrejudgeResult", "ProblemDetails", "MatterChoice", "Contact"):
        assert name in schemas
    # every reference resolves
    text = json.dumps(document)
    for ref in {part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]}:
        assert ref in schemas, ref
    assert set(document["paths"]) >= {"/notice", "/matters", "/prejudge", "/cases", "/cases/{case_id}", "/cases/{case_id}/submit"}


def test_requests_without_a_valid_token_answer_401(api):
    assert_problem(api.get("/cases"), 401)
    assert_problem(api.get("/cases", token="not-a-jwt"), 401)


def test_my_cases_are_listed_newest_first_and_paginated(api):
    token = api.token("王芳")
    ids = [api.create_case(token, [{"code": "status_query"}]).json_body["case_id"] for _ in range(3)]
    first = api.get("/cases?limit=2", token).json_body
    assert [c["case_id"] for c in first["cases"]] == ids[::-1][:2]
    second = api.get(f"/cases?limit=2&cursor={first['next_cursor']}", token).json_body
    assert [c["case_id"] for c in second["cases"]] == ids[:1]
    assert_problem(api.get("/cases?limit=0", token), 422, "limit")
    assert_problem(api.get("/cases?limit=%C2%B2", token), 422, "limit")  # "²" is a digit to str.isdigit
    assert_problem(api.get("/cases?cursor=garbage", token), 422, "cursor")
    # another person's cursor does not page through their cases
    other = api.token("李强")
    assert_problem(api.get(f"/cases?limit=2&cursor={first['next_cursor']}", other), 422, "cursor")


def test_the_openapi_document_lists_every_route_the_app_serves(api):
    import app as application

    document = api.get("/openapi.json").json_body
    served = {path for path in application.app.routes}
    assert served == set(document["paths"]), served ^ set(document["paths"])
    for path, route in application.app.routes.items():
        assert set(route) <= {m.upper() for m in document["paths"][path]} | {"OPTIONS"}, path


def test_the_dev_routes_exist_only_on_the_local_stack():
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = "import app, json; print(json.dumps(sorted(app.app.routes)))"
    env = {"PATH": "/usr/bin:/bin", "SSCARD_STAGE": "prod", "AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "true"}
    routes = json.loads(subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout)
    assert "/cases" in routes and "/reviews" in routes
    assert not [r for r in routes if r.startswith("/dev")]


def test_a_token_for_a_citizen_with_a_bad_resident_id_is_refused_naming_the_field(api):
    response = api.post("/dev/token", {"sub": "341003199002150038", "roles": ["citizen"]})
    body = assert_problem(response, 422, "sub")
    assert "身份证" in body["errors"][0]["message"]


def test_two_concurrent_submits_of_one_case_start_one_execution(api):
    from chalicelib.auth import Principal
    from chalicelib.errors import ConflictProblem
    from chalicelib.services.cases import submit_case

    resident = demo_resident("李强")
    token = api.token(resident)
    case_id = api.create_case(token, [{"code": "activate"}]).json_body["case_id"]
    principal = Principal(sub=resident["id_number"], roles=["citizen"])
    barrier = threading.Barrier(4)
    outcomes = []

    def submit():
        barrier.wait()
        try:
            outcomes.append(submit_case(services(), principal, case_id)["status"])
        except ConflictProblem:
            outcomes.append("409")
        except Exception as error:  # recorded so that the assertion names it
            outcomes.append(repr(error))

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 4 and set(outcomes) <= {"submitted", "processing", "completed", "409"}, outcomes
    case = api.wait_for(case_id, token, finished)
    assert case["status"] == "completed"
    executions = services().client("stepfunctions").list_executions(stateMachineArn=services().settings.state_machine_arn)["executions"]
    assert [e["name"] for e in executions] == [case_id]
    # (that exactly one of concurrent conditional writes wins is shown on real DynamoDB
    # semantics in test_store_on_dynamodb_local.py; moto does not lock between threads)
    # and a later submit of the finished case is a conflict
    assert_problem(api.post(f"/cases/{case_id}/submit", None, token), 409)
