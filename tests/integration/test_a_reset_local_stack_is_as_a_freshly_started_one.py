"""The suite runs one local stack per worker: `LocalStack.reset()` must leave nothing of one test for the next, and a
task of a run it ended is refused. (The retry waits the suite takes as 0: tests/integration/test_workflow_resilience.py.)"""

from __future__ import annotations

import json
from datetime import datetime

from chalicelib import localstack
from chalicelib.domain.times import SHANGHAI
from chalicelib.wiring import ShiftedClock, real_clock, services
from tests.conftest import awaiting_review, finished


def keys_of_every_table() -> dict[str, set[tuple]]:
    dynamodb = services().client("dynamodb")
    found = {}
    for name, resource in localstack.template_resources("AWS::DynamoDB::Table").items():
        key_names = [k["AttributeName"] for k in resource["Properties"]["KeySchema"]]
        items = [i for page in dynamodb.get_paginator("scan").paginate(TableName=name) for i in page["Items"]]
        found[name] = {tuple(json.dumps(item[k], sort_keys=True) for k in key_names) for item in items}
    return found


def objects_in_the_bucket() -> set[str]:
    s3 = services().client("s3")
    pages = s3.get_paginator("list_object_versions").paginate(Bucket=services().settings.materials_bucket)
    return {v["Key"] for page in pages for v in page.get("Versions", []) + page.get("DeleteMarkers", [])}


def executions() -> list[dict]:
    sfn = services().client("stepfunctions")
    return sfn.list_executions(stateMachineArn=services().settings.state_machine_arn)["executions"]


def test_after_finished_and_waiting_runs_a_reset_leaves_the_seeded_state_and_nothing_else(api, stack):
    seeded_tables, seeded_objects = keys_of_every_table(), objects_in_the_bucket()
    assert seeded_tables["SimulatorTable"] and seeded_objects  # the demo residents and their shared documents

    token = api.token("李强")
    done = api.create_case(token, [{"code": "activate"}, {"code": "status_query"}]).json_body["case_id"]
    api.post(f"/cases/{done}/submit", None, token, headers={"Idempotency-Key": "reset-test-1"})
    assert api.wait_for(done, token, finished)["status"] == "completed"
    applicant = api.token("杨磊")
    apply = {"code": "apply", "form": {"bank": "中国银行黄山分行", "branch": "休宁支行"}}
    waiting = api.create_case(applicant, [apply]).json_body["case_id"]
    api.upload_missing(applicant, waiting)
    api.post(f"/cases/{waiting}/submit", None, applicant)
    api.wait_for(waiting, applicant, awaiting_review)  # this run now waits on a department's task token
    services().client("s3").put_object(Bucket=services().settings.materials_bucket, Key="left-over/by-a-test", Body=b"x")
    services().clock = ShiftedClock.reading(datetime(2026, 12, 31, 17, 30, tzinfo=SHANGHAI))
    assert localstack.outbox() and len(executions()) == 2 and objects_in_the_bucket() > seeded_objects

    stack.reset()

    # a task of a run the reset ended (its thread may still be parked in the engine) is refused and writes nothing
    answer = (
        services()
        .client("lambda")
        .invoke(FunctionName=f"{localstack.FUNCTION_PREFIX}finish_case", Payload=json.dumps({"case_id": waiting}))
    )
    assert answer["FunctionError"] == "Unhandled"
    assert json.loads(answer["Payload"].read())["errorType"] == "RunEnded"
    assert keys_of_every_table() == seeded_tables
    assert objects_in_the_bucket() == seeded_objects
    assert localstack.outbox() == []
    assert executions() == []
    assert services().clock is real_clock
    # and the stack works as before: the card that was activated is `issued` again and can be activated again
    again = api.create_case(token, [{"code": "activate"}]).json_body["case_id"]
    assert api.post(f"/cases/{again}/submit", None, token).status_code == 202
    assert api.wait_for(again, token, finished)["status"] == "completed"
