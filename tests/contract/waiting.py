"""Cases whose matters wait on a department, made the way the run makes them (`open_wait`), for the contract suite."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.outcomes import Event


def a_processing_case(store: Any, case_id: str, codes: tuple[str, ...] = ("apply",), *, created_at: str | None = None) -> str:
    """A case past pre-judgment, every matter open: what a department wait needs."""
    store.create(
        {
            "case_id": case_id,
            "person_key": "person-a",
            "id_number": "341003199002150037",
            "created_at": created_at or "2026-11-30T00:00:00.000+00:00",
            "status": "processing",
            "matter_codes": list(codes),
            "matter_status": dict.fromkeys(codes, "pending"),
            "contact": {"phone": "13905590002", "address": "黄山"},
        },
        [{"code": code, "status": "pending", "form": {}} for code in codes],
        {"kind": "created", "text": "案件已创建"},
    )
    return case_id


def a_wait(case_id: str, code: str, due_at: str, *, token: str = "token-1", department: str = "hr", district: str = "341003") -> dict:
    return {
        "case_id": case_id,
        "matter": code,
        "review_id": f"{case_id}.{code}",
        "task_token": token,
        "status": "pending",
        "due_at": due_at,
        "department": department,
        "district": district,
    }


def open_wait(
    store: Any,
    case_id: str,
    code: str = "apply",
    due_at: str = "2026-12-01T15:59:59+00:00",
    *,
    queue: str | None = "341003",
    token: str = "token-1",
) -> bool:
    """Hand the matter to HR reviewers of `queue` (None: to the pension system's one queue)."""
    department = "hr" if queue is not None else "pension"
    wait = a_wait(case_id, code, due_at, token=token, department=department, district=queue or "341003")
    return store.open_wait(
        case_id, code, wait, department=department, district=queue, event=Event("awaiting_review", "待审核", matter=code)
    )
