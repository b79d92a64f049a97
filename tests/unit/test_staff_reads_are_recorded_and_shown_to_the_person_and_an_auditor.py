"""Access records (PIPL Art. 51) at service level: the in-memory case store and access log, no AWS.

A member of staff reading a person's case leaves one record per case per read (who,
role, when, what); the person sees their case's records with the staff id masked; an
auditor finds them by person or by staff id; bad queries are 422 naming the field.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.adapters.access_log import InMemoryAccessLog
from chalicelib.adapters.memory_cases import InMemoryCaseStore
from chalicelib.auth import Principal
from chalicelib.domain.access import Looked
from chalicelib.errors import NotFoundProblem, ValidationProblem
from chalicelib.services import access
from chalicelib.settings import Settings
from chalicelib.wiring import Services

NOW = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
LI = "341003199002150037"  # the applicant
WANG = "341002196506150030"  # a reviewer who is a resident too
CASE_A = "00000000-0000-4000-8000-00000000000a"
CASE_B = "00000000-0000-4000-8000-00000000000b"


@pytest.fixture
def services() -> Services:
    built = Services(Settings(stage="test"), clock=lambda: NOW)
    built.store = InMemoryCaseStore(clock=built.now)  # the cached adapters, set instead of built
    built.access_log = InMemoryAccessLog()
    for case_id, id_number in ((CASE_A, LI), (CASE_B, WANG)):
        built.store.create(
            {
                "case_id": case_id,
                "person_key": built.person_key(id_number),
                "id_number": id_number,
                "created_at": "2026-12-01T00:00:00.000+00:00",
            },
            [{"code": "apply", "status": "pending"}],
            {"kind": "created", "text": "案件已创建"},
        )
    return built


def citizen(id_number: str = LI) -> Principal:
    return Principal(roles=["citizen"], sub=id_number)


def clerk(sub: str = "GH20260017") -> Principal:
    return Principal(roles=["clerk"], sub=sub, service_point="sp-01")


def reviewer() -> Principal:
    return Principal(roles=["reviewer"], sub="RS0042", district="341003", id_number=WANG)


def auditor() -> Principal:
    return Principal(roles=["auditor"], sub="SJ0001")


def cases(services: Services, *case_ids: str) -> list[dict]:
    return [services.store.get_case_item(c) for c in case_ids]


def test_a_clerks_read_is_shown_to_the_applicant_with_the_staff_id_masked(services: Services) -> None:
    access.record_staff_reads(services, clerk(), "clerk", cases(services, CASE_A), Looked.CASE)
    page = access.case_access_log(services, citizen(), CASE_A, 20, None)
    [entry] = page.entries
    assert (entry.role, entry.role_name, entry.staff_id, entry.looked, entry.looked_text) == (
        "clerk",
        "窗口工作人员",
        "GH******17",
        "case",
        "查看了案件信息",
    )
    assert entry.at == "2026-12-08T02:00:00.000+00:00"
    assert entry.case_id is None  # the applicant knows which case: it is theirs
    assert page.next_cursor is None


def test_each_case_of_a_list_is_recorded_once_and_a_staff_members_own_case_not_at_all(services: Services) -> None:
    access.record_staff_reads(services, reviewer(), "reviewer", cases(services, CASE_A, CASE_A, CASE_B), Looked.REVIEW_LIST)
    assert [e.looked for e in access.case_access_log(services, citizen(), CASE_A, 20, None).entries] == ["review_list"]
    assert access.case_access_log(services, citizen(WANG), CASE_B, 20, None).entries == []


def test_nobody_but_the_applicant_reads_a_cases_access_log(services: Services) -> None:
    access.record_staff_reads(services, clerk(), "clerk", cases(services, CASE_A), Looked.FORM)
    for caller, case_id in (
        (citizen(WANG), CASE_A),
        (clerk(), CASE_A),
        (auditor(), CASE_A),
        (citizen(), "not-a-case"),
        (citizen(), CASE_B),
    ):
        with pytest.raises(NotFoundProblem):
            access.case_access_log(services, caller, case_id, 20, None)


def test_an_auditor_finds_the_reads_of_a_person_and_by_a_member_of_staff(services: Services) -> None:
    access.record_staff_reads(services, clerk(), "clerk", cases(services, CASE_A), Looked.CASE)
    services.clock = lambda: NOW.replace(hour=3)
    access.record_staff_reads(services, reviewer(), "reviewer", cases(services, CASE_A, CASE_B), Looked.REVIEW)
    by_person = access.audit_accesses(services, auditor(), LI, None, 20, None).entries
    assert [(e.role, e.staff_id, e.case_id) for e in by_person] == [("reviewer", "RS0042", CASE_A), ("clerk", "GH20260017", CASE_A)]
    by_staff = access.audit_accesses(services, auditor(), None, "gh20260017", 20, None).entries  # as the id is written, any case
    assert [(e.looked, e.case_id) for e in by_staff] == [("case", CASE_A)]


def test_a_resident_id_used_as_a_staff_id_is_never_kept_in_clear(services: Services) -> None:
    staff = Principal(roles=["clerk"], sub=WANG, service_point="sp-01")
    access.record_staff_reads(services, staff, "clerk", cases(services, CASE_A), Looked.CASE)
    [entry] = access.audit_accesses(services, auditor(), None, WANG, 20, None).entries
    assert entry.staff_id == "341002********0030"


@pytest.mark.parametrize(
    ("person", "staff", "field"),
    [
        (None, None, "person"),
        (LI, "SJ0001", "person"),
        ("34100319900215003", None, "person"),
        (None, "x" * 65, "staff"),
        (None, "  ", "staff"),
    ],
)
def test_an_auditors_query_names_the_field_at_fault(services: Services, person: str | None, staff: str | None, field: str) -> None:
    with pytest.raises(ValidationProblem) as raised:
        access.audit_accesses(services, auditor(), person, staff, 20, None)
    assert [e["field"] for e in raised.value.errors] == [field]


def test_a_cursor_from_another_persons_records_is_422(services: Services) -> None:
    access.record_staff_reads(services, clerk(), "clerk", cases(services, CASE_A, CASE_B), Looked.CASE_LIST)
    services.clock = lambda: NOW.replace(hour=4)
    access.record_staff_reads(services, clerk(), "clerk", cases(services, CASE_A), Looked.CASE)
    _, cursor = services.access_log.for_person(services.person_key(LI), 1, None)
    with pytest.raises(ValidationProblem) as raised:
        access.audit_accesses(services, auditor(), WANG, None, 1, cursor)
    assert [e["field"] for e in raised.value.errors] == ["cursor"]
