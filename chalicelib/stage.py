"""The deployment stage, read as `Settings.stage` reads it but without pydantic-settings.

An entry point's import decides whether to register the local stack's /dev routes; importing
pydantic-settings for that one word would double a cold start (issue 10, cold start).

The stage fails closed (issue 11): there is no default. A process whose stage is unset or empty
does not start, and only the exact word `local` registers the /dev routes (the unauthenticated
job runner among them): a forgotten or mistyped variable never opens them on a deployed stage.
"""

from __future__ import annotations

import os

ENV_PREFIX = "SSCARD_"  # the settings' env prefix
LOCAL = "local"  # runs against moto in-process; every other stage is deployed
DEPLOYED = ("dev", "prod")  # the stages infra/build.py packages for AWS
STAGES = (LOCAL, *DEPLOYED)
_VARIABLE = f"{ENV_PREFIX}stage".lower()


class StageNotSet(RuntimeError):
    """The process was started without a valid SSCARD_STAGE: a start-up error, never a guess."""


def declared_stage() -> str | None:
    """The raw SSCARD_STAGE, if set: pydantic-settings matches the name in any case, and the last match wins."""
    stage = None
    for name, value in os.environ.items():
        if name.lower() == _VARIABLE:
            stage = value
    return stage


def current_stage() -> str:
    """What `Settings().stage` is; StageNotSet when it is missing or empty (as the settings refuse it)."""
    stage = declared_stage()
    if not stage:
        shown = "unset" if stage is None else "empty"
        raise StageNotSet(f"SSCARD_STAGE is {shown}: set it to one of {', '.join(STAGES)} (`make run` sets local)")
    return stage


def is_local_stage() -> bool:
    """True only for an explicit `local` stage (not `Local`); StageNotSet when the stage is missing."""
    return current_stage() == LOCAL
