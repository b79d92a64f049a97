"""The case as the 2023 application form (“我要办理社会保障卡”一件事申请表（2023版）).

Printable HTML: A4, Chinese fonts from the reader's system, no external resources.
Every field of the 2023 form is there: applicant, ID number (= social security
number), phone, address; the eight rows with the ticked matters, their materials and
where they came from, time limits and result channel; the commitment; the
confirmation (online consent time, or signature lines for the counter); the two notes.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from chalicelib.adapters.dynamo_cases import CaseRecord
from chalicelib.auth import Principal
from chalicelib.domain.catalogue import CATALOGUE, MATERIAL_NAMES, Material, MatterCode
from chalicelib.domain.resident_id import mask_phone, mask_resident_id
from chalicelib.domain.workdays import SHANGHAI

TITLE = "“我要办理社会保障卡”一件事申请表（2023版）"
COMMITMENT = "承诺提交的所有材料真实、合法、有效。并承诺对因提交虚假材料引发的后果承担相应法律责任。"
NOTES = (
    "1.本表由本人或代办人填写，申报多项业务时，存在重复申报资料的，仅需提交一份。",
    "2.根据待遇发放业务流程，每月1至15日选择变更发放账号业务的，变更的新卡号将于次月生效用于待遇发放，本月待遇仍将打至原卡。",
)
# The rows as the 2023 form names them, in its order.
FORM_ROWS: tuple[tuple[MatterCode, str], ...] = (
    (MatterCode.APPLY, "社会保障卡申领"),
    (MatterCode.REISSUE, "社会保障卡补领换领换发"),
    (MatterCode.ACTIVATE, "社会保障卡启用"),
    (MatterCode.LOSS, "社会保障卡挂失解挂"),
    (MatterCode.CANCEL, "社会保障卡注销"),
    (MatterCode.INFO_CHANGE, "社会保障卡信息修改"),
    (MatterCode.STATUS_QUERY, "社会保障卡信息查询"),
    (MatterCode.PENSION_ACCOUNT, "养老保险待遇发放账号维护申请"),
)
RESULT_CHANNEL = "短信通知；支持通过安徽政务服务网、“皖事通”APP查询办理结果"
SOURCES = {"data_sharing": "数据共享获取", "upload": "申请人上传"}
STATUS = {
    "provided": "已提供",
    "uploaded": "已提供",
    "required": "待提交",
    "awaiting_upload": "待上传",
    "rejected": "需重新提交",
    "deleted": "已提供（文件已按期删除）",
}

STYLE = """
@page { size: A4; margin: 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", "Songti SC", "Noto Sans CJK SC",
       "Microsoft YaHei", serif; font-size: 10.5pt; color: #000; margin: 0; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 4mm; letter-spacing: 1px; }
.meta { text-align: right; font-size: 9pt; margin-bottom: 2mm; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { border: 0.8pt solid #000; padding: 1.6mm 1.4mm; vertical-align: middle; word-break: break-all; }
th { font-weight: bold; background: #f2f2f2; }
.center { text-align: center; }
.tick { font-size: 13pt; text-align: center; }
.commit { padding: 3mm 2mm; }
.sign td { height: 14mm; }
.notes { margin-top: 3mm; font-size: 9pt; line-height: 1.6; }
.small { font-size: 9pt; }
@media screen { body { max-width: 210mm; margin: 8mm auto; padding: 0 6mm; } }
"""


COLUMNS = "<colgroup>" + "".join(f'<col style="width:{w}%">' for w in (9, 25, 9, 27, 11, 19)) + "</colgroup>"


def _local(iso: str | None) -> str:
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso).astimezone(SHANGHAI)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def _materials_cell(record: CaseRecord, code: MatterCode) -> str:
    return _material_lines(record, [m.value for m in CATALOGUE[code].materials]) or "无需材料"


def _material_lines(record: CaseRecord, kinds: list[str]) -> str:
    lines = []
    for kind in kinds:
        material = record.materials.get(kind)
        if material is None:
            continue
        source = SOURCES.get(material.get("source") or "", "")
        status = STATUS.get(material["status"], material["status"])
        lines.append(f"{escape(MATERIAL_NAMES[Material(kind)])}：{status}{('（' + source + '）') if source else ''}")
    return "<br>".join(lines)


def _blank_materials(code: MatterCode) -> str:
    """What the printed 2023 form says for a row that is not ticked."""
    return "本人身份证件（代办需提供双方身份证件）" if CATALOGUE[code].materials else "无需材料"


def render_form(record: CaseRecord, principal: Principal) -> str:
    case = record.case
    own = principal.has("citizen") and principal.sub.upper() == case["id_number"]
    id_number = case["id_number"] if own else mask_resident_id(case["id_number"])
    chosen = set(record.matters)
    rows = []
    for index, (code, label) in enumerate(FORM_ROWS, start=1):
        ticked = code.value in chosen
        matter = CATALOGUE[code]
        rows.append(
            "<tr>"
            f'<td class="center">{index}</td>'
            f"<td>{escape(label)}</td>"
            f'<td class="tick">{"☑" if ticked else "☐"}</td>'
            f'<td class="small">{_materials_cell(record, code) if ticked else _blank_materials(code)}</td>'
            f'<td class="center">{escape(matter.time_limit_text)}</td>'
            f'<td class="small">{escape(RESULT_CHANNEL) if ticked else ""}</td>'
            "</tr>"
        )
    agent = case.get("agent")
    if case.get("channel") == "offline":
        who = "代办人" if agent else "申请人"
        confirmation = (
            '<tr class="sign"><td colspan="2" class="center">申请人（签名）</td><td colspan="2"></td>'
            '<td class="center">日期</td><td class="center">　　年　　月　　日</td></tr>'
        )
        if agent:
            confirmation += (
                f'<tr class="sign"><td colspan="2" class="center">{who}（签名）</td><td colspan="2"></td>'
                f'<td class="center">日期</td><td class="center">　　年　　月　　日</td></tr>'
            )
    else:
        consent = case.get("consent", {})
        confirmation = (
            f'<tr><td colspan="2" class="center">申请人确认</td><td colspan="4">已于{_local(consent.get("consented_at"))}'
            f"在线阅读用户须知（版本 {escape(consent.get('notice_version', ''))}）并勾选同意上述承诺</td></tr>"
        )
    agent_rows = ""
    agent_materials = ""
    if agent:
        kinds = [
            m.value for m in (Material.ID_CARD_FRONT, Material.ID_CARD_BACK, Material.AGENT_ID_CARD_FRONT, Material.AGENT_ID_CARD_BACK)
        ]
        agent_materials = (
            '<tr><td class="center">—</td><td>代办材料（双方身份证件）</td><td class="tick"></td>'
            f'<td class="small" colspan="3">{_material_lines(record, kinds)}</td></tr>'
        )
        agent_rows = (
            "<tr><th>代办人</th>"
            f"<td>{escape(agent['name'])}（{escape(agent['relation'])}）</td>"
            f"<th>代办人身份证号码</th><td>{mask_resident_id(agent['id_number'])}</td>"
            f"<th>代办人电话</th><td>{mask_phone(agent['phone'])}</td></tr>"
        )
    channel = "线下窗口" if case.get("channel") == "offline" else "线上"
    phone = case["contact"]["phone"] if own or case.get("channel") == "offline" else mask_phone(case["contact"]["phone"])
    point = f"　服务网点：{escape(case['service_point'])}" if case.get("service_point") else ""
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
<div class="meta">案件编号：{escape(case["case_id"])}　办理渠道：{channel}{point}　填表日期：{_local(case.get("created_at"))}</div>
<table>
{COLUMNS}
<tr><th>申请人</th><td>{escape(case.get("applicant_name", ""))}</td>
<th>居民身份证号码<br><span class="small">（社会保障号码）</span></th><td colspan="3">{escape(id_number)}</td></tr>
<tr><th>联系电话</th><td>{escape(phone)}</td>
<th>联系地址</th><td colspan="3">{escape(case["contact"]["address"])}</td></tr>
{agent_rows}
<tr><th>序号</th><th>服务事项名称</th><th>需要办理</th><th>所需材料及来源</th><th>办理时限</th><th>结果反馈</th></tr>
{"".join(rows)}
{agent_materials}
<tr><td colspan="6" class="commit">{COMMITMENT}</td></tr>
{confirmation}
</table>
<div class="notes">注：{NOTES[0]}<br>　　{NOTES[1]}</div>
</body>
</html>
"""
