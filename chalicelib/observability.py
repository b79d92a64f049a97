"""The one Logger, Tracer and Metrics set of the service.

Every module logs through `logger` here. A filter masks anything that looks like a
resident ID, mobile number or bank account before a record is written, as a last line
of defence; code masks personal data itself anyway (see `domain.resident_id`).
"""

from __future__ import annotations

import logging
import os
import re

os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "sscard")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "sscard")
if os.environ.get("SSCARD_STAGE", "local") == "local":
    # No X-Ray daemon locally; the tracer becomes a no-op.
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")

from aws_lambda_powertools import Logger, Metrics, Tracer  # noqa: E402
from aws_lambda_powertools.metrics import MetricUnit  # noqa: E402

_ID = re.compile(r"(?<![\dA-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![\dA-Za-z])")
_LONG_DIGITS = re.compile(r"(?<!\d)\d{12,19}(?!\d)")  # bank accounts
_PHONE = re.compile(r"(?<!\d)(1\d{2})\d{4}(\d{4})(?!\d)")


def redact(text: str) -> str:
    text = _ID.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    text = _LONG_DIGITS.sub(lambda m: "*" * (len(m.group(0)) - 4) + m.group(0)[-4:], text)
    return _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


def _redact_value(value: object) -> object:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(v) for v in value]
    return value


class PersonalDataFilter(logging.Filter):
    """Masks personal data in the message, its arguments and structured extras."""

    _STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _redact_value(record.msg) if isinstance(record.msg, str | dict) else record.msg
        if record.args:
            record.args = tuple(_redact_value(a) for a in record.args) if isinstance(record.args, tuple) else record.args
        for key, value in list(record.__dict__.items()):
            if key not in self._STANDARD:
                record.__dict__[key] = _redact_value(value)
        return True


logger = Logger(service="sscard", level=os.environ.get("LOG_LEVEL", "INFO"))
logger.addFilter(PersonalDataFilter())
tracer = Tracer(service="sscard")
metrics = Metrics(namespace="sscard", service="sscard")

__all__ = ["logger", "tracer", "metrics", "MetricUnit", "redact"]
