"""The cooperating banks and branches (data/banks.json) and the apply/reissue forms that name them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from chalicelib.domain.banks import (
    DISTRICTS,
    bank_by_code,
    bank_by_name,
    banks_in,
    branch_of,
    find_bank,
    load_banks,
    parse_banks,
)
from chalicelib.domain.catalogue import MatterCode, parse_form
from chalicelib.validation import field_errors

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_bank_and_branch_of_the_demo_residents_and_the_readme_is_a_cooperating_one() -> None:
    residents = json.loads((ROOT / "data" / "residents.demo.json").read_text(encoding="utf-8"))["residents"]
    cards = [r["card"] for r in residents if r.get("card")]
    assert cards
    for card in cards:
        assert branch_of(card["bank"], card["branch"]) is not None, card
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = re.findall(r'"bank": "([^"]+)", "branch": "([^"]+)"', readme)
    assert named
    for bank, branch in named:
        assert branch_of(bank, branch) is not None, (bank, branch)


@pytest.mark.parametrize("district", sorted(DISTRICTS))
def test_every_district_of_huangshan_has_several_branches_of_several_banks(district: str) -> None:
    here = banks_in(district)
    assert len(here) >= 3
    assert sum(len(b.branches) for b in here) >= 3
    assert all(branch.district == district for bank in here for branch in bank.branches)


def test_codes_are_unique_and_names_are_chinese() -> None:
    banks = load_banks()
    codes = [b.code for b in banks] + [x.code for b in banks for x in b.branches]
    assert len(codes) == len(set(codes))
    for bank in banks:
        assert CJK.search(bank.name) and re.fullmatch(r"[a-z]+", bank.code)
        for branch in bank.branches:
            assert branch.code.startswith(bank.code + "-"), branch
            assert CJK.search(branch.name) and branch.district_name == DISTRICTS[branch.district]


def test_a_bank_is_found_by_its_name_or_code_and_a_branch_only_within_its_bank() -> None:
    icbc = bank_by_code("icbc")
    assert icbc is not None and icbc.name == "中国工商银行黄山分行"
    assert bank_by_name("中国工商银行黄山分行") is icbc
    assert find_bank("icbc") is icbc and find_bank("中国工商银行黄山分行") is icbc
    assert bank_by_code("中国工商银行黄山分行") is None and bank_by_name("icbc") is None
    assert find_bank("中国银行") is None  # a name is the full name of the list
    assert branch_of("icbc", "屯溪老街支行").code == "icbc-tunxi-laojie"
    assert branch_of("中国工商银行黄山分行", "icbc-tunxi-laojie").name == "屯溪老街支行"
    # the same branch name at two banks is two branches
    assert branch_of("中国银行黄山分行", "屯溪支行").code == "boc-tunxi"
    assert branch_of("中国工商银行黄山分行", "屯溪支行").code == "icbc-tunxi"
    assert branch_of("中国银行黄山分行", "屯溪老街支行") is None  # a branch of another bank
    assert branch_of("中国银行黄山分行", "icbc-tunxi-laojie") is None
    assert branch_of("不存在的银行", "屯溪支行") is None


def test_the_list_is_read_once() -> None:
    assert load_banks()[0] is load_banks()[0]
    first = load_banks()
    first.clear()  # a caller's list is its own
    assert load_banks()


def test_a_district_filter_keeps_only_the_branches_there() -> None:
    yixian = banks_in("341023")
    assert {b.code for b in yixian} == {"icbc", "abc", "psbc", "hsrcb"}
    assert [x.name for b in yixian for x in b.branches if b.code == "psbc"] == ["黟县支行"]
    assert banks_in(None) == load_banks()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({}, "at least one bank"),
        ({"banks": []}, "at least one bank"),
        ({"banks": [{"code": "x", "name": "某银行"}]}, "lacks"),
        ({"banks": [{"code": "x", "name": "某银行", "branches": []}]}, "no branch"),
        ({"banks": [{"code": "x", "name": "某银行", "branches": [{"code": "x-a", "name": "甲支行", "district": "110101"}]}]}, "district"),
        (
            {
                "banks": [
                    {"code": "x", "name": "某银行", "branches": [{"code": "x-a", "name": "甲支行", "district": "341002"}]},
                    {"code": "x", "name": "另一银行", "branches": [{"code": "x-b", "name": "乙支行", "district": "341002"}]},
                ]
            },
            "twice",
        ),
        (
            {
                "banks": [
                    {
                        "code": "x",
                        "name": "某银行",
                        "branches": [
                            {"code": "x-a", "name": "甲支行", "district": "341002"},
                            {"code": "x-a", "name": "乙支行", "district": "341002"},
                        ],
                    }
                ]
            },
            "twice",
        ),
        (
            {
                "banks": [
                    {
                        "code": "x",
                        "name": "某银行",
                        "branches": [
                            {"code": "x-a", "name": "甲支行", "district": "341002"},
                            {"code": "x-b", "name": "甲支行", "district": "341003"},
                        ],
                    }
                ]
            },
            "same name",
        ),
    ],
)
def test_a_bad_data_file_is_refused_saying_what_is_wrong(data: object, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_banks(data)


# --- the forms -------------------------------------------------------------------


@pytest.mark.parametrize("matter", [MatterCode.APPLY, MatterCode.REISSUE])
def test_the_card_forms_take_a_bank_and_branch_by_name_or_code_and_keep_the_names(matter: MatterCode) -> None:
    extra = {"kind": "damaged"} if matter == MatterCode.REISSUE else {}
    by_name = parse_form(matter, {"bank": "中国银行黄山分行", "branch": "休宁支行", **extra})
    by_code = parse_form(matter, {"bank": "boc", "branch": "boc-xiuning", **extra})
    assert by_name.model_dump() == by_code.model_dump()
    assert (by_code.bank, by_code.branch) == ("中国银行黄山分行", "休宁支行")


def _errors(matter: MatterCode, form: dict) -> list[dict[str, str]]:
    with pytest.raises(ValidationError) as raised:
        parse_form(matter, form)
    return field_errors(raised.value, prefix="matters[0].form")


@pytest.mark.parametrize("matter", [MatterCode.APPLY, MatterCode.REISSUE])
def test_an_unknown_bank_is_refused_naming_the_bank_field_only(matter: MatterCode) -> None:
    extra = {"kind": "lost"} if matter == MatterCode.REISSUE else {}
    errors = _errors(matter, {"bank": "中国银行", "branch": "屯溪支行", **extra})
    assert [(e["field"], e["code"]) for e in errors] == [("matters[0].form.bank", "UNKNOWN_BANK")]
    assert "中国银行" in errors[0]["message"] and "合作银行" in errors[0]["message"]


@pytest.mark.parametrize("matter", [MatterCode.APPLY, MatterCode.REISSUE])
def test_a_branch_of_another_bank_is_refused_naming_the_branch_field(matter: MatterCode) -> None:
    extra = {"kind": "expired"} if matter == MatterCode.REISSUE else {}
    errors = _errors(matter, {"bank": "中国银行黄山分行", "branch": "屯溪老街支行", **extra})
    assert [(e["field"], e["code"]) for e in errors] == [("matters[0].form.branch", "UNKNOWN_BRANCH")]
    assert "中国银行黄山分行" in errors[0]["message"] and "屯溪老街支行" in errors[0]["message"]
    assert not re.search(r"[A-Za-z]", errors[0]["message"])
