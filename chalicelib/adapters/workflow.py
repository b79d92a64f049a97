"""Starting and describing the case workflow (Step Functions).

Execution names are the case id, so a second start of the same case cannot start a
second run: Step Functions answers ExecutionAlreadyExists, which means "already
started" here.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError


class StepFunctionsWorkflow:
    def __init__(self, sfn_client: Any, state_machine_arn: str):
        self._sfn = sfn_client
        self._arn = state_machine_arn

    def execution_arn(self, case_id: str) -> str:
        return self._arn.replace(":stateMachine:", ":execution:") + f":{case_id}"

    def start(self, case_id: str, facts: dict[str, Any] | None = None) -> str:
        """Start the case's run; `facts` (services.case_facts) travel in its input."""
        execution_input: dict[str, Any] = {"case_id": case_id}
        if facts is not None:
            execution_input["facts"] = facts
        try:
            response = self._sfn.start_execution(stateMachineArn=self._arn, name=case_id, input=json.dumps(execution_input))
            return response["executionArn"]
        except ClientError as error:
            if error.response["Error"]["Code"] == "ExecutionAlreadyExists":
                return self.execution_arn(case_id)
            # a racing start may fail otherwise; what counts is that the run exists
            if self.describe(case_id) is not None:
                return self.execution_arn(case_id)
            raise

    def describe(self, case_id: str) -> dict[str, Any] | None:
        try:
            return self._sfn.describe_execution(executionArn=self.execution_arn(case_id))
        except ClientError as error:
            if error.response["Error"]["Code"] == "ExecutionDoesNotExist":
                return None
            raise

    def stop(self, case_id: str, cause: str) -> bool:
        """Stop a running execution; False if there is none running."""
        try:
            self._sfn.stop_execution(executionArn=self.execution_arn(case_id), error="CaseWithdrawn", cause=cause)
        except ClientError as error:
            if error.response["Error"]["Code"] in ("ExecutionDoesNotExist", "ExecutionNotRunning"):
                return False
            raise
        return True
