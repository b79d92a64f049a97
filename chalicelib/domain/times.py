"""Times as people in Huangshan read them: every time an HTTP response carries is in Asia/Shanghai.

Stored values stay as they are written (UTC from the business clock, some already in
Shanghai): sort keys and conditions compare them, so they are converted only on the
way out, in one place (`chalicelib.http.json_response`), by `shanghai_times`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from chalicelib.domain.workdays import SHANGHAI

# a full ISO 8601 date-time with its offset (a date alone, or a time without a zone, is left alone)
_ZONED_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})")


def to_shanghai_iso(value: str) -> str:
    """The same instant written with +08:00; anything that is not a zoned ISO time is returned unchanged."""
    if not isinstance(value, str) or not _ZONED_TIME.fullmatch(value):
        return value
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    local = moment.astimezone(SHANGHAI)
    return local.isoformat(timespec="milliseconds" if local.microsecond else "seconds")


def shanghai_times(body: Any) -> Any:
    """A JSON body with every zoned time in it written in Asia/Shanghai (a copy; the input is not changed)."""
    if isinstance(body, str):
        return to_shanghai_iso(body)
    if isinstance(body, dict):
        return {key: shanghai_times(value) for key, value in body.items()}
    if isinstance(body, list | tuple):
        return [shanghai_times(value) for value in body]
    return body
