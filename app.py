"""sscard API: the social security card one-thing service (我要办理社会保障卡).

Routes are thin: parse the request into a pydantic model, call one service
function, map domain errors to problem+json. The state machine's tasks are
registered here as standalone Lambda functions (code in `functions/`).
"""

from __future__ import annotations

import os

if os.environ.get("SSCARD_START_LOCAL_STACK") == "1":  # `make run`: moto in this process
    from chalicelib import localstack

    _stack = localstack.start()

from chalice import Chalice, Response

from chalicelib import openapi
from chalicelib.auth import Principal, issue_dev_token, require_citizen
from chalicelib.errors import NotFoundProblem, ValidationProblem
from chalicelib.http import handles_problems, idempotently, json_response, principal_of
from chalicelib.models import CreateCaseRequest, DevToken, Health, PrejudgeRequest
from chalicelib.observability import logger, metrics
from chalicelib.services import cases
from chalicelib.settings import get_settings
from chalicelib.validation import parse_json_body, parse_model
from chalicelib.wiring import services
from functions.workflow import HANDLERS

app = Chalice(app_name="sscard")
app.api.cors = False

for _name, _handler in HANDLERS.items():
    app.lambda_function(name=_name)(_handler)


@app.middleware("http")
def observe(event, get_response):  # noqa: ANN001, ANN201
    """One structured log line per request; the metrics of the request flushed once."""
    logger.append_keys(path=event.path, method=event.method)
    try:
        response = get_response(event)
        logger.info("request handled", extra={"status": response.status_code})
        return response
    finally:
        if metrics.metric_set:
            metrics.flush_metrics()
        logger.remove_keys(["path", "method"])


def _request():  # noqa: ANN202
    return app.current_request


def _citizen() -> Principal:
    return require_citizen(principal_of(_request()))


# --- operations ---------------------------------------------------------------


@app.route("/health", methods=["GET"])
@handles_problems
def health() -> Response:
    return json_response(Health(status="ok", stage=get_settings().stage))


@app.route("/openapi.json", methods=["GET"])
@handles_problems
def openapi_document() -> Response:
    return json_response(openapi.document(include_dev=get_settings().is_local))


# --- citizen ------------------------------------------------------------------


@app.route("/notice", methods=["GET"])
@handles_problems
def notice() -> Response:
    return json_response(cases.read_notice(services()))


@app.route("/matters", methods=["GET"])
@handles_problems
def matters() -> Response:
    return json_response(cases.list_matters())


@app.route("/prejudge", methods=["POST"])
@handles_problems
def prejudge() -> Response:
    principal = _citizen()
    request = parse_model(PrejudgeRequest, parse_json_body(_request().raw_body))
    return json_response(cases.prejudge_for(services(), principal, request))


@app.route("/cases", methods=["POST"])
@handles_problems
def create_case() -> Response:
    principal = _citizen()
    body = parse_json_body(_request().raw_body)
    request = parse_model(CreateCaseRequest, body)
    return idempotently(
        "create-case",
        principal,
        _request().headers.get("idempotency-key"),
        body,
        lambda: (201, cases.create_case(services(), principal, request)),
        app.lambda_context,
    )


@app.route("/cases", methods=["GET"])
@handles_problems
def list_cases() -> Response:
    principal = _citizen()
    params = _request().query_params or {}
    raw_limit = params.get("limit", "20")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 50:
        raise ValidationProblem("每页数量须为1至50", [{"field": "limit", "code": "invalid", "message": "每页数量须为1至50的整数"}])
    return json_response(cases.list_cases(services(), principal, int(raw_limit), params.get("cursor")))


@app.route("/cases/{case_id}", methods=["GET"])
@handles_problems
def get_case(case_id: str) -> Response:
    return json_response(cases.get_case(services(), _citizen(), case_id))


@app.route("/cases/{case_id}/submit", methods=["POST"])
@handles_problems
def submit_case(case_id: str) -> Response:
    principal = _citizen()
    return idempotently(
        "submit-case",
        principal,
        _request().headers.get("idempotency-key"),
        {"case_id": case_id},
        lambda: (202, cases.submit_case(services(), principal, case_id)),
        app.lambda_context,
    )


# --- local stack only (absent from every deployed stage) --------------------------

if get_settings().is_local:
    from chalicelib.auth import Principal as _Claims
    from chalicelib.models import DevTokenRequest

    @app.route("/dev/token", methods=["POST"])
    @handles_problems
    def dev_token() -> Response:
        claims = parse_model(DevTokenRequest, parse_json_body(_request().raw_body))
        principal = parse_model(_Claims, claims.model_dump(exclude_none=True))
        token = issue_dev_token(get_settings(), principal.model_dump(exclude_none=True))
        return json_response(DevToken(token=token), 201)

    @app.route("/dev/outbox", methods=["GET"])
    @handles_problems
    def dev_outbox() -> Response:
        from chalicelib import localstack as _local

        try:
            return json_response({"sent": _local.outbox()})
        except KeyError:
            raise NotFoundProblem("本地消息箱不可用") from None
