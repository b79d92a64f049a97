"""Submit's one write, and the answer remembered with it, on real DynamoDB semantics (DynamoDB Local).

The submit transaction moves a draft on and writes its timeline event and, for a
request with an Idempotency-Key, the answer in the idempotency table; exactly one of
racing writers wins, and a key answers one request only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.adapters.dynamo_cases import Answer, ConcurrentUpdate
from tests.integration.test_store_on_dynamodb_local import a_case, endpoint, run_together, services  # noqa: F401 (fixtures)

SUBMITTED = {"status": "submitted", "submitted_at": "2026-11-30T01:00:00.000+00:00", "matter_status": {"activate": "pending"}}


def event() -> dict:
    return {"kind": "submitted", "text": "案件已提交", "at": "2026-11-30T01:00:00.000+00:00"}


def answer(built, key: str, case_id: str) -> Answer:  # noqa: ANN001
    expiration = int((datetime.now(UTC) + timedelta(hours=1)).timestamp())
    return Answer(built.settings.idempotency_table, f"sscard-answer-submit-case#{key}", case_id, {"case_id": case_id}, expiration)


def test_of_a_submit_and_a_delete_started_together_exactly_one_wins_and_only_a_winning_submit_is_remembered(services):  # noqa: F811
    store = services.store
    for round_ in range(5):
        case_id = a_case(services, f"00000000-0000-4000-8000-00000000040{round_}")
        version = store.get(case_id).case["version"]
        remembered = answer(services, f"race-{round_}", case_id)
        work = [
            lambda: store.submit(case_id, version, SUBMITTED, event(), answer=remembered),  # noqa: B023
            lambda: store.delete_draft(case_id, version),  # noqa: B023
        ]
        results = run_together(2, lambda i: work[i]())  # noqa: B023
        assert len([r for r in results if isinstance(r, ConcurrentUpdate)]) == 1, results
        record = store.get(case_id)
        kept = store.remembered_answer(remembered.table, remembered.id)
        if isinstance(results[0], ConcurrentUpdate):  # the delete won: nothing is left, nothing remembered
            assert record is None and kept is None
        else:
            assert record.case["status"] == "submitted" and record.case["version"] == version + 1
            assert sorted(e["kind"] for e in record.events) == ["created", "submitted"]
            assert kept is not None and kept.body == {"case_id": case_id}


def test_one_key_on_two_cases_submitted_together_submits_exactly_one(services):  # noqa: F811
    store = services.store
    cases = [a_case(services, f"00000000-0000-4000-8000-00000000050{n}") for n in range(2)]
    results = run_together(2, lambda i: store.submit(cases[i], 1, SUBMITTED, event(), answer=answer(services, "one-key", cases[i])))
    assert len([r for r in results if isinstance(r, ConcurrentUpdate)]) == 1, results
    winner = cases[0] if results[0] == 2 else cases[1]
    loser = cases[1] if winner == cases[0] else cases[0]
    assert store.get(winner).case["status"] == "submitted" and store.get(loser).case["status"] == "draft"
    assert store.remembered_answer(services.settings.idempotency_table, "sscard-answer-submit-case#one-key").body == {"case_id": winner}
