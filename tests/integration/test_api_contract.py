"""The HTTP contract: what only the edge shows — the health route and the OpenAPI document served without login and
listing every route, 401 without a valid token, 403 to a caller without the route's role, the development token's
check of a citizen's resident ID, each query parameter checked before any service is called (422 as problem+json
naming the field), and no /dev route on a deployed stage.

Rules behind these routes (pre-judgment answers, each field rule of a case request, who sees the full ID, my cases page
by page, the answers remembered per Idempotency-Key) are tested at service level:
tests/service/test_case_requests_are_judged_and_answered_once.py.
"""

from __future__ import annotations

import json

from tests.integration.test_materials_and_counter import clerk
from tests.integration.test_reviews import reviewer


def assert_problem(response, status, field=None):
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json_body
    assert body["status"] == status and body["title"] and body["detail"]
    if field:
        assert field in [e.get("field") for e in body["errors"]], body
        assert all(e["message"] for e in body["errors"])
    return body


def test_the_edge_serves_the_contract_refuses_bad_tokens_and_names_each_bad_query_parameter(api):
    import app as application

    assert api.get("/health").json_body == {"status": "ok", "stage": "local"}
    document = api.get("/openapi.json").json_body
    assert document["openapi"] == "3.1.0"
    schemas = document["components"]["schemas"]
    for name in ("CreateCaseRequest", "CaseView", "PrejudgeResult", "ProblemDetails", "MatterChoice", "Contact"):
        assert name in schemas
    text = json.dumps(document)
    for ref in {part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]}:
        assert ref in schemas, ref  # every reference resolves
    served = set(application.app.routes)
    assert served == set(document["paths"]), served ^ set(document["paths"])
    for path, route in application.app.routes.items():
        assert set(route) <= {m.upper() for m in document["paths"][path]} | {"OPTIONS"}, path

    assert api.get("/scenarios").status_code == api.get("/banks").status_code == 200  # no login for these either
    assert_problem(api.get("/cases"), 401)
    assert_problem(api.get("/cases", token="not-a-jwt"), 401)
    bad_citizen = assert_problem(api.post("/dev/token", {"sub": "341003199002150038", "roles": ["citizen"]}), 422, "sub")
    assert "身份证" in bad_citizen["errors"][0]["message"]

    citizen, desk = api.token("王芳"), clerk(api)
    assert_problem(api.get("/counter/cases", citizen), 403)  # a citizen on a clerk's route
    assert_problem(api.post("/prejudge", {"matters": [{"code": "status_query"}]}, desk), 403)  # a clerk on a citizen's own
    assert_problem(api.get("/cases?limit=0", citizen), 422, "limit")
    assert_problem(api.get("/cases?limit=%C2%B2", citizen), 422, "limit")  # "²" is a digit to str.isdigit
    assert_problem(api.get("/cases?cursor=garbage", citizen), 422, "cursor")
    for bad in ("342701198001010068", "12345", "abc"):
        assert_problem(api.get(f"/counter/cases?id_number={bad}", desk), 422, "id_number")
    assert_problem(api.get("/counter/cases?limit=0", desk), 422, "limit")
    assert_problem(api.get("/reviews?status=all", reviewer(api, "341022")), 422, "status")
    bank = api.token({"id_number": "staff-1", "name": "工作人员", "phone": "13900000009"}, roles=["bank"], bank="boc")
    assert_problem(api.get("/bank/cards?status=issued", bank), 422, "status")
    assert_problem(api.get("/banks?district=110101"), 422, "district")


def test_the_dev_routes_exist_only_on_the_local_stack():
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = "import app, json; print(json.dumps(sorted(app.app.routes)))"
    env = {"PATH": "/usr/bin:/bin", "SSCARD_STAGE": "prod", "AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "true"}
    routes = json.loads(subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout)
    assert "/cases" in routes and "/reviews" in routes
    assert not [r for r in routes if r.startswith("/dev")]
