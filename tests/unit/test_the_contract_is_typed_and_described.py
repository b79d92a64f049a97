"""The OpenAPI document is what a generated front-end client needs (issue 12.1): every operation named,
tagged and summed up; every property described; forms and results typed per matter; codes enumerated; the
examples valid both for the document and for the service's own validation."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from chalicelib import models, openapi
from chalicelib.domain.catalogue import FORM_MODELS, MATERIAL_NAMES, Material, MatterCode
from chalicelib.errors import ERROR_CODE_TEXT, REASON_CODE_TEXT, ErrorCode, ReasonCode, ValidationProblem
from chalicelib.services.matter_guide import list_matters
from chalicelib.validation import parse_model

PUBLIC = openapi.document(include_dev=False)
LOCAL = openapi.document(include_dev=True)
SCHEMAS = LOCAL["components"]["schemas"]


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()]


def schema_of(name: str) -> Draft202012Validator:
    """A validator of one component, its references resolved within the document (OpenAPI 3.1 is JSON Schema 2020-12)."""
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": LOCAL["components"]})


def test_both_documents_are_valid_openapi_3_1() -> None:
    validate(PUBLIC)
    validate(LOCAL)


def test_every_operation_has_a_unique_camel_case_id_a_known_tag_a_summary_and_a_description() -> None:
    tags = {t["name"] for t in LOCAL["tags"]}
    ids = []
    for path, method, op in _operations(LOCAL):
        where = f"{method.upper()} {path}"
        assert op.get("operationId", "").isidentifier() and op["operationId"][0].islower(), where
        assert op.get("tags") and set(op["tags"]) <= tags, where
        assert op.get("summary") and op.get("description"), where
        ids.append(op["operationId"])
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert {"citizen", "counter", "review", "pension", "bank", "operator", "auditor", "local"} == tags
    assert "local" not in {t["name"] for t in PUBLIC["tags"]}


def _properties(schema: Any, where: str) -> list[tuple[str, dict[str, Any]]]:
    """Every property of every object schema nested in `schema`, with where it is."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(schema, dict):
        for name, prop in (schema.get("properties") or {}).items():
            found.append((f"{where}.{name}", prop))
        for key, value in schema.items():
            found += _properties(value, f"{where}/{key}")
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            found += _properties(value, f"{where}[{i}]")
    return found


def test_every_property_of_every_schema_and_every_parameter_is_described() -> None:
    undescribed = [where for where, prop in _properties(SCHEMAS, "#") if not prop.get("description")]
    assert undescribed == []
    parameters = [(f"{m} {p}", q["name"]) for p, m, op in _operations(LOCAL) for q in op.get("parameters", []) if not q.get("description")]
    assert parameters == []


@pytest.mark.parametrize(("component", "choice"), [("CreateCaseRequest", "Choice"), ("PrejudgeRequest", "PrejudgeChoice")])
def test_a_matter_choice_is_a_union_on_code_of_the_eight_matters(component: str, choice: str) -> None:
    union = SCHEMAS[SCHEMAS[component]["properties"]["matters"]["items"]["$ref"].rsplit("/", 1)[1]]
    mapping = union["discriminator"]["mapping"]
    assert union["discriminator"]["propertyName"] == "code" and set(mapping) == {c.value for c in MatterCode}
    assert sorted(entry["$ref"] for entry in union["oneOf"]) == sorted(mapping.values())
    for code in MatterCode:
        variant = SCHEMAS[mapping[code.value].rsplit("/", 1)[1]]
        assert variant["title"].endswith(choice) and variant["properties"]["code"]["const"] == code.value
    # creating a case takes the matter's own form, as the service checks it
    if choice == "Choice":
        for code in MatterCode:
            variant = SCHEMAS[mapping[code.value].rsplit("/", 1)[1]]
            assert variant["properties"]["form"]["$ref"].endswith("/" + FORM_MODELS[code].__name__)


def test_before_the_forms_only_the_fields_a_rule_needs_are_required() -> None:
    required = {
        name.removesuffix("PrejudgeForm"): set(schema.get("required", []))
        for name, schema in SCHEMAS.items()
        if name.endswith("PrejudgeForm")
    }
    assert required == {
        "Apply": set(),
        "Reissue": {"kind"},
        "Loss": {"action"},
        "Cancel": set(),
        "InfoChange": set(),
        "PensionAccount": set(),
    }
    # the same prejudgment body the service takes is valid for the document, and the other way round
    for body in (
        {"matters": [{"code": "apply"}]},
        {"matters": [{"code": "reissue", "form": {"kind": "lost"}}, {"code": "loss", "form": {"action": "report"}}]},
    ):
        assert not list(schema_of("PrejudgeRequest").iter_errors(body))
        parse_model(models.PrejudgeRequest, body)
    assert list(schema_of("PrejudgeRequest").iter_errors({"matters": [{"code": "loss", "form": {}}]}))


def test_a_case_s_matters_are_a_union_on_code_each_with_its_form_and_result() -> None:
    assert SCHEMAS["CaseView"]["properties"]["matters"]["items"] == {"$ref": "#/components/schemas/MatterView"}
    union = SCHEMAS["MatterView"]
    assert union["discriminator"]["propertyName"] == "code"
    for code in MatterCode:
        variant = SCHEMAS[union["discriminator"]["mapping"][code.value].rsplit("/", 1)[1]]
        assert variant["properties"]["form"]["$ref"].endswith("/" + FORM_MODELS[code].__name__)
        result = {s.get("$ref", "null").rsplit("/", 1)[-1] for s in variant["properties"]["result"]["anyOf"]}
        assert result == {models._RESULTS[code].__name__, "null"}


def test_reason_and_error_codes_are_enumerations_with_a_chinese_meaning_each() -> None:
    for name, texts in (("ReasonCode", REASON_CODE_TEXT), ("ErrorCode", ERROR_CODE_TEXT)):
        schema = SCHEMAS[name]
        assert schema["type"] == "string" and len(schema["x-enum-descriptions"]) == len(schema["enum"])
        assert set(schema["enum"]) == {c.value for c in texts}
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in schema["x-enum-descriptions"])
    assert set(ReasonCode) == set(REASON_CODE_TEXT) and set(ErrorCode) == set(ERROR_CODE_TEXT)
    for code in MatterCode:
        view = SCHEMAS[SCHEMAS["MatterView"]["discriminator"]["mapping"][code.value].rsplit("/", 1)[1]]
        assert view["properties"]["reason_code"]["anyOf"][0] == {"$ref": "#/components/schemas/ReasonCode"}
    assert SCHEMAS["PrejudgeError"]["properties"]["code"]["$ref"] == "#/components/schemas/ReasonCode"
    codes = SCHEMAS["ProblemError"]["properties"]["code"]["anyOf"]
    assert codes == [{"$ref": "#/components/schemas/ErrorCode"}, {"$ref": "#/components/schemas/ReasonCode"}]


def test_the_upload_answer_is_a_presigned_post_and_the_flow_is_described() -> None:
    upload = SCHEMAS["MaterialUpload"]
    assert upload["properties"]["upload"]["anyOf"][0] == {"$ref": "#/components/schemas/PresignedPost"}
    assert set(SCHEMAS["PresignedPost"]["required"]) == {"url", "fields"}
    assert "rejected" in SCHEMAS["MaterialView"]["properties"]["status"]["enum"]
    described = LOCAL["paths"]["/cases/{case_id}/materials"]["post"]["description"] + upload["description"]
    for step in ("fields", "file", "expires_in", "uploaded", "rejected", "reason"):
        assert step in described


def test_the_matter_list_names_each_material_by_kind_and_by_name() -> None:
    for matter in list_matters().matters:
        assert [MATERIAL_NAMES[Material(k)] for k in matter.material_kinds] == matter.materials
    assert any(m.material_kinds for m in list_matters().matters)
    schema_of("MatterList").validate(list_matters().model_dump(mode="json"))


def _examples() -> list[tuple[str, str, str, Any, str]]:
    found = []
    for path, method, op in _operations(LOCAL):
        request = op.get("requestBody", {}).get("content", {}).get("application/json", {})
        if "example" in request:
            found.append((f"{method.upper()} {path}", "request", request["schema"]["$ref"].rsplit("/", 1)[1], request["example"], path))
        for status, response in op["responses"].items():
            content = response.get("content", {}).get("application/json", {})
            if "example" in content:
                found.append(
                    (f"{method.upper()} {path} {status}", "response", content["schema"]["$ref"].rsplit("/", 1)[1], content["example"], path)
                )
            problem = response.get("content", {}).get("application/problem+json", {})
            for name, example in problem.get("examples", {}).items():
                found.append((f"{method.upper()} {path} {status} {name}", "problem", "ProblemDetails", example["value"], path))
    return found


def test_the_main_operations_have_examples() -> None:
    with_request = {where.split(" ", 1)[1] for where, kind, *_ in _examples() if kind == "request"}
    with_response = {where.rsplit(" ", 1)[0].split(" ", 1)[1] for where, kind, *_ in _examples() if kind == "response"}
    assert {"/prejudge", "/cases", "/cases/{case_id}/materials", "/counter/cases", "/reviews/{review_id}/decision"} <= with_request
    assert {"/prejudge", "/cases", "/cases/{case_id}", "/cases/{case_id}/materials", "/banks"} <= with_response
    assert {"POST /cases 422 prejudgment", "POST /cases 422 field"} <= {where for where, kind, *_ in _examples() if kind == "problem"}


@pytest.mark.parametrize(("where", "kind", "schema", "example", "path"), _examples(), ids=lambda v: v if isinstance(v, str) else "")
def test_each_example_is_valid_for_the_document_and_a_request_example_for_the_service(
    where: str, kind: str, schema: str, example: Any, path: str
) -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in schema_of(schema).iter_errors(example)]
    assert errors == []
    if kind == "request":
        try:
            parse_model(getattr(models, schema), example)
        except ValidationProblem as problem:
            pytest.fail(f"{where}: {problem.errors}")
        if schema in ("CreateCaseRequest", "CounterCaseRequest"):
            for choice in example["matters"]:  # each form as the service checks it when the case is created
                FORM_MODELS[MatterCode(choice["code"])].model_validate(choice.get("form", {}))


def test_a_scenario_proposes_matters_typed_by_code_with_forms_prejudgment_takes() -> None:
    assert SCHEMAS["ScenarioInfo"]["properties"]["matters"]["items"] == {"$ref": "#/components/schemas/ProposedMatter"}
    mapping = SCHEMAS["ProposedMatter"]["discriminator"]["mapping"]
    assert set(mapping) == {c.value for c in MatterCode}
    for code in MatterCode:
        proposal = SCHEMAS[mapping[code.value].rsplit("/", 1)[1]]
        choice = SCHEMAS[SCHEMAS["PrejudgeMatterChoice"]["discriminator"]["mapping"][code.value].rsplit("/", 1)[1]]
        assert proposal["properties"]["form"]["$ref"] == choice["properties"]["form"]["$ref"]
