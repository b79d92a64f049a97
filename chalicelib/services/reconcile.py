"""The reconciler (issue 11): no case stays `submitted` or `processing` without a running run.

A run can be lost (the local engine stopped), aborted by hand in the console, or fail
outside the state machine's catch paths. Every few minutes (EventBridge; locally at
start and by /dev/jobs/reconcile/run) the reconciler reads the cases submitted before
the grace period that are not yet seen finished, and for each whose current run is no
longer running:

- never started (the submit's start was lost): it is started;
- over while the case is not: the next run starts from the persisted state — the
  run's pre-judgment answers the recorded plan, finished matters answer their recorded
  outcome without running again, and an open department wait takes the new run's task
  token (the review and pension APIs read the token from the wait);
- after `reconcile_max_runs` runs: the case fails visibly (every open matter fails with
  the system-failure note, the applicant is told once) and the operators are alerted.

Finished cases leave the list as they are found. Everything is conditional: two
reconcilers at once start one next run.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain import messages
from chalicelib.domain.case import FINAL_CASE_STATUSES, CaseStatus
from chalicelib.observability import MetricUnit, logger, metrics
from chalicelib.services.case_facts import case_facts

if TYPE_CHECKING:
    from chalicelib.wiring import Services

RUNNING = "RUNNING"
WITHDRAWN = "CaseWithdrawn"  # the error a withdrawal stops a run with (adapters/workflow.py)


def run_reconcile(services: Services, now: datetime) -> dict[str, Any]:
    """One pass; answers the tally (what each case needed)."""
    since = now - timedelta(seconds=services.settings.reconcile_after_seconds)
    until = since.astimezone(UTC).isoformat(timespec="milliseconds")  # as submission times are written
    cases, read = services.store.unfinished_cases(until)
    tally = {"read": read, "running": 0, "forgotten": 0, "started": 0, "resumed": 0, "failed": 0}
    tally["errors"] = 0
    for case in cases:
        try:
            tally[_reconcile_case(services, case)] += 1
        except Exception:  # one case that cannot be reconciled now does not stop the pass: the next pass tries again
            logger.exception("case could not be reconciled", extra={"case_id": case.get("case_id")})
            tally["errors"] += 1
    metrics.add_metric(name="ReconcileErrors", unit=MetricUnit.Count, value=tally["errors"])
    if tally["resumed"] or tally["started"] or tally["failed"]:
        logger.warning("reconciler found cases without a running run", extra={k: v for k, v in tally.items() if k != "read"})
    metrics.add_metric(name="CasesResumedByReconciler", unit=MetricUnit.Count, value=tally["resumed"] + tally["started"])
    metrics.add_metric(name="CasesFailedByReconciler", unit=MetricUnit.Count, value=tally["failed"])
    return tally


def _reconcile_case(services: Services, listed: dict) -> str:
    case_id = listed["case_id"]
    if listed["status"] in FINAL_CASE_STATUSES:
        services.store.forget_finished(case_id)
        return "forgotten"
    run = int(listed.get("run", 0))
    execution = services.workflow.describe(case_id, run)
    if execution is not None and (execution["status"] in (RUNNING, "PENDING_REDRIVE") or execution.get("error") == WITHDRAWN):
        return "running"  # running (or redriven by hand), or stopped by a withdrawal that is closing the case
    # The list was read before the run ended: what the case is now decides.
    record = services.store.get(case_id)
    if record is None or record.case["status"] in FINAL_CASE_STATUSES:
        services.store.forget_finished(case_id)
        return "forgotten"
    if record.case["status"] not in (CaseStatus.SUBMITTED, CaseStatus.PROCESSING) or int(record.case.get("run", 0)) != run:
        return "running"  # back to a draft, or another reconciler has moved it on
    facts = case_facts(record.case, record.matters, record.materials)
    if execution is None:
        services.workflow.start(case_id, {**facts, "run": run}, run)
        logger.warning("case run started by the reconciler", extra={"case_id": case_id, "run": run})
        return "started"
    if run + 1 >= services.settings.reconcile_max_runs:
        return _fail_visibly(services, case_id, run + 1)
    if not services.store.next_run(case_id, run):
        return "running"  # another reconciler started it
    services.workflow.start(case_id, {**facts, "run": run + 1}, run + 1)
    logger.warning("case resumed in a new run", extra={"case_id": case_id, "run": run + 1, "previous": execution["status"]})
    return "resumed"


def _fail_visibly(services: Services, case_id: str, runs: int) -> str:
    from chalicelib.services.stages.finishing import fail_case

    fail_case(services, case_id, {"Error": "RunsExhausted", "Cause": f"{runs} runs ended while the case was open"})
    if services.store.alert_once("reconcile-failed", case_id, {"case_id": case_id, "runs": runs}):
        subject, text = messages.reconcile_failed_alert(case_id, runs)
        services.notifier.alert_department("operator", "-", "reconcile", subject, text)
    return "failed"
