"""The OpenAPI 3.1 document, with request and response schemas generated from the pydantic models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from chalicelib import models
from chalicelib.domain.banks import DISTRICTS
from chalicelib.errors import ERROR_CODE_TEXT, REASON_CODE_TEXT
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


def _enum_texts() -> dict[str, dict[str, str]]:
    """Each enumeration's values in Chinese: `x-enum-descriptions` (openapi-typescript keeps `enum` a union of literals)."""
    from chalicelib.domain.cards import CARD_STATUS_NAMES
    from chalicelib.domain.case import CASE_STATUS_NAMES, MATTER_STATUS_NAMES
    from chalicelib.domain.catalogue import CATALOGUE, MATERIAL_NAMES

    return {
        "ErrorCode": {code.value: text for code, text in ERROR_CODE_TEXT.items()},
        "ReasonCode": {code.value: text for code, text in REASON_CODE_TEXT.items()},
        "MatterCode": {code.value: matter.name for code, matter in CATALOGUE.items()},
        "Material": {kind.value: name for kind, name in MATERIAL_NAMES.items()},
        "CaseStatus": {status.value: name for status, name in CASE_STATUS_NAMES.items()},
        "MatterStatus": {status.value: name for status, name in MATTER_STATUS_NAMES.items()},
        "CardStatus": {status.value: name for status, name in CARD_STATUS_NAMES.items()},
    }


def _components() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for model in _SCHEMAS:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    for name, texts in _enum_texts().items():
        enum = schemas[name]
        enum["x-enum-descriptions"] = [texts[value] for value in enum["enum"]]
        enum["description"] = "；".join(f"{value} {texts[value]}" for value in enum["enum"])
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


# The audiences: one tag each, so that a generated client or a reader finds their operations together.
TAGS: dict[str, str] = {
    "citizen": "市民（申请人）：须知、事项、预判、案件、材料、提交、查询",
    "counter": "窗口人员（服务网点、合作银行网点）：为到场申请人办理",
    "review": "人社部门审核人员：申领、补换的审核",
    "pension": "养老保险业务系统：发放账号变更的受理",
    "bank": "合作银行：制卡与发放",
    "operator": "运维人员：工作日历；存活检查与本文档",
    "auditor": "审计人员：个人信息访问记录",
    "local": "仅本地开发环境（部署的环境没有这些接口）",
}


def _op(
    summary: str,
    response: str | None,
    status: int = 200,
    *,
    id: str,  # noqa: A002 - the document's word for it (operationId)
    tag: str,
    description: str = "",
    body: str | None = None,
    auth: bool = True,
    problems: tuple[int, ...] = (),
    params: list[dict] | None = None,
    idempotent: bool = False,
    example: Any = None,
    answer: Any = None,
) -> dict[str, Any]:
    """One operation. `example`: a request body; `answer`: the main response's body (both checked by the tests)."""
    op: dict[str, Any] = {"operationId": id, "tags": [tag], "summary": summary, "description": description or summary, "responses": {}}
    content: dict[str, Any] = {"schema": _ref(response) if response else {"type": "object"}}
    if answer is not None:
        content["example"] = answer
    op["responses"][str(status)] = {"description": "成功", "content": {"application/json": content}}
    op["responses"].update(_problems(*answered_by_every_route(auth=auth, body=bool(body), idempotent=idempotent, problems=problems)))
    if body:
        request: dict[str, Any] = {"schema": _ref(body)}
        if example is not None:
            request["example"] = example
        op["requestBody"] = {"required": True, "content": {"application/json": request}}
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
    "description": "上一页返回的 next_cursor（不透明）",
}
_HTML = {"description": "可打印的 HTML（A4）", "content": {"text/html": {"schema": {"type": "string"}}}}


# --- examples (tests/unit/test_the_contract_is_typed_and_described.py checks each against its schema) ------

CASE_ID = "3f1c2b9e-8a47-4d2e-9b61-5c0e7a1d2f43"
_APPLY_FORM: dict[str, Any] = {"bank": "中国银行黄山分行", "branch": "屯溪支行"}
_CONTACT: dict[str, Any] = {"phone": "13905590001", "address": "安徽省黄山市屯溪区新安北路18号"}
CREATE_CASE: dict[str, Any] = {
    "consent": {"notice_version": "2023.1", "agreed": True},
    "matters": [{"code": "loss", "form": {"action": "report"}}, {"code": "reissue", "form": {"kind": "lost", **_APPLY_FORM}}],
    "contact": _CONTACT,
}
PREJUDGE: dict[str, Any] = {"matters": [{"code": "loss", "form": {"action": "report"}}, {"code": "reissue", "form": {"kind": "lost"}}]}
PREJUDGE_RESULT: dict[str, Any] = {
    "passed": False,
    "matters": [
        {"matter": "loss", "passed": True, "errors": []},
        {
            "matter": "reissue",
            "passed": False,
            "errors": [
                {
                    "matter": "reissue",
                    "code": "APPLICATION_IN_PROGRESS",
                    "message": "您已有正在办理中的社会保障卡申领或补换申请，请等待办理结果",
                }
            ],
        },
    ],
}
_CARD: dict[str, Any] = {"card_id": "HS0001", "bank": "中国工商银行黄山分行", "account_number": "****0017"}
CASE_VIEW: dict[str, Any] = {
    "case_id": CASE_ID,
    "status": "processing",
    "channel": "online",
    "service_point": None,
    "clerk": None,
    "agent": None,
    "identity_check": None,
    "applicant": {"name": "王芳", "id_number": "342701198503120022"},
    "contact": _CONTACT,
    "consent": {"notice_version": "2023.1", "consented_at": "2026-12-01T09:30:00+08:00"},
    "created_at": "2026-12-01T09:30:00+08:00",
    "submitted_at": "2026-12-01T09:41:00+08:00",
    "finished_at": None,
    "matters": [
        {
            "code": "reissue",
            "name": "社会保障卡补领、换领、换发",
            "status": "awaiting_review",
            "time_limit_text": "1个工作日",
            "form": {"kind": "lost", **_APPLY_FORM},
            "result": None,
            "reason": None,
            "reason_code": None,
            "due_at": "2026-12-02T23:59:59+08:00",
            "updated_at": "2026-12-01T09:41:05+08:00",
        },
        {
            "code": "loss",
            "name": "社会保障卡挂失、解挂",
            "status": "succeeded",
            "time_limit_text": "即时办结",
            "form": {"action": "report"},
            "result": {"card_status": "lost", "card_status_text": "已挂失", **_CARD, "action": "report"},
            "reason": None,
            "reason_code": None,
            "due_at": None,
            "updated_at": "2026-12-01T09:41:03+08:00",
        },
    ],
    "materials": [
        {
            "kind": "id_card_front",
            "name": "居民身份证（人像面）",
            "status": "provided",
            "source": "data_sharing",
            "provided_at": "2026-12-01T09:30:00+08:00",
            "reason": None,
        },
        {
            "kind": "photo",
            "name": "个人照片",
            "status": "rejected",
            "source": None,
            "provided_at": None,
            "reason": "文件实际为PNG图片，与声明的JPEG图片不符",
        },
    ],
    "timeline": [
        {"at": "2026-12-01T09:30:00+08:00", "kind": "created", "text": "已同意用户须知，创建案件", "matter": None},
        {
            "at": "2026-12-01T09:41:03+08:00",
            "kind": "matter_succeeded",
            "text": "社会保障卡挂失、解挂：已办结。您的社会保障卡已挂失。",
            "matter": "loss",
        },
    ],
    "notifications": [
        {
            "at": "2026-12-01T09:41:03+08:00",
            "channel": "sms",
            "to": "139****0001",
            "text": "【社保卡一件事】您申请的“社会保障卡挂失、解挂”已办结。",
        }
    ],
}
PREJUDGMENT_FAILED: dict[str, Any] = {
    "type": "https://sscard.example.gov.cn/problems/prejudgment-failed",
    "title": "条件预判未通过",
    "status": 422,
    "detail": "社会保障卡申领：您已持有有效社会保障卡，无需重复申领",
    "errors": [{"matter": "apply", "code": "CARD_EXISTS", "message": "您已持有有效社会保障卡，无需重复申领"}],
}
FIELD_INVALID: dict[str, Any] = {
    "type": "https://sscard.example.gov.cn/problems/validation",
    "title": "提交的信息不符合要求",
    "status": 422,
    "detail": "以下字段有误：matters[0].form.bank",
    "errors": [{"field": "matters[0].form.bank", "code": "UNKNOWN_BANK", "message": "“随便银行”不是合作银行，请从合作银行列表中选择"}],
}
MATERIAL_DECLARATION: dict[str, Any] = {"kind": "photo", "content_type": "image/jpeg", "size": 48213}
MATERIAL_UPLOAD: dict[str, Any] = {
    "kind": "photo",
    "status": "awaiting_upload",
    "source": None,
    "provided_at": None,
    "upload": {
        "url": "https://sscard-materials.s3.amazonaws.com/",
        "fields": {
            "Content-Type": "image/jpeg",
            "key": f"cases/{CASE_ID}/photo/5b0c1e7f2a9d4c3b8e6f1a2d3c4b5a69.jpg",
            "policy": "eyJleHBpcmF0aW9uIjogIjIwMjYtMTItMDFUMDE6NDY6MDBaIn0=",
            "x-amz-algorithm": "AWS4-HMAC-SHA256",
            "x-amz-credential": "AKIAEXAMPLE/20261201/cn-north-1/s3/aws4_request",
            "x-amz-date": "20261201T013600Z",
            "x-amz-signature": "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
        },
    },
    "max_bytes": 5242880,
    "expires_in": 600,
}
MATERIAL_PROVIDED: dict[str, Any] = {
    "kind": "id_card_front",
    "status": "provided",
    "source": "data_sharing",
    "provided_at": "2026-12-01T09:30:00+08:00",
    "upload": None,
    "max_bytes": None,
    "expires_in": None,
}
COUNTER_CASE: dict[str, Any] = {
    "consent": {"notice_version": "2023.1", "agreed": True},
    "applicant": {"id_number": "341004198811200040", "name": "刘洋"},
    "agent": {"name": "刘建国", "id_number": "341004196002150013", "phone": "13905590099", "relation": "父子"},
    "id_card_checked": True,
    "matters": [{"code": "loss", "form": {"action": "revoke"}}],
    "contact": {"phone": "13905590003", "address": "安徽省黄山市徽州区岩寺镇文峰路9号"},
}
UPDATE_CASE: dict[str, Any] = {"contact": {"phone": "13905590011"}}
DECISION: dict[str, Any] = {"decision": "reject", "reason": "照片不清晰，请重新上传本人近期免冠照片"}
PENSION_DECISION: dict[str, Any] = {"decision": "accept", "accepted_at": "2026-12-01T10:05:00+08:00"}
CARD_NOT_MADE: dict[str, Any] = {"reason": "照片不符合制卡要求"}
CALENDAR_LOAD: dict[str, Any] = {
    "notice": "国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕7号）",
    "holidays": [{"name": "元旦", "date": "2027-01-01"}, {"name": "春节", "start": "2027-02-05", "end": "2027-02-12"}],
    "working_days": ["2027-02-14"],
}
BANK_LIST: dict[str, Any] = {
    "banks": [
        {
            "code": "icbc",
            "name": "中国工商银行黄山分行",
            "branches": [{"code": "icbc-tunxi", "name": "屯溪支行", "district": "341002", "district_name": "屯溪区"}],
        }
    ]
}
REVIEW: dict[str, Any] = {
    "review_id": f"{CASE_ID}.reissue",
    "case_id": CASE_ID,
    "matter": "reissue",
    "matter_name": "社会保障卡补领、换领、换发",
    "department": "hr",
    "district": "341002",
    "applicant_name": "王芳",
    "applicant_id_number": "342701********0022",
    "channel": "online",
    "form": {"kind": "lost", **_APPLY_FORM},
    "status": "decided",
    "due_at": "2026-12-02T23:59:59+08:00",
    "submitted_at": "2026-12-01T09:41:00+08:00",
    "decision": "reject",
    "reason": "照片不清晰，请重新上传本人近期免冠照片",
    "decided_at": "2026-12-01T14:20:00+08:00",
    "result": None,
    "materials": [],
}


def _param(name: str, where: str, description: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required or where == "path", "description": description, "schema": schema}


def document(include_dev: bool = False) -> dict[str, Any]:
    case = _param("case_id", "path", "案件编号", {"type": "string", "format": "uuid"})
    review = _param("review_id", "path", "<case_id>.<matter>", {"type": "string"})
    request_id = _param("request_id", "path", "<case_id>.pension_account", {"type": "string"})
    card = _param("card_id", "path", "卡编号（GET /bank/cards 的 card_id）", {"type": "string"})
    year = _param("year", "path", "年份", {"type": "integer", "minimum": 2004, "maximum": 2099})
    limit = _param("limit", "query", "每页条数（1至50）", {"type": "integer", "minimum": 1, "maximum": 50, "default": 20})
    id_number = {"type": "string", "pattern": "^[0-9]{17}[0-9Xx]$"}
    citizen_and_counter = "citizen"
    paths: dict[str, Any] = {
        "/health": {"get": _op("存活检查", "Health", id="getHealth", tag="operator", auth=False)},
        "/openapi.json": {
            "get": _op(
                "本文档", None, id="getOpenApiDocument", tag="operator", auth=False, description="本 OpenAPI 3.1 文档；/dev 接口仅本地出现"
            )
        },
        "/notice": {
            "get": _op(
                "当前用户须知",
                "Notice",
                id="getNotice",
                tag="citizen",
                auth=False,
                description="办理前须阅读的用户须知及承诺；创建案件时 consent.notice_version 须为其 version",
            )
        },
        "/matters": {
            "get": _op(
                "8个联办事项",
                "MatterList",
                id="listMatters",
                tag="citizen",
                auth=False,
                description="每个事项的代码、名称、时限、经办部门、所需材料（中文名称及 kind）、表单字段（中文标签、可选值）",
            )
        },
        "/banks": {
            "get": _op(
                "合作银行及其办卡网点（可按区县筛选）",
                "BankList",
                id="listBanks",
                tag="citizen",
                auth=False,
                problems=(422,),
                description="申领、补换表单的 bank、branch 须取自此列表（名称或代码）；其他值为 422 UNKNOWN_BANK / UNKNOWN_BRANCH",
                params=[_param("district", "query", "黄山市的区县代码：只列该区县的网点", {"type": "string", "enum": sorted(DISTRICTS)})],
                answer=BANK_LIST,
            )
        },
        "/scenarios": {
            "get": _op("场景引导：按生活情形推荐联办事项及预填表单", "ScenarioList", id="listScenarios", tag="citizen", auth=False)
        },
        "/prejudge": {
            "post": _op(
                "条件预判（不创建案件）",
                "PrejudgeResult",
                id="prejudgeMatters",
                tag="citizen",
                body="PrejudgeRequest",
                problems=(400, 422),
                description="按登录身份查询卡和养老保险记录，判断每个所选事项能否办理，给出原因代码和中文说明；表单可不完整",
                example=PREJUDGE,
                answer=PREJUDGE_RESULT,
            )
        },
        "/cases": {
            "post": _op(
                "同意须知、选择事项、预判并创建案件",
                "CaseView",
                201,
                id="createCase",
                tag="citizen",
                body="CreateCaseRequest",
                problems=(400, 409, 422),
                idempotent=True,
                description="创建草稿案件：预判未通过为 422 prejudgment-failed（errors 逐项给出 matter、code、message）；"
                "答复含所需材料及已由数据共享提供的材料",
                example=CREATE_CASE,
                answer={
                    **CASE_VIEW,
                    "status": "draft",
                    "submitted_at": None,
                    "matters": [{**m, "status": "pending", "result": None, "due_at": None} for m in CASE_VIEW["matters"]],
                },
            ),
            "get": _op(
                "我的案件（新的在前，分页）",
                "CaseList",
                id="listMyCases",
                tag="citizen",
                problems=(422,),
                params=[limit, _CURSOR],
            ),
        },
        "/cases/{case_id}": {
            "get": _op(
                "案件详情：状态、各事项结果、时间线、通知",
                "CaseView",
                id="getCase",
                tag=citizen_and_counter,
                problems=(404,),
                params=[case],
                description="办理中请轮询（如每3秒）：各事项的 status、result 或 reason/reason_code，材料的检查结果，时间线和短信",
                answer=CASE_VIEW,
            ),
            "patch": _op(
                "修改草稿：事项及表单（整体替换）或联系方式（未给出的字段保持不变）；重新预判，材料随事项调整",
                "CaseView",
                id="updateDraft",
                tag=citizen_and_counter,
                body="UpdateCaseRequest",
                problems=(400, 404, 409, 422),
                params=[case],
                idempotent=True,
                example=UPDATE_CASE,
            ),
            "delete": {
                **_op("删除草稿及已上传的材料（提交后不能删除）", None, 204, id="deleteDraft", tag=citizen_and_counter, params=[case]),
                "responses": {
                    "204": {"description": "已删除，无响应体"},
                    **_problems(*answered_by_every_route(auth=True, body=False, idempotent=False, problems=(404, 409))),
                },
            },
        },
        "/cases/{case_id}/submit": {
            "post": _op(
                "提交案件，启动办理流程",
                "CaseView",
                202,
                id="submitCase",
                tag=citizen_and_counter,
                problems=(404, 409, 422, 503),
                params=[case],
                idempotent=True,
                description="材料未齐为 422（errors 逐项 MATERIAL_MISSING / MATERIAL_REJECTED）；流程的第一步按此刻的记录再次预判",
            )
        },
        "/cases/{case_id}/materials": {
            "post": _op(
                "声明一项材料：得到上传链接，或告知已由数据共享提供",
                "MaterialUpload",
                201,
                id="declareMaterial",
                tag=citizen_and_counter,
                body="MaterialDeclaration",
                problems=(404, 409, 422),
                params=[case],
                description="201：awaiting_upload 与 S3 预签名 POST（upload.url、upload.fields；fields 原样作为表单字段，文件字段名 file，"
                "在 expires_in 秒内上传，不超过 max_bytes）。200：该材料已由数据共享提供（status provided），无需上传。"
                "上传后服务按内容检查，结果见 GET /cases/{case_id} 的 materials[]：uploaded，或 rejected 及 reason（须再次声明并重传）",
                example=MATERIAL_DECLARATION,
                answer=MATERIAL_UPLOAD,
            )
        },
        "/cases/{case_id}/withdraw": {
            "post": _op(
                "撤回（事项提交部门审核前）", "CaseView", id="withdrawCase", tag=citizen_and_counter, problems=(404, 409), params=[case]
            )
        },
        "/cases/{case_id}/form": {
            "get": {
                **_op("2023版申请表（可打印）", None, id="getCaseForm", tag=citizen_and_counter, params=[case]),
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
                id="getCaseAccessLog",
                tag="citizen",
                problems=(404, 422),
                params=[case, limit, _CURSOR],
            )
        },
        "/audit/accesses": {
            "get": _op(
                "审计：按身份证号码（person）或工作人员工号（staff）查询个人信息访问记录（二者选一，新的在前，分页）",
                "AccessLogPage",
                id="listAccesses",
                tag="auditor",
                problems=(422,),
                params=[
                    _param("person", "query", "被查看者的身份证号码", id_number),
                    _param("staff", "query", "工作人员工号", {"type": "string", "minLength": 1, "maxLength": 64}),
                    limit,
                    _CURSOR,
                ],
            )
        },
        "/counter/cases": {
            "get": _op(
                "本服务网点受理的案件（新的在前，分页）；id_number 查某人的案件",
                "CaseList",
                id="listCounterCases",
                tag="counter",
                problems=(422,),
                params=[_param("id_number", "query", "申请人身份证号码", id_number), limit, _CURSOR],
            ),
            "post": _op(
                "窗口为到场申请人创建案件（可含代办人）",
                "CaseView",
                201,
                id="createCounterCase",
                tag="counter",
                body="CounterCaseRequest",
                problems=(400, 409, 422),
                idempotent=True,
                description="与 POST /cases 相同，另含申请人、代办人及身份证原件查验；姓名与身份证号码不一致为 422 IDENTITY_MISMATCH",
                example=COUNTER_CASE,
            ),
        },
        "/reviews": {
            "get": _op(
                "本区县待审核事项（先到期的在前）；status=decided 为已审核事项（新的在前）",
                "ReviewList",
                id="listReviews",
                tag="review",
                problems=(422,),
                params=[
                    _param("status", "query", "pending 待审核 / decided 已审核", {"type": "string", "enum": ["pending", "decided"]}),
                    limit,
                    _CURSOR,
                ],
            )
        },
        "/reviews/{review_id}": {
            "get": _op(
                "审核详情：申请人信息、事项表单、办结时限、全部材料的下载链接",
                "ReviewDetail",
                id="getReview",
                tag="review",
                problems=(404,),
                params=[review],
            )
        },
        "/reviews/{review_id}/decision": {
            "post": _op(
                "审核决定：通过或驳回（一次有效）",
                "ReviewView",
                id="decideReview",
                tag="review",
                body="DecisionRequest",
                problems=(404, 409, 410, 422),
                params=[review],
                description="approve 通过（新卡交合作银行制卡）或 reject 驳回（须填理由，告知申请人）；已决定为 409，等待已结束为 410",
                example=DECISION,
                answer=REVIEW,
            )
        },
        "/pension/requests": {
            "get": _op(
                "待处理的养老金发放账号变更",
                "ReviewList",
                id="listPensionRequests",
                tag="pension",
                problems=(422,),
                params=[_param("status", "query", "pending 待处理", {"type": "string", "enum": ["pending"]}), limit, _CURSOR],
            )
        },
        "/pension/requests/{request_id}/decision": {
            "post": _op(
                "受理或不予受理（生效月份由本服务计算）",
                "ReviewView",
                id="decidePensionRequest",
                tag="pension",
                body="PensionDecisionRequest",
                problems=(404, 409, 410, 422),
                params=[request_id],
                example=PENSION_DECISION,
            )
        },
        "/bank/cards": {
            "get": _op(
                "本行待制卡的社会保障卡（申请人信息脱敏，分页）",
                "BankCardList",
                id="listBankCards",
                tag="bank",
                problems=(422,),
                params=[
                    _param("status", "query", "awaiting_production 待制卡", {"type": "string", "enum": ["awaiting_production"]}),
                    limit,
                    _CURSOR,
                ],
            )
        },
        "/bank/cards/{card_id}/failed": {
            "post": _op(
                "银行未能制卡（原因将告知申请人；事项办理失败）",
                "CardIssued",
                id="markCardNotMade",
                tag="bank",
                body="CardNotMadeRequest",
                problems=(400, 404, 409, 422),
                params=[card],
                example=CARD_NOT_MADE,
            )
        },
        "/bank/cards/{card_id}/issued": {
            "post": _op("银行已制卡发放", "CardIssued", id="markCardIssued", tag="bank", problems=(404, 409), params=[card])
        },
        "/admin/calendar/{year}": {
            "get": _op(
                "某年的工作日历及其来源（运维人员）",
                "CalendarYearView",
                id="getCalendarYear",
                tag="operator",
                problems=(422,),
                params=[year],
            ),
            "put": _op(
                "载入国务院公布的某年节假日安排，立即生效（运维人员）",
                "CalendarYearView",
                id="loadCalendarYear",
                tag="operator",
                body="CalendarLoadRequest",
                problems=(400, 409, 422),
                params=[year],
                example=CALENDAR_LOAD,
            ),
        },
    }
    # what a front-end shows when a case is refused: a field named, or each matter's pre-judgment reasons
    paths["/cases"]["post"]["responses"]["422"]["content"][PROBLEM]["examples"] = {
        "prejudgment": {"summary": "条件预判未通过", "value": PREJUDGMENT_FAILED},
        "field": {"summary": "字段有误", "value": FIELD_INVALID},
    }
    # a material data sharing already provided answers 200 with no link (201 is the link)
    paths["/cases/{case_id}/materials"]["post"]["responses"]["200"] = {
        "description": "已由数据共享提供，无需上传",
        "content": {"application/json": {"schema": _ref("MaterialUpload"), "example": MATERIAL_PROVIDED}},
    }
    for path in ("/cases/{case_id}", "/cases/{case_id}/submit", "/cases/{case_id}/materials", "/cases/{case_id}/withdraw"):
        for op in paths[path].values():
            op["tags"] = ["citizen", "counter"]  # the applicant's routes, used by a clerk for their service point's cases
    paths["/cases/{case_id}/form"]["get"]["tags"] = ["citizen", "counter"]
    if include_dev:
        from functions.jobs import JOB_NAMES  # the local stack's jobs (only the local document lists them)

        paths["/dev/token"] = {
            "post": _op(
                "本地开发令牌（仅本地）",
                "DevToken",
                201,
                id="issueDevToken",
                tag="local",
                body="DevTokenRequest",
                auth=False,
                problems=(400, 422),
                example={"sub": "342701198503120022", "name": "王芳", "roles": ["citizen"]},
            )
        }
        paths["/dev/outbox"] = {"get": _op("已发送的短信和告警（仅本地）", None, id="listDevOutbox", tag="local", auth=False)}
        paths["/dev/people"] = {
            "get": _op("演示登录页可选的居民和工作人员及其令牌声明（仅本地）", None, id="listDevPeople", tag="local", auth=False)
        }
        paths["/dev/jobs/{job}/run"] = {
            "post": _op(
                "按指定时间运行定时任务（仅本地）",
                None,
                id="runDevJob",
                tag="local",
                body="JobRunRequest",
                auth=False,
                problems=(404, 422),
                params=[_param("job", "path", "定时任务", {"type": "string", "enum": sorted(JOB_NAMES)})],
                example={"time": "2026-12-02T20:00:00+08:00"},
            )
        }
        paths["/dev/clock"] = {
            "put": _op(
                "设定业务时钟：此后按设定时间加实际经过的时间计（仅本地）",
                "DevClockView",
                id="setDevClock",
                tag="local",
                body="DevClockRequest",
                auth=False,
                problems=(400, 422),
                example={"time": "2026-12-15T23:50:00+08:00"},
            ),
            "delete": _op("业务时钟恢复为真实时间（仅本地）", "DevClockView", id="resetDevClock", tag="local", auth=False),
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "sscard — 我要办理社会保障卡 一件事",
            "version": "1.0.0",
            "description": "社会保障卡“一件事”联办服务的接口。错误为 application/problem+json，中文说明；"
            "代码见 ErrorCode（字段错误）与 ReasonCode（未办理的原因）。流程：GET /notice、GET /matters → POST /prejudge → "
            "POST /cases → POST /cases/{case_id}/materials（上传）→ POST /cases/{case_id}/submit → 轮询 GET /cases/{case_id}。",
        },
        "tags": [{"name": name, "description": text} for name, text in TAGS.items() if include_dev or name != "local"],
        "paths": paths,
        "components": {
            "schemas": _components(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
