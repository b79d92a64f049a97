"""The business clock of the local stack (PUT/DELETE /dev/clock): try a due time, a month change, a job, without waiting.

One process runs the API, the workflow tasks and the jobs locally, all through the one
Services, so setting its clock moves every business time at once: submission and
decision times, due times, timeline events, the times the store and the simulators
record. Never on a deployed stage (app.py registers these routes only locally).
"""

from __future__ import annotations

from datetime import UTC

from chalicelib.models import DevClockRequest, DevClockView
from chalicelib.observability import logger
from chalicelib.wiring import Services, ShiftedClock, real_clock


def _view(services: Services) -> DevClockView:
    return DevClockView(
        time=services.now_iso(),
        real_time=real_clock().astimezone(UTC).isoformat(timespec="milliseconds"),
        set=isinstance(services.clock, ShiftedClock),
    )


def _kept(services: Services) -> None:
    """A stack on a data folder (`make run`) keeps the clock it was set to across a restart."""
    from chalicelib import localstack

    localstack.remember_clock(services.clock)


def set_clock(services: Services, request: DevClockRequest) -> DevClockView:
    """From now on the business clock reads ``request.time`` plus the real time elapsed since."""
    services.clock = ShiftedClock.reading(request.time)
    _kept(services)
    logger.info("business clock set", extra={"time": request.time.isoformat()})
    return _view(services)


def reset_clock(services: Services) -> DevClockView:
    services.clock = real_clock
    _kept(services)
    logger.info("business clock back to real time")
    return _view(services)
