"""The cooperating banks file, name↔code mapping, masking for banks, and where a review is routed."""

from __future__ import annotations

import json

import pytest

from chalicelib.domain.banks import CITY, DISTRICTS, bank_by_code, find_bank, load_banks, review_district
from chalicelib.services.bank import mask_name
from tests.conftest import DEMO_RESIDENTS


def test_every_bank_and_branch_of_the_demo_residents_is_a_cooperating_bank_with_a_code():
    residents = json.loads(DEMO_RESIDENTS.read_text(encoding="utf-8"))["residents"]
    for r in residents:
        if r.get("card"):
            bank = find_bank(r["card"]["bank"])
            assert bank is not None, r["card"]["bank"]
            assert bank.branch(r["card"]["branch"]) is not None, (bank.code, r["card"]["branch"])


@pytest.mark.parametrize(
    ("named", "code"),
    [("中国建设银行黄山分行", "ccb"), ("ccb", "ccb"), (" 中国银行黄山分行 ", "boc"), ("黄山农村商业银行", "hsrcb")],
)
def test_a_bank_is_found_by_its_full_name_or_its_code(named, code):
    assert find_bank(named).code == code


@pytest.mark.parametrize("named", ["", "花旗银行", "中国", "CCB", "中国银行"])
def test_an_unknown_bank_is_none(named):
    assert find_bank(named) is None


def test_codes_and_names_each_name_one_bank_and_branches_are_in_huangshan():
    banks = load_banks()
    keys = [k for b in banks for k in (b.code, b.name)]
    assert len(keys) == len(set(keys))
    assert all(br.district in DISTRICTS for b in banks for br in b.branches)
    assert bank_by_code("boc").name == "中国银行黄山分行" and bank_by_code("nope") is None and bank_by_code(None) is None


@pytest.mark.parametrize(("name", "masked"), [("王芳", "王*"), ("黄秀英", "黄**"), ("欧阳娜娜", "欧***"), ("王", "王"), ("", "")])
def test_a_bank_sees_the_surname_only(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("card_system_district", "id_number", "queue"),
    [
        ("341003", "342701198001010069", "341003"),  # the card system's district wins
        ("341024", "341003199002150037", "341024"),
        (None, "341021199507070051", "341021"),  # no record: the ID's Huangshan region code
        ("", "341004198811200040", "341004"),
        ("340102", "341022199001010011", "341022"),  # a district outside Huangshan: not a reviewer's queue
        (None, "342701198001010069", CITY),  # an old Huizhou-area code (3427xx): the city
        (None, "110101199003070012", CITY),  # from elsewhere
        (None, "341001199003070012", CITY),  # 市辖区: no district reviewer
        ("341000", "110101199003070012", CITY),
        (None, "", CITY),
    ],
)
def test_every_review_reaches_a_queue_that_some_reviewer_sees(card_system_district, id_number, queue):
    assert review_district(card_system_district, id_number) == queue
    assert queue in DISTRICTS or queue == CITY
