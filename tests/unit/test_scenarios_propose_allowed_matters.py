"""Scenario guidance (domain.md §8a): each life situation proposes matters the rules allow."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from chalicelib.domain.cards import Card, CardStatus, PensionRecord
from chalicelib.domain.catalogue import CATALOGUE, FORM_MODELS, MatterCode, parse_form
from chalicelib.domain.prejudge import PersonRecords, conflicting_matters, prejudge
from chalicelib.domain.scenarios import SCENARIOS, Scenario, scenario

M = MatterCode
CJK = re.compile(r"[\u4e00-\u9fff]")
ACCOUNT = "6217005590000000017"

# domain.md §8a, one line per situation: title -> the matters with what the situation decides.
SECTION_8A = {
    "第一次办卡": {M.APPLY: {}, M.STATUS_QUERY: {}},
    "卡丢了": {M.LOSS: {"action": "report"}, M.REISSUE: {"kind": "lost"}},
    "卡坏了": {M.REISSUE: {"kind": "damaged"}},
    "卡过期了": {M.REISSUE: {"kind": "expired"}},
    "领到新卡": {M.ACTIVATE: {}},
    "找回了挂失的卡": {M.LOSS: {"action": "revoke"}},
    "换了手机号或地址": {M.INFO_CHANGE: {}},
    "退休了，要换养老金到账的卡": {M.PENSION_ACCOUNT: {}},
    "不再使用这张卡": {M.CANCEL: {}, M.STATUS_QUERY: {}},
    "想知道卡的状态": {M.STATUS_QUERY: {}},
}

# What an applicant would type into the fields a scenario leaves open.
APPLICANT_INPUT = {
    "bank": "中国工商银行黄山分行",
    "branch": "屯溪老街支行",
    "phone": "13905590099",
    "address": "安徽省黄山市屯溪区新安北路18号",
    "account_number": ACCOUNT,
    "reason": "emigration",
}


def _filled(s: Scenario) -> dict[MatterCode, object]:
    return {
        m.code: parse_form(m.code, {**m.form_dict(), **{f: APPLICANT_INPUT[f] for f in m.remaining if f in APPLICANT_INPUT}})
        for m in s.matters
    }


def test_the_scenarios_are_those_of_domain_md() -> None:
    assert {s.title: {m.code: m.form_dict() for m in s.matters} for s in SCENARIOS} == SECTION_8A
    assert len({s.code for s in SCENARIOS}) == len(SCENARIOS)
    for s in SCENARIOS:
        assert re.fullmatch(r"[a-z_]+", s.code) and scenario(s.code) is s
        assert CJK.search(s.description) and not re.search(r"[A-Za-z]", s.title + s.description)
    assert scenario("no_such_scenario") is None


@pytest.mark.parametrize("s", SCENARIOS, ids=lambda s: s.code)
def test_each_proposal_is_a_combination_the_rules_allow(s: Scenario) -> None:
    as_proposed = {m.code: FORM_MODELS[m.code].model_construct(**m.form_dict()) for m in s.matters}
    assert conflicting_matters(as_proposed) == []
    assert conflicting_matters(_filled(s)) == []


@pytest.mark.parametrize("s", SCENARIOS, ids=lambda s: s.code)
def test_each_form_validates_as_proposed_or_names_exactly_the_fields_left_to_the_applicant(s: Scenario) -> None:
    for m in s.matters:
        fields = {f.name: f for f in CATALOGUE[m.code].form_fields}
        assert set(m.remaining) <= set(fields), m
        assert not set(m.remaining) & set(m.form), m
        if not m.remaining:
            parse_form(m.code, m.form_dict())  # complete: valid as it is
            continue
        with pytest.raises(ValidationError):
            parse_form(m.code, m.form_dict())
        # every required field is either proposed or left to the applicant
        assert {n for n, f in fields.items() if f.required} <= set(m.form) | set(m.remaining), m
    _filled(s)  # and with the applicant's input every form validates
    assert s.complete == all(not m.remaining for m in s.matters)


ACTIVE = Card("HS1", CardStatus.ACTIVE, "中国工商银行黄山分行", "屯溪老街支行", ACCOUNT)

# The person each situation is for: its proposal, completed, passes pre-judgment.
FOR_WHOM = {
    "first_card": PersonRecords(card=None),
    "card_lost": PersonRecords(card=ACTIVE),
    "card_damaged": PersonRecords(card=ACTIVE),
    "card_expired": PersonRecords(card=ACTIVE.with_status(CardStatus.ISSUED)),
    "card_received": PersonRecords(card=ACTIVE.with_status(CardStatus.ISSUED)),
    "card_found": PersonRecords(card=ACTIVE.with_status(CardStatus.LOST)),
    "contact_changed": PersonRecords(card=ACTIVE),
    "pension_account": PersonRecords(card=ACTIVE, pension=PensionRecord(recipient=True, payout_account="6222005590000009992")),
    "stop_using": PersonRecords(card=ACTIVE),
    "card_status": PersonRecords(card=None),
}


@pytest.mark.parametrize("s", SCENARIOS, ids=lambda s: s.code)
def test_each_proposal_passes_for_the_person_in_that_situation(s: Scenario) -> None:
    assert prejudge(_filled(s), FOR_WHOM[s.code]).passed


def test_a_proposal_for_someone_else_fails_with_the_reason() -> None:
    found = scenario("card_found")
    assert found is not None
    judgment = prejudge(_filled(found), PersonRecords(card=ACTIVE))
    assert [r.code for _, r in judgment.failures] == ["CARD_NOT_LOST"]


def _as_proposed(code: str) -> dict[MatterCode, object]:
    s = scenario(code)
    assert s is not None
    return {m.code: FORM_MODELS[m.code].model_construct(**m.form_dict()) for m in s.matters}


def test_before_the_forms_an_open_payout_account_is_judged_on_everything_but_its_owner() -> None:
    records = FOR_WHOM["pension_account"]
    assert prejudge(_as_proposed("pension_account"), records).passed
    not_pensioner = prejudge(_as_proposed("pension_account"), PersonRecords(card=ACTIVE.with_status(CardStatus.LOST)))
    assert [r.code for _, r in not_pensioner.failures] == ["NOT_PENSIONER", "CARD_NOT_ACTIVE"]
    # once given, the account is checked
    other = {M.PENSION_ACCOUNT: parse_form(M.PENSION_ACCOUNT, {"account_number": "6222005590000001239"})}
    assert [r.code for _, r in prejudge(other, records).failures] == ["ACCOUNT_NOT_OWN_CARD"]


def test_before_the_forms_an_open_cancel_reason_is_judged_on_the_card() -> None:
    assert prejudge(_as_proposed("stop_using"), PersonRecords(card=ACTIVE)).passed
    bound = PersonRecords(card=ACTIVE, pension=PensionRecord(recipient=True, payout_account=ACCOUNT))
    assert [r.code for _, r in prejudge(_as_proposed("stop_using"), bound).failures] == ["PAYOUT_ACCOUNT_BOUND"]
