"""Request and response bodies of the HTTP API (pydantic; the OpenAPI document is generated from these)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator, model_validator
from pydantic_core import PydanticCustomError

from chalicelib.domain.case import CaseStatus, MatterStatus
from chalicelib.domain.catalogue import Material, MatterCode, matter_name
from chalicelib.domain.resident_id import normalize_resident_id, resident_id_error
from chalicelib.validation import FormValue, FreeText, FreeTextLines


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class MatterChoice(_In):
    code: MatterCode = Field(description="事项代码")
    form: dict[str, FormValue] = Field(default_factory=dict, description="该事项的表单字段，见 GET /matters")


def _unique_codes(matters: list[MatterChoice]) -> list[MatterChoice]:
    codes = [m.code for m in matters]
    duplicates = sorted({c for c in codes if codes.count(c) > 1}, key=list(MatterCode).index)
    if duplicates:
        raise ValueError(f"同一事项只能选择一次：{'、'.join(matter_name(c) for c in duplicates)}")
    return matters


class PrejudgeRequest(_In):
    matters: list[MatterChoice] = Field(min_length=1, max_length=8)

    _unique = field_validator("matters")(_unique_codes)


class Consent(_In):
    notice_version: FreeText = Field(min_length=1, max_length=20, description="所阅读的用户须知版本")
    agreed: StrictBool = Field(description="已阅读并同意用户须知及承诺")


class Contact(_In):
    phone: str = Field(pattern=r"^1[0-9]{10}$", description="联系电话（11位手机号）")
    address: FreeText = Field(min_length=2, max_length=200, description="联系地址")


class CreateCaseRequest(_In):
    consent: Consent
    matters: list[MatterChoice] = Field(min_length=1, max_length=8)
    contact: Contact

    _unique = field_validator("matters")(_unique_codes)


class ContactChange(_In):
    """A draft's contact details: absent fields keep their values."""

    phone: str | None = Field(default=None, pattern=r"^1[0-9]{10}$", description="联系电话（11位手机号）")
    address: FreeText | None = Field(default=None, min_length=2, max_length=200, description="联系地址")


class UpdateCaseRequest(_In):
    """PATCH /cases/{caseId}: a draft's matters (the whole new selection, each with its form) or contact.

    Absent fields keep their values; `matters`, when present, replaces the selection.
    """

    matters: list[MatterChoice] | None = Field(default=None, min_length=1, max_length=8, description="新的事项选择（整体替换）")
    contact: ContactChange | None = None

    @field_validator("matters")
    @classmethod
    def _unique(cls, matters: list[MatterChoice] | None) -> list[MatterChoice] | None:
        return None if matters is None else _unique_codes(matters)

    @model_validator(mode="after")
    def _something_changes(self) -> UpdateCaseRequest:
        if self.matters is None and (self.contact is None or (self.contact.phone is None and self.contact.address is None)):
            raise ValueError("请至少修改一项：所选事项及表单，或联系方式")
        return self


def _resident_id(value: str) -> str:
    error = resident_id_error(value)
    if error is not None:  # the code and the message name the wrong part (domain.md §7a)
        raise PydanticCustomError(error.code, error.message)
    return normalize_resident_id(value)


class Applicant(_In):
    id_number: str = Field(description="申请人居民身份证号码（社会保障号码）")
    name: FreeText = Field(min_length=1, max_length=40)

    _id = field_validator("id_number")(_resident_id)


class AgentIn(_In):
    name: FreeText = Field(min_length=1, max_length=40, description="代办人姓名")
    id_number: str = Field(description="代办人居民身份证号码")
    phone: str = Field(pattern=r"^1[0-9]{10}$", description="代办人联系电话")
    relation: FreeText = Field(min_length=1, max_length=20, description="与申请人关系")

    _id = field_validator("id_number")(_resident_id)


class CounterCaseRequest(CreateCaseRequest):
    """A case opened by a clerk for an applicant present at the counter (线下)."""

    applicant: Applicant
    agent: AgentIn | None = None
    id_card_checked: StrictBool = Field(
        default=False,
        description="窗口人员已查验到场人员的居民身份证原件、人证一致（公安人口信息未查到申请人或代办人时必须为 true，"
        "否则返回 422 IDENTITY_UNKNOWN；姓名与身份证号码不一致时一律返回 422 IDENTITY_MISMATCH）",
    )

    @model_validator(mode="after")
    def _agent_is_someone_else(self) -> CounterCaseRequest:
        if self.agent and self.agent.id_number == self.applicant.id_number:
            raise ValueError("代办人不能是申请人本人")
        return self


class MaterialDeclaration(_In):
    kind: Material = Field(description="材料种类")
    content_type: Literal["image/jpeg", "image/png", "application/pdf"] = Field(description="JPEG、PNG 或 PDF")
    size: StrictInt = Field(gt=0, description="文件字节数")  # strict: JSON true is not 1 byte


# --- responses -----------------------------------------------------------------


class MaterialView(BaseModel):
    kind: Material
    name: str
    status: str = Field(
        description="required 待提交 / provided 已由数据共享提供 / awaiting_upload 待上传 / "
        "uploaded 已上传并通过检查 / rejected 需重新上传 / deleted 已按期删除"
    )
    source: str | None = Field(default=None, description="data_sharing 数据共享 / upload 申请人上传")
    provided_at: str | None = None
    reason: str | None = None
    download_url: str | None = Field(default=None, description="短时有效的下载链接（仅申请人和审核人员）")


class MaterialUpload(BaseModel):
    kind: Material
    status: str
    source: str | None = None
    provided_at: str | None = None
    upload: dict[str, Any] | None = Field(
        default=None, description="S3 预签名 POST：url 与 fields；fields 原样作为表单字段，文件字段名为 file"
    )
    max_bytes: int | None = None
    expires_in: int | None = None


class Notice(BaseModel):
    version: str
    text: str


class FormFieldInfo(BaseModel):
    name: str
    label: str
    kind: str
    required: bool
    choices: list[str] = []
    choice_names: dict[str, str] = Field(default_factory=dict, description="每个可选值的中文名称")


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


class IdentityCheckView(BaseModel):
    """The identity check of a counter case (domain.md §7a)."""

    applicant: Literal["match", "unknown"] = Field(description="申请人姓名与身份证号码的核验结果：match 一致 / unknown 公安人口信息未查到")
    agent: Literal["match", "unknown"] | None = Field(default=None, description="代办人的核验结果（无代办人时为空）")
    id_card_checked: bool = Field(description="窗口人员已查验身份证原件")
    checked_at: str
    source: str = Field(description="核验来源：data_sharing 数据共享（公安人口信息）")
    summary: str = Field(description="核验结果的中文说明")


class CaseView(BaseModel):
    case_id: str
    status: CaseStatus
    channel: str = Field(description="online 线上 / offline 线下窗口")
    service_point: str | None = None
    clerk: str | None = None
    agent: dict[str, Any] | None = Field(default=None, description="代办人（身份证号码脱敏）")
    identity_check: IdentityCheckView | None = Field(default=None, description="窗口案件的身份核验（线上案件由登录身份确认，为空）")
    applicant: ApplicantView
    contact: Contact
    consent: dict[str, Any]
    created_at: str
    submitted_at: str | None = None
    finished_at: str | None = None
    matters: list[MatterView]
    materials: list[MaterialView] = []
    timeline: list[EventView]
    notifications: list[NotificationView]


class CaseSummary(BaseModel):
    case_id: str
    status: CaseStatus
    matters: list[MatterCode]
    created_at: str
    submitted_at: str | None = None
    applicant_name: str | None = Field(default=None, description="申请人姓名（窗口列表）")
    applicant_id_number: str | None = Field(default=None, description="脱敏的身份证号码（窗口列表）")


class CaseList(BaseModel):
    cases: list[CaseSummary]
    next_cursor: str | None = Field(default=None, description="下一页游标；为空表示没有更多")


class AccessEntry(BaseModel):
    """One staff read of a person's case (PIPL Art. 51 个人信息访问记录)."""

    at: str = Field(description="查看时间")
    role: str = Field(description="查看者的角色代码")
    role_name: str = Field(description="查看者的角色（中文）")
    staff_id: str = Field(description="工作人员工号：本人查看时脱敏；审计人员查看时为工号（身份证号码一律脱敏）")
    looked: str = Field(description="查看了什么（代码）")
    looked_text: str = Field(description="查看了什么（中文）")
    case_id: str | None = Field(default=None, description="案件编号（仅审计查询返回）")


class AccessLogPage(BaseModel):
    entries: list[AccessEntry]
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
    bank: str | None = None
    id_number: str | None = None


class DevToken(BaseModel):
    token: str
    token_type: str = "Bearer"


# --- departments and partners ---------------------------------------------------


class DecisionRequest(_In):
    decision: Literal["approve", "reject"] = Field(description="approve 通过 / reject 驳回")
    reason: FreeTextLines | None = Field(default=None, min_length=2, max_length=200, description="驳回理由（驳回时必填）")

    @model_validator(mode="after")
    def _reason_for_rejection(self) -> DecisionRequest:
        if self.decision == "reject" and not self.reason:
            raise ValueError("驳回时须填写理由")
        return self


class PensionDecisionRequest(_In):
    decision: Literal["accept", "reject"] = Field(description="accept 受理 / reject 不予受理")
    reason: FreeTextLines | None = Field(default=None, min_length=2, max_length=200, description="不予受理的理由（reject 时必填）")
    accepted_at: datetime | None = Field(
        default=None,
        description="养老保险系统受理时间（带时区）；缺省为收到决定的时间。生效月份按申请提交时间计算，与受理时间无关",
    )

    @model_validator(mode="after")
    def _consistent(self) -> PensionDecisionRequest:
        if self.decision == "reject" and not self.reason:
            raise ValueError("不予受理时须填写理由")
        if self.accepted_at is not None and self.accepted_at.tzinfo is None:
            raise ValueError("受理时间须带时区，例如 2026-12-15T23:59:00+08:00")
        return self


class ReviewView(BaseModel):
    review_id: str
    case_id: str
    matter: MatterCode
    matter_name: str
    department: str
    district: str
    applicant_name: str
    applicant_id_number: str = Field(description="脱敏的身份证号码")
    channel: str
    form: dict[str, Any]
    status: str = Field(description="pending / decided / timed_out")
    due_at: str | None = Field(default=None, description="办结时限（Asia/Shanghai）")
    submitted_at: str | None = None
    decision: str | None = None
    reason: str | None = None
    decided_at: str | None = None
    result: dict[str, Any] | None = Field(default=None, description="办理结果（如养老金发放账号的生效月份）")
    materials: list[MaterialView] = []


class ReviewDetail(ReviewView):
    applicant: dict[str, Any] = Field(description="申请人：姓名、脱敏的身份证号码和电话、联系地址、所在区县")
    agent: dict[str, Any] | None = Field(default=None, description="代办人（姓名、脱敏的身份证号码）")
    matter_time_limit: str = Field(description="办理时限")
    service_point: str | None = Field(default=None, description="受理的服务网点（窗口办理时）")


class ReviewList(BaseModel):
    reviews: list[ReviewView]
    next_cursor: str | None = None


class CardIssued(BaseModel):
    card_id: str
    status: str
    bank: str
    branch: str
    issued_on: str | None = None


class CalendarHoliday(_In):
    name: FreeText = Field(min_length=1, max_length=20, description="节日名称，如 春节")
    date: str | None = Field(default=None, max_length=10, description="单日假期：YYYY-MM-DD")
    start: str | None = Field(default=None, max_length=10, description="连续假期的第一天：YYYY-MM-DD")
    end: str | None = Field(default=None, max_length=10, description="连续假期的最后一天（含）：YYYY-MM-DD")


class CalendarLoadRequest(_In):
    """国务院办公厅关于某年部分节假日安排的通知: every day off (with its festival) and every adjusted working weekend."""

    notice: FreeText = Field(min_length=1, max_length=200, description="通知名称及文号")
    holidays: list[CalendarHoliday] = Field(min_length=1, max_length=20, description="放假安排（含调休放假的日期）")
    working_days: list[str] = Field(default_factory=list, max_length=15, description="调休上班的周六、周日：YYYY-MM-DD")


class CalendarDay(BaseModel):
    date: str
    name: str | None = Field(default=None, description="节日名称（数据文件未注明时为空）")


class CalendarYearView(BaseModel):
    year: int
    source: Literal["published", "statutory_fallback"] = Field(
        description="published：国务院公布的安排（已载入或随程序发布）；statutory_fallback：尚无安排，按法定节假日和周末计算"
    )
    origin: Literal["loaded", "data_file", "chinesecalendar", "statutory"] = Field(
        description="loaded：运维人员载入；data_file：data/holidays；chinesecalendar：随程序发布的日历包；statutory：由农历计算的法定节假日"
    )
    notice: str | None = None
    holidays: list[CalendarDay] = Field(description="除普通周末外的放假日")
    working_days: list[str] = Field(description="调休上班的周末")
    loaded_at: str | None = None
    version: int | None = None


class DevClockRequest(_In):
    time: datetime = Field(description="ISO 8601 with offset: the business time from now on")

    @field_validator("time")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("时间须带时区，例如 2026-12-15T23:50:00+08:00")
        return value


class DevClockView(BaseModel):
    time: str = Field(description="业务时钟的当前时间")
    real_time: str = Field(description="真实时间")
    set: bool = Field(description="是否已设定（false：业务时钟即真实时间）")


class CardNotMadeRequest(_In):
    reason: FreeTextLines = Field(min_length=2, max_length=200, description="未能制卡的原因（将告知申请人）")


class BankCardView(BaseModel):
    card_id: str
    matter: MatterCode = Field(description="apply 申领 / reissue 补换")
    matter_name: str
    bank: str = Field(description="合作银行代码")
    bank_name: str
    branch: str = Field(description="制卡网点")
    branch_district: str = Field(description="网点所在区县代码")
    applicant_name: str = Field(description="脱敏的姓名，如 王*")
    applicant_id_number: str = Field(description="脱敏的身份证号码（前6后4）")
    status: str = Field(description="awaiting_production 待制卡")
    ordered_at: str = Field(description="审核通过、交银行制卡的时间")


class BankCardList(BaseModel):
    cards: list[BankCardView]
    next_cursor: str | None = Field(default=None, description="下一页游标；为空表示没有更多")


class JobRunRequest(_In):
    time: datetime = Field(description="ISO 8601 with offset: the moment the schedule fires")

    @field_validator("time")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("时间须带时区，例如 2026-11-30T09:00:00+08:00")
        return value


# --- cooperating banks and scenario guidance -------------------------------------


class BranchInfo(BaseModel):
    code: str
    name: str = Field(description="网点名称，申领和补换表单的 branch 填写此名称（或代码）")
    district: str = Field(description="所在区县代码")
    district_name: str


class BankInfo(BaseModel):
    code: str
    name: str = Field(description="银行名称，申领和补换表单的 bank 填写此名称（或代码）")
    branches: list[BranchInfo]


class BankList(BaseModel):
    banks: list[BankInfo]


class ProposedMatterInfo(BaseModel):
    code: MatterCode
    name: str
    form: dict[str, Any] = Field(description="已预填的表单字段")
    remaining: list[FormFieldInfo] = Field(description="仍需申请人填写的表单字段")


class ScenarioInfo(BaseModel):
    code: str
    title: str
    description: str
    matters: list[ProposedMatterInfo]
    complete: bool = Field(description="表单是否已全部预填（无需申请人再填写）")


class ScenarioList(BaseModel):
    scenarios: list[ScenarioInfo]
