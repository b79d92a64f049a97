"""The payout switch job (EventBridge Scheduler, daily 00:05 Asia/Shanghai).

From the event's own time, it switches every pending payout account whose effective
date has come, found by an index query on effective date (index ByDue), each change
exactly once: the pension system's switch is conditional on the pending change still
being that request, and the dated item is removed afterwards. Running it twice for
the same time, or late after missed days, gives the same end state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain import messages
from chalicelib.domain.payout import month_text
from chalicelib.domain.workdays import SHANGHAI
from chalicelib.observability import MetricUnit, logger, metrics
from chalicelib.services.cases import notify_applicant
from chalicelib.wiring import Services


def run_payout_switch(services: Services, now: datetime) -> dict[str, Any]:
    now_text = now.astimezone(SHANGHAI).isoformat()
    due, read = services.store.payout_switches_due(now_text)
    switched: list[str] = []
    for item in due:
        request_id, case_id = item["request_id"], item["case_id"]
        record, changed = services.pension_system.switch_payout(item["id_number"], request_id)
        if changed:
            month = month_text(item["effective_month"])
            services.store.add_event(
                case_id, "payout_switched", f"养老保险待遇发放账号已切换，自{month}待遇起生效", matter="pension_account"
            )
            case = services.store.get(case_id)
            if case is not None:
                notify_applicant(services, case, messages.payout_switched(month, record.payout_account or ""), matter="pension_account")
            switched.append(request_id)
        services.store.remove_payout_switch(services.person_key(item["id_number"]), request_id)
    metrics.add_metric(name="PayoutAccountsSwitched", unit=MetricUnit.Count, value=len(switched))
    logger.info("payout switch job ran", extra={"time": now_text, "switched": len(switched), "items_read": read})
    return {"time": now_text, "switched": switched, "items_read": read}
