"""The access records on DynamoDB (AuditTable), and in memory for service-level tests.

Append-only: a record is only ever put under a condition that nothing is there (one
TransactWriteItems per 100 records: all of a page's reads are recorded, or none and the
read fails); nothing here updates or deletes, and the functions' roles deny both
(infra/build.py). Keys: the case (`case_id`, `at_id` = time#id) for the person's view,
index ByPerson for an auditor asking about a person, index ByStaff about a staff member.
"""

from __future__ import annotations

import base64
import json
import threading
from typing import Any

from chalicelib.domain.access import Access, Looked

TRANSACTION_LIMIT = 100  # items in one TransactWriteItems


def _item(access: Access) -> dict[str, Any]:
    return {
        "case_id": access.case_id,
        "at_id": f"{access.at}#{access.access_id}",
        "access_id": access.access_id,
        "person_key": access.person_key,
        "staff_key": access.staff_key,
        "staff_masked": access.staff_masked,
        "staff_id": access.staff_id,
        "role": access.role,
        "looked": access.looked.value,
        "at": access.at,
    }


def _access(item: dict[str, Any]) -> Access:
    return Access(
        access_id=item["access_id"],
        case_id=item["case_id"],
        person_key=item["person_key"],
        staff_key=item["staff_key"],
        staff_masked=item["staff_masked"],
        staff_id=item["staff_id"],
        role=item["role"],
        looked=Looked(item["looked"]),
        at=item["at"],
    )


def _encode_cursor(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode()


def _decode_cursor(cursor: str, partition: str, expected: str) -> dict[str, str]:
    """The page's start key; ValueError for a cursor that does not parse or pages through another list."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError("cursor") from error
    # exactly the key DynamoDB answered with: the table's key, and the index's partition when read by index
    if not isinstance(key, dict) or key.get(partition) != expected or set(key) != {"case_id", "at_id", partition}:
        raise ValueError("cursor")
    if not all(isinstance(v, str) for v in key.values()):
        raise ValueError("cursor")
    return key


class DynamoAccessLog:
    def __init__(self, client: Any, table_name: str):
        self._client = client  # the low-level client: one TransactWriteItems per page of records
        self._table = table_name

    def record(self, accesses: list[Access]) -> None:
        from boto3.dynamodb.types import TypeSerializer

        serialize = TypeSerializer().serialize
        for start in range(0, len(accesses), TRANSACTION_LIMIT):
            chunk = accesses[start : start + TRANSACTION_LIMIT]
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": {k: serialize(v) for k, v in _item(a).items()},
                            "ConditionExpression": "attribute_not_exists(case_id)",  # never over an existing record
                        }
                    }
                    for a in chunk
                ]
            )

    @staticmethod
    def _query(partition: str, value: str, limit: int, cursor: str | None) -> dict[str, Any]:
        """The parts of a newest-first page query the three ways share."""
        query: dict[str, Any] = {
            "KeyConditionExpression": "#p = :v",
            "ExpressionAttributeNames": {"#p": partition},
            "ExpressionAttributeValues": {":v": {"S": value}},
            "ScanIndexForward": False,  # newest first
            "Limit": limit,
        }
        if cursor:
            query["ExclusiveStartKey"] = {k: {"S": v} for k, v in _decode_cursor(cursor, partition, value).items()}
        return query

    @staticmethod
    def _page(page: dict[str, Any]) -> tuple[list[Access], str | None]:
        from boto3.dynamodb.types import TypeDeserializer

        deserialize = TypeDeserializer().deserialize
        items = [{k: deserialize(v) for k, v in item.items()} for item in page["Items"]]
        last = page.get("LastEvaluatedKey")
        return [_access(i) for i in items], _encode_cursor({k: v["S"] for k, v in last.items()}) if last else None

    def for_case(self, case_id: str, limit: int, cursor: str | None) -> tuple[list[Access], str | None]:
        return self._page(self._client.query(TableName=self._table, **self._query("case_id", case_id, limit, cursor)))

    def for_person(self, person_key: str, limit: int, cursor: str | None) -> tuple[list[Access], str | None]:
        query = self._query("person_key", person_key, limit, cursor)
        return self._page(self._client.query(TableName=self._table, IndexName="ByPerson", **query))

    def by_staff(self, staff_key: str, limit: int, cursor: str | None) -> tuple[list[Access], str | None]:
        query = self._query("staff_key", staff_key, limit, cursor)
        return self._page(self._client.query(TableName=self._table, IndexName="ByStaff", **query))


class InMemoryAccessLog:
    """The same records in a list: for service-level tests. Append-only as the table is."""

    def __init__(self) -> None:
        self._items: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def record(self, accesses: list[Access]) -> None:
        items = [_item(a) for a in accesses]
        with self._lock:
            taken = {(i["case_id"], i["at_id"]) for i in self._items}
            if any((i["case_id"], i["at_id"]) in taken for i in items):
                raise ValueError("an access record is never written twice")
            self._items.extend(items)

    def _page(self, partition: str, value: str, limit: int, cursor: str | None) -> tuple[list[Access], str | None]:
        with self._lock:
            mine = sorted((i for i in self._items if i[partition] == value), key=lambda i: (i["at_id"], i["case_id"]), reverse=True)
        if cursor:
            start = _decode_cursor(cursor, partition, value)
            mine = [i for i in mine if (i["at_id"], i["case_id"]) < (start["at_id"], start.get("case_id", ""))]
        page = mine[:limit]
        more = len(mine) > limit
        last = page[-1] if more and page else None
        cursor_key = {"case_id": last["case_id"], "at_id": last["at_id"], partition: value} if last else None
        return [_access(i) for i in page], _encode_cursor(cursor_key) if cursor_key else None

    def for_case(self, case_id: str, limit: int, cursor: str | None) -> tuple[list[Access], str | None]:
        return self._page("case_id", case_id, limit, cursor)

    def for_person(self, person_key: str, limit: int, cursor: str | None) -> tuple[list[Access], str | None]:
        return self._page("person_key", person_key, limit, cursor)

    def by_staff(self, staff_key: str, limit: int, cursor: str | None) -> tuple[list[Access], str | None]:
        return self._page("staff_key", staff_key, limit, cursor)
