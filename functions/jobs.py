"""Scheduled jobs and event-driven functions (EventBridge Scheduler, S3): thin handlers.

EventBridge Scheduler passes the scheduled time as `{"time": "<aws.scheduler.scheduled-time>"}`,
so a job can be replayed for any moment; without one it runs for now.

A handler imports its service and the services' wiring at its first call, not at import:
an import is most of a Lambda's cold start (issue 10).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from functions.workflow import lambda_handler

if TYPE_CHECKING:
    from chalicelib.wiring import Services


def event_time(event: dict | None) -> datetime:
    from chalicelib.wiring import services

    raw = (event or {}).get("time")
    # Without a time, "now" is the business clock's (the local stack's PUT /dev/clock moves it).
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00")) if isinstance(raw, str) else services().now()
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@lambda_handler
def deadline_alerts(event: dict) -> dict:
    from chalicelib.services import deadlines
    from chalicelib.wiring import services

    return deadlines.run_deadline_alerts(services(), event_time(event))


@lambda_handler
def payout_switch(event: dict) -> dict:
    from chalicelib.services import payouts
    from chalicelib.wiring import services

    return payouts.run_payout_switch(services(), event_time(event))


@lambda_handler
def materials_retention(event: dict) -> dict:
    from chalicelib.services import materials
    from chalicelib.wiring import services

    return materials.run_materials_retention(services(), event_time(event))


@lambda_handler
def reconcile(event: dict) -> dict:
    """No case stays submitted or processing without a running run (issue 11)."""
    from chalicelib.services import reconcile as reconciler
    from chalicelib.wiring import services

    return reconciler.run_reconcile(services(), event_time(event))


@lambda_handler
def check_material(event: dict) -> list:
    """S3 ObjectCreated on the materials bucket: check what arrived."""
    from chalicelib.services import materials
    from chalicelib.wiring import services

    return materials.check_s3_event(services(), event)


HANDLERS = {
    "deadline_alerts": deadline_alerts,
    "payout_switch": payout_switch,
    "materials_retention": materials_retention,
    "reconcile": reconcile,
    "check_material": check_material,
}
JOB_NAMES = {  # the local stack's /dev/jobs/{job}/run, and what the jobs are called in Chinese messages
    "deadline-alerts": "审核时限提醒",
    "payout-switch": "养老保险待遇发放账号切换",
    "materials-retention": "材料保存期限清理",
    "reconcile": "中断案件的恢复办理",
}


def jobs() -> dict[str, Callable[[Services, datetime], Any]]:
    """The local stack's /dev/jobs/{job}/run: each job's service function (imported here, not with the handlers)."""
    from chalicelib.services import deadlines, materials, payouts
    from chalicelib.services import reconcile as reconciler

    return {
        "deadline-alerts": deadlines.run_deadline_alerts,
        "payout-switch": payouts.run_payout_switch,
        "materials-retention": materials.run_materials_retention,
        "reconcile": reconciler.run_reconcile,
    }
