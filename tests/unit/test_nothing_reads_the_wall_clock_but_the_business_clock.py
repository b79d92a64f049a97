"""One clock (issue 10, point 5): the service's code reads the wall clock in one place, the business clock's source.

Every time the service records (submission, decision, events, waits, alerts, the
simulators' card records, a loaded calendar) comes from `Services.now()`; the local
stack's PUT /dev/clock moves them all. The wall clock is read, by a static look at
the sources of `app.py`, `chalicelib/` and `functions/`, only where the named reasons
below hold. Monotonic timers (`time.monotonic`, `time.perf_counter`: cache freshness,
latency) measure durations, never a moment, and are not wall-clock reads.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "app.py", *sorted((ROOT / "chalicelib").rglob("*.py")), *sorted((ROOT / "functions").rglob("*.py"))]

ALLOWED = {
    # the real clock behind the business clock (and the dev clock's shift from it)
    ("chalicelib/wiring.py", "_utc_now"),
    # a development token's iat/exp: PyJWT checks them against the real time, whatever the business clock says
    ("chalicelib/auth.py", "issue_dev_token"),
    # the bound of a well-formed ID's birth date (not after today): validation, no time recorded
    ("chalicelib/domain/resident_id.py", "china_today"),
    # the stop time moto records when a test's reset ends a leftover run of the local stack: nothing of a case
    ("chalicelib/localstack.py", "_stop"),
}

_DATE_TYPES = {"datetime", "date"}
_DATE_READS = {"now", "utcnow", "today"}
_TIME_READS = {"time", "time_ns", "localtime", "gmtime", "ctime"}


def _is_wall_clock(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        owner = node.value.attr if isinstance(node.value, ast.Attribute) else getattr(node.value, "id", None)
        if owner in _DATE_TYPES and node.attr in _DATE_READS:
            return True  # datetime.now(...), date.today(), datetime.datetime.utcnow()
        if owner == "time" and node.attr in _TIME_READS:
            return True  # time.time, called or passed as a clock
    if isinstance(node, ast.ImportFrom) and node.module == "time":
        return any(alias.name in _TIME_READS for alias in node.names)
    return False


def wall_clock_reads(path: Path) -> set[str]:
    """The enclosing function ('<module>' at the top level) of every wall-clock read in a source file."""
    found: set[str] = set()

    def visit(node: ast.AST, where: str) -> None:
        if _is_wall_clock(node):
            found.add(where)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            where = node.name
        elif isinstance(node, ast.Lambda):
            where = f"{where}.<lambda>"
        for child in ast.iter_child_nodes(node):
            visit(child, where)

    visit(ast.parse(path.read_text(encoding="utf-8")), "<module>")
    return found


def test_the_scan_finds_a_wall_clock_read_wherever_it_is(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import time\nfrom datetime import UTC, date, datetime\n"
        "def stamp():\n    return datetime.now(UTC).isoformat()\n"
        "class Store:\n    def __init__(self, clock=None):\n        self.clock = clock or (lambda: datetime.now(UTC))\n"
        "def expiry(clock=time.time):\n    return clock()\n"
        "def birthday():\n    return date.today()\n"
        "def latency(started):\n    return time.monotonic() - started\n",
        encoding="utf-8",
    )
    assert wall_clock_reads(sample) == {"stamp", "__init__.<lambda>", "expiry", "birthday"}


def test_only_the_business_clocks_source_and_the_named_exceptions_read_the_wall_clock():
    found = {(path.relative_to(ROOT).as_posix(), where) for path in SOURCES for where in wall_clock_reads(path)}
    assert found - ALLOWED == set(), "route these through the business clock (Services.now), or name the reason in ALLOWED"
