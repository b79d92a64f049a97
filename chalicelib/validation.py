"""pydantic validation errors as problem+json `errors`, with Chinese messages."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError
from pydantic_core import PydanticCustomError

from chalicelib.domain.catalogue import CHOICE_NAMES, MATERIAL_NAMES, Material, MatterCode, matter_name
from chalicelib.domain.free_text import normalized, unsafe_character
from chalicelib.errors import MalformedRequest, ValidationProblem

T = TypeVar("T", bound=BaseModel)

_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为文本",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "string_pattern_mismatch": "格式不正确",
    "string_too_short": "内容过短或为空",
    "string_too_long": "内容过长",
    "too_short": "至少需要一项",
    "too_long": "项数过多",
}


def _free_text(value: Any, line_breaks: bool = False) -> Any:
    """NFC first, then refuse what must not reach a record or the printed form (domain/free_text.py)."""
    if isinstance(value, dict):
        return {k: _free_text(v, line_breaks) for k, v in value.items()}
    if isinstance(value, list):
        return [_free_text(v, line_breaks) for v in value]
    if not isinstance(value, str):
        return value  # the field's own type refuses what is not text
    text = normalized(value)
    if (found := unsafe_character(text, line_breaks)) is not None:
        raise PydanticCustomError("UNSAFE_CHARACTER", found.message)
    return text


# Names, addresses, form fields: one line. Reasons may break lines (a reviewer's textarea).
FreeText = Annotated[str, BeforeValidator(_free_text)]
FreeTextLines = Annotated[str, BeforeValidator(lambda value: _free_text(value, line_breaks=True))]
# A per-matter form value (text, or a list or object of text): its strings are checked as FreeText.
FormValue = Annotated[Any, BeforeValidator(_free_text)]


def choices_text(expected: str) -> str:
    """The allowed values by their Chinese names (a message never shows a code); empty when some have none."""
    values = re.findall(r"'([^']*)'", expected)
    names = [_choice_name(v) for v in values]
    if not values or None in names:
        return ""
    return f"（可选：{'、'.join(dict.fromkeys(n for n in names if n))}）"


def _choice_name(value: str) -> str | None:
    if value in CHOICE_NAMES:
        return CHOICE_NAMES[value]
    if value in MatterCode.__members__.values():
        return matter_name(value)
    if value in Material.__members__.values():
        return MATERIAL_NAMES[Material(value)]
    return _OTHER_CHOICES.get(value)


_OTHER_CHOICES = {
    "approve": "通过",
    "reject": "驳回",
    "accept": "受理",
    "image/jpeg": "JPEG图片",
    "image/png": "PNG图片",
    "application/pdf": "PDF文件",
}


def _field(loc: tuple[Any, ...], prefix: str) -> str:
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path or "body"


def _text_bound(kind: str, error: Mapping[str, Any]) -> str | None:
    """A text's length bound in characters, or None when the error is not about a text's length.

    Text behind a validator (free text) reports its bound as `too_short` of a "Value", like a list's:
    its message must count characters, not items ("至少需要一项" is the list's wording)."""
    ctx = error.get("ctx") or {}
    text = kind.startswith("string_") or (ctx.get("field_type") == "Value" and isinstance(error.get("input"), str))
    if not text:
        return None
    if kind in ("string_too_short", "too_short"):
        bound = ctx.get("min_length")
        return "不能为空" if bound == 1 else f"至少需要{bound}个字" if bound else None
    if kind in ("string_too_long", "too_long"):
        return f"不能超过{ctx['max_length']}个字" if ctx.get("max_length") else None
    return None


def field_errors(error: ValidationError | Sequence[Mapping[str, Any]], prefix: str = "") -> list[dict[str, str]]:
    """A ValidationError (or some of its `.errors()`) as problem+json errors."""
    errors = []
    for e in error.errors(include_url=False) if isinstance(error, ValidationError) else error:
        kind = e["type"]
        if kind == "value_error":
            message = str(e.get("ctx", {}).get("error") or e["msg"]).removeprefix("Value error, ")
        elif kind.isupper():  # a domain code raised as PydanticCustomError: its message is Chinese
            message = e["msg"]
        else:
            message = _MESSAGES.get(kind, "取值无效")
            if kind in ("enum", "literal_error") and e.get("ctx", {}).get("expected"):
                message += choices_text(str(e["ctx"]["expected"]))
            if (text_bound := _text_bound(kind, e)) is not None:
                message = text_bound
        errors.append({"field": _field(e["loc"], prefix), "code": kind, "message": message})
    return errors


# A request body is shallow (a case is 4 levels deep): bounding the depth before parsing keeps a
# hostile body from exhausting the parser's recursion (`[` x 1000 answered 500 on every route with
# a body). Its size is bounded for every route at the edge (chalicelib/http.py, MAX_BODY_BYTES).
MAX_JSON_DEPTH = 20
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # a JSON string, its escapes included (unrolled: linear)
_BRACKET = re.compile(r"[\[\]{}]")


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in `text`, brackets inside strings not counted (no parse, no recursion)."""
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_STRING.sub('""', text)):
        depth += 1 if bracket.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def parse_json_body(raw: bytes | str | None) -> Any:
    if raw is None or raw in (b"", ""):
        raise MalformedRequest("请求体不能为空，应为 JSON 对象", [{"field": "body", "code": "missing", "message": "请求体不能为空"}])
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if json_depth(text) > MAX_JSON_DEPTH:
            raise MalformedRequest(
                f"请求体嵌套过深（不能超过{MAX_JSON_DEPTH}层）",
                [{"field": "body", "code": "too_deep", "message": f"JSON 嵌套不能超过{MAX_JSON_DEPTH}层"}],
            )
        return json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise MalformedRequest(
            "请求体不是有效的 JSON", [{"field": "body", "code": "json_invalid", "message": "请求体不是有效的 JSON"}]
        ) from None


def parse_model(model: type[T], data: Any) -> T:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = field_errors(error)
        fields = "、".join(dict.fromkeys(e["field"] for e in errors))
        raise ValidationProblem(f"以下字段有误：{fields}", errors) from None
