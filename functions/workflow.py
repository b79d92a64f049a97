"""The state machine's Lambda tasks (statemachine/case.asl.json): thin handlers.

Each parses its event, calls one service function, and answers JSON for the
execution. Transient errors propagate (the state machine retries them); business
outcomes are recorded on the matter and returned.

A handler imports the event models (pydantic), the task code and the services at its
first call, not at import: an import is most of a Lambda's cold start (issue 10).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.observability import flush_metrics, logger, tracer

_cold = {"start": True}  # the first invocation of this process (Powertools' `cold_start` key)


def _context_keys(context: Any) -> dict[str, Any]:
    """The Lambda context's log keys, as Powertools' `inject_lambda_context` writes them."""
    cold, _cold["start"] = _cold["start"], False
    return {
        "cold_start": cold,
        "function_name": getattr(context, "function_name", None),
        "function_memory_size": getattr(context, "memory_limit_in_mb", None),
        "function_arn": getattr(context, "invoked_function_arn", None),
        "function_request_id": getattr(context, "aws_request_id", None),
    }


def lambda_handler(fn: Callable[[dict], Any]) -> Callable[[dict, Any], Any]:
    """One Lambda entry point: structured logs with the case id, metrics flushed, traced."""

    @tracer.capture_lambda_handler
    def handler(event: dict, context: Any) -> Any:
        # The thread's own keys, the Lambda context's among them (not `inject_lambda_context`, whose
        # keys are the logger's, for every thread): locally, tasks and API requests share one logger.
        event_keys = {"case_id": (event or {}).get("case_id"), "matter": (event or {}).get("matter")}
        logger.thread_safe_append_keys(**_context_keys(context), **event_keys)
        try:
            return fn(event)
        finally:
            try:
                flush_metrics()  # not Metrics.log_metrics: it keeps the values when metrics are disabled
            finally:
                logger.thread_safe_clear_keys()

    handler.__name__ = fn.__name__
    return handler


@lambda_handler
def prejudge_at_submission(event: dict) -> dict:
    from chalicelib.services import workflow_tasks as tasks
    from chalicelib.wiring import services
    from functions.events import CaseEvent

    e = CaseEvent.model_validate(event)
    return tasks.prejudge_at_submission(services(), e.case_id, e.facts)


@lambda_handler
def run_matter(event: dict) -> dict:
    from chalicelib.services import workflow_tasks as tasks
    from chalicelib.wiring import services
    from functions.events import MatterEvent

    e = MatterEvent.model_validate(event)
    return tasks.run_matter(services(), e.case_id, e.matter, e.facts, e.plan)


@lambda_handler
def record_matter_failure(event: dict) -> dict:
    from chalicelib.services import workflow_tasks as tasks
    from chalicelib.wiring import services
    from functions.events import MatterFailureEvent

    e = MatterFailureEvent.model_validate(event)
    return tasks.record_matter_failure(services(), e.case_id, e.matter, e.error, e.facts, e.plan)


@lambda_handler
def check_before_review(event: dict) -> dict:
    from chalicelib.services import workflow_tasks as tasks
    from chalicelib.wiring import services
    from functions.events import MatterEvent

    e = MatterEvent.model_validate(event)
    return tasks.check_before_review(services(), e.case_id, e.matter, e.facts, e.plan)


@lambda_handler
def request_decision(event: dict) -> dict:
    from chalicelib.services import workflow_tasks as tasks
    from chalicelib.wiring import services
    from functions.events import WaitEvent

    e = WaitEvent.model_validate(event)
    return tasks.request_decision(services(), e.case_id, e.matter, e.task_token, e.facts, e.plan)


@lambda_handler
def record_decision(event: dict) -> dict:
    from chalicelib.services import workflow_tasks as tasks
    from chalicelib.wiring import services
    from functions.events import DecisionEvent

    e = DecisionEvent.model_validate(event)
    return tasks.record_decision(services(), e.case_id, e.matter, e.decision, e.facts, e.plan)


@lambda_handler
def record_wait_timeout(event: dict) -> dict:
    from chalicelib.services import workflow_tasks as tasks
    from chalicelib.wiring import services
    from functions.events import MatterEvent

    e = MatterEvent.model_validate(event)
    return tasks.record_wait_timeout(services(), e.case_id, e.matter, e.facts, e.plan)


@lambda_handler
def finish_case(event: dict) -> dict:
    from chalicelib.services import workflow_tasks as tasks
    from chalicelib.wiring import services
    from functions.events import FinishEvent

    e = FinishEvent.model_validate(event)
    return tasks.finish_case(services(), e.case_id, e.facts, e.results)


@lambda_handler
def fail_case(event: dict) -> dict:
    from chalicelib.services import workflow_tasks as tasks
    from chalicelib.wiring import services
    from functions.events import FailureEvent

    e = FailureEvent.model_validate(event)
    return tasks.fail_case(services(), e.case_id, e.error, e.facts)


# Lambda function name suffix -> handler; the ASL names them ${<CamelCase>FunctionArn}.
HANDLERS: dict[str, Callable[[dict, Any], dict]] = {
    "prejudge_at_submission": prejudge_at_submission,
    "run_matter": run_matter,
    "record_matter_failure": record_matter_failure,
    "check_before_review": check_before_review,
    "request_decision": request_decision,
    "record_decision": record_decision,
    "record_wait_timeout": record_wait_timeout,
    "finish_case": finish_case,
    "fail_case": fail_case,
}


def substitution_name(function: str) -> str:
    """`run_matter` -> `RunMatterFunctionArn`, the ASL placeholder."""
    return "".join(part.title() for part in function.split("_")) + "FunctionArn"
