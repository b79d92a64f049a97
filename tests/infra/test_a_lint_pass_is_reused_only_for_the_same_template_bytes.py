"""cfn-lint's pass on a packaged template is remembered for its exact bytes (tests/infra/conftest.py `cfn_lint`)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.infra import conftest


def test_a_remembered_pass_does_not_cover_a_changed_template(tmp_path: Path, package_dir: Path) -> None:
    template = tmp_path / "sam.json"
    template.write_bytes((package_dir / "sam.json").read_bytes())
    conftest._lint_stamp(template).write_text(conftest._lint_digest(template))
    assert conftest._passed_before(template)

    broken = json.loads(template.read_text(encoding="utf-8"))
    broken["Resources"]["CasesTable"]["Properties"]["BillingMode"] = "NOT_A_MODE"
    template.write_text(json.dumps(broken), encoding="utf-8")

    assert not conftest._passed_before(template)
