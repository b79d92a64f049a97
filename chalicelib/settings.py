"""Settings: one pydantic model, read once from the environment (prefix SSCARD_)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from chalicelib.stage import ENV_PREFIX, LOCAL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    # "local" runs against moto in-process; "dev", "prod" on AWS. No default: a process without
    # SSCARD_STAGE does not start (chalicelib/stage.py), so the /dev routes need an explicit "local".
    stage: str = Field(min_length=1)
    region: str = "us-east-1"
    dynamodb_endpoint_url: str | None = None  # e.g. DynamoDB Local for tests and benchmarks
    cases_table: str = "CasesTable"
    idempotency_table: str = "IdempotencyTable"
    simulator_table: str = "SimulatorTable"
    audit_table: str = "AuditTable"  # access records of staff reads (append-only)
    state_machine_arn: str = ""
    applicant_topic_arn: str = ""  # SMS to applicants goes through SNS
    department_topic_arn: str = ""  # alerts to departments

    # Keyed hash of resident IDs for the person index (never the ID itself). Deployed, the key is
    # read at run time from the Secrets Manager secret of this name (Powertools Parameters, cached
    # for person_key_cache_seconds) and never reaches the function as an environment variable;
    # the local stage uses the development value below.
    person_key_secret_name: str | None = None
    person_key_cache_seconds: int = 300
    person_key_secret: SecretStr = SecretStr("local-development-person-key")
    # JWT verification: in AWS the API Gateway authorizer verifies tokens, locally a
    # development key generated at start (only the local stack has it).
    jwt_dev_key: SecretStr | None = None
    jwt_issuer: str = "sscard-local"

    notice_version: str = "2023.1"
    # Department waits (domain.md §5): warn this long before the due time, and end a
    # wait that is still undecided this many working days after its due day.
    alert_warning_hours: float = 4.0
    review_expiry_working_days: int = 5
    # The reconciler (issue 11): a case submitted this long ago without a running run is resumed,
    # at most `reconcile_max_runs` runs in all; then it fails visibly.
    reconcile_after_seconds: float = 300.0
    reconcile_max_runs: int = 3
    # Holiday data files for years beyond the chinesecalendar package (default: data/holidays).
    holidays_dir: str | None = None
    # How long a process trusts its copy of a loaded holiday schedule (PUT /admin/calendar/{year})
    # before reading DynamoDB again: a load reaches every Lambda container within this time.
    calendar_cache_seconds: float = 60.0
    # Pension payout account changes accepted after this day of the month take effect
    # a month later (domain.md §6).
    payout_cutoff_day: int = 15

    # Materials (domain.md §4): the bucket, what an upload may be, how long links live,
    # and how long materials are kept after a case is finished.
    materials_bucket: str = "materials-bucket"
    s3_endpoint_url: str | None = None  # the local stack serves S3 on a loopback port
    max_upload_bytes: int = 5 * 1024 * 1024
    upload_url_seconds: int = 900
    download_url_seconds: int = 300
    materials_retention_days: int = 180  # default: data/holidays in the package
    idempotency_expiry_seconds: int = 24 * 3600
    residents_file: str = "data/residents.demo.json"
    # Known people who are not residents of the card system (the population register's
    # other entries), seeded into the data-sharing simulator with the residents.
    identities_file: str = "data/identities.demo.json"
    # The local stack only: the state machine's Retry waits take no time (the test suite
    # sets it, so a retried task costs no idle seconds); the deployed ASL keeps its intervals.
    local_retries_without_wait: bool = False

    @property
    def is_local(self) -> bool:
        return self.stage == LOCAL


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
