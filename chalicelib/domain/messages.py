"""Every text sent to an applicant, in one place (Chinese, SMS-length)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.case import CASE_STATUS_NAMES, CaseStatus
from chalicelib.domain.catalogue import matter_name
from chalicelib.domain.workdays import SHANGHAI

SIGNATURE = "【社保卡一件事】"

NOTICE_TEXT = (
    "用户须知：本平台为“我要办理社会保障卡”一件事联办服务，可一次办理社会保障卡申领、补领换领换发、启用、"
    "挂失解挂、注销、信息变更、应用状态查询、养老保险待遇发放账号维护申请等事项。平台将根据您的身份信息"
    "进行条件预判，并通过数据共享获取您的身份证电子证照和公安照片，减少材料提交。"
    "办理结果将通过短信告知您的联系电话。\n"
    "承诺：本人承诺提交的所有材料真实、合法、有效，如有虚假，本人承担相应的法律责任。"
)


WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def people_time(moment: datetime | str) -> str:
    """A time as people read it, in Asia/Shanghai: 12月2日（星期三）15时30分; a day's end (23:59:59) is that day's 24时."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        raise ValueError("a time for people must carry its time zone")
    local = moment.astimezone(SHANGHAI)
    day = f"{local.month}月{local.day}日（{WEEKDAY_NAMES[local.weekday()]}）"
    if (local.hour, local.minute, local.second) == (23, 59, 59):
        return f"{day}24时"
    return f"{day}{local.hour}时" + (f"{local.minute}分" if local.minute else "")


def deadline_text(moment: datetime | str) -> str:
    """A time limit: 12月2日（星期三）24时前."""
    return f"{people_time(moment)}前"


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


def card_approved(code: str, bank: str, branch: str) -> str:
    return f"{SIGNATURE}您申请的“{matter_name(code)}”已审核通过。请携带本人有效身份证件到{bank}{branch}窗口办理制卡并领取社会保障卡。"


def card_ready(bank: str, branch: str) -> str:
    return f"{SIGNATURE}您的社会保障卡已在{bank}{branch}制卡发放，请及时办理启用后使用。"


DEPARTMENT_NAMES = {"hr": "人社部门", "pension": "养老保险经办机构", "card_system": "社保卡系统"}
ALERT_LEVEL_NAMES = {"warning": "即将到期", "overdue": "已超期", "timed_out": "已超时终止"}


def department_alert(level: str, code: str, case_id: str, review_id: str, due_at: str) -> tuple[str, str]:
    # the review id ends in the matter's code: the department is told the matter by name and the case by number
    subject = f"[社保卡一件事] 审核{ALERT_LEVEL_NAMES[level]}：{matter_name(code)}"
    due = deadline_text(due_at) if due_at else "未设定"
    text = f"待办审核{ALERT_LEVEL_NAMES[level]}：事项“{matter_name(code)}”，案件编号 {case_id}，办结时限 {due}。请尽快处理。"
    return subject, text


def calendar_fallback_alert(year: int) -> tuple[str, str]:
    return (
        f"[社保卡一件事] 缺少{year}年节假日数据",
        f"工作日历缺少{year}年的国务院节假日安排，"
        "当前按周末和法定节假日（元旦、春节、清明节、劳动节、端午节、中秋节、国庆节，不含调休）计算办结时限。"
        f"国务院公布后，请载入{year}年的放假安排（PUT /admin/calendar/{year}），或按 data/holidays/README.md 补充 {year}.json。",
    )


def payout_change_accepted(month: str, account: str) -> str:
    return (
        f"{SIGNATURE}您的养老保险待遇发放账号变更已受理：自{month}待遇起发放至尾号{account[-4:]}的社会保障卡账户，此前待遇仍发放至原账户。"
    )


def payout_switched(month: str, account: str) -> str:
    return f"{SIGNATURE}您的养老保险待遇发放账号已变更为尾号{account[-4:]}的社会保障卡账户，自{month}待遇起生效。"


def contact_phone_changed(old_phone: str, new_phone: str, *, address_too: bool = False) -> str:
    """Sent to the old and to the new number alike (domain.md §8)."""
    also = "，联系地址已同时变更" if address_too else ""
    return (
        f"{SIGNATURE}您的社会保障卡联系电话已由尾号{old_phone[-4:]}的号码变更为尾号{new_phone[-4:]}的号码{also}，"
        "今后的短信通知将发送至新号码。如非本人办理，请及时联系社会保障卡服务网点。"
    )


def material_rejected(name: str, reason: str) -> str:
    return f"{SIGNATURE}您上传的“{name}”未通过检查：{reason}。请重新上传该材料后再提交。"


def case_withdrawn(case_id: str) -> str:
    return f"{SIGNATURE}您的社会保障卡联办业务（{case_id[:8]}）已撤回。"


def reconcile_failed_alert(case_id: str, runs: int) -> tuple[str, str]:
    return (
        "[社保卡一件事] 案件办理流程多次中断，已按系统故障结束",
        f"案件 {case_id} 的办理流程已中断{runs}次（执行不再运行而案件未办结），已按系统故障结束未办结的事项并告知申请人。"
        "请在 Step Functions 控制台查看各次执行的失败原因，修复后联系申请人重新办理。",
    )
