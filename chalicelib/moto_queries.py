"""moto's Query, reading what it answers from (the local stack and the tests only).

moto answers every Query by sorting the whole table (`Table.all_items`, comparing
attribute values in Python) and then picking the partition: a Query costs in proportion
to the table, about three GetItems on the local stack's few hundred items and more with
every case it holds, where DynamoDB reads the partition (or the index's). This gives
moto's query the items it would have kept, unsorted, since it sorts what it keeps
itself (by the table's range key, or by the index's keys and then the table's, an order
without ties): the partition for a query of the table, every item for an index's. The
answers are moto's own, page by page. DynamoDB itself is not concerned: this is
installed by `chalicelib.localstack` on moto's table class.
"""

from __future__ import annotations

import threading
from typing import Any

_reading = threading.local()  # the table a query is reading, and the items it reads


def install() -> None:
    from moto.dynamodb.models.table import Table

    if getattr(Table.query, "_partition_read", False):
        return
    whole_table = Table.all_items
    generic_query = Table.query

    def all_items(self: Any) -> list[Any]:
        if getattr(_reading, "table", None) is self:
            return _reading.items
        return whole_table(self)

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.range_key_attr:  # a table of single items: moto's way
            return generic_query(self, hash_key, *args, **kwargs)
        # moto's backend passes the index name as the eighth argument, after the projection
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        if index_name is None:
            items = list(self.items.get(hash_key, {}).values()) if hash_key is not None else []
        else:
            items = [item for partition in self.items.values() for item in partition.values()]
        _reading.table, _reading.items = self, items
        try:
            return generic_query(self, hash_key, *args, **kwargs)
        finally:
            _reading.table, _reading.items = None, None

    query._partition_read = True  # type: ignore[attr-defined]
    query.generic = generic_query  # type: ignore[attr-defined]  # for the test that compares both answers
    Table.all_items = all_items  # type: ignore[method-assign]  # moto patched for the local stack
    Table.query = query  # type: ignore[method-assign]
