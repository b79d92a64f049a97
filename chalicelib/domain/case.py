"""Case and matter statuses (api.md), and how a finished case is summed up."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class CaseStatus(StrEnum):
    DRAFT = "draft"  # 草稿：已同意须知，未提交
    SUBMITTED = "submitted"  # 已提交，流程启动中
    PROCESSING = "processing"  # 办理中
    COMPLETED = "completed"  # 全部办结
    PARTIALLY_COMPLETED = "partially_completed"  # 部分办结
    REJECTED = "rejected"  # 不予办理
    FAILED = "failed"  # 办理失败
    WITHDRAWN = "withdrawn"  # 已撤回


OPEN_CASE_STATUSES = frozenset({CaseStatus.SUBMITTED, CaseStatus.PROCESSING})
FINAL_CASE_STATUSES = frozenset(
    {
        CaseStatus.COMPLETED,
        CaseStatus.PARTIALLY_COMPLETED,
        CaseStatus.REJECTED,
        CaseStatus.FAILED,
        CaseStatus.WITHDRAWN,
    }
)


class MatterStatus(StrEnum):
    PENDING = "pending"  # 待办理
    IN_PROGRESS = "in_progress"  # 办理中
    AWAITING_REVIEW = "awaiting_review"  # 待部门审核
    SUCCEEDED = "succeeded"  # 办结
    REJECTED = "rejected"  # 不予办理
    FAILED = "failed"  # 办理失败


FINAL_MATTER_STATUSES = frozenset({MatterStatus.SUCCEEDED, MatterStatus.REJECTED, MatterStatus.FAILED})

CASE_STATUS_NAMES = {
    CaseStatus.DRAFT: "草稿",
    CaseStatus.SUBMITTED: "已提交",
    CaseStatus.PROCESSING: "办理中",
    CaseStatus.COMPLETED: "已办结",
    CaseStatus.PARTIALLY_COMPLETED: "部分办结",
    CaseStatus.REJECTED: "不予办理",
    CaseStatus.FAILED: "办理失败",
    CaseStatus.WITHDRAWN: "已撤回",
}
MATTER_STATUS_NAMES = {
    MatterStatus.PENDING: "待办理",
    MatterStatus.IN_PROGRESS: "办理中",
    MatterStatus.AWAITING_REVIEW: "待审核",
    MatterStatus.SUCCEEDED: "已办结",
    MatterStatus.REJECTED: "不予办理",
    MatterStatus.FAILED: "办理失败",
}


def finished_case_status(matter_statuses: Iterable[MatterStatus | str]) -> CaseStatus:
    """The case status once every matter is final.

    All succeeded: completed. Some succeeded: partially completed. None succeeded:
    rejected if any was rejected (a decision about the applicant), else failed.
    """
    statuses = [MatterStatus(s) for s in matter_statuses]
    if not statuses or any(s not in FINAL_MATTER_STATUSES for s in statuses):
        raise ValueError("a case finishes only when every matter is final")
    succeeded = sum(s == MatterStatus.SUCCEEDED for s in statuses)
    if succeeded == len(statuses):
        return CaseStatus.COMPLETED
    if succeeded:
        return CaseStatus.PARTIALLY_COMPLETED
    if MatterStatus.REJECTED in statuses:
        return CaseStatus.REJECTED
    return CaseStatus.FAILED
