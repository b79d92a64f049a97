"""The one Logger, Tracer and Metrics set of the service.

Every module logs through `logger` here. A filter masks anything that looks like a
resident ID, mobile number or bank account before a record is written, as a last line
of defence; code masks personal data itself anyway (see `domain.resident_id`).
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
from collections.abc import Callable
from typing import Any

os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "sscard")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "sscard")
if os.environ.get("SSCARD_STAGE", "local") == "local":
    # No X-Ray daemon locally; the tracer becomes a no-op.
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")

from aws_lambda_powertools import Logger, Metrics  # noqa: E402
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


class DeferredTracer:
    """The service's Powertools Tracer, built when first needed rather than at import.

    Building a Tracer imports aws-xray-sdk, which builds botocore sessions and patches every
    supported library: most of a cold start's import time, spent even when tracing is
    disabled. It is built at the first traced handler call or, through `trace_aws_calls`,
    before the first AWS client is made, so every AWS call is still traced as before.
    """

    def __init__(self, service: str):
        self._service = service
        self._tracer: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        """The Powertools Tracer (built on the first call)."""
        with self._lock:  # the local stack calls handlers from several threads
            if self._tracer is None:
                from aws_lambda_powertools import Tracer

                self._tracer = Tracer(service=self._service)
            return self._tracer

    def capture_lambda_handler(
        self, lambda_handler: Callable | None = None, capture_response: bool | None = None, capture_error: bool | None = None
    ) -> Callable:
        """`Tracer.capture_lambda_handler`, wrapping the handler at its first call."""
        if lambda_handler is None:
            return functools.partial(self.capture_lambda_handler, capture_response=capture_response, capture_error=capture_error)
        traced: list[Callable] = []

        @functools.wraps(lambda_handler)
        def decorate(event: Any, context: Any, **kwargs: Any) -> Any:
            if not traced:
                traced.append(
                    self.get().capture_lambda_handler(lambda_handler, capture_response=capture_response, capture_error=capture_error)
                )
            return traced[0](event, context, **kwargs)

        return decorate

    def __getattr__(self, name: str) -> Any:
        """Everything else of the Tracer (put_annotation, capture_method, provider...)."""
        if name.startswith("_"):  # never build the Tracer for copy/pickle probes
            raise AttributeError(name)
        return getattr(self.get(), name)


logger = Logger(service="sscard", level=os.environ.get("LOG_LEVEL", "INFO"))
logger.addFilter(PersonalDataFilter())
tracer = DeferredTracer(service="sscard")


def trace_aws_calls() -> None:
    """Have X-Ray patch botocore (a no-op once done): called before an AWS client is made."""
    tracer.get()


metrics = Metrics(namespace="sscard", service="sscard")

__all__ = ["logger", "tracer", "metrics", "MetricUnit", "redact", "trace_aws_calls"]
