"""Access records (PIPL Art. 51, 个人信息访问记录): every staff read of a person's case is recorded before it is answered.

The person reads their case's records at `GET /cases/{id}/access-log`; an auditor reads
them by person or by staff id at `GET /audit/accesses`. A read that cannot be recorded is
not answered (the store's error fails the request): no unrecorded look.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from chalicelib.domain.access import LOOKED_TEXT, STAFF_ROLE_TEXT, Access, Looked, mask_staff_id, staff_key_source
from chalicelib.domain.resident_id import is_valid_resident_id, mask_resident_id, normalize_resident_id, resident_id_error
from chalicelib.errors import NotFoundProblem, ValidationProblem, checked_cursor
from chalicelib.models import AccessEntry, AccessLogPage

if TYPE_CHECKING:
    from chalicelib.auth import Principal
    from chalicelib.wiring import Services


def _staff_id_shown(staff_id: str) -> str:
    """The staff id kept for an auditor: a work number as it is, a resident ID masked (never kept in clear)."""
    return mask_resident_id(normalize_resident_id(staff_id)) if is_valid_resident_id(staff_id) else staff_id


def record_staff_reads(services: Services, principal: Principal, role: str, cases: Iterable[dict], looked: Looked) -> None:
    """Record that `principal`, acting as `role`, reads these cases (each with `case_id`, `person_key`).

    Once per case per read; a member of staff reading a case of their own is not recording
    an access to someone else's data, and is left out.
    """
    own = principal.person_id_number
    own_key = services.person_key(own) if own else None
    at = services.now_iso()
    staff_key = services.person_key(staff_key_source(principal.sub))
    seen: set[str] = set()
    accesses = []
    for case in cases:
        if case["case_id"] in seen or case["person_key"] == own_key:
            continue
        seen.add(case["case_id"])
        accesses.append(
            Access(
                access_id=uuid.uuid4().hex,
                case_id=case["case_id"],
                person_key=case["person_key"],
                staff_key=staff_key,
                staff_masked=mask_staff_id(principal.sub),
                staff_id=_staff_id_shown(principal.sub),
                role=role,
                looked=looked,
                at=at,
            )
        )
    if accesses:
        services.access_log.record(accesses)


def _entry(access: Access, *, for_auditor: bool) -> AccessEntry:
    return AccessEntry(
        at=access.at,
        role=access.role,
        role_name=STAFF_ROLE_TEXT.get(access.role, access.role),
        staff_id=access.staff_id if for_auditor else access.staff_masked,
        looked=access.looked.value,
        looked_text=LOOKED_TEXT[access.looked],
        case_id=access.case_id if for_auditor else None,
    )


def case_access_log(services: Services, principal: Principal, case_id: str, limit: int, cursor: str | None) -> AccessLogPage:
    """Who looked at this case's personal data, newest first: for the applicant only; 404 for anyone else."""
    from chalicelib.adapters.dynamo_cases import NotFound

    try:
        uuid.UUID(case_id)
        case = services.store.get_case_item(case_id)
    except (ValueError, NotFound):
        raise NotFoundProblem("未找到该案件") from None
    if not (principal.has("citizen") and case["person_key"] == services.person_key(principal.id_number)):
        raise NotFoundProblem("未找到该案件")
    with checked_cursor():
        accesses, next_cursor = services.access_log.for_case(case_id, limit, cursor)
    return AccessLogPage(entries=[_entry(a, for_auditor=False) for a in accesses], next_cursor=next_cursor)


def audit_accesses(
    services: Services, principal: Principal, person: str | None, staff: str | None, limit: int, cursor: str | None
) -> AccessLogPage:
    """An auditor's view: the reads of one person's data (`person`, a resident ID) or by one member of staff (`staff`)."""
    if (person is None) == (staff is None):
        message = "请按身份证号码或工作人员工号之一查询"
        raise ValidationProblem(message, [{"field": "person", "code": "one_of", "message": message}])
    if person is not None:
        if (wrong := resident_id_error(person)) is not None:
            raise ValidationProblem(wrong.message, [{"field": "person", "code": wrong.code, "message": wrong.message}])
        with checked_cursor():
            accesses, next_cursor = services.access_log.for_person(services.person_key(normalize_resident_id(person)), limit, cursor)
    elif staff is not None:
        if not 1 <= len(staff.strip()) <= 64:
            message = "工作人员工号须为1至64个字符"
            raise ValidationProblem(message, [{"field": "staff", "code": "invalid", "message": message}])
        with checked_cursor():
            accesses, next_cursor = services.access_log.by_staff(services.person_key(staff_key_source(staff)), limit, cursor)
    return AccessLogPage(entries=[_entry(a, for_auditor=True) for a in accesses], next_cursor=next_cursor)
