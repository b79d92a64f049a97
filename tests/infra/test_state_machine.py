"""The case state machine (statemachine/case.asl.json) as deployed: its rules and its wiring."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra import build
from tests.infra.cfn import Evaluator
from tests.infra.conftest import functions_of

ASL = Path(__file__).resolve().parents[2] / "statemachine" / "case.asl.json"
LAMBDA_TRANSIENT = ("Lambda.ServiceException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException")
PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def definition() -> dict[str, Any]:
    return json.loads(ASL.read_text(encoding="utf-8"))


def scopes(machine: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Each States scope (the machine, each Parallel branch, each Map's item processor)."""
    yield path or "(top)", machine
    for name, state in machine["States"].items():
        for i, branch in enumerate(state.get("Branches", [])):
            yield from scopes(branch, f"{path}{name}.branch{i}/")
        inner = state.get("ItemProcessor") or state.get("Iterator")
        if inner:
            yield from scopes(inner, f"{path}{name}/")


def states(machine: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for where, scope in scopes(machine):
        for name, state in scope["States"].items():
            yield f"{where.removeprefix('(top)')}{name}", state


def is_lambda_task(state: dict[str, Any]) -> bool:
    resource = str(state.get("Resource", ""))
    return state.get("Type") == "Task" and (":::lambda:invoke" in resource or ":lambda:" in resource or "FunctionArn}" in resource)


def problems(machine: dict[str, Any]) -> list[str]:
    """Every broken rule of a definition (an empty list when it keeps them all)."""
    found = []
    for where, scope in scopes(machine):
        names = set(scope["States"])
        if scope.get("StartAt") not in names:
            found.append(f"{where}: StartAt {scope.get('StartAt')!r} is not a state")
        for name, state in scope["States"].items():
            targets = [("Next", state.get("Next")), ("Default", state.get("Default"))]
            targets += [("Choices.Next", c.get("Next")) for c in state.get("Choices", [])]
            targets += [("Catch.Next", c.get("Next")) for c in state.get("Catch", [])]
            for field, target in targets:
                if target is not None and target not in names:
                    found.append(f"{name}: {field} {target!r} names no state of its scope")
            if state["Type"] == "Parallel" and not state.get("Catch"):
                found.append(f"{name}: a Parallel without Catch")
    for name, state in states(machine):
        if state["Type"] != "Task":
            continue
        timeout = state.get("TimeoutSeconds")
        if timeout is None and "TimeoutSecondsPath" not in state:
            found.append(f"{name}: Task without TimeoutSeconds")
        if str(state.get("Resource", "")).endswith(".waitForTaskToken"):
            heartbeat = state.get("HeartbeatSeconds")
            if heartbeat is None:
                found.append(f"{name}: task-token wait without HeartbeatSeconds")
            elif timeout is not None and heartbeat >= timeout:
                found.append(f"{name}: HeartbeatSeconds {heartbeat} not below TimeoutSeconds {timeout}")
        if is_lambda_task(state):
            covered = {e for r in state.get("Retry", []) for e in r.get("ErrorEquals", [])}
            missing = [e for e in LAMBDA_TRANSIENT if e not in covered and "States.ALL" not in covered]
            if missing:
                found.append(f"{name}: Lambda task does not retry {', '.join(missing)}")
    return found


def test_the_definition_keeps_every_rule() -> None:
    assert problems(definition()) == []


def _task(machine: dict[str, Any], predicate: Any) -> dict[str, Any]:
    return next(state for _, state in states(machine) if predicate(state))


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda m: _task(m, is_lambda_task).pop("TimeoutSeconds"), "Task without TimeoutSeconds"),
        (
            lambda m: _task(m, lambda s: str(s.get("Resource", "")).endswith("waitForTaskToken")).pop("HeartbeatSeconds"),
            "without HeartbeatSeconds",
        ),
        (
            lambda m: _task(m, lambda s: "HeartbeatSeconds" in s).update(HeartbeatSeconds=10**9),
            "not below TimeoutSeconds",
        ),
        (
            lambda m: _task(m, is_lambda_task)["Retry"][0].update(ErrorEquals=["Lambda.ServiceException"]),
            "does not retry Lambda.SdkClientException",
        ),
        (lambda m: _task(m, lambda s: "Next" in s).update(Next="NoSuchState"), "names no state"),
        (lambda m: _task(m, lambda s: s["Type"] == "Parallel").pop("Catch"), "a Parallel without Catch"),
        (lambda m: _task(m, lambda s: s["Type"] == "Choice").update(Default="Nowhere"), "Default 'Nowhere'"),
    ],
    ids=["timeout", "heartbeat", "heartbeat-too-long", "lambda-retry", "next", "parallel-catch", "choice-default"],
)
def test_the_checks_catch_a_broken_definition(breakage: Any, expected: str) -> None:
    machine = copy.deepcopy(definition())
    breakage(machine)
    assert any(expected in p for p in problems(machine)), problems(machine)


def _state_machine(sam: dict[str, Any]) -> dict[str, Any]:
    return sam["Resources"]["CaseStateMachine"]["Properties"]


def test_the_package_deploys_the_same_definition(sam: dict[str, Any]) -> None:
    assert _state_machine(sam)["Definition"] == definition()
    assert "DefinitionUri" not in _state_machine(sam)


def test_every_placeholder_is_substituted_with_a_packaged_function(sam: dict[str, Any]) -> None:
    placeholders = set(PLACEHOLDER.findall(ASL.read_text(encoding="utf-8")))
    substitutions = _state_machine(sam)["DefinitionSubstitutions"]
    assert set(substitutions) == placeholders
    functions = functions_of(sam)
    for key, value in substitutions.items():
        logical, attribute = value["Fn::GetAtt"]
        assert attribute == "Arn"
        assert logical in functions, f"{key} names {logical}, which the package does not have"


def test_the_state_machine_may_invoke_exactly_its_functions(sam: dict[str, Any]) -> None:
    invoked = {v["Fn::GetAtt"][0] for v in _state_machine(sam)["DefinitionSubstitutions"].values()}
    allowed = {p["LambdaInvokePolicy"]["FunctionName"]["Ref"] for p in _state_machine(sam)["Policies"] if "LambdaInvokePolicy" in p}
    assert allowed == invoked


def test_logging_and_tracing(sam: dict[str, Any], evaluator: Evaluator) -> None:
    props = _state_machine(sam)
    assert props["Tracing"] == {"Enabled": True}
    logging = props["Logging"]
    assert logging["Level"] in ("ERROR", "ALL")
    assert logging["IncludeExecutionData"] is False  # execution data holds personal data
    group = logging["Destinations"][0]["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0]
    assert sam["Resources"][group]["Type"] == "AWS::Logs::LogGroup"
    assert evaluator.ref(group).startswith("/aws/vendedlogs/states/")


def test_each_lambda_task_times_out_after_its_function(sam: dict[str, Any]) -> None:
    """The task's TimeoutSeconds is longer than the function's: the function's own timeout shows first."""
    substitutions = _state_machine(sam)["DefinitionSubstitutions"]
    for name, state in states(definition()):
        if not is_lambda_task(state) or str(state["Resource"]).endswith("waitForTaskToken"):
            continue
        placeholder = PLACEHOLDER.search(json.dumps(state["Parameters"]["FunctionName"]))
        assert placeholder is not None, name
        logical = substitutions[placeholder.group(1)]["Fn::GetAtt"][0]
        timeout = sam["Resources"][logical]["Properties"]["Timeout"]
        assert timeout < state["TimeoutSeconds"], f"{name}: {logical} may run {timeout}s, the task waits {state['TimeoutSeconds']}s"


def test_the_environment_names_the_deployed_state_machine(sam: dict[str, Any], evaluator: Evaluator) -> None:
    """Built from the name, not referenced (a reference would make a dependency cycle)."""
    expected = evaluator.ref("CaseStateMachine")
    assert evaluator.eval(build.load_spec()["environment"]["SSCARD_STATE_MACHINE_ARN"]) == expected
