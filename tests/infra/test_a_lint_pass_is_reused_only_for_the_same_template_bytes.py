"""cfn-lint's pass on a packaged template is remembered for its exact bytes (tests/infra/conftest.py `cfn_lint`)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.infra import conftest


def test_a_remembered_pass_does_not_cover_a_changed_template(tmp_path: Path, package_dir: Path) -> None:
    template = tmp_path / "sam.json"
    # bytes of no real package (a trailing line), so that this pass stands for no template that cfn-lint has not seen
    template.write_bytes((package_dir / "sam.json").read_bytes() + b"\n\n")
    stamp = conftest._lint_stamp(template)
    stamp.parent.mkdir(exist_ok=True)
    stamp.touch()
    try:
        assert conftest._passed_before(template)

        broken = json.loads(template.read_text(encoding="utf-8"))
        broken["Resources"]["CasesTable"]["Properties"]["BillingMode"] = "NOT_A_MODE"
        template.write_text(json.dumps(broken), encoding="utf-8")

        assert not conftest._passed_before(template)
        assert conftest._lint_digest(template) != stamp.name
    finally:
        stamp.unlink()
