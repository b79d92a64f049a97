"""`make package STAGE=dev|prod`: the deployment artifact in `build/<stage>/package/`.

    python -m infra.build --stage prod [--force]

1. Stages the sources in `build/<stage>/src/`: `app.py`, `chalicelib/`,
   `.chalice/config.json` (and `vendor/` if the project has one), and in `extra/` what
   Chalice would leave out — it packages only `app.py`, `chalicelib/` and `vendor/`:
   `functions/` and `data/` (the holiday calendar; not the demo residents).
2. Imports the app there with `SSCARD_STAGE=<stage>` to list its Lambda functions, its
   routes and the project functions behind each handler (`build/<stage>/app.json`).
3. Writes the merge template `build/<stage>/merge.json`: `infra/template.json`, plus per
   function (from `infra/functions.json`) its role's policy, its name, log group and
   environment; an EventBridge Scheduler schedule for each scheduled job the app
   defines; the Lambda authorizer on every route that is not public; the web
   distribution's CloudFront Function with its code from `infra/web_viewer_request.js`.
4. Runs `chalice package --stage <stage> --merge-template merge.json` on the staged
   app with an empty `requirements.txt`, then adds to `deployment.zip` the dependencies
   and `extra/`. The dependencies are Chalice's own build of `requirements.txt` (a
   `chalice package` of an empty app, `build/deps/<hash>.zip`), made once per
   requirements: Chalice would otherwise download them again for every change of the
   code, since its cache key covers `app.py` and `chalicelib/` too.

5. Writes `authorizer.zip`, the API authorizer's own: `infra/authorizer.py` and the
   dependencies of `infra/authorizer-requirements.txt` (PyJWT and cryptography, which
   no other function needs and which would take `deployment.zip` over 10 MB).

The result is `build/<stage>/package/sam.json`, `deployment.zip` and `authorizer.zip`. A build whose
inputs have not changed is reused (the inputs' hash is kept beside it), and builds of
one stage are serialised with a lock, so tests and `make package` can share them.
"""

from __future__ import annotations

import argparse
import copy
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess  # noqa: S404 — runs chalice and the app-discovery interpreter
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chalice.utils import to_cfn_resource_name

from infra.authorizer import POLICY_CACHE_SECONDS

ROOT = Path(__file__).resolve().parent.parent
INFRA = ROOT / "infra"
TEMPLATE = INFRA / "template.json"
FUNCTIONS = INFRA / "functions.json"
# The authorizer runs from a zip of its own: its RSA verification needs cryptography (4.7 MB zipped),
# which no other function needs; in deployment.zip it would exceed issue 10's 10 MB.
AUTHORIZER_REQUIREMENTS = INFRA / "authorizer-requirements.txt"
AUTHORIZER_FILES = ("infra/__init__.py", "infra/authorizer.py")
BUILD = ROOT / "build"
STAGES = ("dev", "prod")
TIMEZONE = "Asia/Shanghai"
PLATFORM_SIDS = ("WriteOwnLogs", "WriteTraces", "FailedRunsToDeadLetterQueue")
SECURITY_SCHEME = "ProvincialIdentity"
NAME_PREFIX = "sscard-${Stage}-"

# What goes into the zip beside Chalice's own `app.py` + `chalicelib/` (added at its root).
VENDORED = ("functions", "data")  # the authorizer has a zip of its own (authorizer_zip)
NOT_SHIPPED = ("residents*.json", "identities*.json")  # demo data stays out of deployed packages
IGNORED = ("__pycache__", "*.pyc", ".DS_Store")
# The AWS SDK and the libraries only it needs, as distributions (normalised names): the Lambda
# Python runtime provides them, and botocore alone was two thirds of the zip. aws-xray-sdk pulls
# them in. Naming one of them in requirements.txt pins the SDK on purpose: then they ship.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "urllib3", "python_dateutil", "dateutil", "six"})

LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


# --- names -------------------------------------------------------------------------


def function_logical_id(name: str) -> str:
    """The CloudFormation id Chalice gives a function (`run_matter` -> `RunMatter`)."""
    return "APIHandler" if name == "api_handler" else to_cfn_resource_name(name)


def role_logical_id(name: str) -> str:
    """Chalice's id of a function's own role (`autogen_policy: false`): `RunMatterRole`."""
    return to_cfn_resource_name(f"{name}_role")


def function_name(name: str) -> dict:
    return {"Fn::Sub": f"{NAME_PREFIX}{name}"}


def log_group_name(name: str) -> str:
    return f"/aws/lambda/{NAME_PREFIX}{name}"


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def load_spec() -> dict:
    return load_json(FUNCTIONS)


def load_template() -> dict:
    return load_json(TEMPLATE)


# --- resource shorthand of functions.json -------------------------------------------


def state_machine_arn(template: dict, logical: str, kind: str = "stateMachine") -> str:
    """A state machine's ARN built from its Name (no reference: no dependency cycle)."""
    name = template["Resources"][logical]["Properties"]["Name"]["Fn::Sub"]
    arn = f"arn:${{AWS::Partition}}:states:${{AWS::Region}}:${{AWS::AccountId}}:{kind}:{name}"
    return arn + (":*" if kind == "execution" else "")


def expand_resource(shorthand: str, template: dict) -> Any:
    """`CasesTable`, `CasesTable/index/*`, `MaterialsBucket/*`, `CaseStateMachine/executions`, `secret:<Parameter>`, `*`."""
    if shorthand == "*":
        return "*"
    if shorthand.startswith("secret:"):  # a Secrets Manager secret whose name is a template parameter
        parameter = shorthand.removeprefix("secret:")
        if parameter not in template["Parameters"]:
            raise ValueError(f"functions.json names the secret parameter {parameter!r}, which infra/template.json does not declare")
        # Secrets Manager appends "-" and 6 random characters to a secret's name in its ARN.
        return {"Fn::Sub": f"arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:${{{parameter}}}-??????"}
    logical, _, rest = shorthand.partition("/")
    resource = template["Resources"].get(logical)
    if resource is None:
        raise ValueError(f"functions.json names {logical!r}, which infra/template.json does not declare")
    kind = resource["Type"]
    if kind in ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"):
        if rest not in ("", "executions"):
            raise ValueError(f"state machine shorthand {shorthand!r}: use {logical} or {logical}/executions")
        return {"Fn::Sub": state_machine_arn(template, logical, "execution" if rest else "stateMachine")}
    if kind == "AWS::SNS::Topic":
        base = "${%s}" % logical  # noqa: UP031 — a CloudFormation ${...}, not a Python format
    elif kind == "AWS::S3::Bucket" and "BucketName" in resource["Properties"]:
        base = bucket_arn(template, logical)  # by name: S3 notifications would make a cycle
    elif kind in ("AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::SQS::Queue", "AWS::KMS::Key"):
        base = "${%s.Arn}" % logical  # noqa: UP031
    else:
        raise ValueError(f"functions.json: no ARN shorthand for {kind} ({logical})")
    return {"Fn::Sub": f"{base}/{rest}" if rest else base}


def bucket_arn(template: dict, logical: str) -> str:
    name = template["Resources"][logical]["Properties"]["BucketName"]["Fn::Sub"]
    return f"arn:${{AWS::Partition}}:s3:::{name}"


def platform_statements(name: str, is_job: bool) -> list[dict]:
    """What every function needs beside its own calls: its log group, X-Ray; jobs: their DLQ."""
    statements = [
        {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:" + log_group_name(name) + ":*"},
        },
        # X-Ray has no resource-level permissions: "*" is the only resource it accepts.
        {"Sid": "WriteTraces", "Effect": "Allow", "Action": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"], "Resource": "*"},
    ]
    # The access records are append-only (PIPL Art. 51): no role may change or remove one,
    # whatever its own statements allow.
    statements.append(
        {
            "Sid": "AccessRecordsAreAppendOnly",
            "Effect": "Deny",
            "Action": [
                "dynamodb:BatchWriteItem",
                "dynamodb:DeleteItem",
                "dynamodb:DeleteTable",
                "dynamodb:UpdateItem",
                "dynamodb:UpdateTable",
            ],
            "Resource": {"Fn::GetAtt": ["AuditTable", "Arn"]},
        }
    )
    if is_job:
        statements.append(
            {
                "Sid": "FailedRunsToDeadLetterQueue",
                "Effect": "Allow",
                "Action": ["sqs:SendMessage"],
                "Resource": {"Fn::GetAtt": ["JobsDeadLetterQueue", "Arn"]},
            }
        )
    return statements


def role_policy(name: str, spec: dict, template: dict) -> dict:
    declared = spec["functions"].get(name, {}).get("statements", [])
    statements = platform_statements(name, name in spec["schedules"])
    for statement in declared:
        statements.append(
            {
                "Sid": statement["Sid"],
                "Effect": "Allow",
                "Action": sorted(statement["Action"]),
                "Resource": [expand_resource(r, template) for r in statement["Resource"]],
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


# --- the merge template ------------------------------------------------------------


@dataclass
class App:
    """What the app defines for a stage (from importing it; see `discover`)."""

    functions: dict[str, dict]  # name -> {"handler", "entries": [{"module", "qualname", "file"}]}
    routes: dict[str, list[str]]  # path -> methods
    chalice_schedules: dict[str, str]  # @app.schedule name -> expression (replaced by ours)


def deep_merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = deep_merge(base.get(key), value)
        return merged
    return copy.deepcopy(override)


def template_functions(template: dict, spec: dict) -> dict[str, str]:
    """Functions infra/template.json declares itself (the authorizer): name -> logical id."""
    found = {}
    for name in spec["functions"]:
        logical = function_logical_id(name)
        if template["Resources"].get(logical, {}).get("Type") == "AWS::Serverless::Function":
            found[name] = logical
    return found


def merge_template(stage: str, app: App, spec: dict, template: dict) -> dict:
    merge = copy.deepcopy(template)
    merge["Description"] = f"sscard ({stage}): {template.get('Description', '')}"
    merge["Parameters"]["Stage"]["Default"] = stage
    merge["Parameters"]["Stage"]["AllowedValues"] = [stage]  # the package is built for one stage
    resources = merge["Resources"]

    # the state machine: its definition inline (one file, statemachine/case.asl.json)
    for resource in resources.values():
        if resource["Type"] == "AWS::Serverless::StateMachine" and "DefinitionUri" in resource["Properties"]:
            uri = resource["Properties"].pop("DefinitionUri")
            resource["Properties"]["Definition"] = load_json((INFRA / uri).resolve())
        # a CloudFront Function's code lives in its own file under infra/ (so node can test it): inlined here
        if resource["Type"] == "AWS::CloudFront::Function" and "CodeFile" in resource.get("Metadata", {}):
            resource["Properties"]["FunctionCode"] = (INFRA / resource["Metadata"]["CodeFile"]).read_text(encoding="utf-8")

    own = template_functions(template, spec)
    names = list(app.functions) + [n for n in own if n not in app.functions]
    environment = spec["environment"]
    for name in names:
        logical = function_logical_id(name)
        role = role_logical_id(name)
        is_job = name in spec["schedules"]
        props: dict[str, Any] = {"FunctionName": function_name(name)}
        if name not in own:
            props["Environment"] = {"Variables": environment}
        if is_job:  # asynchronous invocations that still fail after Lambda's retries
            props["DeadLetterQueue"] = {"Type": "SQS", "TargetArn": {"Fn::GetAtt": ["JobsDeadLetterQueue", "Arn"]}}
        override = {"Properties": props, "DependsOn": [f"{logical}LogGroup"]}
        resources[logical] = deep_merge(resources.get(logical, {}), override)
        resources[role] = {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": LAMBDA_TRUST,
                "Policies": [{"PolicyName": f"{role}Policy", "PolicyDocument": role_policy(name, spec, template)}],
            },
        }
        resources[f"{logical}LogGroup"] = {
            "Type": "AWS::Logs::LogGroup",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "LogGroupName": {"Fn::Sub": log_group_name(name)},
                "RetentionInDays": {"Ref": "LogRetentionDays"},
                "KmsKeyId": {"Fn::GetAtt": ["DataKey", "Arn"]},
            },
        }

    for name, job in spec["schedules"].items():
        if name in app.functions:
            resources.update(schedule_resources(name, job))

    for name, events in spec["bucket_events"].items():
        if name != "description" and name in app.functions:
            add_bucket_notification(resources, template, name, events)

    if app.routes:
        resources["RestAPI"] = api_override(app.routes, spec["api"]["public_routes"])
    return merge


def add_bucket_notification(resources: dict, template: dict, name: str, spec: dict) -> None:
    """S3 invokes the function for the bucket's events (permission first, then the notification)."""
    logical = function_logical_id(name)
    permission = f"{logical}S3InvokePermission"
    resources[permission] = {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "FunctionName": {"Fn::GetAtt": [logical, "Arn"]},
            "Action": "lambda:InvokeFunction",
            "Principal": "s3.amazonaws.com",
            "SourceAccount": {"Ref": "AWS::AccountId"},
            "SourceArn": {"Fn::Sub": bucket_arn(template, spec["bucket"])},
        },
    }
    bucket = resources[spec["bucket"]]
    configurations = bucket["Properties"].setdefault("NotificationConfiguration", {}).setdefault("LambdaConfigurations", [])
    for event in spec["events"]:
        configuration = {"Event": event, "Function": {"Fn::GetAtt": [logical, "Arn"]}}
        if spec.get("prefix"):
            configuration["Filter"] = {"S3Key": {"Rules": [{"Name": "prefix", "Value": spec["prefix"]}]}}
        configurations.append(configuration)
    bucket["DependsOn"] = sorted({*bucket.get("DependsOn", []), permission})


def schedule_resources(name: str, job: dict) -> dict[str, dict]:
    logical = function_logical_id(name)
    target = {"Fn::GetAtt": [logical, "Arn"]}
    dlq = {"Fn::GetAtt": ["JobsDeadLetterQueue", "Arn"]}
    # The event the job receives: the scheduled time as "time" (Scheduler fills these in).
    event = {
        "version": "0",
        "id": "<aws.scheduler.execution-id>",
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "time": "<aws.scheduler.scheduled-time>",
        "resources": ["<aws.scheduler.schedule-arn>"],
        "detail": {"job": name, "attempt": "<aws.scheduler.attempt-number>"},
    }
    return {
        f"{logical}Schedule": {
            "Type": "AWS::Scheduler::Schedule",
            "Properties": {
                "Name": {"Fn::Sub": f"{NAME_PREFIX}{name}"},
                "Description": job["description"],
                "ScheduleExpression": job["expression"],
                "ScheduleExpressionTimezone": TIMEZONE,
                "FlexibleTimeWindow": {"Mode": "OFF"},
                "State": "ENABLED",
                "Target": {
                    "Arn": target,
                    "RoleArn": {"Fn::GetAtt": [f"{logical}ScheduleRole", "Arn"]},
                    "Input": json.dumps(event, separators=(",", ":")),
                    "RetryPolicy": job["retry"],
                    "DeadLetterConfig": {"Arn": dlq},
                },
            },
        },
        f"{logical}ScheduleRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "scheduler.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
                        }
                    ],
                },
                "Policies": [
                    {
                        "PolicyName": f"{logical}SchedulePolicy",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {"Sid": "InvokeTheJob", "Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": [target]},
                                {
                                    "Sid": "UndeliveredToDeadLetterQueue",
                                    "Effect": "Allow",
                                    "Action": ["sqs:SendMessage"],
                                    "Resource": [dlq],
                                },
                            ],
                        },
                    }
                ],
            },
        },
    }


def api_override(routes: dict[str, list[str]], public: list[str]) -> dict:
    """Name and tracing of Chalice's RestAPI, and the authorizer on every non-public route."""
    public_set = {tuple(r.split(" ", 1)) for r in public}
    paths: dict[str, dict] = {}
    for path, methods in sorted(routes.items()):
        for method in methods:
            if (method.upper(), path) not in public_set:
                paths.setdefault(path, {})[method.lower()] = {"security": [{SECURITY_SCHEME: []}]}
    problem = {"gatewayresponse.header.Content-Type": "'application/problem+json'"}

    def gateway_response(status: int, kind: str, title: str, detail: str, extra: dict | None = None) -> dict:
        body = {"type": f"https://sscard.example.gov.cn/problems/{kind}", "title": title, "status": status, "detail": detail}
        return {
            "statusCode": str(status),
            "responseParameters": {**problem, **(extra or {})},
            "responseTemplates": {"application/json": json.dumps(body, ensure_ascii=False)},
        }

    return {
        "Properties": {
            "Name": {"Fn::Sub": "sscard-${Stage}"},
            "TracingEnabled": True,
            "DefinitionBody": {
                "securityDefinitions": {
                    SECURITY_SCHEME: {
                        "type": "apiKey",
                        "name": "Authorization",
                        "in": "header",
                        "x-amazon-apigateway-authtype": "custom",
                        "x-amazon-apigateway-authorizer": {
                            "type": "token",
                            "authorizerUri": {
                                "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                                "${ApiAuthorizer.Arn}/invocations"
                            },
                            # not cached: a cached policy would outlive a token expiring sooner (infra/authorizer.py)
                            "authorizerResultTtlInSeconds": POLICY_CACHE_SECONDS,
                            "identityValidationExpression": "^Bearer [-0-9A-Za-z_=]+\\.[-0-9A-Za-z_=]+\\.[-0-9A-Za-z_=]+$",
                        },
                    }
                },
                "x-amazon-apigateway-gateway-responses": {
                    "UNAUTHORIZED": gateway_response(
                        401,
                        "unauthorized",
                        "未登录或登录已失效",
                        "请先登录",
                        {"gatewayresponse.header.WWW-Authenticate": "'Bearer'"},
                    ),
                    "ACCESS_DENIED": gateway_response(403, "forbidden", "无权进行此操作", "无权进行此操作"),
                },
                "paths": paths,
            },
        }
    }


# --- staging, discovery, packaging -------------------------------------------------


def _ignored(name: str) -> bool:
    from fnmatch import fnmatch

    return any(fnmatch(name, pattern) for pattern in IGNORED)


def _files(path: Path, skip: tuple[str, ...] = ()) -> Iterator[Path]:
    from fnmatch import fnmatch

    if path.is_file():
        yield path
        return
    for child in sorted(path.rglob("*")):
        if child.is_file() and not any(_ignored(part) for part in child.relative_to(ROOT).parts):
            if not any(fnmatch(child.name, pattern) for pattern in skip):
                yield child


def _staged_files() -> list[tuple[Path, str]]:
    """(source, path in the staging dir) of everything that goes into the package."""
    pairs: list[tuple[Path, str]] = []
    for top in ("app.py", "chalicelib", ".chalice/config.json"):
        pairs += [(f, str(f.relative_to(ROOT))) for f in _files(ROOT / top)]
    vendor = ROOT / "vendor"
    if vendor.is_dir():
        pairs += [(f, str(f.relative_to(ROOT))) for f in _files(vendor)]
    for item in VENDORED:
        if (ROOT / item).exists():
            pairs += [(f, "extra/" + str(f.relative_to(ROOT))) for f in _files(ROOT / item, NOT_SHIPPED)]
    return pairs


def inputs_hash(stage: str) -> str:
    import chalice

    digest = hashlib.sha256()
    # the region the build uses, not the variable: a test worker whose local stack set it to the default
    # must find the other worker's package up to date, not rebuild it under that worker's reads
    digest.update(f"{stage}|{sys.version_info[:2]}|{chalice.__version__}|{_region()}".encode())
    extra = [Path(__file__), TEMPLATE, FUNCTIONS, ROOT / "requirements.txt", AUTHORIZER_REQUIREMENTS]
    extra += sorted((ROOT / "statemachine").glob("*.json")) + sorted(INFRA.glob("*.js"))
    for source, target in [*_staged_files(), *((p, str(p.relative_to(ROOT))) for p in extra)]:
        digest.update(target.encode() + b"\0" + source.read_bytes() + b"\0")
    for name in AUTHORIZER_FILES:  # not staged with the app's files: without them here, a changed authorizer kept its old zip
        digest.update(name.encode() + b"\0" + (ROOT / name).read_bytes() + b"\0")
    return digest.hexdigest()


def stage_sources(src: Path, stage: str) -> None:
    """A fresh copy of the sources; Chalice's dependency cache (.chalice/deployments) is kept."""
    if src.exists():
        for child in src.iterdir():
            if child.name == ".chalice":
                for item in child.iterdir():
                    if item.name != "deployments":
                        shutil.rmtree(item) if item.is_dir() else item.unlink()
            else:
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    for source, target in _staged_files():
        dest = src / target
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest)
    # the dependencies come from build/deps (see dependencies_zip)
    (src / "requirements.txt").write_text("# the dependencies are added from build/deps (infra/build.py)\n")
    # Chalice wants a policy file per function role (autogen_policy: false); the merge
    # template replaces each role's policy with its own from functions.json.
    placeholder = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": "arn:*:logs:*:*:log-group:/aws/lambda/sscard-*"}],
    }
    (src / ".chalice" / f"policy-{stage}.json").write_text(json.dumps(placeholder, indent=2))


DISCOVER = r"""
import functools, inspect, json, os, sys
root = os.path.realpath(os.getcwd())
sys.path[:0] = [root, os.path.join(root, "vendor"), os.path.join(root, "extra")]
import app as module

def project_functions(handler):
    found, stack, seen = [], [handler], set()
    while stack:
        f = stack.pop()
        if id(f) in seen:
            continue
        seen.add(id(f))
        if isinstance(f, functools.partial):
            stack.append(f.func)
            continue
        if inspect.ismethod(f):
            stack.append(f.__func__)
            continue
        code = getattr(f, "__code__", None)
        if code is not None:
            path = os.path.realpath(code.co_filename)
            if path.startswith(root + os.sep):
                rel = os.path.relpath(path, root)
                for prefix in ("vendor" + os.sep, "extra" + os.sep):
                    rel = rel.removeprefix(prefix)
                found.append({"module": f.__module__, "qualname": f.__qualname__, "file": rel})
            for cell in f.__closure__ or ():
                try:
                    value = cell.cell_contents
                except ValueError:
                    continue
                if inspect.isfunction(value) or inspect.ismethod(value) or isinstance(value, functools.partial):
                    stack.append(value)
        wrapped = getattr(f, "__wrapped__", None)
        if wrapped is not None:
            stack.append(wrapped)
    return sorted(found, key=lambda e: (e["module"], e["qualname"]))

app = module.app
functions, routes, schedules = {}, {}, {}
api_entries = []
for path, methods in app.routes.items():
    routes[path] = sorted(methods)
    for entry in methods.values():
        api_entries += project_functions(entry.view_function)
for handler, _ in app.middleware_handlers:
    api_entries += project_functions(handler)
if routes:
    unique = {(e["module"], e["qualname"]): e for e in api_entries}
    functions["api_handler"] = {"handler": "app.app", "entries": [unique[k] for k in sorted(unique)]}
for f in app.pure_lambda_functions:
    functions[f.name] = {"handler": f.handler_string, "entries": project_functions(f.func)}
for source in app.event_sources:
    expression = getattr(source, "schedule_expression", None)
    if expression is not None:
        schedules[source.name] = str(getattr(expression, "to_string", lambda: expression)())
    functions[source.name] = {"handler": source.handler_string, "entries": project_functions(app.handler_map[source.name])}
print(json.dumps({"functions": functions, "routes": routes, "chalice_schedules": schedules}))
"""


def discover(src: Path, stage: str) -> App:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSCARD_", "PYTHON"))}
    env.update({"SSCARD_STAGE": stage, "POWERTOOLS_TRACE_DISABLED": "true", "AWS_DEFAULT_REGION": _region()})
    result = subprocess.run(  # noqa: S603 — our interpreter, our script
        [sys.executable, "-I", "-B", "-c", DISCOVER], cwd=src, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"importing the app for stage {stage} failed:\n{result.stderr}")
    data = json.loads(result.stdout.strip().splitlines()[-1])
    return App(data["functions"], data["routes"], data["chalice_schedules"])


def _region() -> str:
    return os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or "us-east-1"


def _chalice() -> str:
    local = Path(sys.executable).parent / "chalice"
    found = str(local) if local.exists() else shutil.which("chalice")
    if not found:
        raise RuntimeError("chalice is not installed (make installs it in .venv)")
    return found


def remove_chalice_schedules(template: dict, app: App, spec: dict) -> list[str]:
    """An @app.schedule job gets Chalice's rule (UTC, no DLQ); ours replaces it."""
    removed = []
    for name in app.chalice_schedules:
        if name not in spec["schedules"]:
            continue
        function = template["Resources"][function_logical_id(name)]["Properties"]
        events = function.get("Events", {})
        for event, definition in list(events.items()):
            if definition.get("Type") == "Schedule":
                del events[event]
                removed.append(f"{name}: {event}")
        if not events:
            function.pop("Events", None)
    return removed


DEPENDENCY_APP = """from chalice import Chalice

app = Chalice(app_name="sscard-dependencies")


@app.lambda_function()
def dependencies(event, context):  # only there to make Chalice build the zip
    return None
"""


def dependencies_zip(say: Any = print, requirements_file: Path = ROOT / "requirements.txt") -> Path:
    """Chalice's build of a requirements file (Lambda's platform wheels), once per requirements."""
    import chalice

    requirements = requirements_file.read_bytes()
    key = f"{sys.version_info[:2]}|{chalice.__version__}|".encode() + requirements
    deps = BUILD / "deps"
    target = deps / f"{hashlib.sha256(key).hexdigest()[:20]}.zip"
    deps.mkdir(parents=True, exist_ok=True)
    with open(deps / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            return target
        say(f"building the dependencies of {requirements_file.relative_to(ROOT)} (once per change of it)")
        work = deps / "app"
        shutil.rmtree(work, ignore_errors=True)
        (work / ".chalice").mkdir(parents=True)
        (work / "app.py").write_text(DEPENDENCY_APP)
        (work / "requirements.txt").write_bytes(requirements)
        config = {"version": "2.0", "app_name": "sscard-dependencies", "automatic_layer": False, "stages": {"deps": {}}}
        (work / ".chalice" / "config.json").write_text(json.dumps(config))
        out = deps / "out"
        shutil.rmtree(out, ignore_errors=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SSCARD_")}
        env["AWS_DEFAULT_REGION"] = _region()
        result = subprocess.run(  # noqa: S603
            [_chalice(), "--project-dir", str(work), "package", "--stage", "deps", str(out)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"building the dependencies failed:\n{result.stdout}\n{result.stderr}")
        partial = target.with_suffix(".partial")
        shutil.move(out / "deployment.zip", partial)
        partial.rename(target)
        shutil.rmtree(out, ignore_errors=True)
        _prune_dependency_cache(deps)
    return target


def distribution_of(name: str) -> str:
    """The normalised distribution a file of the dependencies belongs to, by its top-level name."""
    top = name.split("/", 1)[0]
    if top.endswith((".dist-info", ".data")):
        top = top.split("-", 1)[0]
    return re.sub(r"[-_.]+", "_", top.removesuffix(".py")).lower()


def runtime_provided(requirements: str) -> frozenset[str]:
    """What the zip leaves to the Lambda runtime: the SDK, unless requirements.txt pins part of it."""
    names = re.finditer(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirements, re.MULTILINE)
    named = {re.sub(r"[-_.]+", "_", m.group(1)).lower() for m in names}
    return frozenset() if named & RUNTIME_PROVIDED else RUNTIME_PROVIDED


def add_dependencies(archive: Path, dependencies: Path, requirements_file: Path = ROOT / "requirements.txt") -> None:
    """The dependencies' files (not the empty app, not Chalice's runtime, not the SDK the Lambda runtime has) into the zip."""
    import zipfile

    left_out = runtime_provided(requirements_file.read_text(encoding="utf-8"))
    with zipfile.ZipFile(archive, "a", compression=zipfile.ZIP_DEFLATED) as zipped, zipfile.ZipFile(dependencies) as deps:
        present = set(zipped.namelist())
        for info in deps.infolist():
            if info.filename == "app.py" or info.filename.startswith("chalice/") or info.filename in present:
                continue
            if distribution_of(info.filename) in left_out:
                continue
            zipped.writestr(info, deps.read(info))


def add_to_zip(archive: Path, directory: Path) -> None:
    """The files of `directory` at the root of the zip (readable by Lambda's user)."""
    import zipfile

    with zipfile.ZipFile(archive, "a", compression=zipfile.ZIP_DEFLATED) as zipped:
        present = set(zipped.namelist())
        for file in sorted(p for p in directory.rglob("*") if p.is_file() and not _ignored(p.name) and "__pycache__" not in p.parts):
            name = file.relative_to(directory).as_posix()
            if name in present:
                raise RuntimeError(f"{name} is both in the dependencies and in the project")
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zipped.writestr(info, file.read_bytes())


def _prune_dependency_cache(directory: Path, keep: int = 4) -> None:
    """Keep the newest few zips of a cache directory (Chalice's, or build/deps)."""
    zips = sorted(directory.glob("*.zip"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in zips[keep:]:
        old.unlink()


def authorizer_zip(archive: Path, say: Any = print) -> None:
    """The authorizer's zip: its module and its own requirements (infra/authorizer-requirements.txt), nothing else."""
    import zipfile

    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for name in AUTHORIZER_FILES:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zipped.writestr(info, (ROOT / name).read_bytes())
    add_dependencies(archive, dependencies_zip(say, AUTHORIZER_REQUIREMENTS), AUTHORIZER_REQUIREMENTS)


@contextmanager
def _locked(stage: str) -> Iterator[None]:
    BUILD.mkdir(exist_ok=True)
    with open(BUILD / f".{stage}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def package(stage: str, force: bool = False, quiet: bool = False) -> Path:
    """Build (or reuse) the artifact of a stage; answers build/<stage>/package."""
    if stage not in STAGES:
        raise SystemExit(f"unknown stage {stage!r}: one of {', '.join(STAGES)}")
    say = (lambda *_: None) if quiet else (lambda *a: print(*a, file=sys.stderr))
    out_root = BUILD / stage
    out = out_root / "package"
    stamp = out_root / "inputs.sha256"
    with _locked(stage):
        digest = inputs_hash(stage)
        if (
            not force
            and stamp.exists()
            and stamp.read_text() == digest
            and (out / "sam.json").exists()
            and (out / "deployment.zip").exists()
            and (out / "authorizer.zip").exists()
        ):
            say(f"build/{stage}/package is up to date")
            return out
        src = out_root / "src"
        stage_sources(src, stage)
        app = discover(src, stage)
        (out_root / "app.json").write_text(json.dumps(app.__dict__, indent=2, ensure_ascii=False))
        spec, template = load_spec(), load_template()
        merge = merge_template(stage, app, spec, template)
        merge_path = out_root / "merge.json"
        merge_path.write_text(json.dumps(merge, indent=2, ensure_ascii=False))
        missing = sorted(set(app.functions) - set(spec["functions"]))
        for name in missing:
            say(f"WARNING: {name} has no IAM statements in infra/functions.json; its role can only write logs and traces")
        if out.exists():
            shutil.rmtree(out)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SSCARD_")}
        env["AWS_DEFAULT_REGION"] = _region()
        say(f"chalice package --stage {stage} --merge-template {merge_path.relative_to(ROOT)} {out.relative_to(ROOT)}")
        result = subprocess.run(  # noqa: S603
            [_chalice(), "--project-dir", str(src), "package", "--stage", stage, "--merge-template", str(merge_path), str(out)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"chalice package failed:\n{result.stdout}\n{result.stderr}")
        add_dependencies(out / "deployment.zip", dependencies_zip(say))
        add_to_zip(out / "deployment.zip", src / "extra")
        authorizer_zip(out / "authorizer.zip", say)
        _prune_dependency_cache(src / ".chalice" / "deployments")
        sam_path = out / "sam.json"
        sam = load_json(sam_path)
        for removed in remove_chalice_schedules(sam, app, spec):
            say(f"replaced Chalice's UTC schedule {removed} with the Scheduler schedule of infra/functions.json")
        sam_path.write_text(json.dumps(sam, indent=2, ensure_ascii=False))
        stamp.write_text(digest)
        say(f"built {out.relative_to(ROOT)}: sam.json, deployment.zip, authorizer.zip")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", required=True, choices=STAGES)
    parser.add_argument("--force", action="store_true", help="rebuild even if the inputs have not changed")
    args = parser.parse_args(argv)
    out = package(args.stage, force=args.force)
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
