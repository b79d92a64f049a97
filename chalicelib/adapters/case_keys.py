"""The case stores' keys for their lists and dated work: built here only, so that services speak the domain.

Both stores (`dynamo_cases`, `memory_cases`) lay their items out alike; these are the
index keys of the lists the services read and the keys of the dated work the
scheduled jobs read. Changing one changes what existing tables hold: the values are
those the deployed service has always written.
"""

from __future__ import annotations

import secrets

# The due lists (index ByDue, `gsi3pk`): each scheduled job reads its own, by due time.
OPEN_WAITS = "OPEN_WAIT"  # the deadline job: department waits by their due time
RESUMES = "RESUME"  # decisions whose resume is still to be sent, by decision time
PAYOUT_SWITCHES = "PAYOUT_SWITCH"  # the payout switch job: accepted account changes by effective date
MATERIAL_RETENTIONS = "MATERIALS_RETENTION"  # the materials retention job: finished cases' uploads by deletion date
UNFINISHED_CASES = "UNFINISHED"  # the reconciler: submitted cases, by submission time, until a run of theirs is seen finished


def unfinished_since(submitted_at: str, case_id: str) -> str:
    """A submitted case's place on the reconciler's list."""
    return f"{submitted_at}#{case_id}"


# A department's whole queue: a department that does not work by district sees every request in one list.
_WHOLE_DEPARTMENT = "all"


def pending_reviews(department: str, district: str | None) -> str:
    """A department's pending reviews (index ByDistrictDue); `district` None: the department's one queue."""
    return f"REVIEW#{department}#{_WHOLE_DEPARTMENT if district is None else district}"


def decided_reviews(department: str, district: str) -> str:
    """A district's decided reviews, the reviewers' record of what was decided there."""
    return f"DECIDED#{department}#{district}"


def bank_cards(bank_code: str) -> str:
    """The cards a cooperating bank is to make."""
    return f"BANKCARDS#{bank_code}"


def service_point_cases(service_point: str) -> str:
    """The cases opened at a service point (counter)."""
    return f"POINT#{service_point}"


def payout_switch(person_key: str) -> tuple[str, str]:
    """A person's pending payout account change: one per person, a later change replaces it."""
    return f"PAYOUT#{person_key}", "PENDING"


def material_retention(case_id: str) -> tuple[str, str]:
    """A finished case's uploaded materials, due for deletion."""
    return f"RETENTION#{case_id}", "MATERIALS"


def alert(topic: str, key: str) -> tuple[str, str]:
    """The mark that an operator alert about `topic` was raised for `key` (once)."""
    return f"ALERT#{topic}", key


def timeline_event(at: str, order: int = 0) -> str:
    """A timeline event's sort key: its time, then its place among the events of one write, which share
    that time (a case's "finished" after its last matter's outcome), then a random suffix so that two
    writes of one moment never collide."""
    return f"EVENT#{at}#{order:02d}{secrets.token_hex(3)}"
