"""The in-memory card system, pension system and data sharing (tests/service/fakes.py) answer every
operation as the DynamoDB-backed simulators do (chalicelib/adapters/simulators.py): the same script of
operations, on the same demo people, gives the same answers and refusals on both.

This is what lets the service-level tests stand on the fakes. The simulators run on moto here, the only
place in tests/service that uses it: a simulator call costs ~20 ms there, a fake's a few microseconds.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.domain.cards import Card, PensionRecord
from chalicelib.ports import ExternalRefusal
from chalicelib.settings import Settings
from chalicelib.wiring import Services
from tests.conftest import demo_resident
from tests.service.conftest import _people
from tests.service.fakes import external_systems

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
STRANGER = "110101198001010053"


def ids(name: str) -> str:
    return demo_resident(name)["id_number"]


class Answers:
    """What a script got, with the card ids and accounts a system drew at random named by their order."""

    def __init__(self) -> None:
        self.seen: list[Any] = []
        self.drawn: dict[str, str] = {}

    def name(self, value: str) -> str:
        if value.startswith("HS") and len(value) == 18 or value.startswith("621700") and len(value) == 19:
            return self.drawn.setdefault(value, f"drawn-{len(self.drawn)}")
        return value

    def plain(self, value: Any) -> Any:
        if isinstance(value, Card):
            return ("card", self.name(value.card_id), value.status.value, value.bank, value.branch, self.name(value.account_number),
                    value.issued_on, value.bank_code)  # fmt: skip
        if isinstance(value, PensionRecord):
            return ("pension", value.recipient, value.payout_account, value.pending_account, value.pending_effective_month)
        if isinstance(value, tuple):
            return tuple(self.plain(v) for v in value)
        if isinstance(value, dict):
            kept = ("card_id", "status", "bank", "bank_code", "branch", "case_id", "replaces", "issued_on")
            return {k: self.plain(v) if isinstance(v, str) else v for k, v in value.items() if k in kept}
        if isinstance(value, str):
            return self.name(value)
        return value

    def call(self, operation: Any, *args: Any) -> Any:
        try:
            answer = operation(*args)
        except ExternalRefusal as refusal:
            self.seen.append(("refused", operation.__name__, refusal.code, refusal.message))
            return None
        self.seen.append((operation.__name__, self.plain(answer)))
        return answer


def script(cards: Any, pension: Any, sharing: Any) -> list[Any]:
    got = Answers()
    for name in ("王芳", "李强", "刘洋", "陈静", "杨磊", "赵敏", "吴磊"):
        got.call(cards.current_card, ids(name))
        got.call(cards.profile, ids(name))
    got.call(cards.profile, STRANGER)
    # the immediate matters: transitions, replays and refusals
    got.call(cards.activate, ids("李强"), "case-1#activate")
    got.call(cards.activate, ids("李强"), "case-1#activate")
    got.call(cards.activate, ids("李强"), "case-2#activate")
    got.call(cards.activate, ids("吴磊"), "case-3#activate")
    got.call(cards.activate, ids("杨磊"), "case-4#activate")
    got.call(cards.report_loss, ids("王芳"), "case-5#loss")
    got.call(cards.report_loss, ids("王芳"), "case-6#loss")
    got.call(cards.report_loss, ids("吴磊"), "case-7#loss")
    got.call(cards.revoke_loss, ids("刘洋"), "case-8#loss")
    got.call(cards.revoke_loss, ids("李强"), "case-9#loss")
    got.call(cards.cancel, ids("徐丽"), "emigration", "case-10#cancel")
    got.call(cards.cancel, ids("徐丽"), "emigration", "case-11#cancel")
    got.call(cards.change_contact, ids("方淑珍"), "13800001111", "黄山市歙县新路1号", "case-12#info_change")
    got.call(cards.change_contact, ids("方淑珍"), None, "黄山市歙县新路2号", "case-13#info_change")
    got.call(cards.change_contact, ids("吴磊"), "13800001111", None, "case-14#info_change")
    got.call(cards.change_contact, ids("徐丽"), "13800001111", None, "case-15#info_change")
    # the reviewed matters: a new card, its replay, the bank's reports
    made = got.call(cards.issue_new_card, ids("杨磊"), "中国银行黄山分行", "休宁支行", "case-16#apply", "case-16", None, "boc")
    got.call(cards.issue_new_card, ids("杨磊"), "中国银行黄山分行", "休宁支行", "case-16#apply", "case-16", None, "boc")
    got.call(cards.current_card, ids("杨磊"))
    got.call(cards.card_owner_item, made.card_id)
    got.call(cards.card_owner_item, "HS0000000000000000")
    got.call(cards.mark_issued, made.card_id, "2026-12-02")
    got.call(cards.mark_issued, made.card_id, "2026-12-03")
    got.call(cards.mark_not_made, made.card_id, "芯片写入失败")
    got.call(cards.mark_issued, "HS0000000000000000", "2026-12-02")
    got.call(cards.mark_not_made, "HS0000000000000000", "芯片写入失败")
    replacing = got.call(cards.issue_new_card, ids("刘洋"), "中国银行黄山分行", "休宁支行", "case-17#reissue", "case-17", "HS0003", "boc")
    got.call(cards.mark_issued, replacing.card_id, "2026-12-02")
    got.call(cards.card_owner_item, "HS0003")
    got.call(cards.current_card, ids("刘洋"))
    failing = got.call(cards.issue_new_card, ids("王芳"), "中国银行黄山分行", "屯溪支行", "case-18#reissue", "case-18", "HS0001", "boc")
    got.call(cards.mark_not_made, failing.card_id, "芯片写入失败")
    got.call(cards.mark_not_made, failing.card_id, "芯片写入失败")
    got.call(cards.mark_issued, failing.card_id, "2026-12-02")
    got.call(cards.current_card, ids("王芳"))
    got.call(cards.mark_issued, "HS0004", "2026-12-02")  # a card already waiting at its bank before the service
    # the pension system
    for name in ("黄秀英", "周建国", "李强"):
        got.call(pension.record, ids(name))
    got.call(pension.accept_change, ids("黄秀英"), "6217005590000000074", "2027-01", "case-19.pension_account")
    got.call(pension.accept_change, ids("李强"), "6217005590000000074", "2027-01", "case-20.pension_account")
    got.call(pension.switch_payout, ids("黄秀英"), "case-21.pension_account")
    got.call(pension.switch_payout, ids("黄秀英"), "case-19.pension_account")
    got.call(pension.switch_payout, ids("黄秀英"), "case-19.pension_account")
    # data sharing
    for name in ("王芳", "赵敏", "吴磊", "胡国平"):
        got.call(sharing.shared_materials, ids(name))
        got.call(sharing.document_key, ids(name), "police_photo")
    got.call(sharing.verify_identity, ids("汪德华"), "汪 德华")
    got.call(sharing.verify_identity, ids("汪德华"), "汪德化")
    got.call(sharing.verify_identity, "341002196506150030", "吴建华")
    got.call(sharing.verify_identity, STRANGER, "赵小明")
    return got.seen


@pytest.fixture
def simulators() -> Iterator[tuple[Any, Any, Any]]:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    import boto3
    from moto import mock_aws

    from chalicelib.adapters.simulators import (
        CardSystemSimulator,
        DataSharingSimulator,
        PensionSystemSimulator,
        seed_identities,
        seed_simulators,
    )
    from chalicelib.localstack import template_resources

    residents, identities = _people()
    person_key = Services(Settings(stage="test")).person_key
    props = template_resources("AWS::DynamoDB::Table")["SimulatorTable"]["Properties"]
    name = f"SimulatorTable-{secrets.token_hex(4)}"  # a worker's local stack may share moto's backend with this table
    with mock_aws():
        dynamodb = boto3.resource("dynamodb", region_name="us-east-1")
        dynamodb.meta.client.create_table(TableName=name, **{k: props[k] for k in ("AttributeDefinitions", "KeySchema", "BillingMode")})
        table = dynamodb.Table(name)
        seed_simulators(table, person_key, residents)
        seed_identities(table, person_key, identities)
        yield (
            CardSystemSimulator(table, person_key, clock=lambda: NOW),
            PensionSystemSimulator(table, person_key, clock=lambda: NOW),
            DataSharingSimulator(table, person_key, clock=lambda: NOW),
        )


def test_every_operation_answers_alike_on_the_fakes_and_on_the_simulators(simulators):
    residents, identities = _people()
    fakes = external_systems(residents, identities, lambda: NOW, Services(Settings(stage="test")).person_key)
    on_fakes = script(*fakes)
    assert len(on_fakes) > 60 and any(answer[0] == "refused" for answer in on_fakes)
    assert on_fakes == script(*simulators)


def test_card_ids_are_random_yet_a_replayed_approval_finds_the_same_card(simulators):
    import hashlib

    cards = simulators[0]
    issue = cards.issue_new_card
    first = issue(ids("杨磊"), "中国银行黄山分行", "休宁支行", "case-x#apply", "case-x", None, "boc")
    assert issue(ids("杨磊"), "中国银行黄山分行", "休宁支行", "case-x#apply", "case-x", None, "boc") == first
    other = issue(ids("杨磊"), "中国银行黄山分行", "休宁支行", "case-y#apply", "case-y", None, "boc")
    assert other.card_id != first.card_id
    assert first.card_id != "HS" + hashlib.sha256(b"case-x#apply").hexdigest()[:16].upper()  # not derived from the operation
    assert first.card_id.startswith("HS") and len(first.card_id) == 18 and first.bank_code == "boc"
