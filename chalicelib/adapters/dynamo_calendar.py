"""The holiday schedules operators load, on DynamoDB (the cases table), cached briefly per process.

One item per year: `pk = CALENDAR`, `sk = YEAR#<yyyy>` (entity `calendar`), with the
notice, the holidays (name, first, last), the adjusted working days, who loaded it and
when, and a version. A load is one conditional write on the version it replaces.

Every due-time computation asks the calendar, in every Lambda container; a year's item
is read at most once per `ttl_seconds` per process (a missing year is cached too), so a
newly loaded year reaches every container within that time, and the container that
loaded it at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamo_cases import ConcurrentUpdate, _plain
from chalicelib.domain.published_schedule import published_schedule
from chalicelib.domain.workdays import YearSchedule
from chalicelib.observability import logger

PK = "CALENDAR"


def _sk(year: int) -> str:
    return f"YEAR#{year}"


def schedule_of(item: dict) -> YearSchedule:
    """The stored item as the calendar's schedule (checked again: a hand-edited item must not break due times silently)."""
    holidays = [(h["name"], None, h["first"], h["last"]) for h in item["holidays"]]
    return published_schedule(int(item["year"]), item["notice"], holidays, list(item["working_days"]))


class DynamoCalendarStore:
    def __init__(
        self,
        table: Any,
        clock: Callable[[], datetime],
        ttl_seconds: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self._table = table
        self._clock = clock
        self._ttl = ttl_seconds
        self._monotonic = monotonic  # cache freshness is the process's time, not the business clock
        self._cache: dict[int, tuple[float, YearSchedule | None]] = {}
        self._lock = threading.Lock()

    def get_item(self, year: int) -> dict | None:
        item = self._table.get_item(Key={"pk": PK, "sk": _sk(year)}, ConsistentRead=True).get("Item")
        return {k: _plain(v) for k, v in item.items() if k not in ("pk", "sk", "entity")} if item else None

    def put(self, year: int, content: dict, loaded_by: str, expected_version: int | None) -> dict:
        """Store the year's schedule, replacing the version read (None: there was none); ConcurrentUpdate if it moved on."""
        item = {
            **content,
            "year": year,
            "loaded_by": loaded_by,
            "loaded_at": self._clock().astimezone(UTC).isoformat(timespec="milliseconds"),
            "version": (expected_version or 0) + 1,
        }
        condition: dict[str, Any] = (
            {"ConditionExpression": "attribute_not_exists(pk)"}
            if expected_version is None
            else {"ConditionExpression": "#version = :expected", "ExpressionAttributeNames": {"#version": "version"}}
        )
        if expected_version is not None:
            condition["ExpressionAttributeValues"] = {":expected": expected_version}
        try:
            self._table.put_item(Item={**item, "pk": PK, "sk": _sk(year), "entity": "calendar"}, **condition)
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ConcurrentUpdate(f"calendar {year}") from error
            raise
        self.forget(year)
        return item

    def forget(self, year: int) -> None:
        with self._lock:
            self._cache.pop(year, None)

    def schedule(self, year: int) -> YearSchedule | None:
        """The loaded schedule of ``year`` or None, at most ``ttl_seconds`` old.

        If DynamoDB cannot be read, a cached answer is used however old it is; with none,
        the error goes to the caller (a workflow task is retried; a due time is never
        computed from a calendar that could not be read).
        """
        now = self._monotonic()
        with self._lock:
            cached = self._cache.get(year)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        try:
            item = self.get_item(year)
            schedule = schedule_of(item) if item else None
        except Exception:
            if cached is None:
                raise
            logger.exception("could not read the loaded holiday schedule: using the cached one", extra={"year": year})
            return cached[1]
        with self._lock:
            self._cache[year] = (now, schedule)
        return schedule
