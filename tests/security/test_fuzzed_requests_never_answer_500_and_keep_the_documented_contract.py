"""Schemathesis over the whole OpenAPI document the app serves, as a citizen and as a reviewer (issue 11 point 7).

Every operation gets a few generated requests, valid and invalid (a fixed seed, derandomized, no deadline:
the run is the same on every machine and bounded), sent in process through chalice's own local gateway
(the request handling `chalice local` and `chalice.test.Client` use) wrapped as a WSGI app. Each answer must
not be a 500, must have a documented status and content type, must match the documented schema, and an
error must be problem+json whose `status` is the HTTP status.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

import app as application

EXAMPLES_PER_OPERATION = 6
SEED = 20261201

CONFIG = {
    "seed": SEED,
    "generation": {"mode": "all", "max-examples": EXAMPLES_PER_OPERATION, "deterministic": True, "with-security-parameters": False},
    # the coverage phase adds hundreds of boundary requests per operation: the fuzzing phase's few are the bound here
    "phases": {"examples": {"enabled": True}, "coverage": {"enabled": False}, "fuzzing": {"enabled": True}, "stateful": {"enabled": False}},
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


@pytest.fixture
def served_schema(api: Any) -> Any:
    response = api.get("/openapi.json")
    assert response.status_code == 200
    return schemathesis.openapi.from_dict(response.json_body, config=SchemathesisConfig.from_dict(CONFIG))


def citizen(api: Any) -> str:
    return api.token("王芳")


def reviewer(api: Any) -> str:
    return api.token({"id_number": "hr-fuzz", "name": "审核员", "phone": "13900000000"}, roles=["reviewer"], district="341002")


@pytest.mark.parametrize("who", [citizen, reviewer], ids=["citizen", "reviewer"])
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_generated_requests_are_answered_as_documented(api: Any, served_schema: Any, who: Any, method: str, path: str) -> None:
    token = who(api)
    gateway = ChaliceGateway(api.client.http)
    operation = served_schema[path][method]
    failures = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def answered_as_documented(case: Any) -> None:
            case.call_and_validate(app=gateway, headers={"Authorization": f"Bearer {token}"}, additional_checks=[errors_are_problem_json])

        try:
            answered_as_documented()
        except Unsatisfiable:  # an operation without parameters or body has no invalid request to make
            assert mode is GenerationMode.NEGATIVE
        except Exception as failure:  # every mode's failure is reported, not only the first
            failures.append(f"{mode.value}: {failure}")
    assert not failures, "\n\n".join(failures)
