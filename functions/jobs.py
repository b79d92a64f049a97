"""Scheduled jobs and event-driven functions (EventBridge Scheduler, S3): thin handlers.

EventBridge Scheduler passes the scheduled time as `{"time": "<aws.scheduler.scheduled-time>"}`,
so a job can be replayed for any moment; without one it runs for now.
"""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.services import deadlines, materials, payouts
from chalicelib.wiring import services
from functions.workflow import lambda_handler


def event_time(event: dict | None) -> datetime:
    raw = (event or {}).get("time")
    # Without a time, "now" is the business clock's (the local stack's PUT /dev/clock moves it).
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00")) if isinstance(raw, str) else services().now()
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@lambda_handler
def deadline_alerts(event: dict) -> dict:
    return deadlines.run_deadline_alerts(services(), event_time(event))


@lambda_handler
def payout_switch(event: dict) -> dict:
    return payouts.run_payout_switch(services(), event_time(event))


@lambda_handler
def materials_retention(event: dict) -> dict:
    return materials.run_materials_retention(services(), event_time(event))


@lambda_handler
def check_material(event: dict) -> list:
    """S3 ObjectCreated on the materials bucket: check what arrived."""
    return materials.check_s3_event(services(), event)


HANDLERS = {
    "deadline_alerts": deadline_alerts,
    "payout_switch": payout_switch,
    "materials_retention": materials_retention,
    "check_material": check_material,
}
JOBS = {  # the local stack's /dev/jobs/{job}/run
    "deadline-alerts": deadlines.run_deadline_alerts,
    "payout-switch": payouts.run_payout_switch,
    "materials-retention": materials.run_materials_retention,
}
JOB_NAMES = {  # what the jobs are called in Chinese messages
    "deadline-alerts": "审核时限提醒",
    "payout-switch": "养老保险待遇发放账号切换",
    "materials-retention": "材料保存期限清理",
}
