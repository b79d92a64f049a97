"""sscard API: the social security card one-thing service (我要办理社会保障卡).

Routes are thin: parse the request into a pydantic model, call one service
function, map domain errors to problem+json. The state machine's tasks are
registered here as standalone Lambda functions (code in `functions/`).

Every Lambda function of the service imports this module, so its import is most of
a cold start: it imports Chalice, the HTTP edge and the logger, and each route imports
the models (pydantic), the principal and the services it calls at its first call
(issue 10: an entry point's import at most 3x a bare Chalice app's).
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, TypeVar

if os.environ.get("SSCARD_START_LOCAL_STACK") == "1":  # `make run`: moto in this process
    from chalicelib import localstack

    _stack = localstack.start()
    localstack.resume_lost_runs()  # at start, as on a schedule: no case left without a run (a restart loses every run)

from chalice import Chalice, Response

from chalicelib.errors import NotFoundProblem, ValidationProblem
from chalicelib.http import (
    answered,
    checked_cursor_text,
    checked_idempotency_key,
    handles_problems,
    idempotently,
    json_response,
    principal_of,
    refused_body,
)
from chalicelib.observability import flush_metrics, logger
from chalicelib.stage import is_local_stage
from functions.jobs import HANDLERS as JOB_HANDLERS
from functions.jobs import JOB_NAMES
from functions.workflow import HANDLERS

if TYPE_CHECKING:
    from pydantic import BaseModel

    from chalicelib.auth import Principal
    from chalicelib.wiring import Services

    Model = TypeVar("Model", bound=BaseModel)

app = Chalice(app_name="sscard")
app.api.cors = False

for _name, _handler in HANDLERS.items():
    globals()[_handler.__name__] = app.lambda_function(name=_name)(_handler)


@app.middleware("http")
def observe(event, get_response):  # noqa: ANN001, ANN201
    """One structured log line per request; the metrics of the request flushed once.

    The request's keys are the thread's own: the local stack serves requests and runs workflow
    tasks on several threads of one process, and a key appended for all would reach their lines.
    """
    logger.thread_safe_append_keys(path=event.path, method=event.method)
    try:
        response = refused_body(event.raw_body) or get_response(event)
        logger.info("request handled", extra={"status": response.status_code})
        return response
    finally:
        try:
            flush_metrics()
        finally:
            logger.thread_safe_clear_keys()  # a pooled thread's next request starts with none


def _request():  # noqa: ANN202
    return app.current_request


def services() -> Services:
    """The composition root's services (chalicelib/wiring.py), imported by the first route that calls one."""
    from chalicelib.wiring import services as built

    return built()


def _json_body() -> object:
    from chalicelib.validation import parse_json_body

    return parse_json_body(_request().raw_body)


def _parsed(model: type[Model], body: object) -> Model:
    """The request's JSON body as `model`; problem+json naming each wrong field when it is not one."""
    from chalicelib.validation import parse_model

    return parse_model(model, body)


def _citizen() -> Principal:
    from chalicelib.auth import require_citizen

    return require_citizen(principal_of(_request()))


def _staff(role: str) -> Principal:
    from chalicelib.auth import require_staff

    return require_staff(principal_of(_request()), role)


def _case_actor() -> Principal:
    """The applicant, or a counter clerk (who sees only their service point's cases)."""
    from chalicelib.auth import require_citizen

    principal = principal_of(_request())
    if principal.has("clerk") and principal.service_point:
        return principal
    return require_citizen(principal)


# --- operations ---------------------------------------------------------------


@app.route("/health", methods=["GET"])
@handles_problems
def health() -> Response:
    from chalicelib.models import Health
    from chalicelib.settings import get_settings

    return json_response(Health(status="ok", stage=get_settings().stage))


@app.route("/openapi.json", methods=["GET"])
@handles_problems
def openapi_document() -> Response:
    from chalicelib import openapi  # builds the document from every model: only this route needs it
    from chalicelib.settings import get_settings

    return json_response(openapi.document(include_dev=get_settings().is_local))


# --- citizen ------------------------------------------------------------------


@app.route("/notice", methods=["GET"])
@handles_problems
def notice() -> Response:
    from chalicelib.services import matter_guide

    return json_response(matter_guide.read_notice(services()))


@app.route("/matters", methods=["GET"])
@handles_problems
def matters() -> Response:
    from chalicelib.services import matter_guide

    return json_response(matter_guide.list_matters())


@app.route("/banks", methods=["GET"])
@handles_problems
def banks() -> Response:
    from chalicelib.services import guidance

    return json_response(guidance.list_banks((_request().query_params or {}).get("district")))


@app.route("/scenarios", methods=["GET"])
@handles_problems
def scenarios() -> Response:
    from chalicelib.services import guidance

    return json_response(guidance.list_scenarios())


@app.route("/prejudge", methods=["POST"])
@handles_problems
def prejudge() -> Response:
    from chalicelib.models import PrejudgeRequest
    from chalicelib.services import prejudging

    principal = _citizen()
    request = _parsed(PrejudgeRequest, _json_body())
    return json_response(prejudging.prejudge_for(services(), principal, request))


@app.route("/cases", methods=["POST"])
@handles_problems
def create_case() -> Response:
    from chalicelib.models import CreateCaseRequest
    from chalicelib.services import cases

    principal = _citizen()
    request = _parsed(CreateCaseRequest, _json_body())
    key = checked_idempotency_key(_request().headers.get("idempotency-key"))
    return answered(cases.create_case(services(), principal, request, key), 201, key)


def _page_params() -> tuple[int, str | None]:
    params = _request().query_params or {}
    raw_limit = params.get("limit", "20")
    if not re.fullmatch(r"[0-9]{1,2}", raw_limit) or not 1 <= int(raw_limit) <= 50:
        raise ValidationProblem("每页数量须为1至50", [{"field": "limit", "code": "invalid", "message": "每页数量须为1至50的整数"}])
    return int(raw_limit), checked_cursor_text(params.get("cursor"))


@app.route("/cases", methods=["GET"])
@handles_problems
def list_cases() -> Response:
    from chalicelib.services import case_views

    principal = _citizen()
    limit, cursor = _page_params()
    return json_response(case_views.list_cases(services(), principal, limit, cursor))


@app.route("/cases/{case_id}", methods=["GET"])
@handles_problems
def get_case(case_id: str) -> Response:
    from chalicelib.services import case_views

    return json_response(case_views.get_case(services(), _case_actor(), case_id))


@app.route("/cases/{case_id}/access-log", methods=["GET"])
@handles_problems
def case_access_log(case_id: str) -> Response:
    from chalicelib.services import access

    limit, cursor = _page_params()
    return json_response(access.case_access_log(services(), _citizen(), case_id, limit, cursor))


@app.route("/audit/accesses", methods=["GET"])
@handles_problems
def audit_accesses() -> Response:
    from chalicelib.services import access

    principal = _staff("auditor")
    params = _request().query_params or {}
    limit, cursor = _page_params()
    return json_response(access.audit_accesses(services(), principal, params.get("person"), params.get("staff"), limit, cursor))


@app.route("/cases/{case_id}", methods=["PATCH"])
@handles_problems
def update_case(case_id: str) -> Response:
    from chalicelib.models import UpdateCaseRequest
    from chalicelib.services import drafts

    principal = _case_actor()
    body = _json_body()
    request = _parsed(UpdateCaseRequest, body)
    return idempotently(
        "update-case",
        principal,
        _request().headers.get("idempotency-key"),
        {"case_id": case_id, "body": body},
        lambda: (200, drafts.update_draft(services(), principal, case_id, request)),
        app.lambda_context,
    )


@app.route("/cases/{case_id}", methods=["DELETE"])
@handles_problems
def delete_case(case_id: str) -> Response:
    from chalicelib.services import drafts

    drafts.delete_draft(services(), _case_actor(), case_id)
    return Response(body="", status_code=204)


@app.route("/cases/{case_id}/materials", methods=["POST"])
@handles_problems
def declare_material(case_id: str) -> Response:
    from chalicelib.models import MaterialDeclaration
    from chalicelib.services import materials

    principal = _case_actor()
    request = _parsed(MaterialDeclaration, _json_body())
    status, answer = materials.declare_material(services(), principal, case_id, request)
    return json_response(answer, status)


@app.route("/cases/{case_id}/withdraw", methods=["POST"])
@handles_problems
def withdraw_case(case_id: str) -> Response:
    from chalicelib.services import withdrawal

    return json_response(withdrawal.withdraw_case(services(), _case_actor(), case_id))


@app.route("/cases/{case_id}/form", methods=["GET"])
@handles_problems
def case_form(case_id: str) -> Response:
    from chalicelib.domain.access import Looked
    from chalicelib.services import case_views, form

    principal = _case_actor()
    record = case_views.load_own_case(services(), principal, case_id, Looked.FORM)
    return Response(body=form.render_form(record, principal), status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})


@app.route("/counter/cases", methods=["POST"])
@handles_problems
def create_counter_case() -> Response:
    from chalicelib.models import CounterCaseRequest
    from chalicelib.services import cases

    principal = _staff("clerk")
    request = _parsed(CounterCaseRequest, _json_body())
    key = checked_idempotency_key(_request().headers.get("idempotency-key"))
    return answered(cases.create_counter_case(services(), principal, request, key), 201, key)


@app.route("/counter/cases", methods=["GET"])
@handles_problems
def list_counter_cases() -> Response:
    from chalicelib.domain.resident_id import normalize_resident_id, resident_id_error
    from chalicelib.services import case_views

    principal = _staff("clerk")
    raw_id = (_request().query_params or {}).get("id_number")
    id_number = None
    if raw_id is not None:
        if (wrong := resident_id_error(raw_id)) is not None:  # the same validator as everywhere: it names the wrong part
            raise ValidationProblem(wrong.message, [{"field": "id_number", "code": wrong.code, "message": wrong.message}])
        id_number = normalize_resident_id(raw_id)
    limit, cursor = _page_params()
    return json_response(case_views.list_counter_cases(services(), principal, id_number, limit, cursor))


@app.route("/cases/{case_id}/submit", methods=["POST"])
@handles_problems
def submit_case(case_id: str) -> Response:
    from chalicelib.services import cases

    principal = _case_actor()
    key = checked_idempotency_key(_request().headers.get("idempotency-key"))
    return answered(cases.submit_case(services(), principal, case_id, key), 202, key)


# --- departments and partners -----------------------------------------------------


def _pending_only() -> None:
    status = (_request().query_params or {}).get("status", "pending")
    if status != "pending":
        raise ValidationProblem("目前只能查询待审核事项", [{"field": "status", "code": "invalid", "message": "查询状态只能为待审核"}])


@app.route("/reviews", methods=["GET"])
@handles_problems
def list_reviews() -> Response:
    from chalicelib.services import reviews

    principal = _staff("reviewer")
    status = (_request().query_params or {}).get("status", "pending")
    if status not in ("pending", "decided"):
        raise ValidationProblem(
            "只能查询待审核或已审核事项", [{"field": "status", "code": "invalid", "message": "查询状态只能为待审核或已审核"}]
        )
    limit, cursor = _page_params()
    if status == "decided":
        return json_response(reviews.list_decided(services(), principal, limit, cursor))
    return json_response(reviews.list_pending(services(), principal, "hr", limit, cursor))


@app.route("/reviews/{review_id}", methods=["GET"])
@handles_problems
def get_review(review_id: str) -> Response:
    from chalicelib.services import reviews

    principal = _staff("reviewer")
    return json_response(reviews.get_review(services(), principal, review_id))


@app.route("/reviews/{review_id}/decision", methods=["POST"])
@handles_problems
def decide_review(review_id: str) -> Response:
    from chalicelib.models import DecisionRequest
    from chalicelib.services import reviews

    principal = _staff("reviewer")
    request = _parsed(DecisionRequest, _json_body())
    return json_response(reviews.decide(services(), principal, review_id, request, "hr"))


@app.route("/pension/requests", methods=["GET"])
@handles_problems
def list_pension_requests() -> Response:
    from chalicelib.services import reviews

    principal = _staff("pension_system")
    _pending_only()
    limit, cursor = _page_params()
    return json_response(reviews.list_pending(services(), principal, "pension", limit, cursor))


@app.route("/pension/requests/{request_id}/decision", methods=["POST"])
@handles_problems
def decide_pension_request(request_id: str) -> Response:
    from chalicelib.models import PensionDecisionRequest
    from chalicelib.services import reviews

    principal = _staff("pension_system")
    request = _parsed(PensionDecisionRequest, _json_body())
    return json_response(reviews.decide_pension(services(), principal, request_id, request))


@app.route("/bank/cards", methods=["GET"])
@handles_problems
def bank_cards() -> Response:
    from chalicelib.services import bank

    principal = _staff("bank")
    status = (_request().query_params or {}).get("status", "awaiting_production")
    if status != "awaiting_production":
        raise ValidationProblem("只能查询待制卡的社会保障卡", [{"field": "status", "code": "invalid", "message": "查询状态只能为待制卡"}])
    limit, cursor = _page_params()
    return json_response(bank.list_cards(services(), principal, limit, cursor))


@app.route("/bank/cards/{card_id}/issued", methods=["POST"])
@handles_problems
def bank_card_issued(card_id: str) -> Response:
    from chalicelib.services import bank

    principal = _staff("bank")
    return json_response(bank.card_issued(services(), principal, card_id))


@app.route("/bank/cards/{card_id}/failed", methods=["POST"])
@handles_problems
def bank_card_failed(card_id: str) -> Response:
    from chalicelib.models import CardNotMadeRequest
    from chalicelib.services import bank

    principal = _staff("bank")
    request = _parsed(CardNotMadeRequest, _json_body())
    return json_response(bank.card_not_made(services(), principal, card_id, request))


# --- operations: the working-day calendar (operators) ---------------------------------


@app.route("/admin/calendar/{year}", methods=["GET"])
@handles_problems
def read_calendar(year: str) -> Response:
    from chalicelib.services import working_calendar

    _staff("operator")
    return json_response(working_calendar.read_year(services(), year))


@app.route("/admin/calendar/{year}", methods=["PUT"])
@handles_problems
def load_calendar(year: str) -> Response:
    from chalicelib.models import CalendarLoadRequest
    from chalicelib.services import working_calendar

    principal = _staff("operator")
    request = _parsed(CalendarLoadRequest, _json_body())
    return json_response(working_calendar.load_year(services(), principal, year, request))


# --- scheduled jobs and event-driven functions (code in functions/jobs.py) ---------

for _name, _handler in JOB_HANDLERS.items():
    globals()[_handler.__name__] = app.lambda_function(name=_name)(_handler)


# --- local stack only (absent from every deployed stage) --------------------------

if is_local_stage():  # the exact word `local` only; a missing SSCARD_STAGE stops the import (chalicelib/stage.py)
    # The local stack's own routes import what they need here: no Lambda runs this stage.
    from chalicelib.auth import Principal as _Claims
    from chalicelib.auth import issue_dev_token
    from chalicelib.models import DevClockRequest, DevToken, DevTokenRequest, JobRunRequest
    from chalicelib.services import dev_clock
    from chalicelib.settings import get_settings
    from chalicelib.validation import parse_model
    from functions.jobs import jobs

    @app.route("/dev/token", methods=["POST"])
    @handles_problems
    def dev_token() -> Response:
        claims = _parsed(DevTokenRequest, _json_body())
        principal = parse_model(_Claims, claims.model_dump(exclude_none=True))
        token = issue_dev_token(get_settings(), principal.model_dump(exclude_none=True, by_alias=True))
        return json_response(DevToken(token=token), 201)

    @app.route("/dev/people", methods=["GET"])
    @handles_problems
    def dev_people() -> Response:
        from chalicelib.services.demo_people import demo_people

        return json_response(demo_people(get_settings()))

    @app.route("/dev/outbox", methods=["GET"])
    @handles_problems
    def dev_outbox() -> Response:
        from chalicelib import localstack as _local

        try:
            return json_response({"sent": _local.outbox()})
        except KeyError:
            raise NotFoundProblem("本地消息箱不可用") from None

    @app.route("/dev/jobs/{job}/run", methods=["POST"])
    @handles_problems
    def dev_run_job(job: str) -> Response:
        if job not in JOB_NAMES:
            raise NotFoundProblem(f"没有该定时任务（可用：{'、'.join(JOB_NAMES.values())}）")
        request = _parsed(JobRunRequest, _json_body())
        return json_response(jobs()[job](services(), request.time))

    @app.route("/dev/clock", methods=["PUT"])
    @handles_problems
    def dev_set_clock() -> Response:
        request = _parsed(DevClockRequest, _json_body())
        return json_response(dev_clock.set_clock(services(), request))

    @app.route("/dev/clock", methods=["DELETE"])
    @handles_problems
    def dev_reset_clock() -> Response:
        return json_response(dev_clock.reset_clock(services()))
