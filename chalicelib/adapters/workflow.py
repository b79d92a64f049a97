"""Starting and describing the case workflow (Step Functions).

Execution names are the case id, so a second start of the same case cannot start a
second run: Step Functions answers ExecutionAlreadyExists, which means "already
started" here.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.ports import WorkflowUnavailable

# What Step Functions answers to a task token whose wait is over (timed out, or its run ended).
WAIT_OVER = ("TaskTimedOut", "InvalidToken", "TaskDoesNotExist")


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

    def resume(self, task_token: str, outcome: dict[str, Any]) -> bool:
        """Send a department's decision to the waiting run; False if the wait is over."""
        return self._answer_wait(lambda: self._sfn.send_task_success(taskToken=task_token, output=json.dumps(outcome, ensure_ascii=False)))

    def fail_wait(self, task_token: str, error: str, cause: str) -> bool:
        """End a wait with `error` (the state machine catches it); False if the wait is over."""
        return self._answer_wait(lambda: self._sfn.send_task_failure(taskToken=task_token, error=error, cause=cause))

    @staticmethod
    def _answer_wait(call: Any) -> bool:
        try:
            call()
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code in WAIT_OVER:
                return False
            raise WorkflowUnavailable(code) from error
        return True
