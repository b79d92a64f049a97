"""The case store on real DynamoDB semantics (DynamoDB Local): racing writers (read-modify-writes, a submit with its
remembered answer against a delete, one Idempotency-Key on two cases), and cases surviving a restart."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.dynamo_cases import Answer, ConcurrentUpdate
from chalicelib.localstack import create_tables
from chalicelib.settings import Settings
from chalicelib.wiring import Services
from tests import dynamodb_local


@pytest.fixture
def endpoint(dynamodb_local_endpoint: str) -> str:
    """The process's one DynamoDB Local (tests/conftest.py): `services` empties it for each test."""
    return dynamodb_local_endpoint


@pytest.fixture
def services(endpoint) -> Iterator[Services]:
    built = Services(Settings(dynamodb_endpoint_url=endpoint, stage="test"))
    client = built.client("dynamodb")
    for name in client.list_tables()["TableNames"]:
        client.delete_table(TableName=name)
    create_tables(client)
    yield built


def a_case(
    services: Services, case_id: str = "00000000-0000-4000-8000-000000000001", matter: str = "activate", status: str = "draft"
) -> str:
    services.store.create(
        {
            "case_id": case_id,
            "person_key": "k",
            "id_number": "341003199002150037",
            "created_at": "2026-11-29T00:00:00.000+00:00",
            "status": status,
            "matter_codes": [matter],
            "matter_status": {matter: "pending"},
            "contact": {"phone": "13905590002", "address": "黄山"},
        },
        [{"code": matter, "status": "pending", "form": {}}],
        {"kind": "created", "text": "created"},
    )
    return case_id


def run_together(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def one(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as error:  # recorded for the assertions
            results[i] = error

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


SUBMITTED = {"status": "submitted", "submitted_at": "2026-11-30T01:00:00.000+00:00", "matter_status": {"activate": "pending"}}


def submitted_event() -> dict:
    return {"kind": "submitted", "text": "案件已提交", "at": "2026-11-30T01:00:00.000+00:00"}


def answer(built: Services, key: str, case_id: str) -> Answer:
    expiration = int((datetime.now(UTC) + timedelta(hours=1)).timestamp())
    return Answer(built.settings.idempotency_table, f"sscard-answer-submit-case#{key}", case_id, {"case_id": case_id}, expiration)


def test_of_racing_writers_no_update_is_lost_and_exactly_one_conditional_write_wins(services):
    store = services.store
    # read-modify-writes of one matter: every one lands
    case_id = a_case(services)

    def add_one(_: int) -> dict:
        return store.mutate_matter(case_id, "activate", lambda m: {"count": m.get("count", 0) + 1}, attempts=50)

    results = run_together(8, add_one)
    assert not [r for r in results if isinstance(r, Exception)]
    matter = store.get_matter(case_id, "activate")
    assert (matter["count"], matter["version"]) == (8, 9)

    # a submit (with the answer remembered in the same write) and a delete started together: exactly one wins
    for round_ in range(5):
        case_id = a_case(services, f"00000000-0000-4000-8000-00000000040{round_}")
        version = store.get(case_id).case["version"]
        remembered = answer(services, f"race-{round_}", case_id)
        work = [
            lambda: store.submit(case_id, version, SUBMITTED, submitted_event(), answer=remembered),  # noqa: B023
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

    # one key on two cases submitted together: a key answers one request only
    cases = [a_case(services, f"00000000-0000-4000-8000-00000000050{n}") for n in range(2)]
    results = run_together(
        2, lambda i: store.submit(cases[i], 1, SUBMITTED, submitted_event(), answer=answer(services, "one-key", cases[i]))
    )
    assert len([r for r in results if isinstance(r, ConcurrentUpdate)]) == 1, results
    winner, loser = (cases[0], cases[1]) if results[0] == 2 else (cases[1], cases[0])
    assert store.get(winner).case["status"] == "submitted" and store.get(loser).case["status"] == "draft"
    assert store.remembered_answer(services.settings.idempotency_table, "sscard-answer-submit-case#one-key").body == {"case_id": winner}


def test_cases_survive_a_restart_of_the_database(tmp_path):
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    with dynamodb_local.running(tmp_path) as url:
        first = Services(Settings(dynamodb_endpoint_url=url, stage="test"))
        create_tables(first.client("dynamodb"))
        case_id = a_case(first)
        first.store.add_event(case_id, "submitted", "案件已提交")
    with dynamodb_local.running(tmp_path) as url:
        again = Services(Settings(dynamodb_endpoint_url=url, stage="test"))
        record = again.store.get(case_id)
        assert record is not None
        assert [e["kind"] for e in sorted(record.events, key=lambda e: e["at"])] == ["created", "submitted"]
        assert again.store.list_for_person("k")[0][0]["case_id"] == case_id
