"""Pre-judgment (条件预判) before and at submission: what it reads of a person, and its answer."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from chalicelib.auth import Principal
from chalicelib.domain.case import FINAL_MATTER_STATUSES, OPEN_CASE_STATUSES
from chalicelib.domain.catalogue import (
    CATALOGUE,
    FORM_MODELS,
    MatterCode,
    parse_form,
)
from chalicelib.domain.prejudge import PersonRecords, Prejudgment, prejudge
from chalicelib.errors import (
    PrejudgmentFailed,
    ValidationProblem,
)
from chalicelib.models import (
    MatterChoice,
    PrejudgeRequest,
    PrejudgeResult,
)
from chalicelib.observability import MetricUnit, metrics
from chalicelib.validation import field_errors
from chalicelib.wiring import Services


def matter_statuses(matters: list[dict]) -> dict[str, str]:
    """The case item's `matter_status` map {code: status}: what pre-judgment reads of another case."""
    return {m["code"]: m["status"] for m in matters}


def person_records(services: Services, id_number: str, exclude_case: str | None = None) -> PersonRecords:
    """What pre-judgment reads: card system, pension system, the person's open cases.

    The person's case list (one query a page of 50) is enough: each case item carries the
    status of each of its matters (`matter_status`), kept by every write that ends one. A
    case written before it did is read whole.
    """
    open_matters: set[MatterCode] = set()
    person_key = services.person_key(id_number)
    cursor = None
    while True:
        cases, cursor = services.store.list_for_person(person_key, limit=50, cursor=cursor)
        for case in cases:
            if case["case_id"] == exclude_case or case["status"] not in OPEN_CASE_STATUSES:
                continue
            statuses = case.get("matter_status")
            if statuses is None:
                record = services.store.get(case["case_id"])
                statuses = {code: m["status"] for code, m in record.matters.items()} if record else {}
            open_matters |= {MatterCode(code) for code, status in statuses.items() if status not in FINAL_MATTER_STATUSES}
        if cursor is None:
            break
    return PersonRecords(
        card=services.card_system.current_card(id_number),
        pension=services.pension_system.record(id_number),
        open_matters=frozenset(open_matters),
    )


def _result(judgment: Prejudgment) -> PrejudgeResult:
    return PrejudgeResult(
        passed=judgment.passed,
        matters=[
            {
                "matter": check.matter,
                "passed": check.passed,
                "errors": [{"matter": check.matter, "code": r.code, "message": r.message} for r in check.reasons],
            }
            for check in judgment.checks
        ],
    )


def parse_rule_fields(choices: list[MatterChoice]) -> dict[MatterCode, Any]:
    """For a pre-judgment before the forms (domain.md §1.3): only the fields a rule reads
    (`loss` action, `reissue` kind, `cancel` reason, `pension_account` account) must be
    there and valid; the rest of a form may still be missing."""
    selection: dict[MatterCode, Any] = {}
    errors: list[dict[str, str]] = []
    for index, choice in enumerate(choices):
        try:
            selection[choice.code] = parse_form(choice.code, choice.form)
            continue
        except ValidationError as error:
            needed = [
                e
                for e in error.errors()
                if e["loc"]
                and e["loc"][0] in RULE_FIELDS.get(choice.code, ())
                and not (e["type"] == "missing" and e["loc"][0] in JUDGED_WITHOUT.get(choice.code, ()))
            ]
            if needed:
                errors.extend(field_errors(needed, prefix=f"matters[{index}].form"))
                continue
        selection[choice.code] = FORM_MODELS[choice.code].model_construct(**choice.form)
    if errors:
        fields = "、".join(dict.fromkeys(e["field"] for e in errors))
        raise ValidationProblem(f"以下字段有误：{fields}", errors)
    return selection


RULE_FIELDS: dict[MatterCode, tuple[str, ...]] = {
    MatterCode.LOSS: ("action",),
    MatterCode.REISSUE: ("kind",),
    MatterCode.CANCEL: ("reason",),
    MatterCode.PENSION_ACCOUNT: ("account_number",),
}


# Rule fields that only the applicant can give and that a scenario (domain.md §8a)
# therefore leaves empty: before the forms, their absence leaves out only the check that
# reads them (the new account's owner; a death reported online), the rest is judged.
JUDGED_WITHOUT: dict[MatterCode, tuple[str, ...]] = {
    MatterCode.CANCEL: ("reason",),
    MatterCode.PENSION_ACCOUNT: ("account_number",),
}


def prejudge_for(services: Services, principal: Principal, request: PrejudgeRequest) -> PrejudgeResult:
    selection = parse_rule_fields(request.matters)
    judgment = prejudge(selection, person_records(services, principal.id_number))
    metrics.add_metric(name="Prejudgments", unit=MetricUnit.Count, value=1)
    return _result(judgment)


def prejudgment_problem(judgment: Prejudgment) -> PrejudgmentFailed:
    errors = [{"matter": m.value, "code": r.code, "message": r.message} for m, r in judgment.failures]
    detail = "；".join(dict.fromkeys(f"{CATALOGUE[m].name}：{r.message}" for m, r in judgment.failures))
    return PrejudgmentFailed(detail, errors)
