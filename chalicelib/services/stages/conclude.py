"""The one path that records a matter's outcome (办理结果).

A task holds the case's fixed facts (the execution input) and the run's plan; it
writes the outcome, its timeline event, its messages and — when it is the last open
matter — the case's final status in one transaction (`CaseStore.conclude`), without
reading the case first unless it expects to be the last one. A condition that no
longer holds (the matter already has an outcome, the case was withdrawn, this is the
last matter after all, the contact phone changed) writes nothing; the task then reads
the case item once and decides again. A retry of a task that already wrote finds its
matter final, sends what is still pending in the outbox, and answers the recorded outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.dynamo_cases import CaseRecord, ConcurrentUpdate, NotFound
from chalicelib.domain import messages
from chalicelib.domain.case import FINAL_CASE_STATUSES, FINAL_MATTER_STATUSES, CaseStatus, MatterStatus, finished_case_status
from chalicelib.domain.catalogue import CATALOGUE, MatterCode, matter_name
from chalicelib.domain.outcomes import Closing, Conclusion, Event, Message, Outcome, PayoutSwitch, WaitChange
from chalicelib.observability import MetricUnit, logger, metrics
from chalicelib.services import outbox
from chalicelib.services.case_facts import case_facts
from chalicelib.wiring import Services

ATTEMPTS = 5


class CaseMissing(Exception):
    """The execution names a case the store does not have (not retried)."""


def load(services: Services, case_id: str) -> CaseRecord:
    record = services.store.get(case_id)
    if record is None:
        raise CaseMissing(case_id)
    return record


def facts_of(services: Services, case_id: str, facts: dict[str, Any] | None) -> dict[str, Any]:
    """The execution's facts; a run started without them (before they travelled) reads them once."""
    if facts:
        return facts
    record = load(services, case_id)
    return case_facts(record.case, record.matters, record.materials)


@dataclass(frozen=True)
class Sms:
    """An SMS an outcome sends to the case's contact phone (or to `to`, for a phone change)."""

    purpose: str
    text: str
    matter: str | None = None
    to: str | None = None


@dataclass
class Concluded:
    """What a conclusion did: `recorded` (this call wrote it), the matter's status, the case's if final."""

    recorded: bool
    status: str
    case_status: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def likely_last(plan: dict[str, Any] | None, code: str) -> bool:
    """Whether, by the run's order, nothing else should still be open when this matter ends."""
    if not plan:
        return False
    stage_one, status_query, reviewed = plan.get("stage_one", []), plan.get("status_query", []), plan.get("reviewed", [])
    if code in stage_one:
        return code == stage_one[-1] and not status_query and not reviewed
    if code in status_query:
        return not reviewed and code == status_query[-1]
    return reviewed == [code] and not status_query


def conclude(
    services: Services,
    facts: dict[str, Any],
    outcomes: list[Outcome],
    events: list[Event],
    sms: list[Sms],
    *,
    plan: dict[str, Any] | None = None,
    alerts: list[Message] | None = None,
    wait: WaitChange | None = None,
    card_order: dict[str, Any] | None = None,
    payout_switch: PayoutSwitch | None = None,
    new_contact_phone: str | None = None,
    expect: CaseStatus = CaseStatus.PROCESSING,
    system_failure: bool = False,
) -> Concluded:
    """Record `outcomes` once (the first wins); answers what is now recorded."""
    case_id = facts["case_id"]
    codes = list(facts["matters"])
    mine = {o.code for o in outcomes}
    others = [c for c in codes if c not in mine]
    first = outcomes[0]
    case_item: dict[str, Any] | None = None
    if others and likely_last(plan, first.code):
        case_item = _case_item(services, case_id)
    for _ in range(ATTEMPTS):
        phone = facts["phone"]
        some_open: tuple[str, ...] = tuple(others)
        others_final: dict[str, str] = {}
        reasons: dict[str, str] = {}
        if case_item is not None:
            if "matter_status" not in case_item:  # a case that began before the case item kept its matters' statuses
                case_item = _with_matter_statuses(services, case_id)
            statuses = case_item.get("matter_status") or {}
            if any(statuses.get(code) in FINAL_MATTER_STATUSES for code in mine):
                outbox.deliver_pending(services, case_id)  # an earlier attempt wrote it: send what it left
                return Concluded(False, statuses[first.code], _final(case_item))
            if case_item["status"] != expect:  # withdrawn, or closed without this matter: nothing recorded here
                return Concluded(False, statuses.get(first.code, MatterStatus.PENDING.value), _final(case_item))
            phone = case_item["contact"]["phone"]
            some_open = tuple(c for c in others if statuses.get(c) not in FINAL_MATTER_STATUSES)
            if not some_open:
                others_final = {c: statuses[c] for c in others}
                reasons = dict(case_item.get("matter_reasons") or {})
        last = not some_open
        closing: Closing | None = None
        closing_events: list[Event] = []
        closing_sms: list[Sms] = []
        if last:
            final = {**others_final, **{o.code: o.status.value for o in outcomes}}
            reasons.update({o.code: o.reason or "" for o in outcomes})
            closing, closing_events, closing_sms = _closing(services, facts, final, reasons, system_failure)
        sent = [outbox.sms(case_id, s.purpose, s.to or phone, s.text, s.matter) for s in [*sms, *closing_sms]] + list(alerts or [])
        conclusion = Conclusion(
            case_id=case_id,
            outcomes=tuple(outcomes),
            events=tuple(events + closing_events),
            messages=tuple(sent),
            case_status=expect,
            some_open=some_open,
            others_final=others_final,
            closing=closing,
            contact_phone=phone,
            new_contact_phone=new_contact_phone,
            wait=wait,
            card_order=card_order,
            payout_switch=payout_switch,
        )
        if services.store.conclude(conclusion):
            if closing is not None:
                logger.info("case finished", extra={"case_id": case_id, "status": closing.status.value})
                metrics.add_metric(name=f"Cases{closing.status.value.title().replace('_', '')}", unit=MetricUnit.Count, value=1)
            outbox.deliver(services, case_id, sent)
            return Concluded(True, first.status.value, closing.status.value if closing else None)
        case_item = _case_item(services, case_id)
    raise ConcurrentUpdate(f"case {case_id} kept changing while {sorted(mine)} concluded")


def _with_matter_statuses(services: Services, case_id: str) -> dict[str, Any]:
    """Give the case item its matters' statuses and reasons from the matter items (once), and answer it."""
    record = load(services, case_id)
    statuses = {code: m["status"] for code, m in record.matters.items()}
    reasons = {code: m["reason"] for code, m in record.matters.items() if m.get("reason")}
    return services.store.mutate_case(
        case_id, lambda c: None if "matter_status" in c else {"matter_status": statuses, "matter_reasons": reasons}
    )


def _case_item(services: Services, case_id: str) -> dict[str, Any]:
    try:
        return services.store.get_case_item(case_id)
    except NotFound:
        raise CaseMissing(case_id) from None


def _final(case_item: dict[str, Any]) -> str | None:
    return case_item["status"] if case_item["status"] in FINAL_CASE_STATUSES else None


def _closing(
    services: Services, facts: dict[str, Any], final: dict[str, str], reasons: dict[str, str], system_failure: bool
) -> tuple[Closing, list[Event], list[Sms]]:
    """The case's final status with the last outcome: its event, the summary SMS, the materials' retention."""
    status = finished_case_status(final.values())
    at = services.now_iso()
    retention_due = None
    if facts.get("has_uploads"):
        retention_due = (datetime.fromisoformat(at) + timedelta(days=services.settings.materials_retention_days)).isoformat()
    if system_failure:  # the run broke: the applicant learns the case ended, and why, in one message
        events = [Event("finished", f"案件{messages.CASE_STATUS_NAMES[status]}（办理过程出现系统故障）")]
        summary = messages.case_finished(facts["case_id"], status, [messages.SYSTEM_FAILURE_REASON])
        return Closing(status=status, at=at, retention_due=retention_due), events, [Sms("summary", summary)]
    events = [Event("finished", f"案件{messages.CASE_STATUS_NAMES[status]}")]
    sms: list[Sms] = []
    if len(final) > 1:
        order = list(CATALOGUE).index
        lines = [_summary_line(c, final[c], reasons.get(c)) for c in sorted(final, key=lambda c: order(MatterCode(c)))]
        sms.append(Sms("summary", messages.case_finished(facts["case_id"], status, lines)))
    return Closing(status=status, at=at, retention_due=retention_due), events, sms


def _summary_line(code: str, status: str, reason: str | None) -> str:
    if status == MatterStatus.SUCCEEDED:
        return f"{matter_name(code)}已办结"
    return f"{matter_name(code)}未办理（{reason or '未完成'}）"


def not_done(
    services: Services,
    facts: dict[str, Any],
    code: str,
    status: MatterStatus,
    reason: str,
    reason_code: str,
    event_kind: str,
    event_text: str,
    *,
    plan: dict[str, Any] | None = None,
    wait: WaitChange | None = None,
    alerts: list[Message] | None = None,
) -> Concluded:
    """A matter not done (refused, rejected, failed): the reason recorded and told once."""
    return conclude(
        services,
        facts,
        [Outcome(code, status, reason=reason, reason_code=reason_code)],
        [Event(event_kind, event_text, matter=code)],
        [Sms("outcome", messages.matter_not_done(code, reason), matter=code)],
        plan=plan,
        wait=wait,
        alerts=alerts,
    )


def recorded_outcome(services: Services, case_id: str, code: str, plan: dict | None) -> dict[str, Any] | None:
    """In a resumed run (`plan["resumed"]`), what an earlier run recorded of the matter
    (`{"matter", "status", "case_status"}`) when it got further than the start: finished (not to be run
    again) or with its department (not to be judged again); None otherwise (and in a first run, which
    reads nothing for it)."""
    if not (plan or {}).get("resumed"):
        return None
    case = services.store.get_case_item(case_id)
    status = (case.get("matter_status") or {}).get(code)
    if status not in FINAL_MATTER_STATUSES and status != MatterStatus.AWAITING_REVIEW:
        return None
    final = case["status"] if case["status"] in FINAL_CASE_STATUSES else None
    return {"matter": code, "status": status, "case_status": final}
