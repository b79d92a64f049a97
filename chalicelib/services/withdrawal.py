"""Withdrawing a case (撤回): allowed until a matter has gone to a department."""

from __future__ import annotations

from chalicelib.adapters.dynamo_cases import ConcurrentUpdate
from chalicelib.auth import Principal
from chalicelib.domain import messages
from chalicelib.domain.case import FINAL_CASE_STATUSES, FINAL_MATTER_STATUSES, CaseStatus, MatterStatus
from chalicelib.errors import ConflictProblem
from chalicelib.models import CaseView
from chalicelib.observability import MetricUnit, logger, metrics
from chalicelib.services.case_views import case_view, load_own_case
from chalicelib.services.cases import notify_applicant
from chalicelib.services.materials import schedule_retention
from chalicelib.wiring import Services

WITHDRAWN_REASON = "申请人已撤回"


def _gone_to_a_department(record) -> bool:  # noqa: ANN001
    return bool(record.waits) or any(m["status"] == MatterStatus.AWAITING_REVIEW for m in record.matters.values())


def withdraw_case(services: Services, principal: Principal, case_id: str) -> CaseView:
    record = load_own_case(services, principal, case_id)
    if record.case["status"] in FINAL_CASE_STATUSES:
        raise ConflictProblem("案件已办结或已撤回，不能撤回")
    if _gone_to_a_department(record):
        raise ConflictProblem("已有事项提交经办部门审核，不能撤回")
    if record.case["status"] != CaseStatus.DRAFT:
        services.workflow.stop(case_id, WITHDRAWN_REASON, record.case.get("run", 0))
        record = load_own_case(services, principal, case_id)
        for code in record.waits:  # the run reached a department just before it stopped
            try:
                services.store.end_wait(case_id, code, expected_status="pending", changes={"status": "withdrawn"})
            except ConcurrentUpdate:
                pass
    for code, matter in record.matters.items():
        if matter["status"] not in FINAL_MATTER_STATUSES:
            services.store.mutate_matter(
                case_id,
                code,
                lambda m: (
                    None
                    if m["status"] in FINAL_MATTER_STATUSES
                    else {
                        "status": MatterStatus.FAILED.value,
                        "reason": WITHDRAWN_REASON,
                        "reason_code": "WITHDRAWN",
                        "updated_at": services.now_iso(),
                    }
                ),
            )
    finished_at = services.now_iso()
    try:
        case = services.store.mutate_case(
            case_id,
            lambda c: (
                None
                if c["status"] in FINAL_CASE_STATUSES
                else {
                    "status": CaseStatus.WITHDRAWN.value,
                    "finished_at": finished_at,
                    "updated_at": finished_at,
                    # the case item keeps its matters' statuses: every open one failed with the withdrawal
                    "matter_status": {
                        code: m["status"] if m["status"] in FINAL_MATTER_STATUSES else MatterStatus.FAILED.value
                        for code, m in record.matters.items()
                    },
                }
            ),
        )
    except ConcurrentUpdate:
        raise ConflictProblem("案件状态正在变化，请稍后重试") from None
    if case.get("finished_at") != finished_at:
        raise ConflictProblem("案件已办结或已撤回，不能撤回")
    services.store.add_event(case_id, "withdrawn", "申请人已撤回本案件")
    record = load_own_case(services, principal, case_id)
    notify_applicant(services, record, messages.case_withdrawn(case_id))
    if any(m.get("key") for m in record.materials.values()):
        schedule_retention(services, case_id, finished_at)
    logger.info("case withdrawn", extra={"case_id": case_id})
    metrics.add_metric(name="CasesWithdrawn", unit=MetricUnit.Count, value=1)
    return case_view(load_own_case(services, principal, case_id), principal, services)
