"""The local stack (moto, `make run`) has the packaged template's tables, topics, bucket, state machine."""

from __future__ import annotations

import json
from typing import Any

from infra import build


def _of(sam: dict[str, Any], *kinds: str) -> dict[str, dict]:
    return {k: r["Properties"] for k, r in sam["Resources"].items() if r["Type"] in kinds}


def _services() -> Any:
    from chalicelib.wiring import services

    return services()


def test_tables(stack: Any, sam: dict[str, Any]) -> None:
    dynamodb = _services().client("dynamodb")
    declared = _of(sam, "AWS::DynamoDB::Table")
    assert set(dynamodb.list_tables()["TableNames"]) == set(declared)
    for name, props in declared.items():
        table = dynamodb.describe_table(TableName=name)["Table"]
        assert table["KeySchema"] == props["KeySchema"], name
        assert sorted(map(json.dumps, table["AttributeDefinitions"])) == sorted(map(json.dumps, props["AttributeDefinitions"])), name
        local_indexes = {i["IndexName"]: (i["KeySchema"], i["Projection"]) for i in table.get("GlobalSecondaryIndexes", [])}
        declared_indexes = {i["IndexName"]: (i["KeySchema"], i["Projection"]) for i in props.get("GlobalSecondaryIndexes", [])}
        assert local_indexes == declared_indexes, name
        ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if "TimeToLiveSpecification" in props:
            assert ttl["TimeToLiveStatus"] == "ENABLED" and ttl["AttributeName"] == props["TimeToLiveSpecification"]["AttributeName"], name
        else:
            assert ttl["TimeToLiveStatus"] == "DISABLED", name


def test_topics(stack: Any, sam: dict[str, Any]) -> None:
    topics = {t["TopicArn"].rsplit(":", 1)[-1] for t in _services().client("sns").list_topics()["Topics"]}
    assert topics == set(_of(sam, "AWS::SNS::Topic"))
    settings = _services().settings
    assert settings.applicant_topic_arn.endswith(":ApplicantNotificationsTopic")
    assert settings.department_topic_arn.endswith(":DepartmentAlertsTopic")


def test_buckets(stack: Any, sam: dict[str, Any]) -> None:
    from chalicelib import localstack

    buckets = {b["Name"] for b in _services().client("s3").list_buckets()["Buckets"]}
    assert buckets == {localstack.bucket_name(logical) for logical in _of(sam, "AWS::S3::Bucket")}
    assert _services().settings.materials_bucket == localstack.bucket_name("MaterialsBucket")


def test_bucket_notifications(stack: Any, sam: dict[str, Any]) -> None:
    """S3 invokes the same functions for the same events and prefixes as in AWS."""
    from chalicelib import localstack

    s3 = _services().client("s3")
    for logical, props in _of(sam, "AWS::S3::Bucket").items():
        declared = {
            (c["Function"]["Fn::GetAtt"][0], c["Event"], json.dumps(c.get("Filter", {}).get("S3Key", {}).get("Rules", [])))
            for c in props.get("NotificationConfiguration", {}).get("LambdaConfigurations", [])
        }
        local = set()
        notifications = s3.get_bucket_notification_configuration(Bucket=localstack.bucket_name(logical))
        for c in notifications.get("LambdaFunctionConfigurations", []):
            name = c["LambdaFunctionArn"].rsplit(":", 1)[-1].removeprefix(localstack.FUNCTION_PREFIX)
            rules = [{"Name": r["Name"].lower(), "Value": r["Value"]} for r in c.get("Filter", {}).get("Key", {}).get("FilterRules", [])]
            local |= {(build.function_logical_id(name), event, json.dumps(rules)) for event in c["Events"]}
        assert local == declared, logical


def test_state_machine(stack: Any, sam: dict[str, Any]) -> None:
    """The local definition is the deployed one with its substitutions filled in the same way."""
    from chalicelib import localstack
    from functions.workflow import HANDLERS

    props = sam["Resources"]["CaseStateMachine"]["Properties"]
    by_logical = {build.function_logical_id(name): name for name in HANDLERS}
    text = json.dumps(props["Definition"])
    for placeholder, value in props["DefinitionSubstitutions"].items():
        logical = value["Fn::GetAtt"][0]
        text = text.replace("${" + placeholder + "}", localstack._function_arn(by_logical[logical]))
    local = _services().client("stepfunctions").describe_state_machine(stateMachineArn=stack.state_machine_arn)
    assert json.loads(local["definition"]) == json.loads(text)
