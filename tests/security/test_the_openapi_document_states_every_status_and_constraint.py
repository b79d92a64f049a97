"""The OpenAPI document names every status a route answers and the constraints the code applies (issue 11)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import app as application
from chalicelib import openapi
from chalicelib.errors import ValidationProblem
from chalicelib.http import (
    CURSOR_MAX_LENGTH,
    CURSOR_PATTERN,
    IDEMPOTENCY_KEY_PATTERN,
    MAX_BODY_BYTES,
    checked_cursor_text,
    checked_idempotency_key,
)
from chalicelib.models import MaterialDeclaration
from chalicelib.validation import parse_model
from tests.security.conftest import body_routes

UNKNOWN_ID = "0b7c6a52-6d1e-4a53-9c1f-1c1d2e3f4a5b"
DOCUMENT = openapi.document(include_dev=True)


def _operations() -> list[tuple[str, str, dict]]:
    return [(path, method, op) for path, ops in DOCUMENT["paths"].items() for method, op in ops.items()]


def _filled(path: str) -> str:
    path = path.replace("{year}", "2027").replace("{job}", "deadline-alerts")
    return re.sub(r"\{[a-z_]+\}", UNKNOWN_ID, path)


def test_every_route_of_the_app_is_documented() -> None:
    documented = {(path, method.upper()) for path, method, _ in _operations()}
    routes = {(path, method) for path, entries in application.app.routes.items() for method in entries}
    assert routes == documented


@pytest.mark.parametrize(("path", "method", "op"), _operations(), ids=lambda v: v if isinstance(v, str) else "")
def test_each_operation_names_the_statuses_every_route_can_answer(path: str, method: str, op: dict) -> None:
    statuses = set(op["responses"])
    assert {"413", "429", "500"} <= statuses
    if op["security"]:
        assert {"401", "403"} <= statuses
    if "requestBody" in op:
        assert {"400", "422"} <= statuses
    for parameter in op.get("parameters", []):
        if parameter["name"] == "Idempotency-Key":
            assert parameter["schema"]["pattern"] == IDEMPOTENCY_KEY_PATTERN and parameter["schema"]["maxLength"] == 128
            assert {"409", "422"} <= statuses
        if parameter["name"] == "cursor":
            assert parameter["schema"]["pattern"] == CURSOR_PATTERN and parameter["schema"]["maxLength"] == CURSOR_MAX_LENGTH
            assert "422" in statuses
        if parameter["in"] == "path":
            assert "404" in statuses or path.startswith(("/admin/", "/dev/clock")), (path, method)


@given(st.text(max_size=140))
def test_the_idempotency_key_pattern_is_what_the_code_accepts(key: str) -> None:
    try:
        checked_idempotency_key(key)
        accepted = True
    except ValidationProblem:
        accepted = False
    assert accepted is bool(re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key))


@given(st.text(alphabet="AZaz09_-=/+%. ", max_size=40))
def test_the_cursor_pattern_is_what_the_code_accepts(cursor: str) -> None:
    try:
        checked_cursor_text(cursor)
        accepted = True
    except ValidationProblem:
        accepted = False
    assert accepted is bool(re.fullmatch(CURSOR_PATTERN, cursor))


def test_a_size_of_true_is_refused_not_taken_as_one_byte() -> None:
    with pytest.raises(ValidationProblem) as refused:
        parse_model(MaterialDeclaration, {"kind": "photo", "content_type": "image/jpeg", "size": True})
    assert [(e["field"], e["code"]) for e in refused.value.errors or []] == [("size", "int_type")]


def test_a_size_of_true_is_422_over_http(api: Any) -> None:
    token = api.token("王芳")
    case_id = api.create_case(token, [{"code": "status_query"}]).json_body["case_id"]
    response = api.post(f"/cases/{case_id}/materials", {"kind": "photo", "content_type": "image/jpeg", "size": True}, token)
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json_body["errors"]] == [("size", "int_type")]


def _call(api: Any, method: str, path: str, body: str | None = None, token: str | None = None, **headers: str) -> Any:
    sent = {"Content-Type": "application/json", **headers}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    call = getattr(api.client.http, method.lower())
    return call(path, headers=sent, body=body) if body is not None else call(path, headers=sent)


def test_what_each_route_answers_to_hostile_and_wrong_requests_is_documented(api: Any, everyone: str) -> None:
    answered: dict[tuple[str, str], set[int]] = {}
    with_body = {(method, path) for method, path in body_routes(application.app)}
    for path, lower, _ in _operations():
        method = lower.upper()
        target = _filled(path)
        probes = [
            _call(api, method, target),
            _call(api, method, target, json.dumps({"x": "y" * MAX_BODY_BYTES}), everyone),
        ]
        if (method, target) in with_body:
            probes += [
                _call(api, method, target, "[" * 100 + "]" * 100, everyone),
                _call(api, method, target, "{not json", everyone),
                _call(api, method, target, "{}", everyone),
                _call(api, method, target, "{}", everyone, **{"Idempotency-Key": "has a space"}),
            ]
        elif method in ("GET", "DELETE") and path != "/dev/clock":
            probes.append(_call(api, method, target, token=everyone))
        if "cursor" in json.dumps(DOCUMENT["paths"][path][method.lower()].get("parameters", [])):
            probes.append(_call(api, method, f"{target}?cursor=%25%25not-a-cursor", token=everyone))
        answered[(path, method)] = {p.status_code for p in probes}
    undocumented = {
        f"{method} {path}": sorted(s for s in statuses if str(s) not in DOCUMENT["paths"][path][method.lower()]["responses"])
        for (path, method), statuses in answered.items()
    }
    assert {k: v for k, v in undocumented.items() if v} == {}
    assert all(500 not in statuses for statuses in answered.values()), answered
