"""Evaluating a template's intrinsic functions with made-up account values.

`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::If`... become concrete strings (ARNs,
names) for an imaginary deployment, so that IAM policies, environment variables and
alarm dimensions can be compared with the resources they are meant to name.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any

ACCOUNT = "111122223333"
REGION = "cn-north-1"
PARTITION = "aws-cn"
URL_SUFFIX = "amazonaws.com.cn"
STACK = "sscard-stack"

_SUB = re.compile(r"\$\{([^}!][^}]*)\}")


class Evaluator:
    def __init__(self, template: dict):
        self.template = template
        self.resources = template["Resources"]
        self.parameters = template.get("Parameters", {})

    # --- physical names ---

    def _name(self, logical: str, prop: str | None) -> str:
        props = self.resources[logical].get("Properties", {})
        if prop and prop in props:
            return str(self.eval(props[prop]))
        return logical

    def ref(self, logical: str) -> str:
        pseudo = {
            "AWS::AccountId": ACCOUNT,
            "AWS::Region": REGION,
            "AWS::Partition": PARTITION,
            "AWS::URLSuffix": URL_SUFFIX,
            "AWS::StackName": STACK,
            "AWS::NoValue": "",
        }
        if logical in pseudo:
            return pseudo[logical]
        if logical in self.parameters:
            default = self.parameters[logical].get("Default")
            return str(default) if default is not None else f"<{logical}>"
        kind = self.resources[logical]["Type"]
        if kind == "AWS::DynamoDB::Table":
            return self._name(logical, "TableName")
        if kind == "AWS::SNS::Topic":
            return f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT}:{self._name(logical, 'TopicName')}"
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.{URL_SUFFIX}/{ACCOUNT}/{self._name(logical, 'QueueName')}"
        if kind == "AWS::S3::Bucket":
            return self._name(logical, "BucketName").lower()
        if kind in ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"):
            name = self._name(logical, "Name" if kind.startswith("AWS::Serverless") else "StateMachineName")
            return f"arn:{PARTITION}:states:{REGION}:{ACCOUNT}:stateMachine:{name}"
        if kind in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            return self._name(logical, "FunctionName")
        if kind == "AWS::Logs::LogGroup":
            return self._name(logical, "LogGroupName")
        if kind == "AWS::Serverless::Api":
            return f"{logical.lower()}id"
        return logical

    def getatt(self, logical: str, attribute: str) -> str:
        kind = self.resources[logical]["Type"]
        name = self.ref(logical)
        arns = {
            "AWS::DynamoDB::Table": f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/{name}",
            "AWS::S3::Bucket": f"arn:{PARTITION}:s3:::{name}",
            "AWS::SQS::Queue": f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT}:{name.rsplit('/', 1)[-1]}",
            "AWS::Serverless::Function": f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT}:function:{name}",
            "AWS::Lambda::Function": f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT}:function:{name}",
            "AWS::IAM::Role": f"arn:{PARTITION}:iam::{ACCOUNT}:role/{name}",
            "AWS::Logs::LogGroup": f"arn:{PARTITION}:logs:{REGION}:{ACCOUNT}:log-group:{name}:*",
            "AWS::KMS::Key": f"arn:{PARTITION}:kms:{REGION}:{ACCOUNT}:key/{name}",
            "AWS::SNS::Topic": name,
            "AWS::Serverless::StateMachine": name,
        }
        if attribute == "Arn":
            return arns[kind]
        if attribute == "QueueName":
            return name.rsplit("/", 1)[-1]
        if attribute in ("Name", "TopicName"):
            return name.rsplit(":", 1)[-1]
        raise KeyError(f"{logical}.{attribute}")

    # --- expressions ---

    def eval(self, value: Any) -> Any:  # noqa: PLR0911
        if isinstance(value, list):
            return [self.eval(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1:
            return {k: self.eval(v) for k, v in value.items()}
        ((key, arg),) = value.items()
        if key == "Ref":
            return self.ref(arg)
        if key == "Fn::GetAtt":
            logical, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
            return self.getatt(logical, attribute)
        if key == "Fn::Sub":
            text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
            return self.sub(text, {k: self.eval(v) for k, v in variables.items()})
        if key == "Fn::Join":
            return arg[0].join(str(self.eval(v)) for v in arg[1])
        if key == "Fn::If":
            condition, yes, no = arg
            return self.eval(yes if self.condition(condition) else no)
        if key == "Fn::Select":
            return self.eval(arg[1])[int(self.eval(arg[0]))]
        if key == "Fn::Split":
            return str(self.eval(arg[1])).split(arg[0])
        return {k: self.eval(v) for k, v in value.items()}

    def sub(self, text: str, variables: dict[str, Any] | None = None) -> str:
        variables = variables or {}

        def replace(match: re.Match) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                logical, attribute = name.split(".", 1)
                return self.getatt(logical, attribute)
            return self.ref(name)

        return _SUB.sub(replace, text).replace("${!", "${")

    def condition(self, name: str) -> bool:
        expr = self.template.get("Conditions", {})[name]
        return bool(self._cond(expr))

    def _cond(self, expr: Any) -> Any:
        if isinstance(expr, dict):
            ((key, arg),) = expr.items()
            if key == "Fn::Equals":
                return self.eval(arg[0]) == self.eval(arg[1])
            if key == "Fn::Not":
                return not self._cond(arg[0])
            if key == "Fn::And":
                return all(self._cond(a) for a in arg)
            if key == "Fn::Or":
                return any(self._cond(a) for a in arg)
            if key == "Condition":
                return self.condition(arg)
        return expr


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def arn_matches(pattern: str, arn: str) -> bool:
    """IAM resource matching: `*` and `?` wildcards, case-sensitive."""
    return pattern == "*" or fnmatch.fnmatchcase(arn, pattern)


def action_matches(pattern: str, action: str) -> bool:
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())
