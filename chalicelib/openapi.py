"""The OpenAPI 3.1 document, with request and response schemas generated from the pydantic models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from chalicelib import models
from chalicelib.domain.banks import DISTRICTS
from chalicelib.http import CURSOR_MAX_LENGTH, CURSOR_PATTERN, IDEMPOTENCY_KEY_PATTERN, MAX_BODY_BYTES

PROBLEM = "application/problem+json"

_SCHEMAS: list[type[BaseModel]] = [
    models.Notice,
    models.MatterList,
    models.PrejudgeRequest,
    models.PrejudgeResult,
    models.CreateCaseRequest,
    models.CaseView,
    models.CaseList,
    models.AccessLogPage,
    models.ProblemDetails,
    models.Health,
    models.DevTokenRequest,
    models.DevToken,
    models.CounterCaseRequest,
    models.MaterialDeclaration,
    models.MaterialUpload,
    models.DecisionRequest,
    models.PensionDecisionRequest,
    models.ReviewView,
    models.ReviewList,
    models.ReviewDetail,
    models.CardIssued,
    models.CardNotMadeRequest,
    models.BankCardList,
    models.JobRunRequest,
    models.CalendarLoadRequest,
    models.CalendarYearView,
    models.DevClockRequest,
    models.DevClockView,
    models.UpdateCaseRequest,
    models.BankList,
    models.ScenarioList,
]


def _components() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for model in _SCHEMAS:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    return schemas


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _problems(*statuses: int) -> dict[str, Any]:
    text = {
        400: "请求格式错误",
        401: "未登录",
        403: "无权操作",
        404: "未找到",
        409: "状态冲突，或相同幂等键的请求正在处理中",
        410: "已超过办理时限",
        413: f"请求体过大（超过 {MAX_BODY_BYTES // 1024} KB）",
        422: "校验或预判未通过",
        429: "请求过于频繁（API 网关限流），请稍后重试",
        500: "系统繁忙",
        503: "暂时无法启动办理流程，草稿保留，可再次提交",
    }
    return {str(s): {"description": text[s], "content": {PROBLEM: {"schema": _ref("ProblemDetails")}}} for s in statuses}


def answered_by_every_route(*, auth: bool, body: bool, idempotent: bool, problems: tuple[int, ...] = ()) -> tuple[int, ...]:
    """The problem statuses an operation can answer, beside those of its own (`problems`).

    Every route: 413 (a body over the limit is refused at the edge, whatever the route), 429 (API
    Gateway's throttling) and 500. A route behind the authorizer: 401 and 403. A route that reads a
    JSON body: 400 (not JSON, or nested too deep) and 422. A route taking an Idempotency-Key: 409
    (the first request with that key still running) and 422 (a malformed key, or one reused).
    """
    statuses = {413, 429, 500, *problems}
    if auth:
        statuses |= {401, 403}
    if body:
        statuses |= {400, 422}
    if idempotent:
        statuses |= {409, 422}
    return tuple(sorted(statuses))


def _op(
    summary: str,
    response: str | None,
    status: int = 200,
    *,
    body: str | None = None,
    auth: bool = True,
    problems: tuple[int, ...] = (),
    params: list[dict] | None = None,
    idempotent: bool = False,
) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": {}}
    if response:
        op["responses"][str(status)] = {"description": "成功", "content": {"application/json": {"schema": _ref(response)}}}
    else:
        op["responses"][str(status)] = {"description": "成功", "content": {"application/json": {"schema": {"type": "object"}}}}
    op["responses"].update(_problems(*answered_by_every_route(auth=auth, body=bool(body), idempotent=idempotent, problems=problems)))
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(body)}}}
    op["security"] = [{"bearer": []}] if auth else []
    parameters = list(params or [])
    if idempotent:
        parameters.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": IDEMPOTENCY_KEY_PATTERN},
                "description": "同一键与相同请求体的重复请求返回首次的结果；同一键用于不同请求体为 422；首次请求仍在处理中为 409",
            }
        )
    if parameters:
        op["parameters"] = parameters
    return op


_CURSOR = {
    "name": "cursor",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": CURSOR_MAX_LENGTH, "pattern": CURSOR_PATTERN},
    "description": "上一页返回的 next_cursor",
}
_CASE_ID = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
_REVIEW_ID = {"name": "review_id", "in": "path", "required": True, "schema": {"type": "string"}, "description": "<case_id>.<matter>"}
_REQUEST_ID = {
    "name": "request_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "<case_id>.pension_account",
}
_PAGE = [
    {"name": "status", "in": "query", "required": False, "schema": {"type": "string", "enum": ["pending"]}},
    {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 20}},
    _CURSOR,
]
_YEAR = {"name": "year", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 2004, "maximum": 2099}}
_HTML = {"description": "可打印的 HTML（A4）", "content": {"text/html": {"schema": {"type": "string"}}}}


def document(include_dev: bool = False) -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/health": {"get": _op("存活检查", "Health", auth=False)},
        "/openapi.json": {"get": _op("本文档", None, auth=False)},
        "/notice": {"get": _op("当前用户须知", "Notice", auth=False)},
        "/matters": {"get": _op("8个联办事项", "MatterList", auth=False)},
        "/banks": {
            "get": _op(
                "合作银行及其办卡网点（可按区县筛选）",
                "BankList",
                auth=False,
                problems=(422,),
                params=[{"name": "district", "in": "query", "required": False, "schema": {"type": "string", "enum": sorted(DISTRICTS)}}],
            )
        },
        "/scenarios": {"get": _op("场景引导：按生活情形推荐联办事项及预填表单", "ScenarioList", auth=False)},
        "/prejudge": {"post": _op("条件预判（不创建案件）", "PrejudgeResult", body="PrejudgeRequest", problems=(400, 422))},
        "/cases": {
            "post": _op(
                "同意须知、选择事项、预判并创建案件", "CaseView", 201, body="CreateCaseRequest", problems=(400, 409, 422), idempotent=True
            ),
            "get": _op(
                "我的案件（新的在前，分页）",
                "CaseList",
                problems=(422,),
                params=[
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 20},
                    },
                    _CURSOR,
                ],
            ),
        },
        "/cases/{case_id}": {
            "get": _op("案件详情：状态、各事项结果、时间线、通知", "CaseView", problems=(404,), params=[_CASE_ID]),
            "patch": _op(
                "修改草稿：事项及表单（整体替换）或联系方式（未给出的字段保持不变）；重新预判，材料随事项调整",
                "CaseView",
                body="UpdateCaseRequest",
                problems=(400, 404, 409, 422),
                params=[_CASE_ID],
                idempotent=True,
            ),
            "delete": {
                **_op("删除草稿及已上传的材料（提交后不能删除）", None, 204, problems=(404, 409), params=[_CASE_ID]),
                "responses": {
                    "204": {"description": "已删除，无响应体"},
                    **_problems(*answered_by_every_route(auth=True, body=False, idempotent=False, problems=(404, 409))),
                },
            },
        },
        "/cases/{case_id}/submit": {
            "post": _op("提交案件，启动办理流程", "CaseView", 202, problems=(404, 409, 422, 503), params=[_CASE_ID], idempotent=True)
        },
        "/cases/{case_id}/materials": {
            "post": _op(
                "声明一项材料：得到上传链接，或告知已由数据共享提供",
                "MaterialUpload",
                201,
                body="MaterialDeclaration",
                problems=(404, 409, 422),
                params=[_CASE_ID],
            )
        },
        "/cases/{case_id}/withdraw": {"post": _op("撤回（事项提交部门审核前）", "CaseView", problems=(404, 409), params=[_CASE_ID])},
        "/cases/{case_id}/form": {
            "get": {
                **_op("2023版申请表（可打印）", None, problems=(404,), params=[_CASE_ID]),
                "responses": {
                    "200": _HTML,
                    **_problems(*answered_by_every_route(auth=True, body=False, idempotent=False, problems=(404,))),
                },
            }
        },
        "/cases/{case_id}/access-log": {
            "get": _op(
                "谁（角色、脱敏工号）在何时查看了本案件的个人信息（仅申请人本人，新的在前，分页）",
                "AccessLogPage",
                problems=(404, 422),
                params=[_CASE_ID, *_PAGE[1:]],
            )
        },
        "/audit/accesses": {
            "get": _op(
                "审计：按身份证号码（person）或工作人员工号（staff）查询个人信息访问记录（二者选一，新的在前，分页）",
                "AccessLogPage",
                problems=(422,),
                params=[
                    {"name": "person", "in": "query", "required": False, "schema": {"type": "string", "pattern": "^[0-9]{17}[0-9Xx]$"}},
                    {"name": "staff", "in": "query", "required": False, "schema": {"type": "string", "minLength": 1, "maxLength": 64}},
                    *_PAGE[1:],
                ],
            )
        },
        "/counter/cases": {
            "get": _op(
                "本服务网点受理的案件（新的在前，分页）；id_number 查某人的案件",
                "CaseList",
                problems=(422,),
                params=[
                    {"name": "id_number", "in": "query", "required": False, "schema": {"type": "string", "pattern": "^[0-9]{17}[0-9Xx]$"}}
                ]
                + _PAGE[1:],
            ),
            "post": _op(
                "窗口为到场申请人创建案件（可含代办人）",
                "CaseView",
                201,
                body="CounterCaseRequest",
                problems=(400, 409, 422),
                idempotent=True,
            ),
        },
        "/reviews": {
            "get": _op(
                "本区县待审核事项（先到期的在前）；status=decided 为已审核事项（新的在前）",
                "ReviewList",
                problems=(422,),
                params=[{"name": "status", "in": "query", "required": False, "schema": {"type": "string", "enum": ["pending", "decided"]}}]
                + _PAGE[1:],
            )
        },
        "/reviews/{review_id}": {
            "get": _op("审核详情：申请人信息、事项表单、办结时限、全部材料的下载链接", "ReviewDetail", problems=(404,), params=[_REVIEW_ID])
        },
        "/reviews/{review_id}/decision": {
            "post": _op(
                "审核决定：通过或驳回（一次有效）", "ReviewView", body="DecisionRequest", problems=(404, 409, 410, 422), params=[_REVIEW_ID]
            )
        },
        "/pension/requests": {"get": _op("待处理的养老金发放账号变更", "ReviewList", problems=(422,), params=_PAGE)},
        "/pension/requests/{request_id}/decision": {
            "post": _op(
                "受理或不予受理（生效月份由本服务计算）",
                "ReviewView",
                body="PensionDecisionRequest",
                problems=(404, 409, 410, 422),
                params=[_REQUEST_ID],
            )
        },
        "/bank/cards": {
            "get": _op(
                "本行待制卡的社会保障卡（申请人信息脱敏，分页）",
                "BankCardList",
                problems=(422,),
                params=[{"name": "status", "in": "query", "required": False, "schema": {"type": "string", "enum": ["awaiting_production"]}}]
                + _PAGE[1:],
            )
        },
        "/bank/cards/{card_id}/failed": {
            "post": _op(
                "银行未能制卡（原因将告知申请人；事项办理失败）",
                "CardIssued",
                body="CardNotMadeRequest",
                problems=(400, 404, 409, 422),
                params=[{"name": "card_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            )
        },
        "/bank/cards/{card_id}/issued": {
            "post": _op(
                "银行已制卡发放",
                "CardIssued",
                problems=(404, 409),
                params=[{"name": "card_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            )
        },
        "/admin/calendar/{year}": {
            "get": _op("某年的工作日历及其来源（运维人员）", "CalendarYearView", problems=(422,), params=[_YEAR]),
            "put": _op(
                "载入国务院公布的某年节假日安排，立即生效（运维人员）",
                "CalendarYearView",
                body="CalendarLoadRequest",
                problems=(400, 409, 422),
                params=[_YEAR],
            ),
        },
    }
    if include_dev:
        paths["/dev/token"] = {
            "post": _op("本地开发令牌（仅本地）", "DevToken", 201, body="DevTokenRequest", auth=False, problems=(400, 422))
        }
        paths["/dev/outbox"] = {"get": _op("已发送的短信和告警（仅本地）", None, auth=False)}
        paths["/dev/people"] = {"get": _op("演示登录页可选的居民和工作人员及其令牌声明（仅本地）", None, auth=False)}
        paths["/dev/jobs/{job}/run"] = {
            "post": _op(
                "按指定时间运行定时任务（仅本地）",
                None,
                body="JobRunRequest",
                auth=False,
                problems=(404, 422),
                params=[
                    {
                        "name": "job",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": ["deadline-alerts", "payout-switch", "materials-retention"]},
                    }
                ],
            )
        }
        paths["/dev/clock"] = {
            "put": _op(
                "设定业务时钟：此后按设定时间加实际经过的时间计（仅本地）",
                "DevClockView",
                body="DevClockRequest",
                auth=False,
                problems=(400, 422),
            ),
            "delete": _op("业务时钟恢复为真实时间（仅本地）", "DevClockView", auth=False),
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": "sscard — 我要办理社会保障卡 一件事", "version": "1.0.0"},
        "paths": paths,
        "components": {
            "schemas": _components(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
