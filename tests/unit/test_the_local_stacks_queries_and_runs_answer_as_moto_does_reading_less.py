"""The local stack's cheaper moto (chalicelib/moto_queries.py, the engine's parse in localstack) answers as moto does.

A Query reads its partition (or, for an index, every item once, unsorted) instead of
the whole table sorted; the engine parses a definition once per process. Both must
leave the answers exactly as moto's own: the same items, in the same order, page by page.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Attr, Key
from moto import mock_aws

from chalicelib import localstack, moto_queries


@pytest.fixture
def table() -> Iterator[Any]:
    with mock_aws():
        dynamodb = boto3.resource("dynamodb", region_name="cn-north-1")
        table = dynamodb.create_table(
            # a name of its own: in a test process whose local stack already started moto, this
            # `mock_aws()` shares that backend, and a table of a fixed name would outlive the test
            TableName=f"query-check-{uuid.uuid4().hex}",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "gsi1pk", "gsi1sk")],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "ByPerson",
                    "KeySchema": [{"AttributeName": "gsi1pk", "KeyType": "HASH"}, {"AttributeName": "gsi1sk", "KeyType": "RANGE"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        with table.batch_writer() as batch:
            for case in range(12):
                person = f"PERSON#{case % 3}"
                # two cases of a person share a created-at: the index's order falls back on the table's keys
                batch.put_item(Item={"pk": f"CASE#{case:02}", "sk": "CASE", "gsi1pk": person, "gsi1sk": f"2026-11-{case // 2:02}"})
                for event in range(4):
                    batch.put_item(Item={"pk": f"CASE#{case:02}", "sk": f"EVENT#{event}", "n": event})
        try:
            yield table
        finally:
            table.delete()


QUERIES: list[dict[str, Any]] = [
    {"KeyConditionExpression": Key("pk").eq("CASE#05")},
    {"KeyConditionExpression": Key("pk").eq("CASE#05"), "ScanIndexForward": False, "Limit": 2},
    {"KeyConditionExpression": Key("pk").eq("CASE#07") & Key("sk").begins_with("EVENT#"), "FilterExpression": Attr("n").gte(1)},
    {"KeyConditionExpression": Key("pk").eq("CASE#99")},
    {"IndexName": "ByPerson", "KeyConditionExpression": Key("gsi1pk").eq("PERSON#1"), "ScanIndexForward": False, "Limit": 2},
    {"IndexName": "ByPerson", "KeyConditionExpression": Key("gsi1pk").eq("PERSON#2") & Key("gsi1sk").gte("2026-11-02")},
]


def every_page(table: Any, query: dict[str, Any]) -> list[list[dict]]:
    pages, start = [], None
    while True:
        page = table.query(**query, **({"ExclusiveStartKey": start} if start else {}))
        pages.append(page["Items"])
        if (start := page.get("LastEvaluatedKey")) is None:
            return pages


@pytest.mark.parametrize(
    "query", QUERIES, ids=["partition", "backwards-paged", "range-and-filter", "no-partition", "index-paged", "index-range"]
)
def test_a_query_answers_the_pages_moto_answers(table: Any, query: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodb.models.table import Table

    moto_queries.install()
    reading_less = every_page(table, query)
    monkeypatch.setattr(Table, "query", Table.query.generic)
    assert reading_less == every_page(table, query)


def test_the_engine_parses_a_definition_once_and_each_other_definition_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    localstack._parse_each_definition_once()
    parsed: list[str] = []
    real_parse = AmazonStateLanguageParser.parse

    def counting(definition: str) -> Any:
        parsed.append(definition)
        return real_parse(definition)

    monkeypatch.setattr(AmazonStateLanguageParser, "parse", staticmethod(counting))

    def run_of(definition: str) -> Any:  # what the engine's worker holds of a run: its definition
        details = SimpleNamespace(state_machine_details=SimpleNamespace(definition=definition))
        return ExecutionWorker._get_evaluation_entrypoint(SimpleNamespace(_evaluation_details=details))

    one = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "parse-once-test-1", "End": true}}}'
    other = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "parse-once-test-2", "End": true}}}'
    first, second, third = run_of(one), run_of(one), run_of(other)
    assert first is second and third is not first
    assert parsed == [one, other]
