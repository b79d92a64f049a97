"""The access log (PIPL Art. 51) holds to one behaviour in memory, on moto and on DynamoDB Local.

Records come back newest first by case, by person and by staff member, page by page with
opaque cursors that only page through the list they came from; a record is never written
twice, and a batch larger than one transaction is written whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chalicelib.adapters.access_log import TRANSACTION_LIMIT, DynamoAccessLog, InMemoryAccessLog
from chalicelib.domain.access import Access, Looked
from tests.contract.conftest import REGION, STORES, _aws_credentials, _table


def _dynamo(endpoint: str | None) -> DynamoAccessLog:
    import boto3

    return DynamoAccessLog(boto3.client("dynamodb", region_name=REGION, endpoint_url=endpoint), _table(endpoint, "AuditTable"))


@pytest.fixture(scope="module", params=STORES)
def make_log(request: pytest.FixtureRequest) -> Iterator[Callable[[], Any]]:
    if request.param == "memory":
        yield InMemoryAccessLog
    elif request.param == "moto":
        from moto import mock_aws

        _aws_credentials()
        with mock_aws():
            yield lambda: _dynamo(None)
    else:  # the process's one DynamoDB Local (skipped without Java or npm)
        endpoint = request.getfixturevalue("dynamodb_local_endpoint")
        yield lambda: _dynamo(endpoint)


@pytest.fixture
def log(make_log: Callable[[], Any]) -> Any:
    return make_log()


def access(n: int, *, case: str = "case-a", person: str = "person-a", staff: str = "staff-a") -> Access:
    return Access(
        access_id=f"{n:04d}",
        case_id=case,
        person_key=person,
        staff_key=staff,
        staff_masked="wk**01",
        staff_id="wk0001",
        role="clerk",
        looked=Looked.CASE,
        at=f"2026-12-01T01:{n // 60:02d}:{n % 60:02d}.000+00:00",
    )


def every_page(read: Callable[[str | None], tuple[list[Access], str | None]]) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        page, cursor = read(cursor)
        pages.append([a.access_id for a in page])
        if cursor is None:
            return [p for p in pages if p]


def test_a_cases_records_come_back_newest_first_page_by_page(log: Any) -> None:
    log.record([access(n) for n in range(5)])
    log.record([access(9, case="case-b")])
    assert every_page(lambda c: log.for_case("case-a", 2, c)) == [["0004", "0003"], ["0002", "0001"], ["0000"]]
    assert log.for_case("case-b", 10, None)[0] == [access(9, case="case-b")]
    assert log.for_case("case-c", 10, None) == ([], None)


def test_a_persons_and_a_staff_members_records_span_their_cases(log: Any) -> None:
    log.record([access(1, case="case-a"), access(2, case="case-b"), access(3, case="case-c", person="person-b", staff="staff-b")])
    assert every_page(lambda c: log.for_person("person-a", 1, c)) == [["0002"], ["0001"]]
    assert every_page(lambda c: log.by_staff("staff-b", 5, c)) == [["0003"]]
    assert [a.case_id for a in log.by_staff("staff-a", 5, None)[0]] == ["case-b", "case-a"]


def test_a_cursor_pages_only_through_the_list_it_came_from(log: Any) -> None:
    log.record([access(n, case="case-a", person="person-a") for n in range(3)] + [access(7, case="case-z", person="person-z")])
    _, cursor = log.for_person("person-a", 1, None)
    assert cursor is not None
    for read in (
        lambda: log.for_person("person-z", 1, cursor),
        lambda: log.for_case("case-a", 1, cursor),
        lambda: log.for_case("x", 1, "%%%"),
    ):
        with pytest.raises(ValueError):
            read()


def test_a_record_is_never_written_twice(log: Any) -> None:
    log.record([access(1)])
    with pytest.raises(Exception):  # noqa: B017 (DynamoDB: TransactionCanceled; memory: ValueError)
        log.record([access(2), access(1)])
    assert [a.access_id for a in log.for_case("case-a", 10, None)[0]] == ["0001"]  # all or nothing


def test_a_batch_larger_than_one_transaction_is_written_whole(log: Any) -> None:
    log.record([access(n) for n in range(TRANSACTION_LIMIT + 5)])
    assert sum(len(p) for p in every_page(lambda c: log.for_case("case-a", 50, c))) == TRANSACTION_LIMIT + 5
