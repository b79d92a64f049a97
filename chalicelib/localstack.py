"""The local stack: the same code and state machine against moto, in this process.

Imported only when `SSCARD_STAGE=local` (never in a deployed stage: moto is a
development dependency). It
- starts moto with Step Functions execution enabled,
- creates the tables, topics and buckets from `infra/template.json` and the state machine
  from `statemachine/case.asl.json` (no second copy of either),
- dispatches the state machine's Lambda tasks to the in-process handlers of
  `functions.workflow`,
- loads the residents file (and the identities file of known non-residents) into the
  external-system simulators,
- and makes a fresh development JWT key that only this process knows.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import socket
import threading
import traceback
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "infra" / "template.json"
STATE_MACHINE = ROOT / "statemachine" / "case.asl.json"
ACCOUNT = "123456789012"
REGION = "us-east-1"
STATE_MACHINE_NAME = "sscard-local-case"
FUNCTION_PREFIX = "sscard-local-"


@dataclass
class LocalStack:
    mock: Any
    state_machine_arn: str
    residents_loaded: int

    s3_server: Any = None

    def stop(self) -> None:
        if self.s3_server is not None:
            self.s3_server.stop()
        self.mock.stop()


def _function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTION_PREFIX}{name}"


def _install_lambda_dispatch() -> None:
    """Route moto's Lambda Invoke to the in-process task handlers."""
    from moto.awslambda.models import LambdaBackend, LambdaFunction
    from moto.awslambda_simple.models import LambdaSimpleBackend

    from functions.jobs import HANDLERS as JOB_HANDLERS
    from functions.workflow import HANDLERS as TASK_HANDLERS

    handlers = {**TASK_HANDLERS, **JOB_HANDLERS}

    def invoke(self: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: dict) -> bytes:
        name = function_name.rsplit(":", 1)[-1].removeprefix(FUNCTION_PREFIX)
        handler = handlers.get(name)
        if handler is None:
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps({"errorType": "ResourceNotFound", "errorMessage": f"no local handler {name}"}).encode()
        context = SimpleNamespace(
            function_name=f"{FUNCTION_PREFIX}{name}",
            function_version="$LATEST",
            invoked_function_arn=_function_arn(name),
            memory_limit_in_mb=256,
            aws_request_id=secrets.token_hex(8),
            log_group_name=f"/aws/lambda/{FUNCTION_PREFIX}{name}",
            log_stream_name="local",
            get_remaining_time_in_millis=lambda: 30_000,
        )
        try:
            result = handler(json.loads(body) if body else {}, context)
        except Exception as error:  # a Lambda's unhandled error, as AWS reports it
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps(
                {
                    "errorType": type(error).__name__,
                    "errorMessage": str(error),
                    "stackTrace": traceback.format_exception(error)[-3:],
                }
            ).encode()
        payload = json.dumps(result).encode()
        response_headers["Content-Length"] = str(len(payload))
        return payload

    def invoke_function(self: Any, body: Any, request_headers: Any, response_headers: Any) -> bytes:
        """What moto calls for an event source (the bucket's ObjectCreated notification)."""
        return invoke(None, self.function_name, None, body, request_headers, response_headers if response_headers is not None else {})

    LambdaBackend.invoke = invoke
    LambdaSimpleBackend.invoke = invoke
    LambdaFunction.invoke = invoke_function


_moto_lock = threading.RLock()


def _serialize_moto() -> None:
    """One AWS call into moto at a time.

    moto's backends are not thread-safe (a Query deep-copies items while another thread
    updates them: "dictionary changed size during iteration"), and the local stack runs
    the API, the Step Functions executions and the S3 server in threads of one process.
    Lambda Invoke is left out: the task it dispatches runs as it would in its own
    Lambda, taking the lock for each call it makes. Re-entrant, because a function run
    from inside a call (an S3 event's check) makes calls of its own.
    """
    from moto.core.botocore_stubber import BotocoreStubber

    if getattr(BotocoreStubber.__call__, "serialized", False):
        return
    unlocked = BotocoreStubber.__call__

    def locked(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        if event_name.endswith(".lambda.Invoke"):
            return unlocked(self, event_name, request, **kwargs)
        with _moto_lock:
            return unlocked(self, event_name, request, **kwargs)

    locked.serialized = True  # type: ignore[attr-defined]
    BotocoreStubber.__call__ = locked


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve_s3(port: int) -> Any:
    """moto's server on loopback, sharing this process's backends: presigned S3 links work from curl."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server


def _notify_checker_on_upload(services: Any, bucket: str) -> None:
    """The bucket's ObjectCreated events go to the `check_material` function, as in AWS."""
    iam = services.client("iam")
    role = iam.create_role(RoleName="sscard-local-check-material", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "# dispatched in-process by chalicelib.localstack\n")
    arn = services.client("lambda").create_function(
        FunctionName=f"{FUNCTION_PREFIX}check_material",
        Runtime="python3.12",
        Role=role,
        Handler="handler.check_material",
        Code={"ZipFile": code.getvalue()},
    )["FunctionArn"]
    services.client("s3").put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {
                    "LambdaFunctionArn": arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "cases/"}]}},
                }
            ]
        },
    )


def template_resources(kind: str) -> dict[str, dict]:
    resources = json.loads(TEMPLATE.read_text())["Resources"]
    return {name: r for name, r in resources.items() if r["Type"] == kind}


def create_tables(dynamodb: Any) -> list[str]:
    """Each AWS::DynamoDB::Table of the template, named by its logical id."""
    created = []
    for name, resource in template_resources("AWS::DynamoDB::Table").items():
        props = resource["Properties"]
        kwargs: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props["BillingMode"],
        }
        if props.get("GlobalSecondaryIndexes"):
            kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        dynamodb.create_table(**kwargs)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        created.append(name)
    return created


def create_topics(sns: Any) -> list[str]:
    """Each AWS::SNS::Topic of the template, named by its logical id."""
    return [sns.create_topic(Name=name)["TopicArn"] for name in template_resources("AWS::SNS::Topic")]


def bucket_name(logical_id: str) -> str:
    """A bucket's local name: its logical id in kebab case (`MaterialsBucket` -> `materials-bucket`)."""
    return "".join("-" + c.lower() if c.isupper() else c for c in logical_id).lstrip("-")


def create_buckets(s3: Any) -> list[str]:
    """Each AWS::S3::Bucket of the template, named `bucket_name(logical id)`, versioned if it is there."""
    created = []
    for logical_id, resource in template_resources("AWS::S3::Bucket").items():
        name = bucket_name(logical_id)
        s3.create_bucket(Bucket=name)
        versioning = resource.get("Properties", {}).get("VersioningConfiguration")
        if versioning:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning["Status"]})
        created.append(name)
    return created


def state_machine_definition(function_arn: Any = _function_arn) -> str:
    """The ASL with its DefinitionSubstitutions filled in, as CloudFormation would."""
    from functions.workflow import HANDLERS, substitution_name

    text = STATE_MACHINE.read_text()
    for name in HANDLERS:
        text = text.replace("${" + substitution_name(name) + "}", function_arn(name))
    if "${" in text:
        raise ValueError("state machine definition has an unfilled substitution")
    return text


def prepare_environment() -> None:
    """Settings of the local stage (before anything reads them)."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ["AWS_DEFAULT_REGION"] = REGION
    os.environ["SSCARD_STAGE"] = "local"
    os.environ["SSCARD_REGION"] = REGION
    os.environ["SSCARD_STATE_MACHINE_ARN"] = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{STATE_MACHINE_NAME}"
    os.environ["SSCARD_APPLICANT_TOPIC_ARN"] = f"arn:aws:sns:{REGION}:{ACCOUNT}:ApplicantNotificationsTopic"
    os.environ["SSCARD_DEPARTMENT_TOPIC_ARN"] = f"arn:aws:sns:{REGION}:{ACCOUNT}:DepartmentAlertsTopic"
    os.environ["SSCARD_JWT_DEV_KEY"] = secrets.token_urlsafe(32)
    os.environ["SSCARD_MATERIALS_BUCKET"] = bucket_name("MaterialsBucket")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "sscard")


_lock = threading.Lock()


def start(residents_file: str | None = None, identities_file: str | None = None) -> LocalStack:
    """Start moto and build every resource; answers the running stack."""
    from moto import mock_aws

    from chalicelib import moto_transactions, wiring
    from chalicelib.adapters.simulators import seed_identities, seed_shared_documents, seed_simulators
    from chalicelib.residents import load_identities, load_residents
    from chalicelib.services import bank

    with _lock:
        prepare_environment()
        s3_port = int(os.environ.get("LOCAL_S3_PORT") or _free_port())
        os.environ["SSCARD_S3_ENDPOINT_URL"] = f"http://127.0.0.1:{s3_port}"
        wiring.reset()
        mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}})
        mock.start()
        _serialize_moto()
        _install_lambda_dispatch()
        moto_transactions.install()  # transactions cost what they touch, not the whole table
        services = wiring.services()
        settings = services.settings
        create_tables(services.client("dynamodb"))
        sns = services.client("sns")
        create_topics(sns)
        create_buckets(services.client("s3"))
        _notify_checker_on_upload(services, settings.materials_bucket)
        s3_server = _serve_s3(s3_port)
        sfn = services.client("stepfunctions")
        arn = sfn.create_state_machine(
            name=STATE_MACHINE_NAME,
            definition=state_machine_definition(),
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/sscard-local-state-machine",
        )["stateMachineArn"]
        assert arn == settings.state_machine_arn, (arn, settings.state_machine_arn)
        path = residents_file or os.environ.get("RESIDENTS_FILE") or str(ROOT / settings.residents_file)
        residents = load_residents(path)
        loaded = seed_simulators(services.dynamodb.Table(settings.simulator_table), services.person_key, residents)
        path = identities_file or os.environ.get("IDENTITIES_FILE") or str(ROOT / settings.identities_file)
        seed_identities(services.dynamodb.Table(settings.simulator_table), services.person_key, load_identities(path, residents))
        seed_shared_documents(services.client("s3"), settings.materials_bucket, services.person_key, residents)
        bank.list_cards_waiting_from_before(services, residents)
        return LocalStack(mock=mock, state_machine_arn=arn, residents_loaded=loaded, s3_server=s3_server)


def outbox() -> list[dict[str, Any]]:
    """What SNS has sent so far: SMS to applicants and topic publications."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    backend = sns_backends[DEFAULT_ACCOUNT_ID][REGION]
    sent: list[dict[str, Any]] = []
    for message_id, entry in backend.sms_messages.items():
        phone, text = entry[0], entry[1]
        sent.append({"id": message_id, "channel": "sms", "to": phone, "text": text})
    for topic in backend.topics.values():
        for message_id, message, subject, *_ in topic.sent_notifications:
            sent.append({"id": message_id, "channel": "topic", "to": topic.name, "subject": subject, "text": message})
    return sent
