"""A request's or a workflow task's metrics are printed once at its end and then cleared, whether metrics are
published or disabled (POWERTOOLS_METRICS_DISABLED: Powertools 3 then keeps them, and would print 100 of them
at once later, in the middle of whatever runs then)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib import observability
from functions.workflow import lambda_handler


def emf_lines(out: str) -> list[dict[str, Any]]:
    return [line for line in (json.loads(s) for s in out.splitlines() if s.startswith("{")) if "_aws" in line]


def counted_task() -> Any:
    @lambda_handler
    def count(event: dict) -> str:
        observability.metrics.add_metric(name="Counted", unit="Count", value=1)
        return "done"

    return count


@pytest.fixture(autouse=True)
def _no_metrics_left() -> Any:
    yield
    observability.metrics.clear_metrics()


def test_each_task_prints_its_own_metrics_once_when_they_are_published(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    task = counted_task()
    for _ in range(3):
        assert task({"case_id": "C-1"}, None) == "done"
    printed = emf_lines(capsys.readouterr().out)
    assert [line["Counted"] for line in printed] == [[1.0], [1.0], [1.0]]  # one value each: nothing carried over
    assert not observability.metrics.metric_set


def test_disabled_metrics_are_cleared_after_each_task_and_never_printed_in_a_pile(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    task = counted_task()
    for _ in range(150):  # past Powertools' 100 values, where a kept pile is printed whatever the setting
        task({"case_id": "C-1"}, None)
    assert emf_lines(capsys.readouterr().out) == []
    assert not observability.metrics.metric_set


def test_a_request_that_counted_nothing_builds_no_metrics_and_warns_of_nothing(recwarn: pytest.WarningsRecorder) -> None:
    observability.flush_metrics()
    assert not [w for w in recwarn if "No application metrics" in str(w.message)]
