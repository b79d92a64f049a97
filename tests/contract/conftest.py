"""The case stores the contract suite holds to one behaviour: in memory, DynamoDB on moto, DynamoDB Local.

Each test gets an empty store of each kind, and a business clock it sets (`clock`).
The DynamoDB tables are made from the template's CasesTable and IdempotencyTable
definitions (the key schema and indexes the local stack and AWS create), fresh ones per test.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.adapters.memory_cases import InMemoryCaseStore
from chalicelib.localstack import template_resources

REGION = "us-east-1"
STORES = ["memory", "moto", "dynamodb_local"]


class Clock:
    """The business clock the store stamps with; tests move it."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> datetime:
        self.moment += timedelta(**delta)
        return self.moment


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _aws_credentials() -> None:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")


def _table(endpoint: str | None, logical_id: str) -> str:
    """A new table shaped as the template's `logical_id` (under a fresh name); answers its name."""
    import boto3

    props = template_resources("AWS::DynamoDB::Table")[logical_id]["Properties"]
    name = f"{logical_id}-{secrets.token_hex(4)}"
    shape = {k: props[k] for k in ("AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes") if k in props}
    boto3.client("dynamodb", region_name=REGION, endpoint_url=endpoint).create_table(TableName=name, **shape)
    return name


@dataclass
class Made:
    store: Any
    answers_table: str  # where requests' answers are remembered (the idempotency table)


def dynamo_store(endpoint: str | None, clock: Clock) -> Made:
    import boto3

    from chalicelib.adapters.dynamo_cases import DynamoCaseStore

    table = boto3.resource("dynamodb", region_name=REGION, endpoint_url=endpoint).Table(_table(endpoint, "CasesTable"))
    return Made(DynamoCaseStore(table, clock=clock), _table(endpoint, "IdempotencyTable"))


@pytest.fixture(scope="module", params=STORES)
def backend(request: pytest.FixtureRequest) -> Iterator[Callable[[Clock], Made]]:
    """Makes an empty store of one kind. Module-scoped, so pytest runs each kind's tests together:
    moto is started once for its tests (and stopped before DynamoDB Local's, whose calls it would catch).
    DynamoDB Local is the process's one (`dynamodb_local_endpoint`): each store gets tables of fresh names."""
    if request.param == "memory":
        yield lambda clock: Made(InMemoryCaseStore(clock=clock), "IdempotencyTable")
    elif request.param == "moto":
        from moto import mock_aws

        _aws_credentials()
        with mock_aws():
            yield lambda clock: dynamo_store(None, clock)
    else:  # the process's one DynamoDB Local (skipped without Java or npm: the other two stores still run)
        endpoint = request.getfixturevalue("dynamodb_local_endpoint")
        yield lambda clock: dynamo_store(endpoint, clock)


@pytest.fixture
def made(backend: Callable[[Clock], Made], clock: Clock) -> Made:
    return backend(clock)


@pytest.fixture
def store(made: Made) -> Any:
    """An empty store (fresh tables for the DynamoDB ones) stamping with `clock`."""
    return made.store


@pytest.fixture
def answers_table(made: Made) -> str:
    return made.answers_table
