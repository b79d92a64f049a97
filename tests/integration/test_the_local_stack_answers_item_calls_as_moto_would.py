"""The local stack writes moto's answers to DynamoDB item calls with `json.dumps` (chalicelib/localstack.py): the same answers."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.wiring import services

TABLE = "CasesTable"
ITEM = {
    "pk": {"S": "CASE#plain"},
    "sk": {"S": "CASE"},
    "text": {"S": '黄山 "quoted" \\ text'},
    "count": {"N": "12.50"},
    "raw": {"B": b"\x00\xffbytes"},
    "flag": {"BOOL": False},
    "nothing": {"NULL": True},
    "nested": {"M": {"list": {"L": [{"S": "a"}, {"N": "1"}, {"M": {}}]}, "empty": {"S": ""}}},
}


def calls(dynamodb: Any) -> list[dict]:
    key = {"pk": ITEM["pk"], "sk": ITEM["sk"]}
    answers = [
        dynamodb.put_item(TableName=TABLE, Item=ITEM, ReturnValues="ALL_OLD"),
        dynamodb.get_item(TableName=TABLE, Key=key),
        dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "CASE#none"}, "sk": {"S": "CASE"}}),
        dynamodb.query(TableName=TABLE, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": ITEM["pk"]}, Limit=1),
        dynamodb.scan(TableName=TABLE, Limit=2),
        dynamodb.update_item(
            TableName=TABLE,
            Key=key,
            UpdateExpression="SET tags = :t",
            ExpressionAttributeValues={":t": {"SS": ["x", "y"]}},
            ReturnValues="ALL_NEW",
        ),
        dynamodb.transact_get_items(TransactItems=[{"Get": {"TableName": TABLE, "Key": key}}]),
        dynamodb.batch_get_item(RequestItems={TABLE: {"Keys": [key]}}),
        dynamodb.delete_item(TableName=TABLE, Key=key, ReturnValues="ALL_OLD"),
    ]
    for answer in answers:
        answer.pop("ResponseMetadata")
    return answers


def test_item_calls_answer_the_same_written_plainly_or_by_motos_serializer(stack: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodb.responses import DynamoResult

    dynamodb = services().client("dynamodb")
    plain = calls(dynamodb)
    assert plain[1]["Item"]["raw"] == {"B": b"\x00\xffbytes"} and "Item" not in plain[2]
    monkeypatch.setattr(DynamoResult, "execute_result", DynamoResult.execute_result.generic)
    assert calls(dynamodb) == plain
