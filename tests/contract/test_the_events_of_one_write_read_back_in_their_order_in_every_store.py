"""The events one write records share their moment: the timeline still reads them in the order written.

A case's "finished" is written with its last matter's outcome; with a random suffix deciding the order,
half the timelines told the applicant the case had ended before its last result."""

from __future__ import annotations

import dataclasses

from chalicelib.domain.case import CaseStatus, MatterStatus
from chalicelib.domain.outcomes import Closing, Conclusion, Event, Outcome

from .test_outcomes_are_recorded_once_in_every_store import a_processing_case, succeeded


def test_the_last_outcome_and_the_cases_end_read_back_in_the_order_written(store, clock):
    cid = a_processing_case(store, clock)
    store.conclude(succeeded("activate", some_open=("status_query",)))
    clock.advance(seconds=1)
    closing = Closing(CaseStatus.COMPLETED, "2026-11-30T01:00:05.000+00:00")
    last = succeeded("status_query", others_final={"activate": "succeeded"}, closing=closing)
    # as the service writes it (services/stages/conclude.py): the outcome's event, then the case's end
    assert store.conclude(dataclasses.replace(last, events=(*last.events, Event("finished", "案件已办结"))))
    recorded = [e["kind"] for e in store.get(cid).events if e["kind"] != "notification"]  # what the outbox sent comes later
    assert recorded[-2:] == ["matter_succeeded", "finished"]


def test_many_events_of_one_write_keep_their_order(store, clock):
    cid = a_processing_case(store, clock)
    written = [Event("note", f"第{i}步") for i in range(12)]  # twelve at one moment: a random order would show
    assert store.conclude(
        Conclusion(
            case_id=cid,
            outcomes=(Outcome("activate", MatterStatus.SUCCEEDED, result={}),),
            events=tuple(written),
            some_open=("status_query",),
        )
    )
    texts = [e["text"] for e in store.get(cid).events if e["kind"] == "note"]
    assert texts == [f"第{i}步" for i in range(12)]
