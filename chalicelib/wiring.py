"""Builds the service's adapters from the settings, once per process.

This is the one place that decides which adapter stands behind each port. The
external systems are the DynamoDB-backed simulators on every stage this project can
run today; a production deployment replaces `card_system`, `pension_system` and
`data_sharing` here with clients of the provincial interfaces.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import boto3
from botocore.config import Config

from chalicelib.adapters.dynamo_cases import DynamoCaseStore
from chalicelib.adapters.notifier import SnsNotifier
from chalicelib.adapters.simulators import CardSystemSimulator, DataSharingSimulator, PensionSystemSimulator
from chalicelib.adapters.workflow import StepFunctionsWorkflow
from chalicelib.settings import Settings, get_settings

_BOTO_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10)


@dataclass
class Services:
    settings: Settings

    def person_key(self, id_number: str) -> str:
        """HMAC-SHA256 of the resident ID: the person's key in every index."""
        secret = self.settings.person_key_secret.get_secret_value().encode()
        return hmac.new(secret, id_number.encode(), hashlib.sha256).hexdigest()

    def client(self, name: str) -> Any:
        return boto3.client(name, region_name=self.settings.region, config=_BOTO_CONFIG)

    @cached_property
    def dynamodb(self) -> Any:
        return boto3.resource("dynamodb", region_name=self.settings.region, config=_BOTO_CONFIG)

    @cached_property
    def store(self) -> DynamoCaseStore:
        return DynamoCaseStore(self.dynamodb.Table(self.settings.cases_table))

    @cached_property
    def _simulator_table(self) -> Any:
        return self.dynamodb.Table(self.settings.simulator_table)

    @cached_property
    def card_system(self) -> CardSystemSimulator:
        return CardSystemSimulator(self._simulator_table, self.person_key)

    @cached_property
    def pension_system(self) -> PensionSystemSimulator:
        return PensionSystemSimulator(self._simulator_table, self.person_key)

    @cached_property
    def data_sharing(self) -> DataSharingSimulator:
        return DataSharingSimulator(self._simulator_table, self.person_key)

    @cached_property
    def notifier(self) -> SnsNotifier:
        return SnsNotifier(self.client("sns"))

    @cached_property
    def workflow(self) -> StepFunctionsWorkflow:
        return StepFunctionsWorkflow(self.client("stepfunctions"), self.settings.state_machine_arn)


_services: Services | None = None


def services() -> Services:
    global _services
    if _services is None:
        _services = Services(get_settings())
    return _services


def reset() -> None:
    """Forget the adapters and settings (tests, and the local stack at start)."""
    global _services
    _services = None
    get_settings.cache_clear()
