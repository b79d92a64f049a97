"""The local stack: the same code and state machine against moto (and DynamoDB Local), in this process.

Imported only when `SSCARD_STAGE=local` (never in a deployed stage: moto is a
development dependency). It
- starts moto with Step Functions execution enabled,
- with a data folder (`make run`: `SSCARD_LOCAL_DATA`, default `.data/`), or when asked
  (`SSCARD_LOCAL_DYNAMODB=memory`), runs DynamoDB on DynamoDB Local, a real server
  process, instead of moto (see `DataFolder` for what a data folder keeps),
- creates the tables, topics and buckets from `infra/template.json` and the state machine
  from `statemachine/case.asl.json` (no second copy of either),
- dispatches the state machine's Lambda tasks to the in-process handlers of
  `functions.workflow`,
- loads the residents file (and the identities file of known non-residents) into the
  external-system simulators,
- and makes a fresh development JWT key that only this process knows.

`LocalStack.reset()` takes a running stack back to the state `start()` left, in a
fraction of a start's time: the test suite starts one stack per worker and resets it
before each test. The suite keeps DynamoDB in moto: a reset copies moto's tables back in
milliseconds, where DynamoDB Local's would be deleted, made and seeded again.

What stays in moto, and why: Step Functions (moto is the only engine here that runs the
deployed ASL with our Lambda tasks in-process), SNS (only records what was sent) and S3
(moto's server answers the presigned POST and GET links a browser uses, and sends the
ObjectCreated event to `check_material`; with a data folder its objects are written
through to disk, `_ObjectMirror`). None of them holds a case's state: that is all in
DynamoDB, where concurrent conditional writes and transactions must be real.
"""

from __future__ import annotations

import base64
import copy
import fcntl
import io
import json
import os
import secrets
import socket
import threading
import time
import traceback
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, unquote

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "infra" / "template.json"
STATE_MACHINE = ROOT / "statemachine" / "case.asl.json"
ACCOUNT = "123456789012"
REGION = "us-east-1"
STATE_MACHINE_NAME = "sscard-local-case"
FUNCTION_PREFIX = "sscard-local-"
# `make run`'s data folder: DynamoDB Local on disk, and everything listed in `DataFolder`, kept across restarts.
DATA_ENV = "SSCARD_LOCAL_DATA"
# `memory`: DynamoDB on DynamoDB Local in memory, without a data folder (a benchmark's choice); unset: moto's.
DYNAMODB_ENV = "SSCARD_LOCAL_DYNAMODB"


@dataclass
class LocalStack:
    mock: Any
    state_machine_arn: str
    residents_loaded: int

    s3_server: Any = None
    # The parsed residents and identities files, kept to seed the simulators again at each reset.
    residents: list[Any] = field(default_factory=list)
    identities: list[Any] = field(default_factory=list)
    # The tables and objects as `start()` left them (seeded), put back by each reset.
    seeded: _Seeded | None = None
    # DynamoDB Local, when DynamoDB is not moto's; the data folder, when the stack keeps its state.
    dynamodb: Any = None
    data: DataFolder | None = None

    def stop(self) -> None:
        global _data, _mirror, _journal, _started
        if self.s3_server is not None:
            self.s3_server.stop()
        self.mock.stop()
        if self.dynamodb is not None:
            self.dynamodb.stop()
        if self.data is not None:
            _data, _mirror, _journal = None, None, None
            self.data.close()
        if _started is self:
            _started = None

    def reset(self) -> None:
        """Back to the state `start()` left, without restarting moto or the S3 server.

        Ends the runs still going (and waits for their tasks in flight, so that none writes
        into the next state), then empties and rebuilds what a test can change: the tables
        (recreated from the template, then the simulators seeded again), the buckets'
        objects (the shared documents put back), what SNS has sent, the state machine's
        executions (the machine is recreated: a listing shows only new runs), and the
        adapters, settings and business clock of `chalicelib.wiring`.

        The seeded tables and objects are copied back into moto's backends directly (a
        snapshot taken by `start()`), not written again through the API: seeding costs
        hundreds of calls, a copy a few milliseconds.
        """
        from chalicelib import wiring

        if self.data is not None:
            raise RuntimeError(f"a stack on a data folder keeps its state: `make reset` clears {self.data.path}")
        with _lock:
            services = wiring.services()
            _end_runs(services.client("stepfunctions"), self.state_machine_arn)
            wiring.reset()
            services = wiring.services()
            if self.seeded is None:  # a stack made without `start()`: seeded the slow way, then remembered
                _recreate_tables(services.client("dynamodb"))
                _empty_buckets(services.client("s3"))
                _seed(services, self.residents, self.identities)
                self.seeded = _Seeded.take(dynamodb_is_moto=self.dynamodb is None)
            else:
                if self.seeded.tables is None:  # DynamoDB Local's tables: made and seeded again through its API
                    _recreate_tables(services.client("dynamodb"))
                    _seed_tables(services, self.residents, self.identities)
                self.seeded.restore()
            _clear_outbox()
            _retry_waits(services.settings)
            _forget_runs(self.state_machine_arn)


def _recreate_tables(dynamodb: Any) -> None:
    for name in template_resources("AWS::DynamoDB::Table"):
        dynamodb.delete_table(TableName=name)
    create_tables(dynamodb)


def _dynamodb_backend() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]


def _buckets() -> dict[str, Any]:
    """moto's buckets of the template, by name."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    every = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].buckets
    return {name: every[name] for name in map(bucket_name, template_resources("AWS::S3::Bucket"))}


@dataclass
class _Seeded:
    """Copies of moto's template tables (items, indexes, TTL) and of the template buckets' object versions.

    Kept apart from moto, so that what a test writes never reaches them; `restore` puts
    fresh copies in place of whatever the backends hold, tables a test created included.
    Without tables (None) when DynamoDB is DynamoDB Local, not moto: its tables cannot be
    copied, a reset makes and seeds them again (`LocalStack.reset`).
    """

    tables: dict[str, Any] | None
    objects: dict[str, dict[str, list[Any]]]  # bucket -> key -> its versions, oldest first

    @classmethod
    def take(cls, dynamodb_is_moto: bool = True) -> _Seeded:
        with _moto_lock:
            tables = None
            if dynamodb_is_moto:
                backend = _dynamodb_backend()
                tables = {name: copy.deepcopy(backend.tables[name]) for name in template_resources("AWS::DynamoDB::Table")}
            objects = {name: {key: copy.deepcopy(versions) for key, versions in bucket.keys.lists()} for name, bucket in _buckets().items()}
        return cls(tables, objects)

    def restore(self) -> None:
        from moto.s3.utils import _VersionedKeyStore

        with _moto_lock:
            if self.tables is not None:
                backend = _dynamodb_backend()
                backend.tables.clear()
                backend.tables.update(copy.deepcopy(self.tables))
            for name, bucket in _buckets().items():
                for versions in dict.values(bucket.keys):
                    for version in versions:
                        if hasattr(version, "dispose"):  # a key (not a delete marker): its buffer, a temporary file once large, closed
                            version.dispose()
                keys = _VersionedKeyStore()
                for key, versions in self.objects[name].items():
                    keys.setlist(key, copy.deepcopy(versions))
                bucket.keys = keys


def _function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTION_PREFIX}{name}"


class _TasksInFlight:
    """The Lambda tasks the local dispatch is running, so that a reset can wait until none is.

    A run that a reset stopped may still be inside a task (moto stops a run between
    states); its later tasks are refused, so that nothing of it writes into the state of
    the next test.
    """

    def __init__(self) -> None:
        self._count = 0
        self.finished = 0  # tasks finished since the process started: a waiter's cue to look at its case again
        self._changed = threading.Condition()
        self.ended_runs: set[str] = set()

    @contextmanager
    def running(self) -> Iterator[None]:
        with self._changed:
            self._count += 1
        try:
            yield
        finally:
            with self._changed:
                self._count -= 1
                self.finished += 1
                self._changed.notify_all()

    def wait_until_idle(self, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._count == 0, timeout=timeout)

    def wait_for_one_after(self, seen: int, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.finished > seen, timeout=timeout)


_tasks = _TasksInFlight()


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
        event = json.loads(body) if body else {}
        if isinstance(event, dict) and event.get("case_id") in _tasks.ended_runs:
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps({"errorType": "RunEnded", "errorMessage": "the local stack was reset under this run"}).encode()
        try:
            with _tasks.running():
                result = handler(event, context)
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

    LambdaBackend.invoke = invoke  # type: ignore[method-assign]  # moto patched for the local stack
    LambdaSimpleBackend.invoke = invoke  # type: ignore[method-assign]
    LambdaFunction.invoke = invoke_function  # type: ignore[method-assign]


def _parse_each_definition_once() -> None:
    """The engine reads a state machine's definition once, not once per run.

    moto's engine parses the definition (28 kB of ASL, with an ANTLR parser written in
    Python) at the start of every execution: about 0.7 s of CPU per case, spent in the
    run's thread while the API thread is still answering the submit, which then waits
    for the GIL (a submit took 4x a bare StartExecution). The parsed program holds only
    the definition; each run's state lives in its own environment, so runs share it.
    """
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    if getattr(ExecutionWorker._get_evaluation_entrypoint, "local_stack", False):
        return
    programs: dict[str, Any] = {}
    parsing = threading.Lock()

    def entrypoint(self: Any) -> Any:
        definition = self._evaluation_details.state_machine_details.definition
        with parsing:  # two runs starting together parse it once
            if definition not in programs:
                programs[definition] = AmazonStateLanguageParser.parse(definition)[0]
            return programs[definition]

    entrypoint.local_stack = True  # type: ignore[attr-defined]
    ExecutionWorker._get_evaluation_entrypoint = entrypoint  # type: ignore[method-assign]  # moto patched for the local stack


_moto_lock = threading.RLock()
_passed_through: tuple[str, ...] = ()  # endpoints (DynamoDB Local's) whose calls moto lets through


def _serialize_moto() -> None:
    """One AWS call into moto at a time.

    moto's backends are not thread-safe (a Query deep-copies items while another thread
    updates them: "dictionary changed size during iteration"), and the local stack runs
    the API, the Step Functions executions and the S3 server in threads of one process.
    Lambda Invoke is left out: the task it dispatches runs as it would in its own
    Lambda, taking the lock for each call it makes. Re-entrant, because a function run
    from inside a call (an S3 event's check) makes calls of its own.

    A call that moto does not answer (to DynamoDB Local: `_passed_through`) goes out
    without the lock: DynamoDB Local takes concurrent calls, and the lock then covers
    only what moto itself runs (Step Functions, SNS, S3).
    """
    from moto.core.botocore_stubber import BotocoreStubber

    if getattr(BotocoreStubber.__call__, "serialized", False):
        return
    unlocked = BotocoreStubber.__call__

    def locked(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        if _passed_through and request.url.startswith(_passed_through):
            return None  # not moto's: botocore sends it over HTTP
        if event_name.endswith(".lambda.Invoke"):
            return unlocked(self, event_name, request, **kwargs)
        with _moto_lock:
            return unlocked(self, event_name, request, **kwargs)

    locked.serialized = True  # type: ignore[attr-defined]
    BotocoreStubber.__call__ = locked  # type: ignore[method-assign]  # serialises moto


# DynamoDB's item calls: their results are items and keys, already in the wire's shape.
_ITEM_ACTIONS = frozenset(
    ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan")
    + ("BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems")
)


def _plain(value: Any) -> Any:
    """A result as JSON writes it on the wire: members without a value left out, bytes in base64."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(type(value).__name__)


def _answer_item_calls_plainly() -> None:
    """moto's answers to DynamoDB item calls written by `json.dumps`.

    moto's generic serializer walks the service model for each attribute of each item it
    answers with, a fifth of a call's time here. An item call's result is already the
    wire's shape ({type: value} attribute values), so plain JSON is the same answer; a
    result holding anything else (a timestamp, a set) still goes moto's way.
    """
    from moto.dynamodb.responses import DynamoResult

    if getattr(DynamoResult.execute_result, "local_stack", False):
        return
    generic = DynamoResult.execute_result

    def execute_result(self: Any, context: Any) -> Any:
        if context.operation_model.name in _ITEM_ACTIONS and isinstance(self.result, dict):
            try:
                body = json.dumps(_plain(self.result))
            except TypeError:
                return generic(self, context)
            return 200, {"Content-Type": "application/x-amz-json-1.0"}, body
        return generic(self, context)

    execute_result.local_stack = True  # type: ignore[attr-defined]
    execute_result.generic = generic  # type: ignore[attr-defined]  # for the test that compares both answers
    DynamoResult.execute_result = execute_result  # type: ignore[method-assign]  # moto patched for the local stack


_retries_without_wait = False


def _retry_waits(settings: Any) -> None:
    """Whether the state machine's Retry waits take their time (`local_retries_without_wait` says not).

    moto's interpreter sleeps IntervalSeconds x BackoffRate^n (with jitter) before each
    retry, and refuses an IntervalSeconds of 0 in a definition; so the definition stays
    the deployed one and the interval it reads is taken as 0 instead.
    """
    from moto.stepfunctions.parser.asl.component.common.retry.interval_seconds_decl import IntervalSecondsDecl

    global _retries_without_wait
    _retries_without_wait = settings.local_retries_without_wait
    if getattr(IntervalSecondsDecl._eval_body, "local_stack", False):
        return
    declared = IntervalSecondsDecl._eval_body

    def interval(self: Any, env: Any) -> None:
        if _retries_without_wait:
            env.stack.append(0)
        else:
            declared(self, env)

    interval.local_stack = True  # type: ignore[attr-defined]
    IntervalSecondsDecl._eval_body = interval  # type: ignore[method-assign]


def _end_runs(sfn: Any, state_machine_arn: str, timeout: float = 10.0) -> None:
    """Stop the runs still going and wait until no task of theirs is in flight.

    A run waiting on a department's task token is stopped too; moto leaves its waiting
    thread parked, which is harmless: the token is gone with the tables.
    """
    pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=state_machine_arn, statusFilter="RUNNING")
    for execution in (e for page in pages for e in page["executions"]):
        _tasks.ended_runs.add(execution["name"])  # the run's name is its case id: its tasks are refused from now on
        _stop(execution["executionArn"])
    if not _tasks.wait_until_idle(timeout):
        raise RuntimeError(f"a workflow task of an earlier run was still running {timeout:.0f} s after the reset stopped its run")


def _stop(execution_arn: str, attempts: int = 40) -> None:
    """Stop a run in moto's backend, which cannot stop a run whose thread has not begun yet: it is tried again shortly."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    backend = stepfunctions_parser_backends[DEFAULT_ACCOUNT_ID][REGION]
    for _ in range(attempts):
        execution = next(e for e in backend._get_executions() if e.exec_arn == execution_arn)
        if execution.exec_worker is not None and execution.exec_worker.env is not None:
            execution.stop(stop_date=datetime.now(UTC), error="", cause="ended by a reset of the local stack")
            return
        time.sleep(0.025)
    # never begun: each of its tasks is refused (`ended_runs`), so it ends without writing anything


def _forget_runs(state_machine_arn: str) -> None:
    """The state machine's executions, gone from its listing (recreating the machine would parse its definition again)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    stepfunctions_parser_backends[DEFAULT_ACCOUNT_ID][REGION].describe_state_machine(state_machine_arn).executions.clear()


def _empty_buckets(s3: Any) -> None:
    """Every object version and delete marker of the template's buckets."""
    for logical_id in template_resources("AWS::S3::Bucket"):
        bucket = bucket_name(logical_id)
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            versions = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
            if versions:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": versions, "Quiet": True})


def _clear_outbox() -> None:
    """Forget what SNS has sent (the outbox of `outbox()`)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    backend = sns_backends[DEFAULT_ACCOUNT_ID][REGION]
    backend.sms_messages.clear()
    for topic in backend.topics.values():
        topic.sent_notifications.clear()


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


def create_tables(dynamodb: Any, existing_kept: bool = False) -> list[str]:
    """Each AWS::DynamoDB::Table of the template, named by its logical id; answers those it made.

    `existing_kept`: a table already there (DynamoDB Local on a data folder) is kept as it is.
    """
    created = []
    existing = set(dynamodb.list_tables()["TableNames"]) if existing_kept else set()
    for name, resource in template_resources("AWS::DynamoDB::Table").items():
        if name in existing:
            continue
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
    os.environ.pop("SSCARD_DYNAMODB_ENDPOINT_URL", None)  # moto's, unless `start()` runs DynamoDB Local
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "sscard")


_lock = threading.Lock()


def start(
    residents_file: str | None = None, identities_file: str | None = None, data_folder: Any = None, dynamodb: str | None = None
) -> LocalStack:
    """Start moto (and DynamoDB Local) and build every resource; answers the running stack.

    `data_folder` (default: `SSCARD_LOCAL_DATA`) keeps the stack's state across restarts
    (`DataFolder`): DynamoDB Local runs on it, and the residents are seeded only into an
    empty one. Without one, `dynamodb="memory"` (default: `SSCARD_LOCAL_DYNAMODB`) runs
    DynamoDB Local in memory; else DynamoDB is moto's, as in the test suite.
    """
    from chalicelib.dynamodb_local import DynamoDBLocal

    global _started
    with _lock:
        prepare_environment()
        folder = data_folder or os.environ.get(DATA_ENV) or None
        data = DataFolder.open(Path(folder)) if folder else None
        database = None
        try:
            if data is not None or (dynamodb or os.environ.get(DYNAMODB_ENV)) == "memory":
                # the JVM starts while the files are read and moto is set up: seconds saved
                database = DynamoDBLocal(data.path / "dynamodb" if data else None, wait=False)
            _started = _start(residents_file, identities_file, data, database)
        except BaseException:
            if database is not None:
                database.stop()
            if data is not None:
                data.close()
            raise
        return _started


def _start(residents_file: str | None, identities_file: str | None, data: DataFolder | None, database: Any) -> LocalStack:
    from moto import mock_aws

    from chalicelib import moto_queries, moto_transactions, wiring
    from chalicelib.residents import load_identities, load_residents
    from chalicelib.settings import get_settings

    global _passed_through
    s3_port = int(os.environ.get("LOCAL_S3_PORT") or _free_port())
    os.environ["SSCARD_S3_ENDPOINT_URL"] = f"http://127.0.0.1:{s3_port}"
    if database is not None:
        os.environ["SSCARD_DYNAMODB_ENDPOINT_URL"] = database.endpoint
    if data is not None:
        os.environ["SSCARD_JWT_DEV_KEY"] = data.signing_key()
    wiring.reset()
    # the files first: a wrong one is refused before moto, its threads and the S3 server start
    settings = get_settings()
    path = residents_file or os.environ.get("RESIDENTS_FILE") or str(ROOT / settings.residents_file)
    residents = load_residents(path)
    path = identities_file or os.environ.get("IDENTITIES_FILE") or str(ROOT / settings.identities_file)
    identities = load_identities(path, residents)
    mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}})
    mock.start()
    _passed_through = (database.endpoint,) if database is not None else ()
    _serialize_moto()
    _install_lambda_dispatch()
    _parse_each_definition_once()
    if database is None:  # moto's DynamoDB only: its answers and transactions made cheaper
        _answer_item_calls_plainly()
        moto_transactions.install()  # transactions cost what they touch, not the whole table
        moto_queries.install()  # and queries what they read
    services = wiring.services()
    settings = services.settings
    if database is not None:
        database.wait_ready()
    create_tables(services.client("dynamodb"), existing_kept=data is not None)
    create_topics(services.client("sns"))
    create_buckets(services.client("s3"))
    if data is not None:
        _keep_in(data)
    _notify_checker_on_upload(services, settings.materials_bucket)
    s3_server = _serve_s3(s3_port)
    _retry_waits(settings)
    arn = _create_state_machine(services.client("stepfunctions"), settings)
    # a folder whose seeding a kill interrupted is seeded again: nobody can have used it yet
    loaded = _seed(services, residents, identities) if data is None or data.fresh else 0
    if data is not None:
        data.mark_seeded()
        if (clock := data.clock()) is not None:
            services.clock = clock
    return LocalStack(
        mock=mock,
        state_machine_arn=arn,
        residents_loaded=loaded,
        s3_server=s3_server,
        residents=residents,
        identities=identities,
        seeded=None if data is not None else _Seeded.take(dynamodb_is_moto=database is None),
        dynamodb=database,
        data=data,
    )


_started: LocalStack | None = None


def stop_started() -> None:
    """Stop the stack `start()` made last, if it runs (the local server on its way out: DynamoDB Local ends with it)."""
    if _started is not None:
        _started.stop()


def resume_lost_runs(most_seconds: float = 60.0) -> dict[str, Any]:
    """At start: the reconciler resumes every unfinished case, and the decisions recorded for their waits are sent.

    A start is a new engine: no run of an earlier process runs, so every case submitted
    before now counts, not only those past the reconciler's grace period (a case submitted
    a minute before the restart would otherwise wait for it). The resumed runs then reach
    their open waits (each wait takes its run's new token) before the server answers: a
    decision sent to the old token in the meantime would find a run of the same name
    running, and be taken for too late. Last, a decision recorded before the restart whose
    run was lost is sent to the new run (the deadline job's resend, done now rather than at
    its next scheduled run, which the local stack does not have).
    """
    from datetime import timedelta

    from chalicelib.services.reconcile import run_reconcile
    from chalicelib.services.reviews import retry_resumes
    from chalicelib.wiring import services

    built = services()
    until = built.now() + timedelta(seconds=built.settings.reconcile_after_seconds)
    listed, _ = built.store.unfinished_cases(until.astimezone(UTC).isoformat(timespec="milliseconds"))
    open_waits = {(c["case_id"], code): wait.get("task_token") for c in listed for code, wait in _open_waits(built, c["case_id"]).items()}
    tally = run_reconcile(built, until)
    deadline = time.monotonic() + most_seconds
    while open_waits and time.monotonic() < deadline:
        # a wait is taken once it holds another token than before, or is no longer open (its case moved on)
        open_waits = {
            (case_id, code): token
            for (case_id, code), token in open_waits.items()
            if _open_waits(built, case_id).get(code, {}).get("task_token", token) == token
        }
        if open_waits:
            _tasks.wait_for_one_after(_tasks.finished, 0.2)
    tally["waits_not_taken"] = len(open_waits)
    tally["decisions_resent"] = retry_resumes(built, built.now_iso())[0]
    return tally


def _open_waits(services: Any, case_id: str) -> dict[str, dict]:
    """The case's department waits still open: pending, or decided while its matter has not recorded the decision."""
    record = services.store.get(case_id)
    if record is None or record.case["status"] not in ("submitted", "processing"):
        return {}
    return {
        code: wait
        for code, wait in record.waits.items()
        if wait.get("status") in ("pending", "decided") and record.matters.get(code, {}).get("status") == "awaiting_review"
    }


# --- the data folder: what a restart of `make run` keeps -------------------------------


class DataFolderInUse(RuntimeError):
    """Another running stack holds this data folder."""


@dataclass
class DataFolder:
    """`make run`'s state on disk, under one folder that `make reset` deletes:

    - `dynamodb/`: DynamoDB Local's database: cases, matters, waits, idempotency records,
      the outbox, the access log, loaded holiday schedules, and the simulators' records
      (card states, payout accounts);
    - `s3/<bucket>/`: the objects of the template's buckets (uploaded materials, the shared
      documents), written through as moto stores them (`_ObjectMirror`);
    - `sent.jsonl`: what SNS has sent (GET /dev/outbox), appended as it is sent (`_Journal`);
    - `jwt-dev-key` (mode 0600): the development signing key, so tokens stay valid;
    - `clock.json`: the business clock's offset from real time, while PUT /dev/clock set one;
    - `seeded`: written once the residents are seeded: they are seeded only into an empty folder.

    Step Functions executions are not kept: they end with the process, and at start the
    reconciler resumes every unfinished case from what DynamoDB holds (app.py).
    A folder is held by one stack at a time (a lock on `stack.lock`, released by the kernel
    even when the process is killed).
    """

    path: Path
    _lock: Any = None

    @classmethod
    def open(cls, path: Path) -> DataFolder:
        path = path.resolve()
        path.mkdir(parents=True, exist_ok=True)
        lock = (path / "stack.lock").open("a+")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "?"
            lock.close()
            raise DataFolderInUse(f"the data folder {path} is in use by another local stack (pid {holder}): stop it first") from None
        lock.truncate(0)
        lock.write(str(os.getpid()))
        lock.flush()
        return cls(path, lock)

    def close(self) -> None:
        if self._lock is not None:
            self._lock.close()  # the lock goes with the file
            self._lock = None

    @property
    def fresh(self) -> bool:
        return not (self.path / "seeded").exists()

    def mark_seeded(self) -> None:
        (self.path / "seeded").touch()

    def signing_key(self) -> str:
        """The development JWT key: made once, readable by its owner only."""
        key_file = self.path / "jwt-dev-key"
        if not key_file.exists():
            descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as out:
                out.write(secrets.token_urlsafe(32))
        key_file.chmod(0o600)
        return key_file.read_text().strip()

    def clock(self) -> Any:
        """The business clock PUT /dev/clock set before the restart (it runs on by real time meanwhile), or None."""
        from datetime import timedelta

        from chalicelib.wiring import ShiftedClock

        saved = self.path / "clock.json"
        if not saved.exists():
            return None
        return ShiftedClock(timedelta(seconds=json.loads(saved.read_text())["offset_seconds"]))

    def keep_clock(self, clock: Any) -> None:
        from chalicelib.wiring import ShiftedClock

        saved = self.path / "clock.json"
        if isinstance(clock, ShiftedClock):
            _write_atomically(saved, json.dumps({"offset_seconds": clock.offset.total_seconds()}).encode())
        else:
            saved.unlink(missing_ok=True)


def _write_atomically(path: Path, content: bytes) -> None:
    """A file whole or not at all, even if the process is killed while writing it."""
    temporary = path.with_name(f".{path.name}.{threading.get_ident()}.tmp")
    temporary.write_bytes(content)
    temporary.replace(path)


def remember_clock(clock: Any) -> None:
    """The business clock was set or reset (PUT/DELETE /dev/clock): a stack on a data folder keeps it across a restart."""
    if _data is not None:
        _data.keep_clock(clock)


class _ObjectMirror:
    """The template buckets' objects, written through to `<data>/s3/<bucket>/` as moto stores them, and loaded back at start.

    Why a mirror of moto's S3, not another S3: moto's server already answers the presigned
    POST and GET links and sends the upload's ObjectCreated event to `check_material`; what
    it lacks is a disk. So the latest version of each object (its bytes, and its metadata:
    the content type a download answers with) is written when moto stores it and removed
    when moto deletes it. Older versions are not kept: nothing reads them.
    """

    def __init__(self, root: Path, buckets: set[str]):
        self.root = root
        self.buckets = buckets

    def _files(self, bucket: str, key: str) -> tuple[Path, Path]:
        name = quote(key, safe="")
        return self.root / bucket / "data" / name, self.root / bucket / "meta" / name

    def stored(self, fake_key: Any) -> None:
        if fake_key.bucket_name not in self.buckets:
            return
        data, _ = self._files(fake_key.bucket_name, fake_key.name)
        data.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(data, fake_key.value)
        self.described(fake_key)

    def described(self, fake_key: Any) -> None:
        if fake_key.bucket_name not in self.buckets:
            return
        data, meta = self._files(fake_key.bucket_name, fake_key.name)
        if data.exists():
            meta.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(meta, json.dumps(dict(fake_key.metadata)).encode())

    def deleted(self, bucket: Any, key: str) -> None:
        from moto.s3.models import FakeKey

        if bucket.name not in self.buckets or isinstance(bucket.keys.get(key), FakeKey):
            return  # another version is the object now (a versioned delete of an older one)
        for path in self._files(bucket.name, key):
            path.unlink(missing_ok=True)

    def load(self) -> int:
        """Put the kept objects back into moto's buckets (no ObjectCreated event: they were checked when uploaded)."""
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.s3.models import s3_backends

        backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
        count = 0
        for bucket in self.buckets:
            for data in sorted((self.root / bucket / "data").glob("*")):
                if data.name.startswith("."):
                    continue  # a write a kill interrupted
                stored = backend.put_object(bucket, unquote(data.name), data.read_bytes(), disable_notification=True)
                meta = data.parent.parent / "meta" / data.name
                if meta.exists():
                    stored.set_metadata(json.loads(meta.read_text()))
                count += 1
        return count


class _Journal:
    """What SNS sends, appended to `<data>/sent.jsonl` as moto records it, and recorded into moto again at start."""

    def __init__(self, path: Path):
        self.path = path
        self._writing = threading.Lock()

    def append(self, entry: dict[str, Any]) -> None:
        with self._writing, self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def entries(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip().endswith("}")]  # a line a kill cut short is left out


class _JournaledSms(dict):
    """moto's SMS record (message id -> (phone, text)), each new entry journaled."""

    def __setitem__(self, message_id: str, entry: tuple[str, str]) -> None:
        super().__setitem__(message_id, entry)
        if _journal is not None:
            _journal.append({"channel": "sms", "id": message_id, "to": entry[0], "text": entry[1]})


class _JournaledNotifications(list):
    """A topic's sent notifications, each new one journaled under the topic's name."""

    def __init__(self, topic: str, entries: list[Any]):
        super().__init__(entries)
        self.topic = topic

    def append(self, entry: Any) -> None:
        super().append(entry)
        if _journal is not None:
            message_id, message, subject, *_ = entry
            _journal.append({"channel": "topic", "topic": self.topic, "id": message_id, "subject": subject, "text": message})


_data: DataFolder | None = None
_mirror: _ObjectMirror | None = None
_journal: _Journal | None = None


def _keep_in(data: DataFolder) -> None:
    """Write S3 objects and SNS messages through to the data folder from now on, after loading what it kept."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    global _data, _mirror, _journal
    _install_write_through()
    _data = data
    mirror = _ObjectMirror(data.path / "s3", set(map(bucket_name, template_resources("AWS::S3::Bucket"))))
    with _moto_lock:
        mirror.load()  # before it is the mirror: what it loads is on disk already
        _mirror = mirror
        backend = sns_backends[DEFAULT_ACCOUNT_ID][REGION]
        journal = _Journal(data.path / "sent.jsonl")
        backend.sms_messages = _JournaledSms(backend.sms_messages)
        for topic in backend.topics.values():
            topic.sent_notifications = _JournaledNotifications(topic.name, topic.sent_notifications)
        for entry in journal.entries():
            if entry["channel"] == "sms":
                dict.__setitem__(backend.sms_messages, entry["id"], (entry["to"], entry["text"]))
            else:
                for topic in (t for t in backend.topics.values() if t.name == entry["topic"]):
                    list.append(topic.sent_notifications, (entry["id"], entry["text"], entry["subject"], None, None))
        _journal = journal


def _install_write_through() -> None:
    """moto's S3 backend tells the mirror what it stores, describes and deletes (a no-op while no data folder is in use)."""
    from moto.s3.models import FakeKey, S3Backend

    if getattr(S3Backend.put_object, "local_stack", False):
        return
    put_object, delete_object, set_metadata = S3Backend.put_object, S3Backend.delete_object, FakeKey.set_metadata

    def put(self: Any, bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> Any:
        stored = put_object(self, bucket_name, key_name, *args, **kwargs)
        if _mirror is not None:
            _mirror.stored(stored)
        return stored

    def delete(self: Any, bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> Any:
        answer = delete_object(self, bucket_name, key_name, *args, **kwargs)
        if _mirror is not None:
            _mirror.deleted(self.get_bucket(bucket_name), key_name)
        return answer

    def describe(self: Any, *args: Any, **kwargs: Any) -> None:
        set_metadata(self, *args, **kwargs)
        if _mirror is not None and getattr(self, "bucket_name", None):
            _mirror.described(self)

    put.local_stack = True  # type: ignore[attr-defined]
    S3Backend.put_object = put  # type: ignore[method-assign]  # moto patched for the local stack's data folder
    S3Backend.delete_object = delete  # type: ignore[method-assign]
    FakeKey.set_metadata = describe  # type: ignore[method-assign]


def _create_state_machine(sfn: Any, settings: Any) -> str:
    arn = sfn.create_state_machine(
        name=STATE_MACHINE_NAME,
        definition=state_machine_definition(),
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/sscard-local-state-machine",
    )["stateMachineArn"]
    if arn != settings.state_machine_arn:
        raise RuntimeError(f"the local state machine is {arn}, the settings name {settings.state_machine_arn}")
    return arn


def _seed(services: Any, residents: list[Any], identities: list[Any]) -> int:
    """The residents and identities into the simulators, their shared documents into the bucket,
    the cards already waiting onto their banks' lists; answers the residents loaded."""
    from chalicelib.adapters.simulators import seed_shared_documents

    loaded = _seed_tables(services, residents, identities)
    seed_shared_documents(services.client("s3"), services.settings.materials_bucket, services.person_key, residents)
    return loaded


def _seed_tables(services: Any, residents: list[Any], identities: list[Any]) -> int:
    """What `_seed` writes to DynamoDB: the simulators' records and the banks' lists."""
    from chalicelib.adapters.simulators import seed_identities, seed_simulators
    from chalicelib.services import bank

    simulator = services.dynamodb.Table(services.settings.simulator_table)
    loaded = seed_simulators(simulator, services.person_key, residents)
    seed_identities(simulator, services.person_key, identities)
    bank.list_cards_waiting_from_before(services, residents)
    return loaded


def tasks_finished() -> int:
    """How many workflow tasks (and S3 event functions) the local dispatch has finished so far."""
    return _tasks.finished


def wait_for_a_task(after: int, timeout: float) -> bool:
    """Wait until a task finishes beyond the first `after`, at most `timeout` seconds; answers whether one did.

    A case's state moves on only when a task finishes, so a test that waits for a state
    looks again after each task instead of polling the API (which would take the CPU the
    run needs).
    """
    return _tasks.wait_for_one_after(after, timeout)


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
