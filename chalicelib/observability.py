"""The one Logger, Tracer and Metrics set of the service, each built at its first use (see `Deferred`).

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

from chalicelib.stage import LOCAL, declared_stage

os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "sscard")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "sscard")
if declared_stage() == LOCAL:  # a missing stage is the entry point's start-up error, not this module's
    # No X-Ray daemon locally; the tracer becomes a no-op.
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")

_ID = re.compile(r"(?<![\dA-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![\dA-Za-z])")
_LONG_DIGITS = re.compile(r"(?<!\d)\d{12,19}(?!\d)")  # bank accounts
_PHONE = re.compile(r"(?<!\d)(1\d{2})\d{4}(\d{4})(?!\d)")


# Case ids, request ids and trace ids are UUIDs: their groups can hold 12 digits (an account to
# _LONG_DIGITS) or "1" and 10 more digits (a phone to _PHONE), and a masked case id is useless to
# whoever reads the log. They are cut out before masking and put back as they were.
_UUID = re.compile(r"(?<![0-9A-Za-z])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![0-9A-Za-z])")


def _redact_personal(text: str) -> str:
    text = _ID.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    text = _LONG_DIGITS.sub(lambda m: "*" * (len(m.group(0)) - 4) + m.group(0)[-4:], text)
    return _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


def redact(text: str) -> str:
    """`text` with resident IDs, accounts and phones masked; every UUID in it left as it was."""
    kept = _UUID.split(text)
    uuids = _UUID.findall(text)
    return "".join(_redact_personal(part) + (uuids[i] if i < len(uuids) else "") for i, part in enumerate(kept))


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


class Deferred:
    """A Powertools utility of the service, built at its first use rather than at import.

    Importing Powertools is most of what a cold start may spend: its package imports the
    Logger (jmespath, typing_extensions), Metrics and Tracer at once, and building a Tracer
    imports aws-xray-sdk, which builds botocore sessions and patches every supported library,
    even when tracing is disabled. So the service's Logger, Metrics and Tracer are each built
    by the first call that needs it (a log line, a metric, a handler's first call, and for the
    Tracer the first AWS client, see `trace_aws_calls`) and from then on are used as before.
    """

    def __init__(self, build: Callable[[], Any]):
        self._build = build
        self._built: Any = None
        self._lock = threading.Lock()

    @property
    def built(self) -> bool:
        return self._built is not None

    def get(self) -> Any:
        """The Powertools object (built on the first call)."""
        with self._lock:  # the local stack calls handlers from several threads
            if self._built is None:
                self._built = self._build()
            return self._built

    def _decorate_at_first_call(self, decorator: str, handler: Callable | None, options: dict[str, Any]) -> Callable:
        """`handler` decorated by the utility's `decorator` (with or without options), at the handler's first call."""
        if handler is None:  # used as @utility.decorator(option=...)
            return lambda handler: self._decorate_at_first_call(decorator, handler, options)
        decorated: list[Callable] = []

        @functools.wraps(handler)  # infra/build.py follows __wrapped__ to list the function's code
        def decorate(event: Any, context: Any, **kwargs: Any) -> Any:
            if not decorated:
                decorated.append(getattr(self.get(), decorator)(handler, **options))
            return decorated[0](event, context, **kwargs)

        return decorate

    def __getattr__(self, name: str) -> Any:
        """Everything else of the utility (info, append_keys, add_metric, put_annotation...)."""
        if name.startswith("_"):  # never build it for copy/pickle probes
            raise AttributeError(name)
        return getattr(self.get(), name)


def _options(**options: Any) -> dict[str, Any]:
    return {name: value for name, value in options.items() if value is not None}


class DeferredLogger(Deferred):
    def inject_lambda_context(
        self, lambda_handler: Callable | None = None, log_event: bool | None = None, clear_state: bool | None = None
    ) -> Callable:
        """`Logger.inject_lambda_context`, wrapping the handler at its first call."""
        return self._decorate_at_first_call("inject_lambda_context", lambda_handler, _options(log_event=log_event, clear_state=clear_state))


class DeferredMetrics(Deferred):
    def log_metrics(
        self,
        lambda_handler: Callable | None = None,
        capture_cold_start_metric: bool | None = None,
        raise_on_empty_metrics: bool | None = None,
    ) -> Callable:
        """`Metrics.log_metrics`, wrapping the handler at its first call."""
        options = _options(capture_cold_start_metric=capture_cold_start_metric, raise_on_empty_metrics=raise_on_empty_metrics)
        return self._decorate_at_first_call("log_metrics", lambda_handler, options)


class DeferredTracer(Deferred):
    def __init__(self, service: str):
        super().__init__(lambda: _tracer(service))

    def capture_lambda_handler(
        self, lambda_handler: Callable | None = None, capture_response: bool | None = None, capture_error: bool | None = None
    ) -> Callable:
        """`Tracer.capture_lambda_handler`, wrapping the handler at its first call."""
        options = _options(capture_response=capture_response, capture_error=capture_error)
        return self._decorate_at_first_call("capture_lambda_handler", lambda_handler, options)


def _logger() -> Any:
    from aws_lambda_powertools import Logger

    built = Logger(service="sscard", level=os.environ.get("LOG_LEVEL", "INFO"))
    built.addFilter(PersonalDataFilter())
    return built


def _metrics() -> Any:
    from aws_lambda_powertools import Metrics

    return Metrics(namespace="sscard", service="sscard")


def _tracer(service: str) -> Any:
    from aws_lambda_powertools import Tracer

    return Tracer(service=service)


logger = DeferredLogger(_logger)
tracer = DeferredTracer(service="sscard")
metrics = DeferredMetrics(_metrics)


def flush_metrics() -> None:
    """The metrics gathered so far, printed once (EMF) and cleared: at the end of a request or a task.

    Powertools 3 flushes without clearing when POWERTOOLS_METRICS_DISABLED is set, so the values
    would pile up and be printed anyway once one metric holds 100 of them. Nothing is built (or
    warned about) when nothing was counted.
    """
    if not metrics.built:
        return
    built = metrics.get()
    if built.metric_set:
        built.flush_metrics()
        built.clear_metrics()


def trace_aws_calls() -> None:
    """Have X-Ray patch botocore (a no-op once done): called before an AWS client is made."""
    tracer.get()


def __getattr__(name: str) -> Any:
    """`MetricUnit`, imported with Powertools by the first module that counts something."""
    if name == "MetricUnit":
        from aws_lambda_powertools.metrics import MetricUnit

        return MetricUnit
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["logger", "tracer", "metrics", "redact", "trace_aws_calls"]  # and MetricUnit, see __getattr__
