"""Views of cases: what a citizen, a counter clerk or a reviewer may see of a case, and how it reads."""

from __future__ import annotations

import uuid
from typing import Any

from chalicelib.adapters.dynamo_cases import CaseRecord
from chalicelib.auth import Principal
from chalicelib.domain.access import Looked
from chalicelib.domain.catalogue import (
    CATALOGUE,
    MATERIAL_NAMES,
    Material,
    MatterCode,
)
from chalicelib.domain.resident_id import is_valid_resident_id, mask_phone, mask_resident_id
from chalicelib.errors import (
    NotFoundProblem,
    checked_cursor,
)
from chalicelib.models import (
    CaseList,
    CaseSummary,
    CaseView,
)
from chalicelib.services import access
from chalicelib.wiring import Services


def can_see(services: Services, principal: Principal, case: dict) -> bool:
    """The applicant, and a clerk of the service point that opened the case."""
    if principal.has("citizen") and is_valid_resident_id(principal.sub) and case["person_key"] == services.person_key(principal.id_number):
        return True
    clerk_of_the_point = principal.has("clerk") and principal.service_point is not None
    return bool(clerk_of_the_point and case.get("channel") == "offline" and case.get("service_point") == principal.service_point)


def load_own_case(services: Services, principal: Principal, case_id: str, looked: Looked | None = None) -> CaseRecord:
    """The case, if the caller may see it; 404 for anyone else, never a hint.

    `looked`: what the caller is about to be shown; a clerk's read of it is recorded first.
    """
    try:
        uuid.UUID(case_id)
    except ValueError:
        raise NotFoundProblem("未找到该案件") from None
    record = services.store.get(case_id)
    if record is None or not can_see(services, principal, record.case):
        raise NotFoundProblem("未找到该案件")
    if looked is not None and principal.has("clerk"):
        access.record_staff_reads(services, principal, "clerk", [record.case], looked)
    return record


def missing_materials(record: CaseRecord) -> list[dict]:
    """Materials neither shared nor uploaded and checked, in the catalogue's order."""
    order = list(Material).index
    missing = [m for m in record.materials.values() if m["status"] not in ("provided", "uploaded")]
    return sorted(missing, key=lambda m: order(Material(m["kind"])))


def get_case(services: Services, principal: Principal, case_id: str) -> CaseView:
    return case_view(load_own_case(services, principal, case_id), principal, services)


def list_cases(services: Services, principal: Principal, limit: int, cursor: str | None) -> CaseList:
    with checked_cursor():
        cases, next_cursor = services.store.list_for_person(services.person_key(principal.id_number), limit, cursor)
    return CaseList(cases=[_summary(c) for c in cases], next_cursor=next_cursor)


def _summary(case: dict, *, counter: bool = False) -> CaseSummary:
    """A line of a case list; the counter's list also names the applicant (ID masked)."""
    return CaseSummary(
        case_id=case["case_id"],
        status=case["status"],
        matters=case["matter_codes"],
        created_at=case["created_at"],
        submitted_at=case.get("submitted_at"),
        **({"applicant_name": case.get("applicant_name"), "applicant_id_number": mask_resident_id(case["id_number"])} if counter else {}),
    )


def list_counter_cases(services: Services, principal: Principal, id_number: str | None, limit: int, cursor: str | None) -> CaseList:
    """The clerk's service point's cases, newest first; with an ID number, that person's cases there."""
    point = principal.service_point or ""
    with checked_cursor():
        if id_number is None:
            cases, next_cursor = services.store.list_service_point_cases(point, limit, cursor)
        else:
            cases, next_cursor = services.store.list_for_person_at_point(services.person_key(id_number), point, limit, cursor)
    own = [c for c in cases if c.get("service_point") == point]  # only ever the clerk's own point
    access.record_staff_reads(services, principal, "clerk", own, Looked.CASE_LIST)
    return CaseList(cases=[_summary(c, counter=True) for c in own], next_cursor=next_cursor)


def material_views(record: CaseRecord, services: Services | None) -> list[dict[str, Any]]:
    """The case's materials and where each came from; uploaded ones with a short-lived link."""
    order = list(Material).index
    views = []
    for kind in sorted(record.materials, key=lambda k: order(Material(k))):
        m = record.materials[kind]
        view = {
            "kind": kind,
            "name": MATERIAL_NAMES[Material(kind)],
            "status": m["status"],
            "source": m.get("source"),
            "provided_at": m.get("provided_at"),
            "reason": m.get("reason"),
        }
        if services is not None and m["status"] == "uploaded" and m.get("key"):
            view["download_url"] = services.materials.download_link(m["key"], services.settings.download_url_seconds)
        elif services is not None and m["status"] == "provided" and m.get("shared_as"):
            # taken from data sharing: the reviewer reads the shared document itself
            key = services.data_sharing.document_key(record.case["id_number"], m["shared_as"])
            if key:
                view["download_url"] = services.materials.download_link(key, services.settings.download_url_seconds)
        views.append(view)
    return views


def case_view(record: CaseRecord, principal: Principal, services: Services | None = None) -> CaseView:
    """The case as `principal` sees it. A clerk's view of it — read, changed, submitted or withdrawn at
    the counter — is recorded first (PIPL Art. 51): every answer that shows the case is a read."""
    if services is not None and principal.has("clerk"):
        access.record_staff_reads(services, principal, "clerk", [record.case], Looked.CASE)
    case = record.case
    own = principal.has("citizen") and principal.sub.upper() == case["id_number"]
    agent = case.get("agent")
    order = list(CATALOGUE).index
    matters = []
    for code in sorted(record.matters, key=lambda c: order(MatterCode(c))):
        m = record.matters[code]
        matters.append(
            {
                "code": code,
                "name": CATALOGUE[MatterCode(code)].name,
                "status": m["status"],
                "time_limit_text": CATALOGUE[MatterCode(code)].time_limit_text,
                "form": m.get("form", {}),
                "result": m.get("result"),
                "reason": m.get("reason"),
                "reason_code": m.get("reason_code"),
                "due_at": m.get("due_at"),
                "updated_at": m.get("updated_at"),
            }
        )
    events = sorted(record.events, key=lambda e: e["at"])
    return CaseView(
        case_id=case["case_id"],
        status=case["status"],
        channel=case["channel"],
        service_point=case.get("service_point"),
        clerk=case.get("clerk"),
        agent={**agent, "id_number": mask_resident_id(agent["id_number"]), "phone": mask_phone(agent["phone"])} if agent else None,
        identity_check=case.get("identity_check"),
        # links to the files only for the applicant (domain.md §4); reviewers get theirs in the review
        materials=material_views(record, services if own else None),
        applicant={
            "name": case.get("applicant_name", ""),
            "id_number": case["id_number"] if own else mask_resident_id(case["id_number"]),
        },
        contact=case["contact"],
        consent=case["consent"],
        created_at=case["created_at"],
        submitted_at=case.get("submitted_at"),
        finished_at=case.get("finished_at"),
        matters=matters,
        timeline=[{"at": e["at"], "kind": e["kind"], "text": e["text"], "matter": e.get("matter")} for e in events],
        notifications=[
            {"at": e["at"], "to": e.get("data", {}).get("to", ""), "text": e.get("data", {}).get("text", "")}
            for e in events
            if e["kind"] == "notification"
        ],
    )
