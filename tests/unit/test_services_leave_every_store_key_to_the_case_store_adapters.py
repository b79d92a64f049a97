"""Services speak the domain to the case store: no service, entry point or composition root spells a store key.

The keys of the case table's items and lists ("REVIEW#…", "PAYOUT#…", "BANKCARDS#…",
"RETENTION#…", "ALERT#…", the due lists of the scheduled jobs, the index attributes)
are built in `chalicelib/adapters/` only (`case_keys`, the stores). A service that
needs a list asks for it by name (`list_pending_reviews(department, district, …)`),
so the layout can change in one place and an in-memory store can stand in for DynamoDB.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from chalicelib.adapters import case_keys

ROOT = Path(__file__).resolve().parents[2]
# the modules above the port: services, the Lambda entry points, the API and the composition root
SERVICES = [*(ROOT / "chalicelib" / "services").rglob("*.py"), *(ROOT / "functions").glob("*.py")]
SPEAKING_THE_DOMAIN = sorted([*SERVICES, ROOT / "app.py", ROOT / "chalicelib" / "wiring.py"])

# an item's key prefix: CASE#…, REVIEW#…; not an operation id such as f"{case_id}#{code}"
PREFIXES = "CASE|MATTER|MATERIAL|EVENT|WAIT|OUTBOX|CARDORDER|PERSON|POINT|REVIEW|DECIDED|BANKCARDS|PAYOUT|RETENTION|ALERT"
KEY_PREFIX = re.compile(rf"(?<![A-Za-z0-9_])({PREFIXES})#")
INDEX_ATTRIBUTE = re.compile(r"\bgsi[123](pk|sk)\b")
DUE_LISTS = {case_keys.OPEN_WAITS, case_keys.RESUMES, case_keys.PAYOUT_SWITCHES, case_keys.MATERIAL_RETENTIONS}


def store_keys_in(source: str) -> list[str]:
    """Every string literal (f-strings' literal parts too) of `source` that spells a store key."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if KEY_PREFIX.search(text) or INDEX_ATTRIBUTE.search(text) or text in DUE_LISTS:
                found.append(text)
    return found


def test_no_service_entry_point_or_the_composition_root_spells_a_store_key():
    assert len(SPEAKING_THE_DOMAIN) > 20  # the services are where this test looks for them
    spelled = {str(path.relative_to(ROOT)): store_keys_in(path.read_text(encoding="utf-8")) for path in SPEAKING_THE_DOMAIN}
    assert {module: keys for module, keys in spelled.items() if keys} == {}


def test_the_check_finds_every_kind_of_key_where_the_adapters_build_them():
    built = store_keys_in((ROOT / "chalicelib" / "adapters" / "case_keys.py").read_text(encoding="utf-8"))
    for prefix in ("REVIEW#", "DECIDED#", "PAYOUT#", "BANKCARDS#", "RETENTION#", "ALERT#", "POINT#"):
        assert any(prefix in key for key in built), prefix
    assert DUE_LISTS <= set(built)
    in_the_store = " ".join(store_keys_in((ROOT / "chalicelib" / "adapters" / "dynamo_cases.py").read_text(encoding="utf-8")))
    assert "CASE#" in in_the_store and "gsi2pk" in in_the_store


def test_the_check_finds_a_key_a_service_would_build_and_passes_an_operation_id():
    service = """
def list_pending(services, department, district):
    return services.store.list_waits(f"REVIEW#{department}#{district}", 10, None)

def due(services, until):
    return services.store.due_until("OPEN_WAIT", until)

def issue(services, facts, code):
    return services.card_system.activate(facts["id_number"], f"{facts['case_id']}#{code}")
"""
    assert sorted(store_keys_in(service)) == ["OPEN_WAIT", "REVIEW#"]
