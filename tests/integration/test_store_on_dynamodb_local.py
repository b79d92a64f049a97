"""The case store on real DynamoDB semantics (DynamoDB Local): races, transactions, restarts."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest

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


def test_concurrent_read_modify_writes_of_a_matter_lose_no_update(services):
    case_id = a_case(services)

    def add_one(_: int) -> dict:
        return services.store.mutate_matter(case_id, "activate", lambda m: {"count": m.get("count", 0) + 1}, attempts=50)

    results = run_together(8, add_one)
    assert not [r for r in results if isinstance(r, Exception)]
    matter = services.store.get_matter(case_id, "activate")
    assert matter["count"] == 8
    assert matter["version"] == 9


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
