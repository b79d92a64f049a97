"""Each function's role against the AWS calls its code makes (tests/infra/callgraph.py).

For every function of infra/functions.json (scheduled jobs app.py does not define yet
are skipped): it has a role of its own; no action is `*` or a wildcard; every AWS call
its code can reach is allowed on the resource it touches; nothing else is granted;
`*` as a resource only where the service has no resource (X-Ray, SMS to a phone).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from infra import build
from tests.infra.callgraph import Analysis, AwsCall, Project, project_for
from tests.infra.cfn import Evaluator, action_matches, arn_matches, as_list
from tests.infra.conftest import functions_of, name_of, require_function

ROOT = Path(__file__).resolve().parents[2]
SPEC = build.load_spec()
FUNCTION_NAMES = sorted(SPEC["functions"])
RESOURCE_TYPES = {
    "dynamodb": ("AWS::DynamoDB::Table",),
    "sns": ("AWS::SNS::Topic",),
    "stepfunctions": ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"),
    "s3": ("AWS::S3::Bucket",),
    "sqs": ("AWS::SQS::Queue",),
}
EXECUTION_ACTIONS = {"states:DescribeExecution", "states:StopExecution", "states:GetExecutionHistory"}
BUCKET_ACTIONS = {"s3:ListBucket", "s3:ListBucketVersions", "s3:GetBucketLocation"}
# Services without resource-level permissions for these actions: "*" is their only resource.
STAR_RESOURCE_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "cloudwatch:PutMetricData", "sns:Publish"}


@cache
def project() -> Project:
    return project_for(ROOT)


@dataclass(frozen=True)
class Need:
    action: str
    arn: str | None  # None: the code does not tie the call to a resource of the template
    call: AwsCall


def entries(name: str, app_info: dict[str, Any], sam: dict[str, Any]) -> list[tuple[str, str]]:
    if name in app_info["functions"]:
        return [(e["module"], e["qualname"]) for e in app_info["functions"][name]["entries"]]
    handler = sam["Resources"][build.function_logical_id(name)]["Properties"]["Handler"]
    module, _, function = handler.rpartition(".")
    return [(module, function)]


def settings_resources(function: dict[str, Any], sam: dict[str, Any], evaluator: Evaluator) -> dict[str, list[str]]:
    """Settings field -> the template resources its environment variable names."""
    names: dict[str, list[str]] = {}
    for logical, resource in sam["Resources"].items():
        values = {evaluator.ref(logical)}
        if resource["Type"] in (t for types in RESOURCE_TYPES.values() for t in types):
            try:
                values.add(evaluator.getatt(logical, "Arn"))
            except KeyError:
                pass
        for value in values:
            names.setdefault(value, []).append(logical)
    found = {}
    for variable, value in function["Properties"].get("Environment", {}).get("Variables", {}).items():
        if variable.startswith("SSCARD_"):
            found[variable.removeprefix("SSCARD_").lower()] = names.get(str(evaluator.eval(value)), [])
    return found


def needs(calls: set[AwsCall], tied: dict[str, list[str]], sam: dict[str, Any], evaluator: Evaluator) -> set[Need]:
    """Each (action, resource ARN) the calls need."""
    result = set()
    for call in calls:
        types = RESOURCE_TYPES.get(call.service, ())
        logicals = sorted({r for field in call.settings for r in tied.get(field, []) if sam["Resources"][r]["Type"] in types})
        for action in call.actions:
            if call.service == "sns" and "PhoneNumber" in call.keywords or call.service == "cloudwatch":
                result.add(Need(action, "*", call))
                continue
            if not logicals:
                result.add(Need(action, None, call))
            for logical in logicals:
                result.add(Need(action, _arn(action, logical, call, evaluator), call))
    return result


def _arn(action: str, logical: str, call: AwsCall, evaluator: Evaluator) -> str:
    if call.service == "dynamodb":
        arn = evaluator.getatt(logical, "Arn")
        return f"{arn}/index/{'AnyIndex' if call.index == '*' else call.index}" if call.index else arn
    if call.service == "s3":
        arn = evaluator.getatt(logical, "Arn")
        return arn if action in BUCKET_ACTIONS else f"{arn}/some/object"
    if call.service == "stepfunctions" and action in EXECUTION_ACTIONS:
        return evaluator.ref(logical).replace(":stateMachine:", ":execution:") + ":some-case-id"
    if call.service in ("dynamodb", "s3", "sqs"):
        return evaluator.getatt(logical, "Arn")
    return evaluator.ref(logical)


def all_role_statements(name: str, sam: dict[str, Any], evaluator: Evaluator) -> list[dict[str, Any]]:
    role = sam["Resources"][build.role_logical_id(name)]
    return [
        {
            **statement,
            "Action": as_list(statement.get("Action", [])),
            "Resource": [evaluator.eval(r) for r in as_list(statement["Resource"])],
        }
        for policy in role["Properties"]["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def role_statements(name: str, sam: dict[str, Any], evaluator: Evaluator) -> list[dict[str, Any]]:
    """What the role allows (its Deny statements apart: they grant nothing)."""
    return [s for s in all_role_statements(name, sam, evaluator) if s["Effect"] != "Deny"]


def allows(statements: list[dict[str, Any]], action: str, arn: str | None) -> bool:
    for statement in statements:
        if statement.get("Effect") != "Allow" or not any(action_matches(a, action) for a in statement["Action"]):
            continue
        if arn is None or any(arn_matches(pattern, arn) for pattern in statement["Resource"]):
            return True
    return False


def missing_permissions(required: set[Need], statements: list[dict[str, Any]]) -> list[str]:
    return sorted(f"{n.action} on {n.arn or 'its resource'} ({n.call})" for n in required if not allows(statements, n.action, n.arn))


def unused_grants(required: set[Need], statements: list[dict[str, Any]]) -> list[str]:
    unused = []
    for statement in statements:
        if statement.get("Sid") in build.PLATFORM_SIDS:
            continue
        for action in statement["Action"]:
            for pattern in statement["Resource"]:
                used = any(
                    action_matches(action, n.action) and (n.arn is None or arn_matches(pattern, n.arn) or pattern == n.arn)
                    for n in required
                )
                if not used:
                    unused.append(f"{statement.get('Sid')}: {action} on {pattern}")
    return unused


@pytest.fixture(scope="module")
def analysed(app_info: dict[str, Any], sam: dict[str, Any], evaluator: Evaluator) -> dict[str, set[Need]]:
    found = {}
    for name in FUNCTION_NAMES:
        logical = build.function_logical_id(name)
        if logical not in sam["Resources"]:
            continue
        calls = Analysis(project()).aws_calls(entries(name, app_info, sam))
        found[name] = needs(calls, settings_resources(sam["Resources"][logical], sam, evaluator), sam, evaluator)
    return found


def test_every_packaged_function_has_a_declared_policy(sam: dict[str, Any]) -> None:
    for logical in functions_of(sam):
        name_of(logical, SPEC)  # KeyError names the function that needs statements in infra/functions.json


@pytest.mark.parametrize("name", FUNCTION_NAMES)
def test_each_function_has_a_role_of_its_own(name: str, sam: dict[str, Any]) -> None:
    function = require_function(name, sam, SPEC)
    role = function["Properties"]["Role"]
    assert role == {"Fn::GetAtt": [build.role_logical_id(name), "Arn"]}
    users = [k for k, f in functions_of(sam).items() if f["Properties"]["Role"] == role]
    assert users == [build.function_logical_id(name)]
    assert sam["Resources"][build.role_logical_id(name)]["Type"] == "AWS::IAM::Role"


def test_no_shared_or_default_role(sam: dict[str, Any]) -> None:
    assert "DefaultRole" not in sam["Resources"]
    roles = [json_key(f["Properties"]["Role"]) for f in functions_of(sam).values()]
    assert len(roles) == len(set(roles))


def json_key(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True)


@pytest.mark.parametrize("name", FUNCTION_NAMES)
def test_no_wildcard_action(name: str, sam: dict[str, Any], evaluator: Evaluator) -> None:
    require_function(name, sam, SPEC)
    for statement in role_statements(name, sam, evaluator):
        assert "NotAction" not in statement and "NotResource" not in statement
        assert statement["Effect"] == "Allow"
        for action in statement["Action"]:
            assert "*" not in action and "?" not in action, f"{name}: {statement.get('Sid')} grants {action}"


@pytest.mark.parametrize("name", FUNCTION_NAMES)
def test_no_role_may_change_or_remove_an_access_record(name: str, sam: dict[str, Any], evaluator: Evaluator) -> None:
    """The access records are append-only (PIPL Art. 51): every role denies updates and deletes on their table."""
    require_function(name, sam, SPEC)
    table = evaluator.getatt("AuditTable", "Arn")
    denied = {a for s in all_role_statements(name, sam, evaluator) if s["Effect"] == "Deny" and table in s["Resource"] for a in s["Action"]}
    assert {"dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteTable"} <= denied
    assert [s["Sid"] for s in all_role_statements(name, sam, evaluator) if s["Effect"] == "Deny"] == ["AccessRecordsAreAppendOnly"]


@pytest.mark.parametrize("name", FUNCTION_NAMES)
def test_star_resources_only_where_aws_has_no_resource(name: str, sam: dict[str, Any], evaluator: Evaluator) -> None:
    require_function(name, sam, SPEC)
    for statement in role_statements(name, sam, evaluator):
        if "*" in statement["Resource"]:
            assert set(statement["Action"]) <= STAR_RESOURCE_ACTIONS, f"{name}: {statement}"


@pytest.mark.parametrize("name", FUNCTION_NAMES)
def test_the_policy_allows_every_call_the_code_makes(name: str, sam: dict[str, Any], evaluator: Evaluator, analysed: dict) -> None:
    require_function(name, sam, SPEC)
    missing = missing_permissions(analysed[name], role_statements(name, sam, evaluator))
    assert not missing, f"{name} needs, in infra/functions.json:\n  " + "\n  ".join(missing)


@pytest.mark.parametrize("name", FUNCTION_NAMES)
def test_the_policy_grants_nothing_the_code_does_not_use(name: str, sam: dict[str, Any], evaluator: Evaluator, analysed: dict) -> None:
    require_function(name, sam, SPEC)
    unused = unused_grants(analysed[name], role_statements(name, sam, evaluator))
    assert not unused, f"{name}: remove from infra/functions.json (no code path uses them):\n  " + "\n  ".join(unused)


@pytest.mark.parametrize("name", FUNCTION_NAMES)
def test_platform_statements(name: str, sam: dict[str, Any], evaluator: Evaluator) -> None:
    """Its own log group (which exists before the function), X-Ray; a job's dead-letter queue."""
    function = require_function(name, sam, SPEC)
    statements = {s.get("Sid"): s for s in role_statements(name, sam, evaluator)}
    group = f"{build.function_logical_id(name)}LogGroup"
    assert group in function["DependsOn"]
    group_name = evaluator.ref(group)
    assert group_name == f"/aws/lambda/{evaluator.ref(build.function_logical_id(name))}"
    assert statements["WriteOwnLogs"]["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statements["WriteOwnLogs"]["Resource"] == [evaluator.getatt(group, "Arn")]
    assert "WriteTraces" in statements
    assert ("FailedRunsToDeadLetterQueue" in statements) == (name in SPEC["schedules"])


# --- the checks themselves ------------------------------------------------------------


def test_a_policy_without_a_needed_action_is_caught(sam: dict[str, Any], evaluator: Evaluator, analysed: dict) -> None:
    statements = copy.deepcopy(role_statements("api_handler", sam, evaluator))
    for statement in statements:
        statement["Action"] = [a for a in statement["Action"] if a != "states:StartExecution"]
    assert any("states:StartExecution" in m for m in missing_permissions(analysed["api_handler"], statements))


def test_a_policy_on_the_wrong_table_is_caught(sam: dict[str, Any], evaluator: Evaluator, analysed: dict) -> None:
    statements = copy.deepcopy(role_statements("request_decision", sam, evaluator))
    other = evaluator.getatt("SimulatorTable", "Arn")
    for statement in statements:
        if statement.get("Sid") == "Cases":
            statement["Resource"] = [other]
    assert missing_permissions(analysed["request_decision"], statements)


def test_an_extra_grant_is_caught(sam: dict[str, Any], evaluator: Evaluator, analysed: dict) -> None:
    statements = role_statements("request_decision", sam, evaluator)
    extra = {"Sid": "Extra", "Effect": "Allow", "Action": ["dynamodb:Scan"], "Resource": [evaluator.getatt("CasesTable", "Arn")]}
    assert unused_grants(analysed["request_decision"], [*statements, extra]) == [f"Extra: dynamodb:Scan on {extra['Resource'][0]}"]


def test_the_analysis_finds_calls_through_the_layers(analysed: dict) -> None:
    """A few calls known to be there, each several layers below its handler."""
    actions = {name: {n.action for n in found} for name, found in analysed.items()}
    assert "states:StartExecution" in actions["api_handler"]  # route -> services.cases -> Services.workflow -> adapter
    assert "dynamodb:DeleteItem" in actions["api_handler"]  # idempotency (powertools) on IdempotencyTable
    assert "dynamodb:PutItem" in actions["api_handler"]  # create: transact_write_items with Put items
    assert "sns:Publish" in actions["finish_case"]  # the applicant's SMS
    assert actions["api_authorizer"] == set()
    # the person key is read from Secrets Manager by what hashes resident IDs (issue 11), by nothing else
    assert "secretsmanager:GetSecretValue" in actions["api_handler"] and "secretsmanager:GetSecretValue" in actions["run_matter"]
    assert "secretsmanager:GetSecretValue" not in actions["finish_case"]


def test_the_analysis_on_a_small_project(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "store.py").write_text(
        "from typing import Any\n"
        "INDEX = 'ByOwner'\n"
        "class Store:\n"
        "    def __init__(self, table: Any):\n"
        "        self._table = table\n"
        "    def put(self, item: dict) -> None:\n"
        "        self._table.meta.client.transact_write_items(TransactItems=[{'Put': item}, {'ConditionCheck': item}])\n"
        "    def mine(self, owner: str) -> list:\n"
        "        return self._table.query(IndexName=INDEX, KeyConditionExpression=owner)['Items']\n"
    )
    (tmp_path / "pkg" / "wiring.py").write_text(
        "from functools import cached_property\n"
        "import boto3\n"
        "from pkg.store import Store\n"
        "class Services:\n"
        "    def __init__(self, settings):\n"
        "        self.settings = settings\n"
        "    @cached_property\n"
        "    def store(self) -> Store:\n"
        "        return Store(boto3.resource('dynamodb').Table(self.settings.things_table))\n"
        "    def sns(self):\n"
        "        return boto3.client('sns')\n"
        "def services() -> Services:\n"
        "    return Services(None)\n"
    )
    (tmp_path / "pkg" / "handlers.py").write_text(
        "from botocore.client import BaseClient\n"
        "from pkg.wiring import services\n"
        "def handler(event, context):\n"
        "    s = services()\n"
        "    s.store.put({'a': 1})\n"
        "    s.sns().publish(TopicArn=s.settings.alerts_topic_arn, Message='x')\n"
        "    notify(s.sns(), 'x')\n"
        "    return s.store.mine('me')\n"
        "def notify(client: BaseClient, text: str) -> None:\n"
        "    client.publish(PhoneNumber='+8613900000000', Message=text.strip())\n"
        "def unused(event, context):\n"
        "    services().sns().delete_topic(TopicArn='x')\n"
    )
    small = Project(tmp_path, {"things_table", "alerts_topic_arn"}, sources=("pkg",))
    calls = Analysis(small).aws_calls([("pkg.handlers", "handler")])
    found = {(c.operation, c.actions, c.settings, c.index) for c in calls}
    assert found == {
        ("TransactWriteItems", ("dynamodb:ConditionCheckItem", "dynamodb:PutItem"), frozenset({"things_table"}), None),
        ("Query", ("dynamodb:Query",), frozenset({"things_table"}), "ByOwner"),
        ("Publish", ("sns:Publish",), frozenset({"alerts_topic_arn"}), None),
        ("Publish", ("sns:Publish",), frozenset(), None),  # through a parameter typed with the SDK's BaseClient
    }
