"""Every text sent to an applicant, in one place (Chinese, SMS-length)."""

from __future__ import annotations

from chalicelib.domain.case import CASE_STATUS_NAMES, CaseStatus
from chalicelib.domain.catalogue import matter_name

SIGNATURE = "【社保卡一件事】"

NOTICE_TEXT = (
    "用户须知：本平台为“我要办理社会保障卡”一件事联办服务，可一次办理社会保障卡申领、补领换领换发、启用、"
    "挂失解挂、注销、信息变更、应用状态查询、养老保险待遇发放账号维护申请等事项。平台将根据您的身份信息"
    "进行条件预判，并通过数据共享获取您的身份证电子证照和公安照片，减少材料提交。"
    "办理结果将通过短信告知您的联系电话。\n"
    "承诺：本人承诺提交的所有材料真实、合法、有效，如有虚假，本人承担相应的法律责任。"
)


def prejudgment_failed(reasons: list[str]) -> str:
    return f"{SIGNATURE}您提交的社会保障卡业务未通过条件预判：{'；'.join(reasons)}。"


def matter_succeeded(code: str, detail: str) -> str:
    return f"{SIGNATURE}您申请的“{matter_name(code)}”已办结。{detail}"


def matter_not_done(code: str, reason: str) -> str:
    return f"{SIGNATURE}您申请的“{matter_name(code)}”未能办理：{reason}"


def case_finished(case_id: str, status: CaseStatus, lines: list[str]) -> str:
    return f"{SIGNATURE}您的社会保障卡联办业务（{case_id[:8]}）{CASE_STATUS_NAMES[status]}：{'；'.join(lines)}。"


SYSTEM_FAILURE_REASON = "系统暂时无法完成办理，请稍后重新申请或联系社会保障卡服务网点"
NOT_RUN_BECAUSE_OF_OTHERS = "同一次办理中其他事项未通过条件预判，本事项未办理"
WAIT_TIMED_OUT_REASON = "经办部门未在规定时限内完成办理，本事项已终止，请联系经办机构或重新申请"
