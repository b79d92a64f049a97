"""Request and response bodies of the HTTP API (pydantic; the OpenAPI document is generated from these)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib.domain.case import CaseStatus, MatterStatus
from chalicelib.domain.catalogue import MatterCode


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class MatterChoice(_In):
    code: MatterCode = Field(description="事项代码")
    form: dict[str, Any] = Field(default_factory=dict, description="该事项的表单字段，见 GET /matters")


def _unique_codes(matters: list[MatterChoice]) -> list[MatterChoice]:
    codes = [m.code for m in matters]
    duplicates = sorted({c.value for c in codes if codes.count(c) > 1})
    if duplicates:
        raise ValueError(f"同一事项只能选择一次：{', '.join(duplicates)}")
    return matters


class PrejudgeRequest(_In):
    matters: list[MatterChoice] = Field(min_length=1, max_length=8)

    _unique = field_validator("matters")(_unique_codes)


class Consent(_In):
    notice_version: str = Field(min_length=1, max_length=20, description="所阅读的用户须知版本")
    agreed: bool = Field(description="已阅读并同意用户须知及承诺")


class Contact(_In):
    phone: str = Field(pattern=r"^1[0-9]{10}$", description="联系电话（11位手机号）")
    address: str = Field(min_length=2, max_length=200, description="联系地址")


class CreateCaseRequest(_In):
    consent: Consent
    matters: list[MatterChoice] = Field(min_length=1, max_length=8)
    contact: Contact

    _unique = field_validator("matters")(_unique_codes)


# --- responses -----------------------------------------------------------------


class Notice(BaseModel):
    version: str
    text: str


class FormFieldInfo(BaseModel):
    name: str
    label: str
    kind: str
    required: bool
    choices: list[str] = []


class MatterInfo(BaseModel):
    code: MatterCode
    name: str
    time_limit: str = Field(description="immediate 或 1_working_day")
    time_limit_text: str
    handled_by: str
    materials: list[str]
    form_fields: list[FormFieldInfo]


class MatterList(BaseModel):
    matters: list[MatterInfo]


class PrejudgeError(BaseModel):
    matter: MatterCode
    code: str
    message: str


class MatterVerdict(BaseModel):
    matter: MatterCode
    passed: bool
    errors: list[PrejudgeError] = []


class PrejudgeResult(BaseModel):
    passed: bool
    matters: list[MatterVerdict]


class MatterView(BaseModel):
    code: MatterCode
    name: str
    status: MatterStatus
    time_limit_text: str
    form: dict[str, Any] = {}
    result: dict[str, Any] | None = None
    reason: str | None = None
    reason_code: str | None = None
    due_at: str | None = None
    updated_at: str | None = None


class EventView(BaseModel):
    at: str
    kind: str
    text: str
    matter: MatterCode | None = None


class NotificationView(BaseModel):
    at: str
    channel: str = "sms"
    to: str = Field(description="接收号码（脱敏）")
    text: str


class ApplicantView(BaseModel):
    name: str
    id_number: str = Field(description="身份证号码；本人可见全文，其他人只见脱敏")


class CaseView(BaseModel):
    case_id: str
    status: CaseStatus
    channel: str
    applicant: ApplicantView
    contact: Contact
    consent: dict[str, Any]
    created_at: str
    submitted_at: str | None = None
    finished_at: str | None = None
    matters: list[MatterView]
    timeline: list[EventView]
    notifications: list[NotificationView]


class CaseSummary(BaseModel):
    case_id: str
    status: CaseStatus
    matters: list[MatterCode]
    created_at: str
    submitted_at: str | None = None


class CaseList(BaseModel):
    cases: list[CaseSummary]
    next_cursor: str | None = Field(default=None, description="下一页游标；为空表示没有更多")


class ProblemError(BaseModel):
    field: str | None = None
    matter: MatterCode | None = None
    code: str
    message: str


class ProblemDetails(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemError] | None = None


class Health(BaseModel):
    status: str
    stage: str


class DevTokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sub: str
    name: str = ""
    phone_number: str | None = None
    roles: list[str] = ["citizen"]
    district: str | None = None
    service_point: str | None = None


class DevToken(BaseModel):
    token: str
    token_type: str = "Bearer"
