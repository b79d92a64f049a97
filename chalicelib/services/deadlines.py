"""The deadline job (EventBridge Scheduler, every 15 minutes): alerts and timeouts.

Driven by the event's own time, so any moment can be replayed. It reads only what is
due: the index `ByDue` holds each open wait under its due time, and the query stops
at `now + warning window` — its cost grows with the number of due reviews, not with
the number of cases. Each wait carries the level it was alerted at, so a run writes
only for the waits that reach a new level: in the steady state it makes no write.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.dynamo_cases import ConcurrentUpdate
from chalicelib.domain import messages
from chalicelib.domain.deadline_alerts import AlertLevel, level_at, needs_alert
from chalicelib.domain.workdays import SHANGHAI
from chalicelib.observability import MetricUnit, logger, metrics
from chalicelib.ports import WorkflowUnavailable
from chalicelib.services.reviews import retry_resumes
from chalicelib.wiring import Services

WAIT_TIMED_OUT = "Review.TimedOut"  # the error the state machine catches


def run_deadline_alerts(services: Services, now: datetime) -> dict[str, Any]:
    now = now.astimezone(SHANGHAI)
    now_text = now.isoformat()
    horizon = (now + timedelta(hours=services.settings.alert_warning_hours)).isoformat()
    waits, read = services.store.waits_due(horizon)
    done: dict[str, Any] = {"time": now_text, "warning": [], "overdue": [], "timed_out": [], "items_read": read}
    for wait in waits:
        if wait.get("status") != "pending":
            continue
        review_id = wait["review_id"]
        if wait.get("expires_at") and wait["expires_at"] <= now_text:
            if _time_out(services, wait):
                done["timed_out"].append(review_id)
            continue
        level = level_at(wait["due_at"], now)
        alerted = wait.get("alerted_level")
        # each wait is alerted once per level: one already alerted at its level costs no write
        if not needs_alert(level, alerted):
            continue
        if not services.store.mark_wait_alerted(wait["case_id"], wait["matter"], level.value, seen=alerted):
            continue  # decided meanwhile, or an overlapping run alerted it
        subject, text = messages.department_alert(level.value, wait["matter"], wait["case_id"], review_id, wait["due_at"])
        try:
            services.notifier.alert_department(wait["department"], wait.get("district", ""), level.value, subject, text)
        except Exception:
            # not sent: the next run tries again
            services.store.unmark_wait_alerted(wait["case_id"], wait["matter"], level.value, back_to=alerted)
            raise
        done[level.value].append(review_id)
    overdue_now = sum(1 for w in waits if w.get("status") == "pending" and level_at(w["due_at"], now) is AlertLevel.OVERDUE)
    metrics.add_metric(name="OverdueReviews", unit=MetricUnit.Count, value=overdue_now)
    done["overdue_open"] = overdue_now
    sent, resume_read = retry_resumes(services, now_text)
    done["resumed"] = sent
    done["items_read"] += resume_read
    logger.info("deadline job ran", extra={k: (len(v) if isinstance(v, list) else v) for k, v in done.items()})
    return done


def _time_out(services: Services, wait: dict) -> bool:
    """End the execution's wait; the state machine records the failure and alerts."""
    try:
        if services.workflow.fail_wait(wait["task_token"], WAIT_TIMED_OUT, "经办部门超过办结时限仍未处理"):
            return True
    except WorkflowUnavailable as error:
        logger.warning("could not end a wait", extra={"case_id": wait["case_id"], "error": error.code})
        return False
    logger.warning("could not end a wait", extra={"case_id": wait["case_id"], "error": "wait over"})
    # its run is over already: take it off the lists instead of trying every run
    try:
        services.store.end_wait(wait["case_id"], wait["matter"], expected_status="pending", changes={"status": "timed_out"})
    except ConcurrentUpdate:
        pass
    return False
