"""Domain errors, mapped to problem+json (RFC 9457) at the HTTP edge."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any


class Problem(Exception):
    status = 400
    type = "about:blank"
    title = "请求有误"

    def __init__(self, detail: str, errors: list[dict[str, Any]] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors is not None:
            body["errors"] = self.errors
        return body


class ValidationProblem(Problem):
    """Input that does not have the required shape; `errors` name each field."""

    status = 422
    type = "https://sscard.example.gov.cn/problems/validation"
    title = "提交的信息不符合要求"


class MalformedRequest(Problem):
    status = 400
    type = "https://sscard.example.gov.cn/problems/malformed"
    title = "请求格式错误"


class PayloadTooLarge(Problem):
    status = 413
    type = "https://sscard.example.gov.cn/problems/payload-too-large"
    title = "请求内容过大"


class PrejudgmentFailed(Problem):
    status = 422
    type = "https://sscard.example.gov.cn/problems/prejudgment-failed"
    title = "条件预判未通过"


class NotFoundProblem(Problem):
    status = 404
    type = "https://sscard.example.gov.cn/problems/not-found"
    title = "未找到"


class ConflictProblem(Problem):
    status = 409
    type = "https://sscard.example.gov.cn/problems/conflict"
    title = "当前状态不允许此操作"


class Unauthorized(Problem):
    status = 401
    type = "https://sscard.example.gov.cn/problems/unauthorized"
    title = "未登录或登录已失效"


class Forbidden(Problem):
    status = 403
    type = "https://sscard.example.gov.cn/problems/forbidden"
    title = "无权进行此操作"


class IdempotencyKeyReused(Problem):
    status = 422
    type = "https://sscard.example.gov.cn/problems/idempotency-key-reused"
    title = "幂等键已用于其他请求"


class RequestInProgress(Problem):
    status = 409
    type = "https://sscard.example.gov.cn/problems/in-progress"
    title = "相同的请求正在处理中"


class GoneProblem(Problem):
    status = 410
    type = "https://sscard.example.gov.cn/problems/gone"
    title = "已超过办理时限"


class ServiceUnavailable(Problem):
    status = 503
    type = "https://sscard.example.gov.cn/problems/unavailable"
    title = "服务暂时不可用"


@contextmanager
def checked_cursor() -> Iterator[None]:
    """A page read whose cursor does not parse (the store raises ValueError) answers 422 naming `cursor`."""
    try:
        yield
    except ValueError:
        raise ValidationProblem(
            "分页游标无效", [{"field": "cursor", "code": "invalid", "message": "分页游标无效，请从第一页重新查询"}]
        ) from None


# --- the codes the API answers, each with what it means (the OpenAPI document lists them) ----------------
# Front-ends show the answer's own Chinese `message` (it names the field, the matter or the bank); these
# texts say what a code means wherever it occurs. Lowercase codes are the field checks' (pydantic's and the
# edge's), uppercase ones the domain's. tests/unit/test_every_code_the_service_answers_is_enumerated.py
# fails when code answers one that is not listed here.


class ErrorCode(StrEnum):
    """problem+json `errors[].code` for bad input (400, 413, 422 /validation)."""

    # the body and the request line
    MISSING = "missing"
    JSON_INVALID = "json_invalid"
    TOO_DEEP = "too_deep"
    TOO_LARGE_BODY = "too_large"
    INVALID = "invalid"
    OUT_OF_RANGE = "out_of_range"
    ONE_OF = "one_of"
    REUSED = "reused"
    # a field's shape (pydantic's error types)
    EXTRA_FORBIDDEN = "extra_forbidden"
    STRING_TYPE = "string_type"
    BOOL_TYPE = "bool_type"
    BOOL_PARSING = "bool_parsing"
    INT_TYPE = "int_type"
    INT_PARSING = "int_parsing"
    LIST_TYPE = "list_type"
    DICT_TYPE = "dict_type"
    MODEL_TYPE = "model_type"
    MODEL_ATTRIBUTES_TYPE = "model_attributes_type"
    ENUM = "enum"
    LITERAL_ERROR = "literal_error"
    STRING_PATTERN_MISMATCH = "string_pattern_mismatch"
    STRING_TOO_SHORT = "string_too_short"
    STRING_TOO_LONG = "string_too_long"
    STRING_UNICODE = "string_unicode"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    GREATER_THAN = "greater_than"
    DATETIME_TYPE = "datetime_type"
    DATETIME_PARSING = "datetime_parsing"
    DATETIME_FROM_DATE_PARSING = "datetime_from_date_parsing"
    DATETIME_OBJECT_INVALID = "datetime_object_invalid"
    VALUE_ERROR = "value_error"
    # consent and the working-day calendar
    CONSENT_REQUIRED = "consent_required"
    NOTICE_OUTDATED = "notice_outdated"
    OUTSIDE_YEAR = "outside_year"
    AMBIGUOUS = "ambiguous"
    BEFORE_START = "before_start"
    OVERLAP = "overlap"
    TOO_MANY_DAYS = "too_many_days"
    DUPLICATE = "duplicate"
    ALSO_HOLIDAY = "also_holiday"
    NOT_WEEKEND = "not_weekend"
    RUN_TOO_LONG = "run_too_long"
    # the domain's own checks
    UNSAFE_CHARACTER = "UNSAFE_CHARACTER"
    ID_NUMBER_FORMAT = "ID_NUMBER_FORMAT"
    ID_NUMBER_PROVINCE = "ID_NUMBER_PROVINCE"
    ID_NUMBER_BIRTH_DATE = "ID_NUMBER_BIRTH_DATE"
    ID_NUMBER_CHECK_CHARACTER = "ID_NUMBER_CHECK_CHARACTER"
    IDENTITY_MISMATCH = "IDENTITY_MISMATCH"
    IDENTITY_UNKNOWN = "IDENTITY_UNKNOWN"
    UNKNOWN_BANK = "UNKNOWN_BANK"
    UNKNOWN_BRANCH = "UNKNOWN_BRANCH"
    ACCOUNT_NUMBER_INVALID = "ACCOUNT_NUMBER_INVALID"
    MATERIAL_NOT_NEEDED = "MATERIAL_NOT_NEEDED"
    TOO_LARGE = "TOO_LARGE"
    MATERIAL_MISSING = "MATERIAL_MISSING"
    MATERIAL_REJECTED = "MATERIAL_REJECTED"


ERROR_CODE_TEXT: dict[ErrorCode, str] = {
    ErrorCode.MISSING: "缺少必填字段（或请求体为空）",
    ErrorCode.JSON_INVALID: "请求体不是有效的 JSON",
    ErrorCode.TOO_DEEP: "JSON 嵌套过深",
    ErrorCode.TOO_LARGE_BODY: "请求体过大",
    ErrorCode.INVALID: "取值无效（查询参数、分页游标、幂等键、日期等）",
    ErrorCode.OUT_OF_RANGE: "超出允许的范围（年份、受理时间）",
    ErrorCode.ONE_OF: "须且只能给出其中一项",
    ErrorCode.REUSED: "幂等键已用于另一请求",
    ErrorCode.EXTRA_FORBIDDEN: "不允许的字段",
    ErrorCode.STRING_TYPE: "应为文本",
    ErrorCode.BOOL_TYPE: "应为 true 或 false",
    ErrorCode.BOOL_PARSING: "应为 true 或 false",
    ErrorCode.INT_TYPE: "应为整数",
    ErrorCode.INT_PARSING: "应为整数",
    ErrorCode.LIST_TYPE: "应为列表",
    ErrorCode.DICT_TYPE: "应为对象",
    ErrorCode.MODEL_TYPE: "应为对象",
    ErrorCode.MODEL_ATTRIBUTES_TYPE: "应为对象",
    ErrorCode.ENUM: "取值不在允许范围内",
    ErrorCode.LITERAL_ERROR: "取值不在允许范围内",
    ErrorCode.STRING_PATTERN_MISMATCH: "格式不正确",
    ErrorCode.STRING_TOO_SHORT: "内容过短或为空",
    ErrorCode.STRING_TOO_LONG: "内容过长",
    ErrorCode.STRING_UNICODE: "文本含无效的 Unicode 字符",
    ErrorCode.TOO_SHORT: "项数过少",
    ErrorCode.TOO_LONG: "项数过多",
    ErrorCode.GREATER_THAN: "数值过小",
    ErrorCode.DATETIME_TYPE: "应为带时区的时间（ISO 8601）",
    ErrorCode.DATETIME_PARSING: "时间格式不正确（ISO 8601，带时区）",
    ErrorCode.DATETIME_FROM_DATE_PARSING: "时间格式不正确（ISO 8601，带时区）",
    ErrorCode.DATETIME_OBJECT_INVALID: "时间无效",
    ErrorCode.VALUE_ERROR: "不符合业务规则（message 说明原因，如同一事项选择两次、驳回未填理由、时间未带时区）",
    ErrorCode.CONSENT_REQUIRED: "须勾选同意用户须知及承诺",
    ErrorCode.NOTICE_OUTDATED: "用户须知已更新，须阅读新版本后同意",
    ErrorCode.OUTSIDE_YEAR: "日期不在该年内",
    ErrorCode.AMBIGUOUS: "单日假期与连续假期的日期不能同时填写",
    ErrorCode.BEFORE_START: "结束日期早于开始日期",
    ErrorCode.OVERLAP: "与另一假期重叠",
    ErrorCode.TOO_MANY_DAYS: "全年放假日过多",
    ErrorCode.DUPLICATE: "日期重复",
    ErrorCode.ALSO_HOLIDAY: "调休上班日同时是放假日",
    ErrorCode.NOT_WEEKEND: "调休上班日只能是周六或周日",
    ErrorCode.RUN_TOO_LONG: "连续放假天数过多",
    ErrorCode.UNSAFE_CHARACTER: "含控制字符、方向控制字符或零宽字符",
    ErrorCode.ID_NUMBER_FORMAT: "身份证号码应为18位：前17位为数字，最后一位为数字或X",
    ErrorCode.ID_NUMBER_PROVINCE: "身份证号码的地区代码不是有效的省份",
    ErrorCode.ID_NUMBER_BIRTH_DATE: "身份证号码中的出生日期无效",
    ErrorCode.ID_NUMBER_CHECK_CHARACTER: "身份证号码校验位不正确",
    ErrorCode.IDENTITY_MISMATCH: "姓名与身份证号码不一致（公安人口信息）",
    ErrorCode.IDENTITY_UNKNOWN: "公安人口信息未查到此人：须查验身份证原件（id_card_checked: true）",
    ErrorCode.UNKNOWN_BANK: "不是合作银行（从 GET /banks 选择）",
    ErrorCode.UNKNOWN_BRANCH: "不是该合作银行的网点（从 GET /banks 选择）",
    ErrorCode.ACCOUNT_NUMBER_INVALID: "发放账号不是有效的银行卡号",
    ErrorCode.MATERIAL_NOT_NEEDED: "本案件不需要该材料",
    ErrorCode.TOO_LARGE: "文件超过大小限制",
    ErrorCode.MATERIAL_MISSING: "提交前尚未提供的材料",
    ErrorCode.MATERIAL_REJECTED: "未通过检查、须重新上传的材料",
}


class ReasonCode(StrEnum):
    """Why a matter was not done: pre-judgment (`/prejudge`, a 422 prejudgment-failed, a matter refused at
    submission), and the outcomes of a run (`reason_code` of a matter)."""

    # pre-judgment (domain.md §3)
    CARD_EXISTS = "CARD_EXISTS"
    APPLICATION_IN_PROGRESS = "APPLICATION_IN_PROGRESS"
    NO_CARD = "NO_CARD"
    CARD_NOT_LOST = "CARD_NOT_LOST"
    CARD_LOST = "CARD_LOST"
    CARD_BEING_REPLACED = "CARD_BEING_REPLACED"
    CARD_NOT_ISSUED = "CARD_NOT_ISSUED"
    CARD_ALREADY_ACTIVE = "CARD_ALREADY_ACTIVE"
    CARD_ALREADY_LOST = "CARD_ALREADY_LOST"
    PAYOUT_ACCOUNT_BOUND = "PAYOUT_ACCOUNT_BOUND"
    CANCEL_REASON_NOT_ALLOWED = "CANCEL_REASON_NOT_ALLOWED"
    NOT_PENSIONER = "NOT_PENSIONER"
    CARD_NOT_ACTIVE = "CARD_NOT_ACTIVE"
    ACCOUNT_NOT_OWN_CARD = "ACCOUNT_NOT_OWN_CARD"
    SAME_ACCOUNT = "SAME_ACCOUNT"
    CONFLICTING_MATTERS = "CONFLICTING_MATTERS"
    # the run: not run, refused by a department or the card system, failed, withdrawn
    NOT_RUN = "NOT_RUN"
    REVIEW_REJECTED = "REVIEW_REJECTED"
    CARD_NOT_FOUND = "CARD_NOT_FOUND"
    CARD_NOT_AWAITING_COLLECTION = "CARD_NOT_AWAITING_COLLECTION"
    NO_PROFILE = "NO_PROFILE"
    CARD_NOT_MADE = "CARD_NOT_MADE"
    DEPARTMENT_TIMEOUT = "DEPARTMENT_TIMEOUT"
    SYSTEM_ERROR = "SYSTEM_ERROR"
    NOT_FINISHED = "NOT_FINISHED"
    WITHDRAWN = "WITHDRAWN"


# The pre-judgment codes: what `/prejudge` and a 422 prejudgment-failed answer.
PREJUDGMENT_REASONS: tuple[ReasonCode, ...] = tuple(ReasonCode)[: list(ReasonCode).index(ReasonCode.CONFLICTING_MATTERS) + 1]

REASON_CODE_TEXT: dict[ReasonCode, str] = {
    ReasonCode.CARD_EXISTS: "已持有有效社会保障卡，无需重复申领",
    ReasonCode.APPLICATION_IN_PROGRESS: "已有正在办理中的申领或补换申请",
    ReasonCode.NO_CARD: "未查询到有效的社会保障卡",
    ReasonCode.CARD_NOT_LOST: "社会保障卡未处于挂失状态（补领须先挂失；未挂失无需解挂）",
    ReasonCode.CARD_LOST: "社会保障卡已挂失：先解挂，或选择补领",
    ReasonCode.CARD_BEING_REPLACED: "社会保障卡正在补领换卡中，原卡不能解挂",
    ReasonCode.CARD_NOT_ISSUED: "社会保障卡尚未制卡发放（或不是待启用状态）",
    ReasonCode.CARD_ALREADY_ACTIVE: "社会保障卡已启用",
    ReasonCode.CARD_ALREADY_LOST: "社会保障卡已挂失",
    ReasonCode.PAYOUT_ACCOUNT_BOUND: "该卡为养老保险待遇发放账户，须先变更发放账号",
    ReasonCode.CANCEL_REASON_NOT_ALLOWED: "因持卡人身故注销须由代办人或到服务网点办理",
    ReasonCode.NOT_PENSIONER: "未查询到养老保险待遇领取记录",
    ReasonCode.CARD_NOT_ACTIVE: "社会保障卡未启用或不可用，不能作为发放账号",
    ReasonCode.ACCOUNT_NOT_OWN_CARD: "账号不是本人社会保障卡的金融账户",
    ReasonCode.SAME_ACCOUNT: "该账号已是发放账号（或已在变更中）",
    ReasonCode.CONFLICTING_MATTERS: "两个事项不能在同一次办理中联办",
    ReasonCode.NOT_RUN: "同一次办理中其他事项未通过条件预判，本事项未办理",
    ReasonCode.REVIEW_REJECTED: "经办部门审核未通过（reason 为审核人员填写的理由）",
    ReasonCode.CARD_NOT_FOUND: "社保卡系统未找到该社会保障卡",
    ReasonCode.CARD_NOT_AWAITING_COLLECTION: "社会保障卡不是待制卡、待领卡状态",
    ReasonCode.NO_PROFILE: "社保卡系统未查询到参保人信息",
    ReasonCode.CARD_NOT_MADE: "合作银行未能制卡（reason 为银行说明的原因）",
    ReasonCode.DEPARTMENT_TIMEOUT: "经办部门未在规定时限内完成办理，事项已终止",
    ReasonCode.SYSTEM_ERROR: "办理过程出现系统故障",
    ReasonCode.NOT_FINISHED: "办理流程结束时事项仍未办结",
    ReasonCode.WITHDRAWN: "申请人撤回了案件",
}
