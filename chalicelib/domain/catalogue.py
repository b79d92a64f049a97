"""The 8 matters of the one-thing service (联办事项), their forms and materials.

Pure data and pydantic models; no AWS. Source: domain.md §2 and §4.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from chalicelib.domain.accounts import is_bank_card_number
from chalicelib.domain.banks import find_bank


class MatterCode(StrEnum):
    APPLY = "apply"  # 社会保障卡申领
    REISSUE = "reissue"  # 社会保障卡补领、换领、换发
    ACTIVATE = "activate"  # 社会保障卡启用
    LOSS = "loss"  # 社会保障卡挂失、解挂
    CANCEL = "cancel"  # 社会保障卡注销
    INFO_CHANGE = "info_change"  # 社会保障卡信息变更
    STATUS_QUERY = "status_query"  # 社会保障卡应用状态查询
    PENSION_ACCOUNT = "pension_account"  # 养老保险待遇发放账号维护申请


class Material(StrEnum):
    ID_CARD_FRONT = "id_card_front"  # 身份证人像面
    ID_CARD_BACK = "id_card_back"  # 身份证国徽面
    PHOTO = "photo"  # 个人照片
    AGENT_ID_CARD_FRONT = "agent_id_card_front"  # 代办人身份证人像面
    AGENT_ID_CARD_BACK = "agent_id_card_back"  # 代办人身份证国徽面


MATERIAL_NAMES: dict[Material, str] = {
    Material.ID_CARD_FRONT: "居民身份证（人像面）",
    Material.ID_CARD_BACK: "居民身份证（国徽面）",
    Material.PHOTO: "个人照片",
    Material.AGENT_ID_CARD_FRONT: "代办人居民身份证（人像面）",
    Material.AGENT_ID_CARD_BACK: "代办人居民身份证（国徽面）",
}

# What the data-sharing service can provide instead of an upload (数据共享清单):
# the ID e-license (身份证电子证照) covers both sides of the applicant's ID card, the
# police photo (个人公安照片) the personal photo. An agent's documents are never shared.
SHARED_SOURCE: dict[Material, str] = {
    Material.ID_CARD_FRONT: "id_license",
    Material.ID_CARD_BACK: "id_license",
    Material.PHOTO: "police_photo",
}


class Department(StrEnum):
    CARD_SYSTEM = "card_system"  # 省社保卡系统，实时校验
    HR = "hr"  # 人社部门审核
    PENSION = "pension"  # 养老保险业务系统


IMMEDIATE = "immediate"  # 即时办结
ONE_WORKING_DAY = "1_working_day"  # 1个工作日


@dataclass(frozen=True)
class FormField:
    name: str
    label: str  # Chinese label for front-ends
    kind: str  # "text", "choice", "phone", "bank_card"; "bank", "branch": one of GET /banks
    required: bool
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Matter:
    code: MatterCode
    name: str
    time_limit: str
    time_limit_text: str
    handled_by: Department
    materials: tuple[Material, ...]
    form_fields: tuple[FormField, ...]

    @property
    def reviewed(self) -> bool:
        """Whether a department decides this matter (it waits on a task token)."""
        return self.handled_by in (Department.HR, Department.PENSION)


# The Chinese names of the form choices: messages and labels name a choice by these, never by its code.
CHOICE_NAMES: dict[str, str] = {
    "lost": "补领",
    "damaged": "换领",
    "expired": "换发",
    "report": "挂失",
    "revoke": "解挂",
    "emigration": "出国（境）定居",
    "duplicate": "重复持卡",
    "deceased": "持卡人身故",
    "other": "其他",
}

_BANK_FIELDS = (
    FormField("bank", "合作银行", "bank", True),
    FormField("branch", "办卡网点", "branch", True),
)
_CARD_MATERIALS = (Material.ID_CARD_FRONT, Material.ID_CARD_BACK, Material.PHOTO)

CATALOGUE: dict[MatterCode, Matter] = {
    m.code: m
    for m in (
        Matter(MatterCode.APPLY, "社会保障卡申领", ONE_WORKING_DAY, "1个工作日", Department.HR, _CARD_MATERIALS, _BANK_FIELDS),
        Matter(
            MatterCode.REISSUE,
            "社会保障卡补领、换领、换发",
            ONE_WORKING_DAY,
            "1个工作日",
            Department.HR,
            _CARD_MATERIALS,
            (FormField("kind", "补换类型", "choice", True, ("lost", "damaged", "expired")),) + _BANK_FIELDS,
        ),
        Matter(MatterCode.ACTIVATE, "社会保障卡启用", IMMEDIATE, "即时办结", Department.CARD_SYSTEM, (), ()),
        Matter(
            MatterCode.LOSS,
            "社会保障卡挂失、解挂",
            IMMEDIATE,
            "即时办结",
            Department.CARD_SYSTEM,
            (),
            (FormField("action", "挂失或解挂", "choice", True, ("report", "revoke")),),
        ),
        Matter(
            MatterCode.CANCEL,
            "社会保障卡注销",
            IMMEDIATE,
            "即时办结",
            Department.CARD_SYSTEM,
            (),
            (
                FormField("reason", "注销原因", "choice", True, ("emigration", "duplicate", "deceased", "other")),
                FormField("reason_text", "其他原因说明", "text", False),
            ),
        ),
        Matter(
            MatterCode.INFO_CHANGE,
            "社会保障卡信息变更",
            IMMEDIATE,
            "即时办结",
            Department.CARD_SYSTEM,
            (),
            (FormField("phone", "新联系电话", "phone", False), FormField("address", "新联系地址", "text", False)),
        ),
        Matter(MatterCode.STATUS_QUERY, "社会保障卡应用状态查询", IMMEDIATE, "即时办结", Department.CARD_SYSTEM, (), ()),
        Matter(
            MatterCode.PENSION_ACCOUNT,
            "养老保险待遇发放账号维护申请",
            ONE_WORKING_DAY,
            "1个工作日",
            Department.PENSION,
            (),
            (FormField("account_number", "新发放账号（本人社会保障卡金融账户）", "bank_card", True),),
        ),
    )
}


def matter_name(code: MatterCode | str) -> str:
    return CATALOGUE[MatterCode(code)].name


# ---------------------------------------------------------------------------
# Per-matter forms (decision, domain.md §2). Validation messages are Chinese,
# because they reach the applicant through problem+json.


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EmptyForm(_Form):
    """启用、应用状态查询：无需填写表单（可省略 form，或为 {}）。"""


class ApplyForm(_Form):
    """社会保障卡申领：制卡的合作银行及网点（从 GET /banks 选择）。"""

    bank: str = Field(min_length=1, max_length=60, description="合作银行（名称或代码，见 GET /banks）")
    branch: str = Field(min_length=1, max_length=60, description="办卡网点（该行的网点名称或代码）")

    # The card is made at that bank's window (domain.md §2): a bank or branch that is
    # not on the list would send the applicant to a counter that cannot make it. A
    # code is accepted too; the form keeps the Chinese names, which the card, the SMS
    # and the printed form show.
    @field_validator("bank")
    @classmethod
    def _cooperating_bank(cls, value: str) -> str:
        bank = find_bank(value)
        if bank is None:
            raise PydanticCustomError("UNKNOWN_BANK", "“{value}”不是合作银行，请从合作银行列表中选择", {"value": value})
        return bank.name

    @field_validator("branch")
    @classmethod
    def _branch_of_the_bank(cls, value: str, info: ValidationInfo) -> str:
        bank = find_bank(info.data["bank"]) if "bank" in info.data else None
        if bank is None:
            return value  # the bank's own error says what to fix first
        branch = bank.branch(value)
        if branch is None:
            raise PydanticCustomError(
                "UNKNOWN_BRANCH", "{bank}没有“{value}”网点，请从该行的网点中选择", {"bank": bank.name, "value": value}
            )
        return branch.name


class ReissueForm(ApplyForm):
    """社会保障卡补领、换领、换发：补换类型，以及制卡的合作银行及网点（从 GET /banks 选择）。"""

    kind: Literal["lost", "damaged", "expired"] = Field(description="补领 / 换领 / 换发")


class LossForm(_Form):
    """社会保障卡挂失、解挂。"""

    action: Literal["report", "revoke"] = Field(description="挂失 / 解挂")


class CancelForm(_Form):
    """社会保障卡注销：注销原因（持卡人身故仅限代办或窗口办理）。"""

    reason: Literal["emigration", "duplicate", "deceased", "other"] = Field(
        description="emigration 出国（境）定居 / duplicate 重复持卡 / deceased 持卡人身故（仅代办或窗口） / other 其他（须填写原因说明）"
    )
    reason_text: str | None = Field(default=None, max_length=200, description="其他原因说明（reason 为 other 时必填）")

    @model_validator(mode="after")
    def _other_needs_text(self) -> CancelForm:
        if self.reason == "other" and not self.reason_text:
            raise ValueError("注销原因为“其他”时须填写原因说明")
        return self


class InfoChangeForm(_Form):
    """社会保障卡信息变更：新联系电话和/或新联系地址（至少一项）。"""

    phone: str | None = Field(default=None, pattern=r"^1[0-9]{10}$", description="新联系电话（11位手机号）；变更后新旧号码都会收到确认短信")
    address: str | None = Field(default=None, min_length=2, max_length=200, description="新联系地址")

    @model_validator(mode="after")
    def _something_changes(self) -> InfoChangeForm:
        if self.phone is None and self.address is None:
            raise ValueError("请至少填写一项要变更的信息（联系电话或联系地址）")
        return self


class PensionAccountForm(_Form):
    """养老保险待遇发放账号维护申请：新发放账号。"""

    account_number: str = Field(description="本人社会保障卡金融账号（银行卡号，16至19位数字，校验位正确；可含空格）")

    @field_validator("account_number")
    @classmethod
    def _bank_card(cls, value: str) -> str:
        value = value.replace(" ", "")
        if not is_bank_card_number(value):
            raise PydanticCustomError("ACCOUNT_NUMBER_INVALID", "发放账号不是有效的银行卡号（16至19位数字且校验位正确）")
        return value


FORM_MODELS: dict[MatterCode, type[_Form]] = {
    MatterCode.APPLY: ApplyForm,
    MatterCode.REISSUE: ReissueForm,
    MatterCode.ACTIVATE: EmptyForm,
    MatterCode.LOSS: LossForm,
    MatterCode.CANCEL: CancelForm,
    MatterCode.INFO_CHANGE: InfoChangeForm,
    MatterCode.STATUS_QUERY: EmptyForm,
    MatterCode.PENSION_ACCOUNT: PensionAccountForm,
}


def parse_form(code: MatterCode, form: dict | None) -> _Form:
    """Validate one matter's form; raises pydantic.ValidationError."""
    return FORM_MODELS[code].model_validate(form or {})


# The order in which matters apply (domain.md §3): stage one, the immediate state
# changes in this order; stage two, status_query beside the reviewed matters.
STAGE_ONE: tuple[MatterCode, ...] = (
    MatterCode.LOSS,
    MatterCode.INFO_CHANGE,
    MatterCode.ACTIVATE,
    MatterCode.CANCEL,
)
STAGE_TWO: tuple[MatterCode, ...] = (
    MatterCode.STATUS_QUERY,
    MatterCode.APPLY,
    MatterCode.REISSUE,
    MatterCode.PENSION_ACCOUNT,
)


def execution_order(codes: list[MatterCode] | set[MatterCode]) -> tuple[list[MatterCode], list[MatterCode]]:
    """Split chosen matters into (stage one in order, stage two)."""
    chosen = set(codes)
    return [c for c in STAGE_ONE if c in chosen], [c for c in STAGE_TWO if c in chosen]


AGENT_MATERIALS = (Material.ID_CARD_FRONT, Material.ID_CARD_BACK, Material.AGENT_ID_CARD_FRONT, Material.AGENT_ID_CARD_BACK)


def required_materials(codes: list[MatterCode] | set[MatterCode], *, agent: bool = False) -> list[Material]:
    """Each material once, however many matters need it (form note 1).

    An agent (代办) submission needs both persons' ID documents, whatever the matters.
    """
    needed: list[Material] = []
    for code in sorted(set(codes), key=list(CATALOGUE).index):
        for material in CATALOGUE[code].materials:
            if material not in needed:
                needed.append(material)
    if agent:
        needed += [m for m in AGENT_MATERIALS if m not in needed]
    return sorted(needed, key=list(Material).index)
