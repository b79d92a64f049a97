"""Who is calling: the principal from the JWT.

Deployed, API Gateway's authorizer has verified the token against the provincial
identity provider and passes its claims in the request context. Locally the token
is verified here with the development key that only the local stack has.
"""

from __future__ import annotations

import time
from typing import Any

import jwt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from chalicelib.domain.banks import bank_by_code
from chalicelib.domain.resident_id import is_valid_resident_id, normalize_resident_id, resident_id_error
from chalicelib.errors import Forbidden, Unauthorized
from chalicelib.settings import Settings
from chalicelib.validation import FreeText

ROLES = ("citizen", "clerk", "reviewer", "pension_system", "bank", "operator", "auditor")


class Principal(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    roles: list[str] = Field(min_length=1)
    sub: str = Field(min_length=1, max_length=64, description="公民为身份证号码；工作人员为工号")
    name: FreeText = Field(default="", max_length=40)  # printed on the form: refused if it hides characters
    phone_number: str | None = Field(default=None, pattern=r"^1[0-9]{10}$")
    district: str | None = Field(default=None, pattern=r"^[0-9]{6}$")
    service_point: FreeText | None = Field(default=None, max_length=64)
    bank: str | None = Field(default=None, pattern=r"^[a-z0-9_-]{2,20}$", description="合作银行代码（银行令牌）")
    # A staff member is also a person: a reviewer never decides a case of their own.
    staff_id_number: str | None = Field(default=None, alias="id_number", max_length=18, description="工作人员本人的身份证号码")

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, roles: list[str]) -> list[str]:
        unknown = [r for r in roles if r not in ROLES]
        if unknown:
            raise ValueError(f"含有{len(unknown)}个未知角色")
        return roles

    @field_validator("sub")
    @classmethod
    def _citizen_is_a_resident(cls, sub: str, info: ValidationInfo) -> str:
        if "citizen" in (info.data.get("roles") or []):
            error = resident_id_error(sub)
            if error is not None:
                raise PydanticCustomError(error.code, "公民身份的 sub 须为有效的居民身份证号码：{message}", {"message": error.message})
        return sub

    def has(self, role: str) -> bool:
        return role in self.roles

    @property
    def id_number(self) -> str:
        """The citizen's resident ID (the `sub` of a citizen token)."""
        return normalize_resident_id(self.sub)

    @property
    def person_id_number(self) -> str | None:
        """Whose person the caller is: the `id_number` claim, or a `sub` that is a resident ID."""
        for candidate in (self.staff_id_number, self.sub):
            if candidate and is_valid_resident_id(candidate):
                return normalize_resident_id(candidate)
        return None


def _claims_from_authorizer(context: dict[str, Any]) -> dict[str, Any] | None:
    authorizer = (context or {}).get("authorizer") or {}
    claims = authorizer.get("claims") or authorizer.get("jwt", {}).get("claims") or authorizer
    if not claims or "sub" not in claims:
        return None
    roles = claims.get("roles", [])
    if isinstance(roles, str):  # authorizer contexts carry strings
        roles = [r for r in roles.replace(",", " ").split() if r]
    return {**claims, "roles": roles}


def issue_dev_token(settings: Settings, claims: dict[str, Any], lifetime: int = 12 * 3600) -> str:
    if settings.jwt_dev_key is None:
        raise RuntimeError("no development key: the local stack is not running")
    now = int(time.time())
    payload = {**claims, "iss": settings.jwt_issuer, "iat": now, "exp": now + lifetime}
    return jwt.encode(payload, settings.jwt_dev_key.get_secret_value(), algorithm="HS256")


def authenticate(settings: Settings, headers: dict[str, str], context: dict[str, Any]) -> Principal:
    if settings.is_local:
        header = headers.get("authorization") or headers.get("Authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token or settings.jwt_dev_key is None:
            raise Unauthorized("请先登录：缺少 Authorization: Bearer 令牌")
        try:
            claims = jwt.decode(
                token,
                settings.jwt_dev_key.get_secret_value(),
                algorithms=["HS256"],
                issuer=settings.jwt_issuer,
                options={"require": ["exp", "sub", "iss"]},
            )
        except jwt.PyJWTError:
            raise Unauthorized("登录令牌无效或已过期，请重新登录") from None
    else:
        from_authorizer = _claims_from_authorizer(context)
        if from_authorizer is None:
            raise Unauthorized("请先登录")
        claims = from_authorizer
    known = set(Principal.model_fields) | {f.alias for f in Principal.model_fields.values() if f.alias}
    try:
        return Principal.model_validate({k: v for k, v in claims.items() if k in known})
    except ValidationError:
        raise Unauthorized("登录令牌中的身份信息不完整") from None


def require_citizen(principal: Principal) -> Principal:
    if not principal.has("citizen") or not is_valid_resident_id(principal.sub):
        raise Forbidden("此操作仅限本人办理：需要公民身份登录")
    return principal


def require_staff(principal: Principal, role: str) -> Principal:
    """A staff role; reviewers are scoped to their district."""
    if not principal.has(role):
        raise Forbidden("无权进行此操作")
    if role == "reviewer" and not principal.district:
        raise Forbidden("审核人员的令牌缺少所属区县（district）")
    if role == "reviewer" and principal.person_id_number is None:
        # A reviewer never decides their own case (domain.md §7): that needs to know who they are.
        raise Forbidden("审核人员的令牌缺少本人身份证号码（id_number），无法回避本人案件")
    if role == "clerk" and not principal.service_point:
        raise Forbidden("窗口人员的令牌缺少所属服务网点（service_point）")
    if role == "bank" and bank_by_code(principal.bank) is None:
        raise Forbidden("银行令牌缺少所属合作银行（bank），或不是本市的合作银行")
    return principal
