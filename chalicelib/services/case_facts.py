"""The case's fixed facts, carried in the workflow's execution input.

Once a case is submitted, who applied, through which channel, for which matters with
which forms, and where it is reviewed no longer change. Submit hands them to the run,
so each state-machine task knows them without reading the case partition again
(a task reads only what may have moved: the person's other cases, the card system).
"""

from __future__ import annotations

from typing import Any


def case_facts(case: dict[str, Any], matters: dict[str, dict[str, Any]], materials: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What every task of the run may read of the case (the execution input's `facts`)."""
    return {
        "case_id": case["case_id"],
        "id_number": case["id_number"],
        "applicant_name": case.get("applicant_name", ""),
        "person_key": case["person_key"],
        "phone": case["contact"]["phone"],
        "channel": case.get("channel", "online"),
        "agent": bool(case.get("agent")),
        "district": case.get("district", ""),
        "created_at": case["created_at"],
        "submitted_at": case.get("submitted_at") or case["created_at"],
        "matters": {code: dict(matter.get("form") or {}) for code, matter in matters.items()},
        # a finished case keeps its uploaded materials until the retention date (domain.md)
        "has_uploads": any(m.get("key") for m in materials.values()),
    }
