"""Builds the service's adapters from the settings, once per process.

This is the one place that decides which adapter stands behind each port. The
external systems are the DynamoDB-backed simulators on every stage this project can
run today; a production deployment replaces `card_system`, `pension_system` and
`data_sharing` here with clients of the provincial interfaces.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache, cached_property
from typing import Any

from chalicelib.adapters.access_log import DynamoAccessLog
from chalicelib.adapters.dynamo_calendar import DynamoCalendarStore
from chalicelib.adapters.dynamo_cases import DynamoCaseStore
from chalicelib.adapters.materials import S3MaterialStore
from chalicelib.adapters.notifier import SnsNotifier
from chalicelib.adapters.simulators import CardSystemSimulator, DataSharingSimulator, PensionSystemSimulator
from chalicelib.adapters.workflow import StepFunctionsWorkflow
from chalicelib.domain import messages
from chalicelib.domain.workdays import WorkingDayCalendar
from chalicelib.observability import logger, trace_aws_calls
from chalicelib.ports import AccessLog, CaseStore
from chalicelib.settings import Settings, get_settings
from chalicelib.stage import DEPLOYED


@cache
def _boto3(s3: bool = False) -> tuple[Any, Any]:
    """boto3 and the clients' config, imported with the first client: most of a cold start's import time otherwise."""
    trace_aws_calls()  # X-Ray patches botocore before any client exists, as when it was patched at import
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10)
    if s3:
        config = config.merge(Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    return boto3, config


def _utc_now() -> datetime:
    return datetime.now(UTC)


real_clock = _utc_now


@dataclass(frozen=True)
class ShiftedClock:
    """A business clock that runs with real time from a set moment (the local stack's PUT /dev/clock)."""

    offset: timedelta

    @classmethod
    def reading(cls, moment: datetime) -> ShiftedClock:
        return cls(moment - _utc_now())

    def __call__(self) -> datetime:
        return _utc_now() + self.offset


@dataclass
class Services:
    settings: Settings
    # The business clock: submission, decision and acceptance times come from here
    # (tests set it to the moments the rules turn on).
    clock: Callable[[], datetime] = field(default=_utc_now)

    def now(self) -> datetime:
        return self.clock()

    def now_iso(self) -> str:
        return self.clock().astimezone(UTC).isoformat(timespec="milliseconds")

    def person_key(self, id_number: str) -> str:
        """HMAC-SHA256 of the resident ID: the person's key in every index."""
        return hmac.new(self.person_key_secret(), id_number.encode(), hashlib.sha256).hexdigest()

    def person_key_secret(self) -> bytes:
        """The person index's key: read from the named Secrets Manager secret at run time (cached); else the development value.

        A deployed stage (dev, prod) never falls back to the development value: without the secret's name it stops.
        """
        name = self.settings.person_key_secret_name
        if not name:
            if self.settings.stage in DEPLOYED:
                raise RuntimeError("SSCARD_PERSON_KEY_SECRET_NAME is not set: a deployed stage reads the person key from Secrets Manager")
            return self.settings.person_key_secret.get_secret_value().encode()
        secret = self._secrets.get(name, max_age=self.settings.person_key_cache_seconds)
        return secret.encode() if isinstance(secret, str) else bytes(secret)

    @cached_property
    def _secrets(self) -> Any:
        """Powertools' Secrets Manager provider: each secret fetched once per cache period, not per call."""
        from aws_lambda_powertools.utilities.parameters import SecretsProvider

        return SecretsProvider(boto3_client=self.client("secretsmanager"))

    def client(self, name: str) -> Any:
        endpoint = self.settings.dynamodb_endpoint_url if name == "dynamodb" else None
        boto3, config = _boto3()
        return boto3.client(name, region_name=self.settings.region, config=config, endpoint_url=endpoint)

    @cached_property
    def dynamodb(self) -> Any:
        boto3, config = _boto3()
        return boto3.resource("dynamodb", region_name=self.settings.region, config=config, endpoint_url=self.settings.dynamodb_endpoint_url)

    @cached_property
    def store(self) -> CaseStore:
        # `self.now`, not `self.clock`: the store reads whatever clock is set when it writes.
        return DynamoCaseStore(self.dynamodb.Table(self.settings.cases_table), clock=self.now)

    @cached_property
    def access_log(self) -> AccessLog:
        return DynamoAccessLog(self.client("dynamodb"), self.settings.audit_table)

    @cached_property
    def _simulator_table(self) -> Any:
        return self.dynamodb.Table(self.settings.simulator_table)

    @cached_property
    def card_system(self) -> CardSystemSimulator:
        return CardSystemSimulator(self._simulator_table, self.person_key, clock=self.now)

    @cached_property
    def pension_system(self) -> PensionSystemSimulator:
        return PensionSystemSimulator(self._simulator_table, self.person_key, clock=self.now)

    @cached_property
    def data_sharing(self) -> DataSharingSimulator:
        return DataSharingSimulator(self._simulator_table, self.person_key, clock=self.now)

    @cached_property
    def materials(self) -> S3MaterialStore:
        boto3, config = _boto3(s3=True)
        s3 = boto3.client("s3", region_name=self.settings.region, endpoint_url=self.settings.s3_endpoint_url, config=config)
        return S3MaterialStore(s3, self.settings.materials_bucket)

    @cached_property
    def notifier(self) -> SnsNotifier:
        return SnsNotifier(self.client("sns"), self.settings.department_topic_arn)

    @cached_property
    def calendar(self) -> WorkingDayCalendar:
        from pathlib import Path

        data_dir = Path(self.settings.holidays_dir) if self.settings.holidays_dir else None
        return WorkingDayCalendar(data_dir=data_dir, on_fallback=self._calendar_fallback, loaded=self.calendar_store.schedule)

    @cached_property
    def calendar_store(self) -> DynamoCalendarStore:
        """The schedules operators load (PUT /admin/calendar/{year}), in the cases table, cached briefly per process."""
        return DynamoCalendarStore(self.dynamodb.Table(self.settings.cases_table), self.now, self.settings.calendar_cache_seconds)

    def _calendar_fallback(self, year: int) -> None:
        """A year without holiday data: warn, and alert the operators once for that year."""
        logger.warning("no holiday schedule for this year: weekends and the statutory holidays are taken as days off", extra={"year": year})
        try:  # never break a due-time computation for the sake of the alert
            if self.store.alert_once("calendar-fallback", str(year), {"year": year}):
                subject, text = messages.calendar_fallback_alert(year)
                self.notifier.alert_department("operator", "-", "calendar", subject, text)
        except Exception:
            logger.exception("could not raise the calendar fallback alert", extra={"year": year})

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
