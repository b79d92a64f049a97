"""No stage, no start (issue 11): `/dev` routes exist only for an explicit `local` stage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from chalicelib.settings import Settings
from chalicelib.stage import StageNotSet, current_stage, is_local_stage

ROOT = Path(__file__).resolve().parents[2]
ROUTES = "import json, app; print(json.dumps(sorted(app.app.routes)))"


def _without_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.lower() == "sscard_stage"]:
        monkeypatch.delenv(name)


@pytest.mark.parametrize("environment", [{}, {"SSCARD_STAGE": ""}])
def test_a_missing_stage_is_refused_by_the_settings_and_the_entry_points(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]
) -> None:
    _without_stage(monkeypatch)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()
    with pytest.raises(StageNotSet, match="SSCARD_STAGE"):
        current_stage()
    with pytest.raises(StageNotSet):
        is_local_stage()


def _routes_of_a_fresh_import(stage: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k.lower() != "sscard_stage" and k != "SSCARD_START_LOCAL_STACK"}
    if stage is not None:
        env["SSCARD_STAGE"] = stage
    return subprocess.run([sys.executable, "-c", ROUTES], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_the_app_does_not_start_without_a_stage_and_says_why() -> None:
    result = _routes_of_a_fresh_import(None)
    assert result.returncode != 0
    assert "StageNotSet" in result.stderr and "SSCARD_STAGE is unset" in result.stderr


@pytest.mark.parametrize("stage", ["Local", "LOCAL", "staging", " local"])
def test_only_the_exact_word_local_is_the_local_stage(monkeypatch: pytest.MonkeyPatch, stage: str) -> None:
    _without_stage(monkeypatch)
    monkeypatch.setenv("SSCARD_STAGE", stage)
    assert is_local_stage() is False and Settings().is_local is False


@pytest.mark.parametrize(("stage", "has_dev_routes"), [("dev", False), ("prod", False), ("Local", False), ("local", True)])
def test_dev_routes_are_registered_only_for_an_explicit_local_stage(stage: str, has_dev_routes: bool) -> None:
    result = _routes_of_a_fresh_import(stage)
    assert result.returncode == 0, result.stderr
    routes = json.loads(result.stdout.strip().splitlines()[-1])
    dev = [r for r in routes if r.startswith("/dev/")]
    assert bool(dev) is has_dev_routes, dev
    assert "/cases" in routes


def test_every_way_the_project_starts_names_its_stage() -> None:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    for name, stage in config["stages"].items():
        assert stage["environment_variables"]["SSCARD_STAGE"] == name
    assert "--stage local" in (ROOT / "Makefile").read_text(encoding="utf-8")
    discovery = (ROOT / "infra" / "build.py").read_text(encoding="utf-8")
    assert '"SSCARD_STAGE": stage' in discovery  # the package's app discovery imports the app as the stage it builds
