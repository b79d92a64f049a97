"""Who looked at a person's data: the access records of staff reads (PIPL Art. 51, 个人信息访问记录).

Pure: what a record holds and how it reads for the person and for an auditor. The
records are written by `services.access`, kept append-only by `adapters.access_log`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Looked(StrEnum):
    """What a member of staff looked at."""

    CASE = "case"  # the case itself (a clerk at the counter)
    FORM = "form"  # the printable 2023 application form
    CASE_LIST = "case_list"  # a line of the service point's case list
    REVIEW = "review"  # the review: applicant, form and every material's link
    REVIEW_LIST = "review_list"  # a line of a review or pension request list
    CARD_LIST = "card_list"  # a line of a bank's list of cards to make


LOOKED_TEXT = {
    Looked.CASE: "查看了案件信息",
    Looked.FORM: "查看了申请表",
    Looked.CASE_LIST: "在窗口案件列表中查看了案件概要",
    Looked.REVIEW: "查看了审核详情及申请材料",
    Looked.REVIEW_LIST: "在待办列表中查看了事项概要",
    Looked.CARD_LIST: "在制卡列表中查看了制卡信息",
}

# The staff roles whose reads are recorded, and how the person reads each.
STAFF_ROLE_TEXT = {
    "clerk": "窗口工作人员",
    "reviewer": "人社部门审核人员",
    "pension_system": "养老保险经办机构",
    "bank": "合作银行",
    "operator": "运维人员",
    "auditor": "审计人员",
}


@dataclass(frozen=True)
class Access:
    """One read of one person's case by one member of staff."""

    access_id: str
    case_id: str
    person_key: str  # the person whose data was read (HMAC of the resident ID)
    staff_key: str  # who read it (HMAC of the staff id: queried by an auditor, never shown)
    staff_masked: str  # the staff id as the person sees it
    staff_id: str  # the staff id as an auditor sees it (a resident ID only ever masked)
    role: str
    looked: Looked
    at: str  # UTC ISO time (business clock)


def mask_staff_id(staff_id: str) -> str:
    """The staff id as the person sees it: its first 2 and last 2 characters (a 4-character id: its first only)."""
    if len(staff_id) <= 4:
        return staff_id[:1] + "*" * (len(staff_id) - 1)
    return staff_id[:2] + "*" * (len(staff_id) - 4) + staff_id[-2:]


def staff_key_source(staff_id: str) -> str:
    """What the staff key is the HMAC of: the staff id in its own namespace, apart from residents' keys."""
    return f"staff:{staff_id.strip().upper()}"
