"""Schemathesis over the whole OpenAPI document the app serves, as a citizen and as a reviewer (issue 11 point 7).

Every operation gets a few generated requests, valid and invalid, some aimed at the caller's own case or review
(derandomized, no deadline: the same requests on every machine, and a bounded run), sent in process through chalice's own local gateway
(the request handling `chalice local` and `chalice.test.Client` use) wrapped as a WSGI app. Each answer must
not be a 500, must have a documented status and content type, must match the documented schema, and an
error must be problem+json whose `status` is the HTTP status.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

import app as application
from tests.integration.test_reviews import BANK, submitted_review

EXAMPLES_PER_OPERATION = 6  # per operation and mode (valid, invalid): about 330 requests per caller

CONFIG = {
    # the caller's token is the test's, not a generated one
    "generation": {"with-security-parameters": False},
    # A schema-valid request may still be refused (422) by a rule the schema cannot state — pre-judgment on the person's
    # card records, consent not given, a PATCH that changes nothing — so `positive_data_acceptance` is not one of them;
    # a schema-invalid one must always be refused (negative_data_rejection).
    "checks": {
        "enabled": False,
        "not_a_server_error": {"enabled": True},
        "status_code_conformance": {"enabled": True},
        "content_type_conformance": {"enabled": True},
        "response_schema_conformance": {"enabled": True},
        "response_headers_conformance": {"enabled": True},
        "negative_data_rejection": {"enabled": True},
    },
    "base-url": "http://localhost",
}


class ChaliceGateway:
    """The app behind chalice's local gateway, as a WSGI app: what `chalice local` does with a request, in process."""

    def __init__(self, http: Any) -> None:
        self.http = http

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        # the raw request target, as chalice local's HTTP handler passes it (percent-encoding kept); werkzeug's
        # test client leaves the query out of REQUEST_URI when it is given apart
        target = urlsplit(environ["REQUEST_URI"]).path + (f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else "")
        response = self.http.request(environ["REQUEST_METHOD"], target, headers=headers, body=body)
        status = HTTPStatus(response.status_code)
        pairs = []
        for name, value in response.headers.items():
            pairs.extend((name, str(v)) for v in (value if isinstance(value, list) else [value]))
        start_response(f"{status.value} {status.phrase}", pairs)
        return iter([response.body])


@schemathesis.check
def errors_are_problem_json(ctx: Any, response: Any, case: Any) -> bool | None:
    """An error answer is RFC 9457 problem+json naming its own status (api.md, Conventions)."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    if not content_type.startswith("application/problem+json"):
        raise AssertionError(f"{response.status_code} answered as {content_type!r}, not application/problem+json")
    problem = json.loads(response.content)
    if problem.get("status") != response.status_code or not problem.get("title"):
        raise AssertionError(f"the problem's status/title do not match the answer: {problem}")
    return True


OPERATIONS = sorted(
    (method, path) for path, route in application.app.routes.items() for method in route if method != "OPTIONS"
)  # the routes the app serves; tests/integration/test_api_contract.py checks that the document lists exactly these

REVIEWED = "王芳"  # her reissue waits for a reviewer of her district, 341002: the reviewer's below
REISSUE = {"code": "reissue", "form": {"kind": "damaged", **BANK}}


@pytest.fixture
def world(api: Any) -> dict[str, Any]:
    """Real resources for the generated requests to aim at besides random ids: the citizen's draft and submitted case,
    the reviewer's pending review of the latter."""
    resident, citizen, case = submitted_review(api, REVIEWED, REISSUE)
    draft = api.create_case(citizen, [{"code": "status_query"}], phone=resident["phone"])
    assert draft.status_code == 201, draft.body
    staff = {"id_number": "hr-fuzz", "name": "审核员", "phone": "13900000000"}
    reviewer = api.token(staff, roles=["reviewer"], district=resident["district"])
    return {
        "tokens": {"citizen": citizen, "reviewer": reviewer},
        "case_id": [case["case_id"], draft.json_body["case_id"]],
        "review_id": [f"{case['case_id']}.reissue"],
    }


class Tally:
    """The answers the run got, by status: what the report of a run gives."""

    def __init__(self, gateway: ChaliceGateway) -> None:
        self.gateway = gateway
        self.statuses: Counter[int] = Counter()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        def counted(status: str, headers: Any) -> Any:
            self.statuses[int(status.split(maxsplit=1)[0])] += 1
            return start_response(status, headers)

        return self.gateway(environ, counted)


def _strategy(operation: Any, mode: GenerationMode, world: dict[str, Any]) -> Any:
    """Generated requests, and as many again aimed at the world's own resources where the path names one."""
    generated = operation.as_strategy(generation_mode=mode)
    names = [p.name for p in operation.path_parameters]
    known = [name for name in names if name in world]
    if not known:
        return generated
    aimed = [operation.as_strategy(generation_mode=mode, path_parameters={known[0]: value}) for value in world[known[0]]]
    return st.one_of(generated, *aimed)


@pytest.mark.parametrize("caller", ["citizen", "reviewer"])
def test_every_operation_answers_generated_requests_as_documented(api: Any, world: dict[str, Any], caller: str) -> None:
    document = api.get("/openapi.json")
    assert document.status_code == 200
    schema = schemathesis.openapi.from_dict(document.json_body, config=SchemathesisConfig.from_dict(CONFIG))
    headers = {"Authorization": f"Bearer {world['tokens'][caller]}"}
    app = Tally(ChaliceGateway(api.client.http))
    failures = []
    for method, path in OPERATIONS:
        operation = schema[path][method]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate, Phase.shrink],
            )
            @given(case=_strategy(operation, mode, world))
            def answered_as_documented(case: Any) -> None:
                case.call_and_validate(app=app, headers=headers, additional_checks=[errors_are_problem_json])

            try:
                answered_as_documented()
            except Unsatisfiable:  # an operation without parameters or body has no invalid request to make
                assert mode is GenerationMode.NEGATIVE
            except Exception as failure:  # every operation's failures are reported, not only the first
                failures.append(f"{method} {path} ({mode.value}): {failure}")
    print(f"schemathesis as {caller}: {sum(app.statuses.values())} requests, by status {sorted(app.statuses.items())}")
    assert app.statuses[500] == 0
    assert not failures, "\n\n".join(failures)
