"""The case as the 2023 application form (“我要办理社会保障卡”一件事申请表（2023版）).

Printable HTML in the seed's layout (domain.md §9): the four applicant fields in one
row; the eight matters with the ticked ones marked and, beside each tick, what was
requested; the materials column split into 必需提供 (one merged cell, as on paper:
the same ID documents serve every matter, form note 1) with where each of this case's
materials came from, and 依申请提供; time limits; the result channel; the commitment;
one signature line; the two notes. A4, black on white, no scripts, no external
resources, Chinese fonts from the reader's system.

Who reads which copy: the counter copy (a clerk of the service point that filed the
case) is the paper the applicant signs and the counter keeps, so it shows the full ID
number and the full requested values; the applicant's own copy shows them in full too,
since they are the applicant's own. Anyone else would see them masked.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from chalicelib.adapters.dynamo_cases import CaseRecord
from chalicelib.auth import Principal
from chalicelib.domain.catalogue import MATERIAL_NAMES, Material, MatterCode
from chalicelib.domain.requested import requested_details
from chalicelib.domain.resident_id import is_valid_resident_id, mask_phone, mask_resident_id, normalize_resident_id
from chalicelib.domain.workdays import SHANGHAI

TITLE = "“我要办理社会保障卡”一件事申请表（2023版）"
COMMITMENT = "承诺提交的所有材料真实、合法、有效。并承诺对因提交虚假材料引发的后果承担相应法律责任。"
NOTES = (
    "1.本表由本人或代办人填写，申报多项业务时，存在重复申报资料的，仅需提交一份。",
    "2.根据待遇发放业务流程，每月1至15日选择变更发放账号业务的，变更的新卡号将于次月生效用于待遇发放，本月待遇仍将打至原卡。",
)
# The rows as the 2023 form names them, in its order, with its time limits.
FORM_ROWS: tuple[tuple[MatterCode, str, str], ...] = (
    (MatterCode.APPLY, "社会保障卡申领", "1个工作日"),
    (MatterCode.REISSUE, "社会保障卡补领换领换发", "1个工作日"),
    (MatterCode.ACTIVATE, "社会保障卡启用", "即时办结"),
    (MatterCode.LOSS, "社会保障卡挂失解挂", "即时办结"),
    (MatterCode.CANCEL, "社会保障卡注销", "即时办结"),
    (MatterCode.INFO_CHANGE, "社会保障卡信息修改", "即时办结"),
    (MatterCode.STATUS_QUERY, "社会保障卡信息查询", "即时办结"),
    (MatterCode.PENSION_ACCOUNT, "养老保险待遇发放账号维护申请", "1个工作日"),
)
REQUIRED_MATERIALS = "本人身份证件（代办需提供双方身份证件）"
ON_REQUEST_MATERIALS = "无需材料"
RESULT_CHANNEL = "支持通过安徽政务服务网、“皖事通”APP查询办理结果。"
SIGNATURE = "申请人/代办人：（签名）"
DATE_BLANK = "年　　月　　日"
SOURCES = {"data_sharing": "数据共享获取", "upload": "上传提交"}
# Where a material stands when it has not (or no longer) come from a source.
STATUS = {
    "required": "待提交",
    "awaiting_upload": "待上传",
    "rejected": "需重新提交",
}

# Column grid in millimetres of the A4 text width (182 mm): the applicant row and the
# matter rows have different cell borders, as on the paper form, so the table uses the
# union of both and each cell spans the columns it covers.
GRID_MM = (14, 22, 20, 20, 18, 17, 21, 3, 17, 30)

STYLE = """
@page { size: A4 portrait; margin: 14mm 14mm; }
* { box-sizing: border-box; }
html, body { background: #fff; color: #000; }
body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", "Songti SC", "Noto Sans CJK SC",
       "Microsoft YaHei", serif; font-size: 10pt; margin: 0; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 3mm; letter-spacing: 1px; }
.meta { display: flex; flex-wrap: wrap; justify-content: space-between; column-gap: 4mm; font-size: 8.5pt; margin-bottom: 1.5mm; }
.meta span { white-space: nowrap; }
table { width: 182mm; border-collapse: collapse; table-layout: fixed; }
th, td { border: 0.8pt solid #000; padding: 1.4mm 1.2mm; vertical-align: middle; word-break: break-all; line-height: 1.35; }
th { font-weight: bold; text-align: center; }
.center { text-align: center; }
.value { font-size: 9.5pt; }
.id { font-size: 10pt; letter-spacing: 0.2px; white-space: nowrap; }
.need { text-align: left; }
.tick { font-size: 13pt; margin-right: 1mm; vertical-align: -1px; }
.asked { font-size: 8.5pt; line-height: 1.4; }
.src { margin-top: 2mm; font-size: 8pt; line-height: 1.45; text-align: left; }
.commit { padding: 3mm 2mm; }
.confirm { font-size: 9pt; }
.sign td { height: 16mm; border-top: none; }
.sign .who { border-right: none; }
.sign .date { border-left: none; text-align: right; padding-right: 6mm; }
.notes { margin-top: 2.5mm; font-size: 9pt; line-height: 1.6; }
.notes p { margin: 0; }
.notes .second { padding-left: 2em; }
@media screen { body { width: 182mm; margin: 8mm auto; } }
"""


def _columns() -> str:
    return "<colgroup>" + "".join(f'<col style="width:{w}mm">' for w in GRID_MM) + "</colgroup>"


def _local(iso: str | None) -> str:
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso).astimezone(SHANGHAI)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def _is_applicant(principal: Principal, case: dict) -> bool:
    return principal.has("citizen") and is_valid_resident_id(principal.sub) and normalize_resident_id(principal.sub) == case["id_number"]


def _is_counter(principal: Principal, case: dict) -> bool:
    """A clerk of the service point that filed the case: the copy signed and kept at the counter."""
    return (
        principal.has("clerk")
        and principal.service_point is not None
        and case.get("channel") == "offline"
        and case.get("service_point") == principal.service_point
    )


def _material_line(material: dict) -> str:
    name = MATERIAL_NAMES[Material(material["kind"])]
    status = material.get("status", "")
    source = SOURCES.get(material.get("source") or "")
    if status in STATUS or source is None:
        where = STATUS.get(status, status)
    elif status == "deleted":
        where = f"{source}（文件已按期删除）"
    else:
        where = source
    return f"{escape(name)}：{escape(where)}"


def _materials_cell(record: CaseRecord) -> str:
    """必需提供, one cell for every matter; below it, each of this case's materials and where it came from."""
    order = list(Material).index
    held = sorted(record.materials.values(), key=lambda m: order(Material(m["kind"])))
    sources = ""
    if held:
        sources = '<div class="src">本次材料及来源：<br>' + "<br>".join(_material_line(m) for m in held) + "</div>"
    return f"{REQUIRED_MATERIALS}{sources}"


def _need_cell(record: CaseRecord, code: MatterCode, *, full: bool) -> str:
    matter = record.matters.get(code.value)
    if matter is None:
        return '<span class="tick">☐</span>'
    details = requested_details(code, matter.get("form"), full=full)
    asked = "<br>".join(f"{escape(label)}：{escape(value)}" for label, value in details)
    return '<span class="tick">☑</span>' + (f'<div class="asked">{asked}</div>' if asked else "")


def _agent_row(agent: dict, *, counter: bool) -> str:
    # The counter keeps the agent's ID documents anyway; the applicant's copy is not the agent's.
    id_number = agent["id_number"] if counter else mask_resident_id(agent["id_number"])
    phone = agent["phone"] if counter else mask_phone(agent["phone"])
    return (
        "<tr>"
        f'<th>代办人</th><td class="value">{escape(agent["name"])}</td>'
        f'<th>代办人身份证号码</th><td colspan="2" class="id">{escape(id_number)}</td>'
        f'<th>代办人电话</th><td colspan="2" class="value">{escape(phone)}</td>'
        f'<th>与申请人关系</th><td class="value">{escape(agent.get("relation", ""))}</td>'
        "</tr>"
    )


def render_form(record: CaseRecord, principal: Principal) -> str:
    case = record.case
    counter = _is_counter(principal, case)
    full = counter or _is_applicant(principal, case)
    id_number = case["id_number"] if full else mask_resident_id(case["id_number"])
    phone = case["contact"]["phone"] if full else mask_phone(case["contact"]["phone"])
    rows = []
    for index, (code, label, time_limit) in enumerate(FORM_ROWS):
        merged = ""
        result = ""
        if index == 0:
            merged = f'<td colspan="2" rowspan="{len(FORM_ROWS)}" class="center value">{_materials_cell(record)}</td>'
            result = f'<td rowspan="{len(FORM_ROWS)}" class="center value">{RESULT_CHANNEL}</td>'
        rows.append(
            f'<tr class="matter" data-matter="{code.value}">'
            f'<td colspan="2">{escape(label)}</td>'
            f'<td colspan="2" class="need">{_need_cell(record, code, full=full)}</td>'
            f"{merged}"
            f'<td class="center value">{ON_REQUEST_MATERIALS}</td>'
            f'<td colspan="2" class="center value">{time_limit}</td>'
            f"{result}"
            "</tr>"
        )
    agent = case.get("agent")
    agent_row = _agent_row(agent, counter=counter) if agent else ""
    confirmation = ""
    if case.get("channel") != "offline":
        consent = case.get("consent", {})
        confirmation = (
            f'<tr><td colspan="{len(GRID_MM)}" class="confirm">申请人已于{_local(consent.get("consented_at"))}'
            f"在线阅读用户须知（版本 {escape(consent.get('notice_version', ''))}）并勾选同意上述承诺</td></tr>"
        )
    channel = "线下窗口" if case.get("channel") == "offline" else "线上"
    point = f"　服务网点：{escape(case['service_point'])}" if case.get("service_point") else ""
    copy = "窗口存档联" if counter else ("申请人留存联" if full else "查阅件")
    point += f"　身份核验：{escape(case['identity_check']['summary'])}" if case.get("identity_check") else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{TITLE}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{TITLE}</h1>
<div class="meta"><span>案件编号：{escape(case["case_id"])}</span><span>{copy}</span></div>
<div class="meta"><span>办理渠道：{channel}{point}</span><span>填表日期：{_local(case.get("created_at"))}</span></div>
<table>
{_columns()}
<tr class="applicant"><th>申请人</th><td class="value">{escape(case.get("applicant_name", ""))}</td>
<th>居民身份证号码（社会保障号码）</th><td colspan="2" class="id">{escape(id_number)}</td>
<th>联系电话</th><td colspan="2" class="value">{escape(phone)}</td>
<th>联系地址</th><td class="value">{escape(case["contact"]["address"])}</td></tr>
{agent_row}
<tr><th colspan="2" rowspan="2">服务事项名称</th><th colspan="2" rowspan="2">需要办理</th><th colspan="3">所需材料</th>\
<th colspan="2" rowspan="2">办理时限</th><th rowspan="2">结果反馈</th></tr>
<tr><th colspan="2">必需提供</th><th>依申请提供</th></tr>
{"".join(rows)}
<tr><td colspan="{len(GRID_MM)}" class="commit">{COMMITMENT}</td></tr>
{confirmation}
<tr class="sign"><td colspan="7" class="who">{SIGNATURE}</td><td colspan="3" class="date">{DATE_BLANK}</td></tr>
</table>
<div class="notes"><p>注：{NOTES[0]}</p><p class="second">{NOTES[1]}</p></div>
</body>
</html>
"""
