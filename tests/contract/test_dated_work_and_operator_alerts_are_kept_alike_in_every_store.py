"""The scheduled jobs' dated work (payout switches, materials retention) and operator alerts raised once,
named in the domain's words: the same in every store, on the keys deployed tables hold."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.case import CaseStatus, MatterStatus
from chalicelib.domain.outcomes import Closing, Conclusion, Outcome, PayoutSwitch
from tests.contract.waiting import a_processing_case

FIRST = "00000000-0000-4000-8000-000000000001"
SECOND = "00000000-0000-4000-8000-000000000002"


def a_switch(case_id: str, effective_at: str, person_key: str = "person-a", month: str = "2027-01") -> PayoutSwitch:
    return PayoutSwitch(
        person_key=person_key,
        request_id=f"{case_id}.pension_account",
        case_id=case_id,
        id_number="341003195502150031",
        effective_month=month,
        effective_at=effective_at,
    )


def accepted(store: Any, switch: PayoutSwitch) -> None:
    """The pension system accepted the change: the matter's outcome writes the switch with it."""
    a_processing_case(store, switch.case_id, ("pension_account",))
    assert store.conclude(
        Conclusion(
            case_id=switch.case_id,
            outcomes=(Outcome("pension_account", MatterStatus.SUCCEEDED),),
            closing=Closing(CaseStatus.COMPLETED, "2026-11-30T01:00:00.000+00:00"),
            payout_switch=switch,
        )
    )


def test_an_accepted_payout_change_is_due_on_its_effective_date_with_what_the_switch_job_needs(store):
    accepted(store, a_switch(FIRST, "2027-01-01T00:00:00+08:00"))
    accepted(store, a_switch(SECOND, "2026-12-01T00:00:00+08:00", person_key="person-b", month="2026-12"))
    items, read = store.payout_switches_due("2027-01-01T00:00:00+08:00")
    assert [i["case_id"] for i in items] == [SECOND, FIRST] and read == 2
    assert items[1] == {
        "request_id": f"{FIRST}.pension_account",
        "case_id": FIRST,
        "id_number": "341003195502150031",
        "effective_month": "2027-01",
        "due_at": "2027-01-01T00:00:00+08:00",
    }
    assert [i["case_id"] for i in store.payout_switches_due("2026-12-31T23:59:59+08:00")[0]] == [SECOND]
    assert store.payout_switches_due("2026-11-30") == ([], 0)
    assert store.waits_due("2099") == ([], 0) and store.material_retentions_due("2099") == ([], 0)  # each job its own list


def test_a_later_change_of_the_same_person_replaces_the_pending_one_which_its_request_can_no_longer_remove(store):
    accepted(store, a_switch(FIRST, "2027-01-01T00:00:00+08:00"))
    accepted(store, a_switch(SECOND, "2027-02-01T00:00:00+08:00", month="2027-02"))
    assert [i["case_id"] for i in store.payout_switches_due("2099")[0]] == [SECOND]
    assert not store.remove_payout_switch("person-a", f"{FIRST}.pension_account")
    assert not store.remove_payout_switch("person-b", f"{SECOND}.pension_account")  # another person's
    assert store.remove_payout_switch("person-a", f"{SECOND}.pension_account")
    assert store.payout_switches_due("2099") == ([], 0)
    assert not store.remove_payout_switch("person-a", f"{SECOND}.pension_account")


def test_a_finished_cases_materials_are_due_for_deletion_once_and_a_new_schedule_replaces_the_old(store):
    store.schedule_material_retention(FIRST, "2027-05-30T00:00:00+08:00")
    store.schedule_material_retention(SECOND, "2027-05-01T00:00:00+08:00")
    items, read = store.material_retentions_due("2027-05-30T00:00:00+08:00")
    assert items == [
        {"request_id": SECOND, "case_id": SECOND, "due_at": "2027-05-01T00:00:00+08:00"},
        {"request_id": FIRST, "case_id": FIRST, "due_at": "2027-05-30T00:00:00+08:00"},
    ]
    assert read == 2
    store.schedule_material_retention(FIRST, "2027-06-30T00:00:00+08:00")
    assert [i["case_id"] for i in store.material_retentions_due("2027-06-29")[0]] == [SECOND]
    assert store.remove_material_retention(SECOND)
    assert not store.remove_material_retention(SECOND)
    assert [i["case_id"] for i in store.material_retentions_due("2099")[0]] == [FIRST]
    assert store.payout_switches_due("2099") == ([], 0)


def test_an_operator_alert_is_raised_once_per_topic_and_key(store):
    assert store.alert_once("calendar-fallback", "2027", {"year": 2027})
    assert not store.alert_once("calendar-fallback", "2027", {"year": 2027})
    assert store.alert_once("calendar-fallback", "2028", {"year": 2028})
    assert store.alert_once("another-topic", "2027", {})
    assert not store.alert_once("calendar-fallback", "2028", {})
