"""The counting of bench/load.py, fed synthetic timelines and SMS texts."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from chalicelib.domain import messages
from chalicelib.domain.case import CaseStatus
from chalicelib.domain.resident_id import is_valid_resident_id

_spec = importlib.util.spec_from_file_location("bench_load", Path(__file__).resolve().parents[2] / "bench" / "load.py")
assert _spec and _spec.loader
load = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = load  # its dataclasses look their module up
_spec.loader.exec_module(load)

CASE_ID = "0b7c2d4e-1111-4222-8333-444455556666"


def event(kind: str, at: str, matter: str | None = None) -> dict:
    return {"kind": kind, "at": f"2026-11-30T10:00:{at}+08:00", "text": "", "matter": matter}


def case(status: str, matter_status: str, *events: dict) -> dict:
    return {"case_id": CASE_ID, "status": status, "matters": [{"code": "status_query", "status": matter_status}], "timeline": list(events)}


def done_once() -> dict:
    return case(
        "completed",
        "succeeded",
        event("submitted", "00"),
        event("prejudged", "01"),
        event("matter_succeeded", "02", "status_query"),
        event("finished", "03"),
    )


SUCCESS = messages.matter_succeeded("status_query", "您名下暂无社会保障卡。")
FAILURE = messages.matter_not_done("status_query", messages.SYSTEM_FAILURE_REASON)


def test_a_case_done_once_and_told_once_is_clean():
    assert load.examine(done_once(), [SUCCESS]) == load.Findings()


def test_two_outcomes_of_one_matter_contradict_even_when_alike():
    twice = done_once()
    twice["timeline"].append(event("matter_succeeded", "04", "status_query"))
    assert load.contradictory_outcomes(twice) == ["status_query"]
    twice["timeline"][-1] = event("matter_failed", "04", "status_query")
    assert load.contradictory_outcomes(twice) == ["status_query"]


def test_an_outcome_its_final_status_denies_contradicts():
    overwritten = case("failed", "failed", event("matter_succeeded", "02", "status_query"), event("finished", "03"))
    assert load.examine(overwritten, []).contradictory_outcomes == 1


def test_a_second_success_sms_is_a_duplicate_and_a_failure_sms_besides_contradicts():
    assert load.sms_findings(done_once(), [SUCCESS, SUCCESS]) == (1, 0)
    assert load.sms_findings(done_once(), [SUCCESS, FAILURE]) == (1, 1)


def test_an_sms_its_final_status_denies_contradicts():
    failed = case("failed", "failed", event("finished", "03"))
    assert load.sms_findings(failed, [SUCCESS]) == (0, 1)
    assert load.sms_findings(failed, [FAILURE]) == (0, 0)


def test_a_second_case_summary_is_a_duplicate_but_a_withdrawal_notice_is_no_summary():
    summary = messages.case_finished(CASE_ID, CaseStatus.FAILED, [messages.SYSTEM_FAILURE_REASON])
    failed = case("failed", "failed", event("finished", "03"))
    assert load.sms_findings(failed, [summary, summary]) == (1, 0)
    assert load.sms_findings(failed, [summary, messages.case_withdrawn(CASE_ID)]) == (0, 0)


def test_a_prejudgment_after_the_end_or_a_second_one_is_counted():
    late = case("failed", "failed", event("submitted", "00"), event("finished", "05"), event("prejudged", "07"))
    again = case("completed", "succeeded", event("prejudged", "01"), event("prejudged", "02"), event("finished", "03"))
    assert load.prejudged_after_finish(late)
    assert load.prejudged_after_finish(again)
    assert not load.prejudged_after_finish(done_once())


def test_findings_add_up_and_say_whether_any_was_found():
    total = load.Findings(1, 0, 0, 0) + load.Findings(0, 2, 0, 1)
    assert total == load.Findings(1, 2, 0, 1)
    assert total.any()
    assert not load.Findings().any()


def test_citizens_have_valid_distinct_huangshan_ids_born_before_1988_and_their_own_phones():
    ids = [load.resident_id(i) for i in (0, 1, 199, load.MAX_CITIZENS - 1)]
    assert all(is_valid_resident_id(n) and n.startswith("3410") and int(n[6:10]) < 1988 for n in ids)
    assert len(set(ids)) == len(ids)
    assert len({load.phone(i) for i in range(load.MAX_CITIZENS)}) == load.MAX_CITIZENS


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(1, 21)]
    assert load.percentile(values, 0.5) == 10
    assert load.percentile(values, 0.95) == 19
    assert load.percentile([], 0.5) is None
