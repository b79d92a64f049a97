"""The case printed as the 2023 application form (domain.md §9; seed: 申请表)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from chalicelib.adapters.dynamo_cases import CaseRecord
from chalicelib.auth import Principal
from chalicelib.domain.catalogue import CATALOGUE, MatterCode
from chalicelib.domain.requested import CANCEL_REASONS, LOSS_ACTIONS, REISSUE_KINDS, requested_details
from chalicelib.services.form import render_form

APPLICANT_ID = "341004198811200040"
AGENT_ID = "341003199002150037"
ACCOUNT = "6217005590000000017"
POINT = "HS-TX-01"
COUNTER = Principal(roles=["clerk"], sub="clerk-01", service_point=POINT)
APPLICANT = Principal(roles=["citizen"], sub=APPLICANT_ID, name="刘洋")


class Cells(HTMLParser):
    """Table rows as lists of (attributes, text) per cell; enough to see which text sits in which row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[dict, list[tuple[dict, str]]]] = []
        self._cell: tuple[dict, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr":
            self.rows.append((dict(attrs), []))
        elif tag in ("td", "th"):
            self._cell = (dict(attrs), [])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1][1].append((self._cell[0], "".join(self._cell[1])))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[1].append(data)


def rows_of(html: str) -> list[tuple[dict, list[tuple[dict, str]]]]:
    parser = Cells()
    parser.feed(html)
    return parser.rows


def matter_rows(html: str) -> dict[str, str]:
    """Each printed matter row's text, by matter code."""
    return {attrs["data-matter"]: "|".join(text for _, text in cells) for attrs, cells in rows_of(html) if "data-matter" in attrs}


def material(kind: str, status: str, source: str | None = None) -> dict:
    return {"kind": kind, "status": status, **({"source": source} if source else {})}


def counter_case(
    matters: dict[str, dict], *, name: str = "刘洋", address: str = "安徽省黄山市徽州区岩寺镇文峰路9号", **extra
) -> CaseRecord:
    case = {
        "case_id": "b816ac5f-d870-4bbc-a4e0-455447547d9d",
        "id_number": APPLICANT_ID,
        "applicant_name": name,
        "channel": "offline",
        "service_point": POINT,
        "clerk": "clerk-01",
        "status": "draft",
        "created_at": "2026-11-30T02:10:00+00:00",
        "consent": {"notice_version": "2023.1", "consented_at": "2026-11-30T02:10:00+00:00"},
        "contact": {"phone": "13905590003", "address": address},
        "agent": {"name": "刘建国", "id_number": AGENT_ID, "phone": "13905599999", "relation": "父子"},
        "matter_codes": list(matters),
    } | extra
    return CaseRecord(
        case=case,
        matters={code: {"code": code, "status": "pending", "form": form} for code, form in matters.items()},
        materials={
            m["kind"]: m
            for m in (
                material("id_card_front", "provided", "data_sharing"),
                material("id_card_back", "provided", "data_sharing"),
                material("photo", "uploaded", "upload"),
                material("agent_id_card_front", "required"),
                material("agent_id_card_back", "deleted", "upload"),
            )
        },
    )


MULTI = {
    "reissue": {"kind": "lost", "bank": "中国农业银行黄山分行", "branch": "徽州支行"},
    "loss": {"action": "report"},
    "info_change": {"phone": "13905598888", "address": "安徽省黄山市徽州区文峰路12号"},
    "status_query": {},
    "pension_account": {"account_number": ACCOUNT},
}


def test_the_counter_copy_of_a_multi_matter_agent_case_holds_every_field_of_the_2023_form():
    html = render_form(counter_case(MULTI), COUNTER)
    for text in (
        "“我要办理社会保障卡”一件事申请表（2023版）",
        "服务事项名称",
        "需要办理",
        "所需材料",
        "必需提供",
        "依申请提供",
        "办理时限",
        "结果反馈",
        "支持通过安徽政务服务网、“皖事通”APP查询办理结果。",
        "承诺提交的所有材料真实、合法、有效。并承诺对因提交虚假材料引发的后果承担相应法律责任。",
        "申请人/代办人：（签名）",
        "年　　月　　日",
        "注：1.本表由本人或代办人填写，申报多项业务时，存在重复申报资料的，仅需提交一份。",
        "2.根据待遇发放业务流程，每月1至15日选择变更发放账号业务的，变更的新卡号将于次月生效用于待遇发放，本月待遇仍将打至原卡。",
        "代办人",
        "刘建国",
        "父子",
        POINT,
        "2026年11月30日 10:10",  # the filing time as read in Huangshan
        "@page { size: A4",
    ):
        assert text in html, text
    # The four applicant fields in one row, in the seed's order.
    applicant = [text for _, text in next(cells for attrs, cells in rows_of(html) if attrs.get("class") == "applicant")]
    assert applicant == [
        "申请人",
        "刘洋",
        "居民身份证号码（社会保障号码）",
        APPLICANT_ID,
        "联系电话",
        "13905590003",
        "联系地址",
        "安徽省黄山市徽州区岩寺镇文峰路9号",
    ]
    # The eight matters in the seed's order and words, each with its time limit; the ticked ones marked.
    printed = matter_rows(html)
    assert list(printed) == [c.value for c in CATALOGUE]
    seed_rows = {
        "apply": ("社会保障卡申领", "1个工作日"),
        "reissue": ("社会保障卡补领换领换发", "1个工作日"),
        "activate": ("社会保障卡启用", "即时办结"),
        "loss": ("社会保障卡挂失解挂", "即时办结"),
        "cancel": ("社会保障卡注销", "即时办结"),
        "info_change": ("社会保障卡信息修改", "即时办结"),
        "status_query": ("社会保障卡信息查询", "即时办结"),
        "pension_account": ("养老保险待遇发放账号维护申请", "1个工作日"),
    }
    for code, (label, limit) in seed_rows.items():
        row = printed[code]
        assert row.startswith(label + "|"), row
        assert f"|{limit}" in row, row
        assert "无需材料" in row, row  # 依申请提供, in every row
        assert ("☑" in row) == (code in MULTI) and ("☐" in row) == (code not in MULTI), row
    assert html.count("☑") == len(MULTI) and html.count("☐") == 8 - len(MULTI)
    # 必需提供 and 结果反馈 are each one cell spanning all eight matters, as on paper.
    first = next(cells for attrs, cells in rows_of(html) if attrs.get("data-matter") == "apply")
    spanning = [text for attrs, text in first if attrs.get("rowspan") == "8"]
    assert len(spanning) == 2
    assert spanning[0].startswith("本人身份证件（代办需提供双方身份证件）")
    assert spanning[1] == "支持通过安徽政务服务网、“皖事通”APP查询办理结果。"
    # Where each material came from, or where it stands.
    for line in (
        "居民身份证（人像面）：数据共享获取",
        "居民身份证（国徽面）：数据共享获取",
        "个人照片：上传提交",
        "代办人居民身份证（人像面）：待提交",
        "代办人居民身份证（国徽面）：上传提交（文件已按期删除）",
    ):
        assert line in spanning[0], line
    # One signature line with its date blanks.
    signature = [cells for attrs, cells in rows_of(html) if attrs.get("class") == "sign"]
    assert [[text for _, text in cells] for cells in signature] == [["申请人/代办人：（签名）", "年　　月　　日"]]
    assert "<script" not in html.lower()
    assert not re.search(r"(src|href)\s*=|url\(|@import", html), "no external resources"


@pytest.mark.parametrize(
    ("code", "form", "expected"),
    [
        ("apply", {"bank": "中国工商银行黄山分行", "branch": "屯溪老街支行"}, ["合作银行：中国工商银行黄山分行", "制卡网点：屯溪老街支行"]),
        (
            "reissue",
            {"kind": "lost", "bank": "中国农业银行黄山分行", "branch": "徽州支行"},
            ["补换类型：补领", "合作银行：中国农业银行黄山分行", "制卡网点：徽州支行"],
        ),
        ("reissue", {"kind": "damaged", "bank": "徽商银行黄山分行", "branch": "黄山区支行"}, ["补换类型：换领"]),
        ("reissue", {"kind": "expired", "bank": "徽商银行黄山分行", "branch": "黄山区支行"}, ["补换类型：换发"]),
        ("loss", {"action": "report"}, ["办理：挂失"]),
        ("loss", {"action": "revoke"}, ["办理：解挂"]),
        ("cancel", {"reason": "emigration"}, ["注销原因：出国（境）定居"]),
        ("cancel", {"reason": "duplicate"}, ["注销原因：重复持卡"]),
        ("cancel", {"reason": "deceased"}, ["注销原因：持卡人身故"]),
        ("cancel", {"reason": "other", "reason_text": "卡片芯片故障不再使用"}, ["注销原因：其他：卡片芯片故障不再使用"]),
        ("info_change", {"phone": "13905598888"}, ["新联系电话：13905598888"]),
        ("info_change", {"address": "黄山市歙县徽城镇1号"}, ["新联系地址：黄山市歙县徽城镇1号"]),
        (
            "info_change",
            {"phone": "13905598888", "address": "黄山市歙县徽城镇1号"},
            ["新联系电话：13905598888", "新联系地址：黄山市歙县徽城镇1号"],
        ),
        ("pension_account", {"account_number": ACCOUNT}, [f"新发放账号：{ACCOUNT}"]),
    ],
)
def test_beside_each_ticked_matter_is_what_was_requested_on_the_counter_copy_and_the_applicants_own(code, form, expected):
    for viewer in (COUNTER, APPLICANT):
        printed = matter_rows(render_form(counter_case({code: form, "status_query": {}}), viewer))
        for text in expected:
            assert text in printed[code], (viewer.roles, text, printed[code])
            others = [row for other, row in printed.items() if other != code]
            assert not any(text in row for row in others), text


def test_matters_without_a_form_are_ticked_without_details():
    printed = matter_rows(render_form(counter_case({"activate": {}, "status_query": {}}), COUNTER))
    assert printed["activate"].split("|")[1] == "☑"
    assert printed["status_query"].split("|")[1] == "☑"


def test_every_choice_of_every_form_has_its_chinese_words():
    labels = {("reissue", "kind"): REISSUE_KINDS, ("loss", "action"): LOSS_ACTIONS, ("cancel", "reason"): CANCEL_REASONS}
    for (code, field), words in labels.items():
        choices = next(f.choices for f in CATALOGUE[MatterCode(code)].form_fields if f.name == field)
        assert set(choices) == set(words), (code, field)
        for choice in choices:
            [(_, printed)] = [d for d in requested_details(code, {field: choice}) if d[0] != "合作银行"]
            assert printed == words[choice] and re.fullmatch(r"[\u4e00-\u9fff（）]+", printed), printed


def test_a_value_without_chinese_words_is_printed_as_stored_not_dropped():
    assert requested_details("loss", {"action": "freeze"}) == [("办理", "freeze")]


def test_the_counter_copy_and_the_applicants_own_copy_show_the_full_id_others_see_it_masked():
    record = counter_case(MULTI)
    counter = render_form(record, COUNTER)
    assert APPLICANT_ID in counter and "13905590003" in counter
    assert AGENT_ID in counter and "13905599999" in counter  # the counter files the agent's documents too
    assert "窗口存档联" in counter
    own = render_form(record, APPLICANT)
    assert APPLICANT_ID in own and "13905590003" in own and ACCOUNT in own and "13905598888" in own
    assert AGENT_ID not in own and "341003********0037" in own  # the agent's number is not the applicant's
    assert "申请人留存联" in own
    for other in (
        Principal(roles=["clerk"], sub="clerk-02", service_point="HS-HZ-02"),
        Principal(roles=["citizen"], sub=AGENT_ID),
    ):
        html = render_form(record, other)
        for secret in (APPLICANT_ID, AGENT_ID, "13905590003", "13905598888", ACCOUNT):
            assert secret not in html, (other.sub, secret)
        assert "341004********0040" in html and "139****0003" in html and "139****8888" in html and "***************0017" in html


def test_html_special_characters_in_names_addresses_and_requests_are_escaped():
    nasty = '<script>alert("x")</script>&\''
    record = counter_case(
        {
            "apply": {"bank": f"银行{nasty}", "branch": f"网点{nasty}"},
            "cancel": {"reason": "other", "reason_text": f"原因{nasty}"},
            "status_query": {},
        },
        name=f"刘{nasty}",
        address=f"地址{nasty}",
        agent={"name": f"代{nasty}", "id_number": AGENT_ID, "phone": "13905599999", "relation": f"亲{nasty}"},
    )
    html = render_form(record, COUNTER)
    assert "<script" not in html.lower()
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#x27;"
    for prefix in ("刘", "地址", "银行", "网点", "原因", "代", "亲"):
        assert prefix + escaped in html, prefix
    # Parsed back, the reader sees exactly what was typed.
    applicant = [text for _, text in next(cells for attrs, cells in rows_of(html) if attrs.get("class") == "applicant")]
    assert applicant[1] == f"刘{nasty}" and applicant[7] == f"地址{nasty}"


def test_an_online_case_prints_the_consent_and_still_the_signature_line():
    record = counter_case({"status_query": {}}, channel="online", service_point=None, clerk=None, agent=None)
    record.case.pop("agent")
    html = render_form(record, APPLICANT)
    assert "申请人已于2026年11月30日 10:10在线阅读用户须知（版本 2023.1）并勾选同意上述承诺" in html
    assert "申请人/代办人：（签名）" in html and "代办人电话" not in html and "线上" in html
