"""Every code the service can answer is in the document's enumerations (chalicelib/errors.py): a front-end
switching on `reason_code` or `errors[].code` is never handed a value its generated types do not know."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from chalicelib import models, openapi
from chalicelib.domain import prejudge
from chalicelib.domain.catalogue import FORM_MODELS, MatterCode
from chalicelib.domain.resident_id import IdPart, ResidentIdError
from chalicelib.errors import PREJUDGMENT_REASONS, ErrorCode, ReasonCode
from chalicelib.validation import field_errors

SOURCE = Path(__file__).resolve().parents[2]
# the service's code; the document's own examples (chalicelib/openapi.py) are checked against the enumerations by its schemas
FILES = [
    path
    for path in sorted((SOURCE / "chalicelib").rglob("*.py")) + sorted((SOURCE / "functions").rglob("*.py")) + [SOURCE / "app.py"]
    if path.name != "openapi.py"
]


def _strings(node: ast.AST) -> set[str]:
    """The string constants of an expression (`"A" if x else "B"` gives both); none for computed values."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def _written_codes() -> tuple[set[str], set[str]]:
    """(reason codes, error codes) written as literals in the service's source."""
    reasons: set[str] = set()
    errors: set[str] = set()
    # where a reason code is an argument: the callee and its position
    reason_args = {"Reason": 0, "ExternalRefusal": 0, "not_done": 5, "_close_what_is_open": 2}
    error_args = {"PydanticCustomError": 0, "_error": 1}
    for path in FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                if name in reason_args and len(node.args) > reason_args[name]:
                    reasons |= _strings(node.args[reason_args[name]])
                if name in error_args and len(node.args) > error_args[name]:
                    errors |= _strings(node.args[error_args[name]])
                for keyword in node.keywords:
                    if keyword.arg == "reason_code":
                        reasons |= _strings(keyword.value)
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if key is not None and _strings(key) == {"reason_code"}:
                        reasons |= _strings(value)
                    if (
                        key is not None
                        and _strings(key) == {"code"}
                        and any(_strings(k) == {"message"} for k in node.keys if k is not None)
                    ):
                        errors |= _strings(value)
    return reasons, errors


def test_the_source_is_read_where_codes_are_written() -> None:
    reasons, errors = _written_codes()
    # a few known ones from each kind of place, so that a renamed callee cannot empty the scan unseen
    assert {"CARD_EXISTS", "CARD_NOT_FOUND", "REVIEW_REJECTED", "SYSTEM_ERROR", "CARD_NOT_MADE", "WITHDRAWN"} <= reasons
    assert {"UNKNOWN_BANK", "IDENTITY_MISMATCH", "MATERIAL_MISSING", "MATERIAL_REJECTED", "json_invalid", "overlap"} <= errors


def test_every_reason_code_written_in_the_source_is_enumerated() -> None:
    reasons, _ = _written_codes()
    assert reasons - {c.value for c in ReasonCode} == set()


def test_every_pre_judgment_reason_is_a_pre_judgment_code() -> None:
    written = {r.code for r in vars(prejudge).values() if isinstance(r, prejudge.Reason)}
    written.add(prejudge.conflict_reason(MatterCode.APPLY, MatterCode.CANCEL).code)
    assert written == set(PREJUDGMENT_REASONS)


def test_every_error_code_written_in_the_source_is_enumerated() -> None:
    _, errors = _written_codes()
    id_parts = {ResidentIdError(part, "").code for part in IdPart}
    assert (errors | id_parts) - {c.value for c in ErrorCode} == set()


# --- pydantic's own error types: what any body can make the request models say -----------------

NAMES = sorted({name for form in FORM_MODELS.values() for name in form.model_fields} | {"kind", "code", "form", "time"})
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(
        ["", "apply", "loss", "photo", "image/jpeg", "2026-12-01", "2026-12-01T10:00:00", "2026-12-01T10:00:00+08:00", "approve"]
    ),
    st.sampled_from(["341004198811200040", "13905590001", "\u202e", "\ud800", "中国银行黄山分行", "屯溪支行"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from([*NAMES, "extra"]), inner, max_size=4),
    max_leaves=12,
)


# Valid bodies (the document's examples, and a form of each matter), each then changed at one place.
VALID: list[tuple[type[BaseModel], Any]] = [
    (models.PrejudgeRequest, openapi.PREJUDGE),
    (models.CreateCaseRequest, openapi.CREATE_CASE),
    (models.UpdateCaseRequest, {"matters": openapi.CREATE_CASE["matters"], "contact": {"phone": "13905590001", "address": "黄山市"}}),
    (models.CounterCaseRequest, openapi.COUNTER_CASE),
    (models.MaterialDeclaration, openapi.MATERIAL_DECLARATION),
    (models.DecisionRequest, openapi.DECISION),
    (models.PensionDecisionRequest, openapi.PENSION_DECISION),
    (models.CardNotMadeRequest, openapi.CARD_NOT_MADE),
    (models.CalendarLoadRequest, openapi.CALENDAR_LOAD),
    (models.DevClockRequest, {"time": "2026-12-15T23:50:00+08:00"}),
    (models.JobRunRequest, {"time": "2026-12-15T23:50:00+08:00"}),
    (models.DevTokenRequest, {"sub": "341004198811200040", "roles": ["citizen"], "district": "341004"}),
    (FORM_MODELS[MatterCode.APPLY], {"bank": "中国银行黄山分行", "branch": "屯溪支行"}),
    (FORM_MODELS[MatterCode.REISSUE], {"kind": "lost", "bank": "boc", "branch": "boc-tunxi"}),
    (FORM_MODELS[MatterCode.LOSS], {"action": "report"}),
    (FORM_MODELS[MatterCode.CANCEL], {"reason": "other", "reason_text": "不再使用"}),
    (FORM_MODELS[MatterCode.INFO_CHANGE], {"phone": "13905590001", "address": "黄山市屯溪区"}),
    (FORM_MODELS[MatterCode.PENSION_ACCOUNT], {"account_number": "6217005590000000074"}),
]


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _places(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _places(inner, (*path, index))
    return found


def _changed(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    """`value` with the part at `path` replaced by `new` (or, for `DELETE`, taken out)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copy = dict(value)
        if not rest and new is DELETE:
            del copy[head]
        else:
            copy[head] = _changed(value[head], rest, new)
        return copy
    copy_list = list(value)
    copy_list[head] = _changed(value[head], rest, new) if rest or new is not DELETE else None
    return copy_list


DELETE = object()


@st.composite
def wrong_bodies(draw: st.DrawFn) -> tuple[type[BaseModel], Any]:
    model, body = draw(st.sampled_from(VALID))
    place = draw(st.sampled_from(_places(body)))
    new = draw(st.one_of(VALUES, st.just(DELETE), st.text(min_size=201, max_size=300), st.lists(st.just({}), min_size=9, max_size=25)))
    return model, _changed(body, place, new) if place or new is not DELETE else {}


@settings(max_examples=500, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wrong_bodies())
def test_whatever_a_body_holds_the_codes_of_its_errors_are_enumerated(wrong: tuple[type[BaseModel], Any]) -> None:
    model, body = wrong
    try:
        model.model_validate(body)
    except ValidationError as error:
        codes = {e["code"] for e in field_errors(error)}
        assert codes - {c.value for c in ErrorCode} == set(), body
