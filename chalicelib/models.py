"""Request and response bodies of the HTTP API (pydantic; the OpenAPI document is generated from these).

A few fields are validated loosely and documented precisely (`DocumentedAs`): a matter's `form` is parsed
by its matter's form model after the body (so that an error names `matters[0].form.bank`, and so that a
pre-judgment may take a form still being filled), and a case's stored results and reason codes are read
back as they were written. The document shows each as what it is: a union on `code` of the per-matter
forms and results, an enumeration of the codes.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import copy
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StrictBool,
    StrictInt,
    TypeAdapter,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.json_schema import GetJsonSchemaHandler, JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from chalicelib.domain.cards import CardStatus
from chalicelib.domain.case import CaseStatus, MatterStatus
from chalicelib.domain.catalogue import FORM_MODELS, Material, MatterCode, matter_name
from chalicelib.domain.resident_id import normalize_resident_id, resident_id_error
from chalicelib.errors import ErrorCode, ReasonCode
from chalicelib.validation import FormValue, FreeText, FreeTextLines


@dataclass(frozen=True)
class DocumentedAs:
    """Annotation: the JSON schema of the annotated field is that of `shown()`; validation is the field's own."""

    shown: Callable[[], Any]

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        # the generator itself, not `handler(...)`: through the handler a model comes back inlined, not as a named component
        generator = handler.generate_json_schema  # type: ignore[attr-defined]
        return generator.generate_inner(TypeAdapter(self.shown()).core_schema)


# A code written by the domain and read back as text; the document lists the codes (chalicelib/errors.py).
ReasonCodeText = Annotated[str, DocumentedAs(lambda: ReasonCode)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- the eight matters' forms, as the document shows them ----------------------------


def _pascal(code: MatterCode) -> str:
    return "".join(part.title() for part in code.value.split("_"))


def _literal(code: MatterCode) -> Any:
    return Literal.__getitem__(code.value)


def _nullable(model: type[BaseModel]) -> Any:
    return model | None


def _choice(code: MatterCode, form: type[BaseModel], suffix: str, what: str) -> type[BaseModel]:
    """`{code, form}` of one matter: `code` is the discriminator."""
    required = any(f.is_required() for f in form.model_fields.values())
    form_field = (
        Field(description=f"{matter_name(code)}的表单{what}")
        if required
        else Field(default_factory=dict, description=f"{matter_name(code)}的表单{what}；无必填字段，可省略")
    )
    return create_model(
        f"{_pascal(code)}{suffix}",
        __config__=ConfigDict(extra="forbid"),
        __doc__=f"{matter_name(code)}（{code.value}）",
        code=(_literal(code), Field(description=f"事项代码：{code.value} {matter_name(code)}")),
        form=(form, form_field),
    )


def _without_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _form_before_forms(code: MatterCode, form: type[BaseModel], needed: tuple[str, ...]) -> type[BaseModel]:
    """A form as pre-judgment takes it before the forms are filled: only the fields a rule reads and
    needs (`needed`) are required. Pre-judgment checks only the fields its rules read; the others are
    checked when the case is created, so the document shows them with the full form's types."""
    if not form.model_fields:
        return form
    fields: dict[str, Any] = {}
    for name, info in form.model_fields.items():
        if name in needed:
            fields[name] = (info.annotation, info)
        else:  # may be absent
            optional = copy(info)
            optional.default = None
            optional.json_schema_extra = _without_default  # shown with the full form's type: not `null`
            fields[name] = (info.annotation, optional)
    return create_model(
        f"{_pascal(code)}PrejudgeForm",
        __config__=ConfigDict(extra="forbid"),
        __doc__=f"{matter_name(code)}：条件预判时的表单。只需、也只校验规则读取的字段"
        "（挂失解挂的 action、补换的 kind、注销的 reason、发放账号的 account_number），其余字段在创建案件时校验",
        **fields,
    )


def _union_on_code(name: str, description: str, models: list[type[BaseModel]]) -> Any:
    """A named component: one of `models`, told apart by `code`."""
    union: Any = models[0]
    for model in models[1:]:
        union = union | model
    return create_model(name, __base__=RootModel[Annotated[union, Field(discriminator="code")]], __doc__=description)


@cache
def matter_choices() -> Any:
    """The document's `{code, form}`: the matter's full form (creating or changing a case)."""
    return _union_on_code(
        "MatterChoice",
        "一个所选事项及其表单：按 code 区分的8种之一",
        [_choice(code, FORM_MODELS[code], "Choice", "") for code in MatterCode],
    )


@cache
def form_before_forms(code: MatterCode) -> type[BaseModel]:
    """The form of `code` as pre-judgment takes it (and as a scenario proposes it)."""
    from chalicelib.services.prejudging import JUDGED_WITHOUT, RULE_FIELDS  # the rules' own list (a service's)

    needed = tuple(f for f in RULE_FIELDS.get(code, ()) if f not in JUDGED_WITHOUT.get(code, ()))
    return _form_before_forms(code, FORM_MODELS[code], needed)


@cache
def matter_choices_before_forms() -> Any:
    """The document's `{code, form}` of `POST /prejudge`: forms that may still be incomplete."""
    return _union_on_code(
        "PrejudgeMatterChoice",
        "条件预判的一个所选事项及其（可不完整的）表单：按 code 区分的8种之一",
        [_choice(code, form_before_forms(code), "PrejudgeChoice", "（预判时可不完整）") for code in MatterCode],
    )


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
    """条件预判：所选事项及（可不完整的）表单。只需规则读取的字段：挂失解挂的 action、补换的 kind；
    注销的 reason、发放账号的 account_number 给出时才参与判断。"""

    matters: list[Annotated[MatterChoice, DocumentedAs(matter_choices_before_forms)]] = Field(
        min_length=1, max_length=8, description="所选事项（每个事项至多一次）"
    )

    _unique = field_validator("matters")(_unique_codes)


class Consent(_In):
    notice_version: FreeText = Field(min_length=1, max_length=20, description="所阅读的用户须知版本")
    agreed: StrictBool = Field(description="已阅读并同意用户须知及承诺")


class Contact(_In):
    phone: str = Field(pattern=r"^1[0-9]{10}$", description="联系电话（11位手机号）")
    address: FreeText = Field(min_length=2, max_length=200, description="联系地址")


class CreateCaseRequest(_In):
    """同意须知、选择事项（每个事项附完整表单）、填写联系方式：预判通过后创建草稿案件。"""

    consent: Consent = Field(description="对用户须知的同意")
    matters: list[Annotated[MatterChoice, DocumentedAs(matter_choices)]] = Field(
        min_length=1, max_length=8, description="所选事项及其表单（每个事项至多一次）"
    )
    contact: Contact = Field(description="联系方式：办理结果以短信发送至该电话")

    _unique = field_validator("matters")(_unique_codes)


class ContactChange(_In):
    """A draft's contact details: absent fields keep their values."""

    phone: str | None = Field(default=None, pattern=r"^1[0-9]{10}$", description="联系电话（11位手机号）")
    address: FreeText | None = Field(default=None, min_length=2, max_length=200, description="联系地址")


class UpdateCaseRequest(_In):
    """PATCH /cases/{caseId}: a draft's matters (the whole new selection, each with its form) or contact.

    Absent fields keep their values; `matters`, when present, replaces the selection.
    """

    matters: list[Annotated[MatterChoice, DocumentedAs(matter_choices)]] | None = Field(
        default=None, min_length=1, max_length=8, description="新的事项选择及表单（整体替换）"
    )
    contact: ContactChange | None = Field(default=None, description="联系方式的修改（未给出的字段保持不变）")

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
    name: FreeText = Field(min_length=1, max_length=40, description="申请人姓名（须与身份证号码一致）")

    _id = field_validator("id_number")(_resident_id)


class AgentIn(_In):
    name: FreeText = Field(min_length=1, max_length=40, description="代办人姓名")
    id_number: str = Field(description="代办人居民身份证号码")
    phone: str = Field(pattern=r"^1[0-9]{10}$", description="代办人联系电话")
    relation: FreeText = Field(min_length=1, max_length=20, description="与申请人关系")

    _id = field_validator("id_number")(_resident_id)


class CounterCaseRequest(CreateCaseRequest):
    """A case opened by a clerk for an applicant present at the counter (线下)."""

    applicant: Applicant = Field(description="到场的申请人")
    agent: AgentIn | None = Field(default=None, description="代办人（代办时）")
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
    """声明要上传的一项材料：种类、文件类型和字节数（得到一次性的上传链接）。"""

    kind: Material = Field(description="材料种类（GET /matters 的 material_kinds，或案件 materials[].kind）")
    content_type: Literal["image/jpeg", "image/png", "application/pdf"] = Field(description="JPEG、PNG 或 PDF")
    size: StrictInt = Field(gt=0, description="文件字节数")  # strict: JSON true is not 1 byte


# --- responses -----------------------------------------------------------------


# Material statuses (a material's way: required -> awaiting_upload -> uploaded | rejected -> ...; or provided).
MaterialStatus = Literal["required", "provided", "awaiting_upload", "uploaded", "rejected", "deleted"]
_MATERIAL_STATUS_TEXT = (
    "required 待提交 / provided 已由数据共享提供 / awaiting_upload 已取得上传链接，等待上传或检查 / "
    "uploaded 已上传并通过检查 / rejected 未通过检查，须重新上传（reason 说明原因） / deleted 已按保存期限删除文件"
)


class MaterialView(BaseModel):
    """案件的一项材料及其状态。上传后由内容检查（而非文件名）决定 uploaded 或 rejected。"""

    kind: Material = Field(description="材料种类（POST /cases/{case_id}/materials 的 kind）")
    name: str = Field(description="材料的中文名称")
    status: MaterialStatus = Field(description=_MATERIAL_STATUS_TEXT)
    source: Literal["data_sharing", "upload"] | None = Field(default=None, description="data_sharing 数据共享 / upload 申请人上传")
    provided_at: str | None = Field(default=None, description="提供（共享或通过检查）的时间")
    reason: str | None = Field(default=None, description="rejected 时：未通过检查的原因，如“文件实际为PNG图片，与声明的JPEG图片不符”")
    download_url: str | None = Field(default=None, description="短时有效的下载链接（仅申请人和审核人员）")


class PresignedPost(BaseModel):
    """S3 预签名 POST：以 multipart/form-data 向 url 发送 POST，先按原样放入 fields 的每个字段，最后放文件字段 file。"""

    url: str = Field(description="上传地址（POST，multipart/form-data）")
    fields: dict[str, str] = Field(description="须原样作为表单字段发送（含 key、Content-Type、policy 与签名），不要修改或省略")


class MaterialUpload(BaseModel):
    """一项材料的上传方式。201：得到上传链接；200：已由数据共享提供，无需上传。

    上传流程：① 按 `upload` 以 multipart/form-data POST 文件（文件字段名 file，Content-Type 与声明一致，大小不超过
    max_bytes，须在 expires_in 秒内）；S3 成功时答 204。② 服务按文件内容检查（JPEG/PNG 能否解码、PDF 是否完整、
    实际类型与声明是否一致）：几秒内 GET /cases/{case_id} 的 materials[] 中该项由 awaiting_upload 变为 uploaded，
    或 rejected（reason 写明原因，申请人同时收到短信）。③ rejected 或链接过期时，再次 POST /materials 取得新链接重传。
    全部材料为 provided 或 uploaded 后方可提交（否则 422，errors 逐项列出 MATERIAL_MISSING / MATERIAL_REJECTED）。
    """

    kind: Material = Field(description="材料种类")
    status: Literal["awaiting_upload", "provided"] = Field(description="awaiting_upload 等待上传 / provided 已由数据共享提供")
    source: Literal["data_sharing"] | None = Field(default=None, description="provided 时：data_sharing 数据共享")
    provided_at: str | None = Field(default=None, description="provided 时：数据共享提供的时间")
    upload: PresignedPost | None = Field(default=None, description="awaiting_upload 时：S3 预签名 POST")
    max_bytes: int | None = Field(default=None, description="awaiting_upload 时：文件的最大字节数")
    expires_in: int | None = Field(default=None, description="awaiting_upload 时：上传链接的有效秒数")


class Notice(BaseModel):
    """用户须知及承诺。"""

    version: str = Field(description="须知版本：创建案件时 consent.notice_version 须为此值")
    text: str = Field(description="须知全文（含申请表的承诺）")


class FormFieldInfo(BaseModel):
    """事项表单的一个字段。"""

    name: str = Field(description="字段名（form 中的键）")
    label: str = Field(description="中文标签")
    kind: Literal["text", "choice", "phone", "bank_card", "bank", "branch"] = Field(
        description="text 文本 / choice 单选（choices） / phone 手机号 / bank_card 银行卡号 / bank 合作银行（GET /banks） / "
        "branch 该银行的办卡网点（GET /banks）"
    )
    required: bool = Field(description="是否必填")
    choices: list[str] = Field(default=[], description="choice 字段的可选值")
    choice_names: dict[str, str] = Field(default_factory=dict, description="每个可选值的中文名称")


class MatterInfo(BaseModel):
    """一个联办事项。"""

    code: MatterCode = Field(description="事项代码")
    name: str = Field(description="事项名称")
    time_limit: Literal["immediate", "1_working_day"] = Field(description="immediate 即时办结 / 1_working_day 1个工作日")
    time_limit_text: str = Field(description="办理时限（中文）")
    handled_by: Literal["card_system", "hr", "pension"] = Field(
        description="card_system 社保卡系统实时办理 / hr 人社部门审核 / pension 养老保险业务系统"
    )
    materials: list[str] = Field(description="所需材料的中文名称（与 material_kinds 一一对应）")
    material_kinds: list[Material] = Field(
        description="所需材料的种类（POST /cases/{case_id}/materials 的 kind，与 materials 一一对应）；可由数据共享提供的无需上传"
    )
    form_fields: list[FormFieldInfo] = Field(description="表单字段")


class MatterList(BaseModel):
    matters: list[MatterInfo] = Field(description="8个联办事项")


class PrejudgeError(BaseModel):
    """一条未通过的原因。"""

    matter: MatterCode = Field(description="事项代码")
    code: ReasonCodeText = Field(description="原因代码（稳定，供程序判断）")
    message: str = Field(description="给申请人看的中文说明")


class MatterVerdict(BaseModel):
    matter: MatterCode = Field(description="事项代码")
    passed: bool = Field(description="该事项是否通过预判")
    errors: list[PrejudgeError] = Field(default=[], description="未通过的原因（通过时为空）")


class PrejudgeResult(BaseModel):
    """条件预判的结果：每个事项是否通过及原因。"""

    passed: bool = Field(description="全部事项都通过")
    matters: list[MatterVerdict] = Field(description="每个所选事项的结果")


# --- a matter's result, per matter (documented; stored as written by the run) ------------


class CardResult(BaseModel):
    """启用、注销：办理后的卡。"""

    card_status: CardStatus = Field(description="办理后的卡状态")
    card_status_text: str = Field(description="卡状态（中文）")
    card_id: str = Field(description="卡编号")
    bank: str = Field(description="发卡的合作银行")
    account_number: str = Field(description="社会保障卡金融账号（脱敏，仅后4位；无则为空）")


class LossResult(CardResult):
    """挂失、解挂：办理后的卡及所做操作。"""

    action: Literal["report", "revoke"] = Field(description="report 挂失 / revoke 解挂")


class InfoChangeResult(BaseModel):
    """信息变更：已变更的字段。"""

    changed: list[Literal["phone", "address"]] = Field(description="已变更：phone 联系电话 / address 联系地址")


class PensionView(BaseModel):
    payout_account: str | None = Field(description="当前的养老保险待遇发放账号（脱敏）")
    pending_account: str | None = Field(description="变更中的新发放账号（脱敏），生效前为空以外的值")
    pending_effective_month: str | None = Field(description="新账号的生效月份 YYYY-MM")


class StatusQueryResult(BaseModel):
    """应用状态查询：卡的当前状态及其他正在办理的事项。"""

    card_status: CardStatus | Literal["none"] = Field(description="卡状态；none 表示未查询到社会保障卡")
    card_status_text: str = Field(description="卡状态（中文）")
    card_id: str | None = Field(default=None, description="卡编号（有卡时）")
    bank: str | None = Field(default=None, description="发卡的合作银行（有卡时）")
    account_number: str | None = Field(default=None, description="金融账号（脱敏；有卡时）")
    open_applications: list[MatterCode] = Field(description="本人其他案件中正在办理的事项")
    pension: PensionView | None = Field(default=None, description="养老保险待遇发放账号（领取待遇的人）")


class CardOrderResult(BaseModel):
    """申领、补换：审核通过后新卡交合作银行制卡（之后银行未能制卡时事项为 failed，卡状态 not_made）。"""

    card_id: str = Field(description="新卡编号（银行制卡时使用）")
    card_status: CardStatus = Field(description="新卡状态：awaiting_collection 待领卡 / not_made 未能制卡")
    card_status_text: str = Field(description="卡状态（中文）")
    bank: str | None = Field(default=None, description="制卡的合作银行（名称）")
    branch: str | None = Field(default=None, description="制卡、领卡的网点")
    account_number: str | None = Field(default=None, description="金融账号（脱敏；制卡前为空）")
    replaces: str | None = Field(default=None, description="补换时被取代的原卡编号")


class PensionAccountResult(BaseModel):
    """养老保险待遇发放账号维护：受理后新账号的生效月份。"""

    effective_month: str = Field(description="新账号起发的待遇月份 YYYY-MM（按提交时间计算）")
    effective_month_text: str = Field(description="生效月份（中文），如 2027年1月")
    new_account: str = Field(description="新发放账号（脱敏）")
    current_account: str | None = Field(description="原发放账号（脱敏）；生效前待遇仍发放至此")
    accepted_at: str = Field(description="养老保险系统受理的时间")


class PensionAcceptance(BaseModel):
    """养老保险系统受理的答复（流程记录办理结果之前，审核视图先给出生效月份）。"""

    effective_month: str = Field(description="新账号起发的待遇月份 YYYY-MM（按提交时间计算）")
    effective_month_text: str = Field(description="生效月份（中文），如 2027年1月")


_RESULTS: dict[MatterCode, type[BaseModel]] = {
    MatterCode.APPLY: CardOrderResult,
    MatterCode.REISSUE: CardOrderResult,
    MatterCode.ACTIVATE: CardResult,
    MatterCode.LOSS: LossResult,
    MatterCode.CANCEL: CardResult,
    MatterCode.INFO_CHANGE: InfoChangeResult,
    MatterCode.STATUS_QUERY: StatusQueryResult,
    MatterCode.PENSION_ACCOUNT: PensionAccountResult,
}


class MatterView(BaseModel):
    """案件中的一个事项：状态、表单、结果或原因。"""

    code: MatterCode = Field(description="事项代码")
    name: str = Field(description="事项名称")
    status: MatterStatus = Field(description="事项状态")
    time_limit_text: str = Field(description="办理时限（中文）")
    form: dict[str, Any] = Field(default={}, description="所填表单")
    result: dict[str, Any] | None = Field(default=None, description="办理结果（succeeded 时；申领、补换未能制卡时也有）")
    reason: str | None = Field(default=None, description="未办理的原因（rejected、failed 时；中文，可直接展示）")
    reason_code: ReasonCodeText | None = Field(default=None, description="未办理的原因代码")
    due_at: str | None = Field(default=None, description="办结时限（部门审核的事项）")
    updated_at: str | None = Field(default=None, description="最近一次状态变化的时间")


def _matter_view(code: MatterCode) -> type[BaseModel]:
    form = FORM_MODELS[code]
    return create_model(
        f"{_pascal(code)}MatterView",
        __base__=MatterView,
        __doc__=f"{matter_name(code)}（{code.value}）：状态、表单、结果或原因。",
        code=(_literal(code), Field(description=f"事项代码：{code.value} {matter_name(code)}")),
        form=(form, Field(description="所填表单")),
        result=(_nullable(_RESULTS[code]), Field(default=None, description=f"{matter_name(code)}的办理结果")),
    )


@cache
def matter_views() -> Any:
    """The document's matter of a case: a union on `code`, each with its form and result."""
    return _union_on_code(
        "MatterView", "案件中的一个事项：按 code 区分的8种之一，各有其表单和结果", [_matter_view(code) for code in MatterCode]
    )


class EventView(BaseModel):
    """时间线上的一步。"""

    at: str = Field(description="时间")
    kind: str = Field(description="事件类型，如 created、submitted、matter_succeeded、material_rejected、notification")
    text: str = Field(description="中文说明")
    matter: MatterCode | None = Field(default=None, description="相关事项（如有）")


class NotificationView(BaseModel):
    """已发送的短信。"""

    at: str = Field(description="发送时间")
    channel: str = Field(default="sms", description="渠道：sms 短信")
    to: str = Field(description="接收号码（脱敏）")
    text: str = Field(description="短信内容")


class ApplicantView(BaseModel):
    name: str = Field(description="申请人姓名")
    id_number: str = Field(description="身份证号码；本人可见全文，其他人只见脱敏")


class AgentView(BaseModel):
    """代办人（身份证号码、电话脱敏）。"""

    name: str = Field(description="代办人姓名")
    id_number: str = Field(description="代办人身份证号码（脱敏）")
    phone: str = Field(description="代办人电话（脱敏）")
    relation: str = Field(description="与申请人关系")


class ConsentView(BaseModel):
    notice_version: str = Field(description="所同意的须知版本")
    consented_at: str = Field(description="同意的时间")


class IdentityCheckView(BaseModel):
    """The identity check of a counter case (domain.md §7a)."""

    applicant: Literal["match", "unknown"] = Field(description="申请人姓名与身份证号码的核验结果：match 一致 / unknown 公安人口信息未查到")
    agent: Literal["match", "unknown"] | None = Field(default=None, description="代办人的核验结果（无代办人时为空）")
    id_card_checked: bool = Field(description="窗口人员已查验身份证原件")
    checked_at: str = Field(description="核验时间")
    source: str = Field(description="核验来源：data_sharing 数据共享（公安人口信息）")
    summary: str = Field(description="核验结果的中文说明")


class CaseView(BaseModel):
    """一个案件：状态、各事项的状态与结果、材料、时间线、已发短信。"""

    case_id: str = Field(description="案件编号（UUID）")
    status: CaseStatus = Field(description="案件状态")
    channel: Literal["online", "offline"] = Field(description="online 线上 / offline 线下窗口")
    service_point: str | None = Field(default=None, description="受理的服务网点（窗口案件）")
    clerk: str | None = Field(default=None, description="受理的窗口人员工号（窗口案件）")
    agent: Annotated[dict[str, Any], DocumentedAs(lambda: AgentView)] | None = Field(default=None, description="代办人（身份证号码脱敏）")
    identity_check: IdentityCheckView | None = Field(default=None, description="窗口案件的身份核验（线上案件由登录身份确认，为空）")
    applicant: ApplicantView = Field(description="申请人")
    contact: Contact = Field(description="联系方式")
    consent: Annotated[dict[str, Any], DocumentedAs(lambda: ConsentView)] = Field(description="对用户须知的同意")
    created_at: str = Field(description="创建时间")
    submitted_at: str | None = Field(default=None, description="提交时间")
    finished_at: str | None = Field(default=None, description="办结时间")
    matters: list[Annotated[MatterView, DocumentedAs(matter_views)]] = Field(description="所选事项（按事项顺序）")
    materials: list[MaterialView] = Field(default=[], description="所需材料及其状态")
    timeline: list[EventView] = Field(description="时间线（先发生的在前）")
    notifications: list[NotificationView] = Field(description="已发送的短信")


class CaseSummary(BaseModel):
    """案件列表中的一项。"""

    case_id: str = Field(description="案件编号")
    status: CaseStatus = Field(description="案件状态")
    matters: list[MatterCode] = Field(description="所选事项")
    created_at: str = Field(description="创建时间")
    submitted_at: str | None = Field(default=None, description="提交时间")
    applicant_name: str | None = Field(default=None, description="申请人姓名（窗口列表）")
    applicant_id_number: str | None = Field(default=None, description="脱敏的身份证号码（窗口列表）")


class CaseList(BaseModel):
    cases: list[CaseSummary] = Field(description="案件（新的在前）")
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
    entries: list[AccessEntry] = Field(description="访问记录（新的在前）")
    next_cursor: str | None = Field(default=None, description="下一页游标；为空表示没有更多")


class ProblemError(BaseModel):
    """一处错误：字段错误有 field，预判未通过有 matter。"""

    field: str | None = Field(default=None, description="出错的字段路径，如 matters[0].form.bank、contact.phone、body、cursor")
    matter: MatterCode | None = Field(default=None, description="未通过预判的事项（条件预判未通过时）")
    code: Annotated[str, DocumentedAs(lambda: ErrorCode | ReasonCode)] = Field(
        description="错误代码：字段错误为 ErrorCode，条件预判未通过为 ReasonCode"
    )
    message: str = Field(description="中文说明（指明字段或事项），可直接展示")


class ProblemDetails(BaseModel):
    """application/problem+json（RFC 9457）。"""

    type: str = Field(description="问题类型 URI，以 /validation、/malformed、/prejudgment-failed、/not-found、/conflict 等结尾")
    title: str = Field(description="问题类型的中文标题")
    status: int = Field(description="HTTP 状态码")
    detail: str = Field(description="本次问题的中文说明")
    errors: list[ProblemError] | None = Field(default=None, description="逐项的错误（输入有误、预判未通过时）")


class Health(BaseModel):
    status: str = Field(description="ok")
    stage: str = Field(description="部署阶段：local / dev / prod")


class DevTokenRequest(BaseModel):
    """本地开发令牌的声明（仅本地）。"""

    model_config = ConfigDict(extra="forbid")
    sub: str = Field(description="市民：身份证号码；工作人员：工号")
    name: str = Field(default="", description="姓名")
    phone_number: str | None = Field(default=None, description="手机号")
    roles: list[str] = Field(default=["citizen"], description="角色：citizen、clerk、reviewer、pension_system、bank、operator、auditor")
    district: str | None = Field(default=None, description="审核人员的区县代码（6位）")
    service_point: str | None = Field(default=None, description="窗口人员的服务网点")
    bank: str | None = Field(default=None, description="合作银行代码（bank 角色）")
    id_number: str | None = Field(default=None, description="审核人员本人的身份证号码")


class DevToken(BaseModel):
    token: str = Field(description="JWT，放在 Authorization: Bearer 之后")
    token_type: str = Field(default="Bearer", description="Bearer")


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


def _reviewed_forms() -> Any:
    return FORM_MODELS[MatterCode.APPLY] | FORM_MODELS[MatterCode.REISSUE] | FORM_MODELS[MatterCode.PENSION_ACCOUNT]


class ReviewView(BaseModel):
    """一项部门审核（人社部门：申领、补换；养老保险：发放账号变更）。"""

    review_id: str = Field(description="<case_id>.<matter>")
    case_id: str = Field(description="案件编号")
    matter: MatterCode = Field(description="事项代码：apply、reissue 或 pension_account")
    matter_name: str = Field(description="事项名称")
    department: Literal["hr", "pension"] = Field(description="hr 人社部门 / pension 养老保险经办机构")
    district: str = Field(description="审核区县代码（341000 为市级队列）")
    applicant_name: str = Field(description="申请人姓名")
    applicant_id_number: str = Field(description="脱敏的身份证号码")
    channel: Literal["online", "offline"] = Field(description="online 线上 / offline 线下窗口")
    form: Annotated[dict[str, Any], DocumentedAs(_reviewed_forms)] = Field(description="事项表单")
    status: str = Field(description="pending / decided / timed_out")
    due_at: str | None = Field(default=None, description="办结时限（Asia/Shanghai）")
    submitted_at: str | None = Field(default=None, description="案件提交时间")
    decision: str | None = Field(default=None, description="approve / reject（人社）；accept / reject（养老保险）")
    reason: str | None = Field(default=None, description="驳回或不予受理的理由")
    decided_at: str | None = Field(default=None, description="决定时间")
    result: Annotated[dict[str, Any], DocumentedAs(lambda: CardOrderResult | PensionAccountResult | PensionAcceptance)] | None = Field(
        default=None, description="办理结果（如养老金发放账号的生效月份）"
    )
    materials: list[MaterialView] = Field(default=[], description="全部材料（含下载链接）")


class ReviewApplicantView(BaseModel):
    name: str = Field(description="申请人姓名")
    id_number: str = Field(description="身份证号码（脱敏）")
    phone: str = Field(description="联系电话（脱敏）")
    address: str = Field(description="联系地址")
    district: str = Field(description="所在区县代码")


class ReviewAgentView(BaseModel):
    name: str = Field(description="代办人姓名")
    id_number: str = Field(description="代办人身份证号码（脱敏）")


class ReviewDetail(ReviewView):
    """审核详情：申请人、代办人、表单、时限、服务网点及全部材料的下载链接。"""

    applicant: Annotated[dict[str, Any], DocumentedAs(lambda: ReviewApplicantView)] = Field(
        description="申请人：姓名、脱敏的身份证号码和电话、联系地址、所在区县"
    )
    agent: Annotated[dict[str, Any], DocumentedAs(lambda: ReviewAgentView)] | None = Field(
        default=None, description="代办人（姓名、脱敏的身份证号码）"
    )
    matter_time_limit: str = Field(description="办理时限")
    service_point: str | None = Field(default=None, description="受理的服务网点（窗口办理时）")


class ReviewList(BaseModel):
    reviews: list[ReviewView] = Field(description="审核事项")
    next_cursor: str | None = Field(default=None, description="下一页游标；为空表示没有更多")


class CardIssued(BaseModel):
    """银行处理后的卡。"""

    card_id: str = Field(description="卡编号")
    status: str = Field(description="卡状态：issued 已发放 / not_made 未能制卡")
    bank: str = Field(description="合作银行")
    branch: str = Field(description="网点")
    issued_on: str | None = Field(default=None, description="发放日期")


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
    date: str = Field(description="YYYY-MM-DD")
    name: str | None = Field(default=None, description="节日名称（数据文件未注明时为空）")


class CalendarYearView(BaseModel):
    year: int = Field(description="年份")
    source: Literal["published", "statutory_fallback"] = Field(
        description="published：国务院公布的安排（已载入或随程序发布）；statutory_fallback：尚无安排，按法定节假日和周末计算"
    )
    origin: Literal["loaded", "data_file", "chinesecalendar", "statutory"] = Field(
        description="loaded：运维人员载入；data_file：data/holidays；chinesecalendar：随程序发布的日历包；statutory：由农历计算的法定节假日"
    )
    notice: str | None = Field(default=None, description="国务院通知名称及文号")
    holidays: list[CalendarDay] = Field(description="除普通周末外的放假日")
    working_days: list[str] = Field(description="调休上班的周末")
    loaded_at: str | None = Field(default=None, description="运维人员载入的时间")
    version: int | None = Field(default=None, description="载入的版本号")


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
    card_id: str = Field(description="卡编号（POST /bank/cards/{card_id}/issued 或 failed）")
    matter: MatterCode = Field(description="apply 申领 / reissue 补换")
    matter_name: str = Field(description="事项名称")
    bank: str = Field(description="合作银行代码")
    bank_name: str = Field(description="合作银行名称")
    branch: str = Field(description="制卡网点")
    branch_district: str = Field(description="网点所在区县代码")
    applicant_name: str = Field(description="脱敏的姓名，如 王*")
    applicant_id_number: str = Field(description="脱敏的身份证号码（前6后4）")
    status: str = Field(description="awaiting_production 待制卡")
    ordered_at: str = Field(description="审核通过、交银行制卡的时间")


class BankCardList(BaseModel):
    cards: list[BankCardView] = Field(description="待制卡的卡（先审核通过的在前）")
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
    code: str = Field(description="网点代码")
    name: str = Field(description="网点名称，申领和补换表单的 branch 填写此名称（或代码）")
    district: str = Field(description="所在区县代码")
    district_name: str = Field(description="所在区县名称")


class BankInfo(BaseModel):
    code: str = Field(description="银行代码（bank 角色令牌的 bank 声明）")
    name: str = Field(description="银行名称，申领和补换表单的 bank 填写此名称（或代码）")
    branches: list[BranchInfo] = Field(description="办卡网点")


class BankList(BaseModel):
    banks: list[BankInfo] = Field(description="合作银行（按区县筛选时只含该区县的网点）")


class ProposedMatterInfo(BaseModel):
    code: MatterCode = Field(description="事项代码")
    name: str = Field(description="事项名称")
    form: dict[str, Any] = Field(description="已预填的表单字段")
    remaining: list[FormFieldInfo] = Field(description="仍需申请人填写的表单字段")


@cache
def proposed_matters() -> Any:
    """The document's proposed matter of a scenario: a union on `code`, each with its pre-filled (pre-judgment) form."""
    return _union_on_code(
        "ProposedMatter",
        "场景推荐的一个事项：按 code 区分的8种之一；form 可直接用于 POST /prejudge",
        [
            create_model(
                f"{_pascal(code)}Proposal",
                __base__=ProposedMatterInfo,
                __doc__=f"场景推荐的{matter_name(code)}（{code.value}）",
                code=(_literal(code), Field(description=f"事项代码：{code.value} {matter_name(code)}")),
                form=(form_before_forms(code), Field(description="已预填的表单字段（可不完整）")),
            )
            for code in MatterCode
        ],
    )


class ScenarioInfo(BaseModel):
    code: str = Field(description="场景代码")
    title: str = Field(description="场景标题，如 卡丢了")
    description: str = Field(description="场景说明")
    matters: list[Annotated[ProposedMatterInfo, DocumentedAs(proposed_matters)]] = Field(description="推荐的联办事项")
    complete: bool = Field(description="表单是否已全部预填（无需申请人再填写）")


class ScenarioList(BaseModel):
    scenarios: list[ScenarioInfo] = Field(description="生活情形")
