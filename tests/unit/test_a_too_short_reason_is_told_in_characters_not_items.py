"""A reason shorter or longer than allowed is told in characters: the list wording ("至少需要一项") was for lists."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from chalicelib.models import CardNotMadeRequest, DecisionRequest
from chalicelib.validation import field_errors


def _errors(model: type, data: dict) -> list[dict[str, str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return field_errors(caught.value)


@pytest.mark.parametrize("reason", ["", "x"])
def test_a_reviewers_reason_of_fewer_than_two_characters_asks_for_two(reason: str) -> None:
    assert _errors(DecisionRequest, {"decision": "reject", "reason": reason}) == [
        {"field": "reason", "code": "too_short", "message": "至少需要2个字"}
    ]


def test_a_banks_reason_over_the_limit_names_the_limit_in_characters() -> None:
    assert _errors(CardNotMadeRequest, {"reason": "无" * 201}) == [
        {"field": "reason", "code": "string_too_long", "message": "不能超过200个字"}
    ]


def test_a_list_with_too_few_items_still_asks_for_an_item() -> None:
    from chalicelib.models import CreateCaseRequest

    errors = _errors(CreateCaseRequest, {"consent": {"notice_version": "2023", "agreed": True}, "matters": []})
    assert {"field": "matters", "code": "too_short", "message": "至少需要一项"} in errors
