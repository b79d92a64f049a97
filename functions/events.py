"""What the state machine passes each task (statemachine/case.asl.json), as pydantic models.

Apart from `functions.workflow` so that importing a task's entry point does not import
pydantic: a handler imports these at its first call (issue 10, cold start).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class CaseEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")
    case_id: str
    # the case's fixed facts (services/case_facts.py), absent in a run started before they travelled
    facts: dict[str, Any] | None = None


class MatterEvent(CaseEvent):
    matter: str
    plan: dict[str, Any] | None = None  # pre-judgment's plan: the run's order and the reviewed matters' due times


class FinishEvent(CaseEvent):
    results: Any = None  # what the branches answered: the case's final status, once its last matter closed it


class WaitEvent(MatterEvent):
    task_token: str


class DecisionEvent(MatterEvent):
    decision: dict[str, Any]


class FailureEvent(CaseEvent):
    error: dict[str, Any] | None = None


class MatterFailureEvent(MatterEvent):
    error: dict[str, Any] | None = None
