"""The local stack's moto transactions (chalicelib/moto_transactions.py) stay all or nothing.

They save and restore only the items a transaction touches instead of copying the
table; a cancelled or invalid transaction must still leave every item as it was.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from chalicelib import moto_transactions


@pytest.fixture
def table() -> Iterator[Any]:
    moto_transactions.install()
    name = f"t-{uuid.uuid4().hex[:8]}"  # the test worker's local stack may share moto's backend
    with mock_aws():
        client = boto3.client("dynamodb", region_name="cn-north-1")
        client.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        resource = boto3.resource("dynamodb", region_name="cn-north-1").Table(name)
        resource.put_item(Item={"pk": "a", "sk": "1", "n": 1})
        yield resource
        client.delete_table(TableName=name)


def items(table: Any) -> list[dict]:
    return sorted(table.scan()["Items"], key=lambda i: (i["pk"], i["sk"]))


def test_a_refused_transaction_changes_nothing_and_one_that_holds_is_written_whole(table):
    def update_a(expression: str, values: dict, sk: str = "1") -> dict:
        return {"Update": {"TableName": table.name, "Key": {"pk": "a", "sk": sk}, "UpdateExpression": expression,
                           "ExpressionAttributeValues": values}}  # fmt: skip

    refused = {
        "a condition that fails": [
            {"Put": {"TableName": table.name, "Item": {"pk": "b", "sk": "1"}}},
            update_a("SET n = :two", {":two": 2}),
            {"Put": {"TableName": table.name, "Item": {"pk": "z", "sk": "1"}, "ConditionExpression": "attribute_exists(pk)"}},
        ],
        "an invalid item late in it": [
            {"Put": {"TableName": table.name, "Item": {"pk": "c", "sk": "1"}}},
            update_a("SET n = :two", {":two": 2}),
            update_a("SET m.x = :v", {":v": 1}, sk="2"),
        ],
        "two operations on one item": [
            {"Put": {"TableName": table.name, "Item": {"pk": "d", "sk": "1"}}},
            {"Put": {"TableName": table.name, "Item": {"pk": "d", "sk": "1", "again": True}}},
        ],
    }
    before = items(table)
    for why, transaction in refused.items():
        with pytest.raises(ClientError) as cancelled:
            table.meta.client.transact_write_items(TransactItems=transaction)
        assert items(table) == before, why
        if why == "a condition that fails":
            assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
            reasons = [r.get("Code") for r in cancelled.value.response.get("CancellationReasons", [])]
            assert "ConditionalCheckFailed" in reasons or "ConditionalCheckFailed" in str(cancelled.value)

    table.meta.client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table.name, "Item": {"pk": "e", "sk": "1"}, "ConditionExpression": "attribute_not_exists(pk)"}},
            update_a("SET n = n + :one", {":one": 1}),
        ]
    )
    assert {(i["pk"], int(i.get("n", 0))) for i in items(table)} == {("a", 2), ("e", 0)}
