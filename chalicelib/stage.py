"""The deployment stage, read as `Settings.stage` reads it but without pydantic-settings.

An entry point's import decides whether to register the local stack's /dev routes; importing
pydantic-settings for that one word would double a cold start (issue 10, cold start).
"""

from __future__ import annotations

import os

ENV_PREFIX = "SSCARD_"  # the settings' env prefix
LOCAL = "local"  # runs against moto in-process; every other stage is deployed
_VARIABLE = f"{ENV_PREFIX}stage".lower()


def current_stage() -> str:
    """What `Settings().stage` would be: pydantic-settings matches the name in any case, and the last match wins."""
    stage = LOCAL
    for name, value in os.environ.items():
        if name.lower() == _VARIABLE:
            stage = value
    return stage


def is_local_stage() -> bool:
    return current_stage() == LOCAL
