"""The state machine's tasks (statemachine/case.asl.json), by stage, in `chalicelib.services.stages`.

Every task is safe to run again, and to run twice at once (a retry while the first
attempt still runs): an outcome is recorded once, by one conditional transaction
(`stages/conclude.py`), and each message it reports leaves once through the outbox.
"""

from __future__ import annotations

from chalicelib.services.stages.conclude import CaseMissing
from chalicelib.services.stages.department import (
    check_before_review,
    record_decision,
    record_wait_timeout,
    request_decision,
    review_id,
    review_queue,
)
from chalicelib.services.stages.finishing import fail_case, finish_case, record_matter_failure
from chalicelib.services.stages.immediate import run_matter
from chalicelib.services.stages.prejudgment import NOT_PASSED, prejudge_at_submission

__all__ = [
    "NOT_PASSED",
    "CaseMissing",
    "check_before_review",
    "fail_case",
    "finish_case",
    "prejudge_at_submission",
    "record_decision",
    "record_matter_failure",
    "record_wait_timeout",
    "request_decision",
    "review_id",
    "review_queue",
    "run_matter",
]
