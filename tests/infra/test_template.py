"""The packaged template (build/dev/package/sam.json): lint, data, schedules, alarms, API auth, settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra import build
from tests.infra.cfn import Evaluator
from tests.infra.conftest import cfn_lint, functions_of, require_function

ROOT = Path(__file__).resolve().parents[2]
SPEC = build.load_spec()
RESOURCE_SETTINGS = ("_table", "_arn", "_bucket")  # Settings fields that name an AWS resource


def resources(sam: dict[str, Any], kind: str) -> dict[str, dict]:
    return {k: r for k, r in sam["Resources"].items() if r["Type"] == kind}


def chalice_functions(sam: dict[str, Any]) -> dict[str, dict]:
    return {k: f for k, f in functions_of(sam).items() if "aws-chalice" in f["Properties"].get("Tags", {})}


# --- lint ------------------------------------------------------------------------


@pytest.mark.parametrize("stage", build.STAGES)
def test_cfn_lint_passes_on_the_packaged_template(stage: str) -> None:
    assert cfn_lint(stage) == ""


# --- data ------------------------------------------------------------------------


def test_the_cases_table_keeps_its_keys_and_indexes(sam: dict[str, Any]) -> None:
    props = sam["Resources"]["CasesTable"]["Properties"]
    assert props["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
    indexes = {i["IndexName"]: [k["AttributeName"] for k in i["KeySchema"]] for i in props["GlobalSecondaryIndexes"]}
    assert indexes == {"ByPerson": ["gsi1pk", "gsi1sk"], "ByDistrictDue": ["gsi2pk", "gsi2sk"], "ByDue": ["gsi3pk", "gsi3sk"]}
    assert sam["Resources"]["CasesTable"]["DeletionPolicy"] == "Retain"


def test_every_table_has_recovery_and_the_customer_managed_key(sam: dict[str, Any]) -> None:
    for name, table in resources(sam, "AWS::DynamoDB::Table").items():
        props = table["Properties"]
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name
        assert props["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": {"Ref": "DataKey"}}, name
        assert props["BillingMode"] == "PAY_PER_REQUEST", name


def test_idempotency_records_expire(sam: dict[str, Any]) -> None:
    """Powertools' DynamoDBPersistenceLayer writes its expiry in `expiration` (epoch seconds)."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    layer = DynamoDBPersistenceLayer(table_name="t", boto3_client=object())  # type: ignore[arg-type]
    ttl = sam["Resources"]["IdempotencyTable"]["Properties"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": layer.expiry_attr, "Enabled": True}


def test_the_key_rotates_and_outlives_the_stack(sam: dict[str, Any]) -> None:
    key = sam["Resources"]["DataKey"]
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"  # retained tables and logs stay readable


def test_the_materials_bucket(sam: dict[str, Any], evaluator: Evaluator) -> None:
    bucket = sam["Resources"]["MaterialsBucket"]
    props = bucket["Properties"]
    rule = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": ["DataKey", "Arn"]}}
    assert set(props["PublicAccessBlockConfiguration"].values()) == {True} and len(props["PublicAccessBlockConfiguration"]) == 4
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert [r for r in props["LifecycleConfiguration"]["Rules"] if r["Status"] == "Enabled" and "ExpirationInDays" in r]
    assert bucket["DeletionPolicy"] == "Retain"
    policy = sam["Resources"]["MaterialsBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "MaterialsBucket"}
    tls = [s for s in policy["PolicyDocument"]["Statement"] if s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}]
    assert tls and tls[0]["Effect"] == "Deny" and tls[0]["Principal"] == "*" and tls[0]["Action"] == "s3:*"
    covered = {evaluator.eval(r) for r in tls[0]["Resource"]}
    arn = evaluator.getatt("MaterialsBucket", "Arn")
    assert covered == {arn, f"{arn}/*"}


@pytest.mark.parametrize("name", sorted(n for n in SPEC["bucket_events"] if n != "description"))
def test_s3_invokes_the_functions_of_its_events(name: str, sam: dict[str, Any], evaluator: Evaluator) -> None:
    require_function(name, sam, SPEC)
    declared = SPEC["bucket_events"][name]
    logical = build.function_logical_id(name)
    bucket = sam["Resources"][declared["bucket"]]
    configured = bucket["Properties"]["NotificationConfiguration"]["LambdaConfigurations"]
    mine = [c for c in configured if c["Function"] == {"Fn::GetAtt": [logical, "Arn"]}]
    assert {c["Event"] for c in mine} == set(declared["events"])
    for configuration in mine:
        assert configuration["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": declared["prefix"]}]
    permission = sam["Resources"][f"{logical}S3InvokePermission"]["Properties"]
    assert permission["Principal"] == "s3.amazonaws.com"
    assert evaluator.eval(permission["SourceArn"]) == evaluator.getatt(declared["bucket"], "Arn")
    assert f"{logical}S3InvokePermission" in bucket["DependsOn"]


def test_topics(sam: dict[str, Any]) -> None:
    topics = resources(sam, "AWS::SNS::Topic")
    assert {"ApplicantNotificationsTopic", "DepartmentAlertsTopic", "OperatorAlarmsTopic"} <= set(topics)
    for name, topic in topics.items():
        assert topic["Properties"]["KmsMasterKeyId"] == {"Ref": "DataKey"}, name
    email = sam["Resources"]["OperatorAlarmsEmail"]
    assert email["Condition"] == "HasAlarmEmail"
    assert email["Properties"] == {"TopicArn": {"Ref": "OperatorAlarmsTopic"}, "Protocol": "email", "Endpoint": {"Ref": "AlarmEmail"}}


# --- scheduled jobs ------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SPEC["schedules"]))
def test_each_job_runs_on_an_eventbridge_scheduler_schedule(name: str, sam: dict[str, Any], evaluator: Evaluator) -> None:
    function = require_function(name, sam, SPEC)
    logical = build.function_logical_id(name)
    schedule = sam["Resources"][f"{logical}Schedule"]
    assert schedule["Type"] == "AWS::Scheduler::Schedule"
    props = schedule["Properties"]
    assert props["ScheduleExpression"] == SPEC["schedules"][name]["expression"]
    assert props["ScheduleExpressionTimezone"] == "Asia/Shanghai"
    assert props["State"] == "ENABLED"
    target = props["Target"]
    assert target["Arn"] == {"Fn::GetAtt": [logical, "Arn"]}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1 and target["RetryPolicy"]["MaximumEventAgeInSeconds"] >= 60
    queue = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
    assert sam["Resources"][queue]["Type"] == "AWS::SQS::Queue"
    assert json.loads(target["Input"])["time"] == "<aws.scheduler.scheduled-time>"  # the job's `event["time"]`
    # its role may invoke this function and write to the queue, nothing else
    role = sam["Resources"][target["RoleArn"]["Fn::GetAtt"][0]]["Properties"]
    statements = role["Policies"][0]["PolicyDocument"]["Statement"]
    assert {(a, json.dumps(r)) for s in statements for a in s["Action"] for r in s["Resource"]} == {
        ("lambda:InvokeFunction", json.dumps({"Fn::GetAtt": [logical, "Arn"]})),
        ("sqs:SendMessage", json.dumps({"Fn::GetAtt": [queue, "Arn"]})),
    }
    # a run that fails inside the function (asynchronous invocation) ends in the same queue
    assert function["Properties"]["DeadLetterQueue"] == {"Type": "SQS", "TargetArn": {"Fn::GetAtt": [queue, "Arn"]}}


def test_no_utc_rules_beside_the_schedules(sam: dict[str, Any]) -> None:
    """Chalice's @app.schedule makes an EventBridge rule in UTC without a DLQ; the build removes it."""
    assert not resources(sam, "AWS::Events::Rule")
    for logical, function in functions_of(sam).items():
        events = function["Properties"].get("Events", {})
        assert not [e for e in events.values() if e.get("Type") in ("Schedule", "ScheduleV2")], logical


# --- alarms ------------------------------------------------------------------------


def _alarm(sam: dict[str, Any], namespace: str, metric: str) -> dict[str, Any]:
    found = [
        a["Properties"]
        for a in resources(sam, "AWS::CloudWatch::Alarm").values()
        if (a["Properties"]["Namespace"], a["Properties"]["MetricName"]) == (namespace, metric)
    ]
    assert len(found) == 1, f"one alarm on {namespace} {metric}"
    return found[0]


def test_every_alarm_goes_to_the_operators(sam: dict[str, Any]) -> None:
    alarms = resources(sam, "AWS::CloudWatch::Alarm")
    assert len(alarms) >= 5
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "OperatorAlarmsTopic"}], name


def test_alarms_on_failed_and_timed_out_executions(sam: dict[str, Any]) -> None:
    for metric in ("ExecutionsFailed", "ExecutionsTimedOut"):
        alarm = _alarm(sam, "AWS/States", metric)
        assert alarm["Dimensions"] == [{"Name": "StateMachineArn", "Value": {"Ref": "CaseStateMachine"}}]
        assert alarm["Threshold"] == 1 and alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_alarm_on_dead_letters(sam: dict[str, Any]) -> None:
    alarm = _alarm(sam, "AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["JobsDeadLetterQueue", "QueueName"]}}]


def test_alarm_on_api_5xx(sam: dict[str, Any], evaluator: Evaluator) -> None:
    alarm = _alarm(sam, "AWS/ApiGateway", "5XXError")
    api = sam["Resources"]["RestAPI"]["Properties"]
    dimensions = {d["Name"]: evaluator.eval(d["Value"]) for d in alarm["Dimensions"]}
    assert dimensions == {"ApiName": evaluator.eval(api["Name"]), "Stage": api["StageName"]}


def test_alarm_on_overdue_reviews_matches_the_metric_the_job_emits(sam: dict[str, Any]) -> None:
    alarm = _alarm(sam, "sscard", "OverdueReviews")
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "chalicelib").rglob("*.py"))
    assert 'name="OverdueReviews"' in sources  # powertools metrics.add_metric(name="OverdueReviews", ...)
    job = sam["Resources"].get("DeadlineAlerts")
    if job is None:
        pytest.skip("deadline_alerts is not defined in app.py yet")
    env = job["Properties"]["Environment"]["Variables"]
    assert alarm["Namespace"] == env["POWERTOOLS_METRICS_NAMESPACE"]
    # powertools adds the service as the one default dimension
    assert alarm["Dimensions"] == [{"Name": "service", "Value": env["POWERTOOLS_SERVICE_NAME"]}]


# --- the API -----------------------------------------------------------------------


def test_every_route_but_the_public_ones_needs_the_authorizer(sam: dict[str, Any], app_info: dict[str, Any]) -> None:
    body = sam["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    scheme = body["securityDefinitions"][build.SECURITY_SCHEME]
    assert scheme["x-amazon-apigateway-authtype"] == "custom"
    assert "${ApiAuthorizer.Arn}" in scheme["x-amazon-apigateway-authorizer"]["authorizerUri"]["Fn::Sub"]
    public = {tuple(r.split(" ", 1)) for r in SPEC["api"]["public_routes"]}
    routes = {(m, p) for p, methods in app_info["routes"].items() for m in methods}
    assert public <= routes, "a public route of infra/functions.json that the app does not have"
    for method, path in routes:
        operation = body["paths"][path][method.lower()]
        secured = operation.get("security") == [{build.SECURITY_SCHEME: []}]
        assert secured != ((method, path) in public), f"{method} {path}"
    assert not [p for p in body["paths"] if p.startswith("/dev/")], "local-only routes are not deployed"


def test_the_authorizer_checks_the_identity_provider_of_the_parameters(sam: dict[str, Any]) -> None:
    authorizer = sam["Resources"]["ApiAuthorizer"]["Properties"]
    assert authorizer["Handler"] == "infra.authorizer.handler"
    env = authorizer["Environment"]["Variables"]
    assert env["SSCARD_AUTH_ISSUER"] == {"Ref": "IdentityProviderIssuer"}
    assert env["SSCARD_AUTH_AUDIENCE"] == {"Ref": "IdentityProviderAudience"}
    permission = sam["Resources"]["ApiAuthorizerInvokePermission"]["Properties"]
    assert permission["Principal"] == "apigateway.amazonaws.com" and "${RestAPI}" in permission["SourceArn"]["Fn::Sub"]


def test_the_api_is_regional_and_traced(sam: dict[str, Any]) -> None:
    """China regions have no edge-optimized endpoints; REGIONAL works in every region."""
    api = sam["Resources"]["RestAPI"]["Properties"]
    assert api["EndpointConfiguration"] == "REGIONAL"
    assert api["TracingEnabled"] is True


def test_the_api_times_out_before_api_gateway(sam: dict[str, Any]) -> None:
    assert sam["Resources"]["APIHandler"]["Properties"]["Timeout"] < 29


# --- parameters and settings ---------------------------------------------------------


def test_parameters(sam: dict[str, Any]) -> None:
    parameters = sam["Parameters"]
    for name in ("IdentityProviderIssuer", "IdentityProviderAudience", "PersonKeySecretName", "AlarmEmail"):
        assert name in parameters
    assert parameters["Stage"]["AllowedValues"] == ["dev"]  # the package is built for one stage


def test_every_function_is_told_its_resources(sam: dict[str, Any], evaluator: Evaluator) -> None:
    """Each Settings field naming a resource has its SSCARD_ variable, naming a resource of the template."""
    from chalicelib.settings import Settings

    fields = [f for f in Settings.model_fields if f.endswith(RESOURCE_SETTINGS)]
    names = {evaluator.ref(k) for k in sam["Resources"]} | {
        evaluator.getatt(k, "Arn") for k, r in sam["Resources"].items() if r["Type"] in ("AWS::DynamoDB::Table", "AWS::S3::Bucket")
    }
    for logical, function in chalice_functions(sam).items():
        env = {k: evaluator.eval(v) for k, v in function["Properties"]["Environment"]["Variables"].items()}
        assert env["SSCARD_STAGE"] == "dev", logical
        assert env["SSCARD_REGION"] == evaluator.ref("AWS::Region"), logical
        # the person key's secret is named, and read at run time: its value never sits in the environment (issue 11)
        assert env["SSCARD_PERSON_KEY_SECRET_NAME"] == evaluator.ref("PersonKeySecretName"), logical
        assert "SSCARD_PERSON_KEY_SECRET" not in env and "resolve:secretsmanager" not in json.dumps(env), logical
        assert "SSCARD_START_LOCAL_STACK" not in env and not [k for k in env if k.endswith("_ENDPOINT_URL")], logical
        for field in fields:
            variable = f"SSCARD_{field.upper()}"
            assert variable in env, f"{logical} lacks {variable} (add it to infra/functions.json 'environment')"
            assert env[variable] in names, f"{logical}: {variable}={env[variable]} names no resource of the template"
