"""Deep JSON nesting answers 400 and an oversized body 413, on every route, and neither changes anything (issue 11)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import app as application
from chalicelib.errors import MalformedRequest
from chalicelib.http import MAX_BODY_BYTES
from chalicelib.validation import MAX_JSON_DEPTH, json_depth, parse_json_body
from tests.security.conftest import body_routes

DEEP = "[" * 1000 + "]" * 1000


def _send(api: Any, method: str, path: str, body: str, token: str) -> Any:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    return getattr(api.client.http, method.lower())(path, headers=headers, body=body)


def _my_cases(api: Any, token: str) -> list[dict]:
    return api.get("/cases", token).json_body["cases"]


def test_depth_counts_brackets_outside_strings_only() -> None:
    assert json_depth('{"a": [1, {"b": "[[[[{{{{"}]}') == 3
    assert json_depth('"\\"[[["') == 0
    assert json_depth(DEEP) == 1000


def test_a_body_just_within_the_depth_is_parsed_and_one_deeper_is_refused() -> None:
    assert parse_json_body("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None
    with pytest.raises(MalformedRequest) as refused:
        parse_json_body("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))
    assert refused.value.errors == [{"field": "body", "code": "too_deep", "message": f"JSON 嵌套不能超过{MAX_JSON_DEPTH}层"}]


def test_deep_nesting_is_400_problem_json_on_every_route_with_a_body(api: Any, everyone: str) -> None:
    answers = {}
    for method, path in body_routes(application.app):
        response = _send(api, method, path, DEEP, everyone)
        answers[f"{method} {path}"] = response.status_code
        assert response.status_code != 500, (method, path, response.body)
        if response.status_code == 400:
            assert response.headers["Content-Type"] == "application/problem+json"
            assert json.loads(response.body)["errors"][0]["code"] == "too_deep"
    # every route that reads a body refuses it as too deep; the rest never read it
    reading = {k for k, v in answers.items() if v == 400}
    assert {"POST /cases", "POST /prejudge", "POST /counter/cases", "PUT /admin/calendar/2027", "POST /dev/token"} <= reading, answers
    assert _my_cases(api, everyone) == []


def test_an_oversized_body_is_413_on_every_route_and_creates_nothing(api: Any, everyone: str) -> None:
    huge = json.dumps({"padding": "x" * (MAX_BODY_BYTES + 1)})
    for method, path in [*body_routes(application.app), ("GET", "/cases"), ("GET", "/health")]:
        response = _send(api, method, path, huge, everyone)
        assert response.status_code == 413, (method, path, response.status_code)
        problem = json.loads(response.body)
        assert problem["status"] == 413 and problem["errors"][0]["field"] == "body"
    assert _my_cases(api, everyone) == []


def test_a_body_at_the_limit_is_read(api: Any, everyone: str) -> None:
    notice = api.get("/notice").json_body
    body = {
        "consent": {"notice_version": notice["version"], "agreed": True},
        "matters": [{"code": "status_query"}],
        "contact": {"phone": "13905590001", "address": "安徽省黄山市屯溪区新安北路18号"},
    }
    text = json.dumps(body)
    padded = text[:-1] + " " * (MAX_BODY_BYTES - len(text.encode())) + "}"
    assert len(padded.encode()) == MAX_BODY_BYTES
    assert _send(api, "POST", "/cases", padded, everyone).status_code == 201


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=st.characters(codec="utf-8")),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=20,
)


def _true_depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_true_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_true_depth(v) for v in value.values()), default=0)
    return 0


@given(JSON_VALUES, st.booleans())
def test_the_counted_depth_is_the_real_depth_of_any_json(value: object, ascii_only: bool) -> None:
    assert json_depth(json.dumps(value, ensure_ascii=ascii_only)) == _true_depth(value)
