"""The README's walkthrough, pasted block by block into one shell against a fresh local stack.

Every ```sh block between `<!-- walkthrough -->` and `<!-- /walkthrough -->` runs, in
order, in one bash (as a newcomer pastes them into one terminal), with the README's
port replaced by the test stack's. A line ending in `# → TEXT` says what the README
promises that command prints: each such TEXT must appear in the output, in order.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.test_local_stack import call, free_port, start_local_stack

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

pytestmark = pytest.mark.e2e


def walkthrough_blocks(text: str) -> list[str]:
    start, end = text.index("<!-- walkthrough -->"), text.index("<!-- /walkthrough -->")
    return re.findall(r"```sh\n(.*?)```", text[start:end], flags=re.S)


def promises(blocks: list[str]) -> list[str]:
    """The `# → TEXT` promises of the blocks, in order."""
    return [m.group(1).strip() for block in blocks for m in re.finditer(r"# → (.+)$", block, flags=re.M)]


def test_the_readme_has_a_walkthrough_with_promises():
    blocks = walkthrough_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 5
    assert len(promises(blocks)) >= 20


@pytest.mark.skipif(shutil.which("jq") is None or shutil.which("curl") is None, reason="the walkthrough uses curl and jq")
def test_every_walkthrough_block_does_what_the_readme_says_when_pasted_in_order(tmp_path):
    blocks = walkthrough_blocks(README.read_text(encoding="utf-8"))
    port = free_port()
    log = (tmp_path / "stack.log").open("w")
    process = start_local_stack(port, log=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if call(base, "GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, (tmp_path / "stack.log").read_text()
            assert time.monotonic() < deadline, "the local stack did not start in 60 s"
            time.sleep(0.2)
        (tmp_path / ".venv").symlink_to(ROOT / ".venv")  # the README runs from a checkout where `make run` made .venv
        script = "\n".join(block.replace("localhost:8000", f"localhost:{port}") for block in blocks)
        result = subprocess.run(["bash", "-c", script], check=False, cwd=tmp_path, capture_output=True, text=True, timeout=240)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
    output = result.stdout
    assert result.returncode == 0, result.stderr[-3000:]
    assert "parse error" not in result.stderr, result.stderr[-3000:]
    position = 0
    for promise in promises(blocks):
        found = output.find(promise, position)
        assert found >= 0, f"the README promises {promise!r}; after it the output reads:\n{output[position : position + 3000]}"
        position = found + len(promise)
