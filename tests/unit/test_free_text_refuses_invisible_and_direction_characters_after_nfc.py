"""Free text is NFC-normalised, then control, bidi-override and zero-width characters are refused (issue 11)."""

from __future__ import annotations

import pytest

from chalicelib import models
from chalicelib.domain.free_text import normalized, unsafe_character
from chalicelib.errors import ValidationProblem
from chalicelib.validation import parse_model

REFUSED = [
    "\x00",  # NUL
    "\x1b",  # ESC
    "\x7f",  # DEL
    "\t",
    "\n",
    *map(chr, range(0x202A, 0x202F)),  # bidi embeddings and overrides
    *map(chr, range(0x2066, 0x206A)),  # bidi isolates
    *map(chr, range(0x200B, 0x2010)),  # zero width space, non-joiner, joiner, LRM, RLM
    "\u2060",  # word joiner
    "\ufeff",  # zero width no-break space (BOM)
    "\u2028",  # line separator
    "\U000e0041",  # tag latin capital A
]


@pytest.mark.parametrize("character", REFUSED, ids=lambda c: f"U+{ord(c):04X}")
def test_each_invisible_or_direction_character_is_found_where_it_is(character: str) -> None:
    found = unsafe_character(f"王{character}芳")
    assert found is not None and found.position == 2 and found.character == character
    assert f"U+{ord(character):04X}" in found.message and "第2个字符" in found.message


@pytest.mark.parametrize(
    "text", ["王芳", "安徽省黄山市屯溪区新安北路18号", "Zhang San-Li O'Brien", "\ue000生僻字", "𠀀𪚥", "（一）、：；“”《》"]
)
def test_ordinary_text_and_private_use_characters_pass(text: str) -> None:
    assert unsafe_character(text) is None


def test_line_breaks_pass_only_where_allowed() -> None:
    assert unsafe_character("第一行\n第二行\r\n", line_breaks=True) is None
    assert unsafe_character("第一行\n第二行") is not None
    assert unsafe_character("第一行\x00", line_breaks=True) is not None


def test_text_is_normalised_to_nfc_before_it_is_checked_and_stored() -> None:
    decomposed = "Jose\u0301 安徽省"
    contact = parse_model(models.Contact, {"phone": "13905590001", "address": decomposed})
    assert contact.address == normalized(decomposed) == "José 安徽省"


def _refused_fields(model: type, body: dict) -> list[dict]:
    with pytest.raises(ValidationProblem) as refused:
        parse_model(model, body)
    return refused.value.errors or []


@pytest.mark.parametrize(
    ("model", "body", "field"),
    [
        (models.Contact, {"phone": "13905590001", "address": "安徽省\u202e黄山市"}, "address"),
        (models.ContactChange, {"address": "安徽省\u200b黄山市"}, "address"),
        (models.Applicant, {"id_number": "342701198503120022", "name": "王\x1b芳"}, "name"),
        (models.AgentIn, {"name": "李强", "id_number": "341003199002150037", "phone": "13905590002", "relation": "父\ufeff子"}, "relation"),
        (models.DecisionRequest, {"decision": "reject", "reason": "材料\x00不全"}, "reason"),
        (models.PensionDecisionRequest, {"decision": "reject", "reason": "账号\u2066有误"}, "reason"),
        (models.CardNotMadeRequest, {"reason": "照片\u2060不清晰"}, "reason"),
        (models.MatterChoice, {"code": "cancel", "form": {"reason": "other", "reason_text": "出国\u202d定居"}}, "form.reason_text"),
        (models.CalendarHoliday, {"name": "春\x07节", "date": "2027-02-06"}, "name"),
    ],
)
def test_each_free_text_field_is_refused_with_422_naming_it_in_chinese(model: type, body: dict, field: str) -> None:
    errors = _refused_fields(model, body)
    assert [(e["field"], e["code"]) for e in errors] == [(field, "UNSAFE_CHARACTER")]
    assert "不允许" in errors[0]["message"]


def test_a_reason_may_break_lines() -> None:
    assert parse_model(models.DecisionRequest, {"decision": "reject", "reason": "材料不全：\n缺少照片"}).reason == "材料不全：\n缺少照片"


def test_a_token_name_that_hides_characters_is_not_a_principal() -> None:
    from chalicelib.auth import Principal

    assert _refused_fields(Principal, {"sub": "HR0001", "roles": ["reviewer"], "name": "吴\u202e建华"})[0]["field"] == "name"
