"""Starting and describing the case workflow (Step Functions).

Execution names are the case id (run 0), or the case id and the run's number (a run the
reconciler started after the one before it was lost), so a second start of the same run
cannot start a second execution: Step Functions answers ExecutionAlreadyExists, which
means "already started" here.
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

    @staticmethod
    def execution_name(case_id: str, run: int = 0) -> str:
        return case_id if run == 0 else f"{case_id}-run{run}"

    def execution_arn(self, case_id: str, run: int = 0) -> str:
        return self._arn.replace(":stateMachine:", ":execution:") + f":{self.execution_name(case_id, run)}"

    def start(self, case_id: str, facts: dict[str, Any] | None = None, run: int = 0) -> str:
        """Start the case's run; `facts` (services.case_facts) travel in its input."""
        execution_input: dict[str, Any] = {"case_id": case_id}
        if facts is not None:
            execution_input["facts"] = facts
        name = self.execution_name(case_id, run)
        try:
            response = self._sfn.start_execution(stateMachineArn=self._arn, name=name, input=json.dumps(execution_input))
            return response["executionArn"]
        except ClientError as error:
            if error.response["Error"]["Code"] == "ExecutionAlreadyExists":
                return self.execution_arn(case_id, run)
            # a racing start may fail otherwise; what counts is that the run exists
            if self.describe(case_id, run) is not None:
                return self.execution_arn(case_id, run)
            raise

    def describe(self, case_id: str, run: int = 0) -> dict[str, Any] | None:
        try:
            return self._sfn.describe_execution(executionArn=self.execution_arn(case_id, run))
        except ClientError as error:
            if error.response["Error"]["Code"] == "ExecutionDoesNotExist":
                return None
            raise

    def stop(self, case_id: str, cause: str, run: int = 0) -> bool:
        """Stop a running execution; False if there is none running."""
        try:
            self._sfn.stop_execution(executionArn=self.execution_arn(case_id, run), error="CaseWithdrawn", cause=cause)
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
