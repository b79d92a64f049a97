"""One clock (issue 10, point 5): the store and the simulators stamp what they record by the business clock, and cannot do without it.

Before, the case store and the simulators fell back to a wall clock of their own when
built without one (a module-level `now_iso()` and `_now()`); now the clock is a required
argument, and the composition root (`chalicelib.wiring`) passes `Services.now`. That the
stores stamp the set clock: tests/contract (the timeline and the alerts on a wait).
"""

from __future__ import annotations

import pytest

from chalicelib.adapters.dynamo_cases import DynamoCaseStore
from chalicelib.adapters.simulators import CardSystemSimulator, DataSharingSimulator, PensionSystemSimulator

TIME_RECORDING_ADAPTERS = [DynamoCaseStore, CardSystemSimulator, PensionSystemSimulator, DataSharingSimulator]


@pytest.mark.parametrize("adapter", TIME_RECORDING_ADAPTERS, ids=lambda a: a.__name__)
def test_an_adapter_that_records_times_cannot_be_built_without_the_business_clock(adapter):
    arguments = (object(),) if adapter is DynamoCaseStore else (object(), str)
    with pytest.raises(TypeError, match="clock"):
        adapter(*arguments)
