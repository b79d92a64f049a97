"""The bank's card list, the service point's list and a card's random id, on real DynamoDB semantics (DynamoDB Local)."""

from __future__ import annotations

from chalicelib.adapters.simulators import seed_simulators
from chalicelib.residents import load_residents
from tests.conftest import DEMO_RESIDENTS, demo_resident
from tests.integration.test_store_on_dynamodb_local import endpoint, services  # noqa: F401 (fixtures)


def counter_case(services, case_id, point, person_key, created_at):  # noqa: F811
    services.store.create(
        {
            "case_id": case_id,
            "person_key": person_key,
            "id_number": "341003199002150037",
            "created_at": created_at,
            "status": "draft",
            "matter_codes": ["status_query"],
            "contact": {"phone": "13905590002", "address": "黄山"},
            "channel": "offline",
            "service_point": point,
        },
        [{"code": "status_query", "status": "pending", "form": {}}],
        {"kind": "created", "text": "created"},
    )


def test_a_service_points_list_is_newest_first_and_a_persons_search_stays_at_the_point(services):  # noqa: F811
    counter_case(services, "00000000-0000-4000-8000-000000000001", "A", "p1", "2026-11-29T01:00:00.000+00:00")
    counter_case(services, "00000000-0000-4000-8000-000000000002", "A", "p2", "2026-11-29T02:00:00.000+00:00")
    counter_case(services, "00000000-0000-4000-8000-000000000003", "B", "p1", "2026-11-29T03:00:00.000+00:00")
    at_a, _ = services.store.list_service_point_cases("A", 10, None)
    assert [c["case_id"][-1] for c in at_a] == ["2", "1"]
    first, cursor = services.store.list_service_point_cases("A", 1, None)
    rest, _ = services.store.list_service_point_cases("A", 1, cursor)
    assert [c["case_id"][-1] for c in first + rest] == ["2", "1"]
    found, _ = services.store.list_for_person_at_point("p1", "A", 10)
    assert [c["case_id"][-1] for c in found] == ["1"]


def test_a_card_order_leaves_the_banks_list_once(services):  # noqa: F811
    case_id = "00000000-0000-4000-8000-000000000009"
    counter_case(services, case_id, "A", "p1", "2026-11-29T01:00:00.000+00:00")
    order = {"card_id": "HS00AA", "status": "awaiting_production", "bank_code": "boc", "ordered_at": "2026-11-29T02:00:00.000+00:00"}
    assert services.store.put_card_order(case_id, order)
    assert not services.store.put_card_order(case_id, {**order, "ordered_at": "2026-11-29T03:00:00.000+00:00"})
    assert [o["ordered_at"] for o in services.store.list_bank_cards("boc", 10, None)[0]] == ["2026-11-29T02:00:00.000+00:00"]
    assert services.store.close_card_order(case_id, "HS00AA", "issued", "2026-11-29T04:00:00.000+00:00")
    assert not services.store.close_card_order(case_id, "HS00AA", "not_made", "2026-11-29T05:00:00.000+00:00")
    assert services.store.list_bank_cards("boc", 10, None)[0] == []


def test_a_replayed_approval_finds_its_random_card_and_the_bank_can_fail_it_once(services):  # noqa: F811
    seed_simulators(services.dynamodb.Table(services.settings.simulator_table), services.person_key, load_residents(DEMO_RESIDENTS))
    person = demo_resident("杨磊")["id_number"]
    cards = services.card_system
    first = cards.issue_new_card(person, "中国银行黄山分行", "休宁支行", "c#apply", "c", None, bank_code="boc")
    assert cards.issue_new_card(person, "中国银行黄山分行", "休宁支行", "c#apply", "c", None, bank_code="boc") == first
    card, case_id, changed = cards.mark_not_made(first.card_id, "芯片写入失败")
    assert (card.status.value, case_id, changed) == ("not_made", "c", True)
    assert cards.mark_not_made(first.card_id, "芯片写入失败")[2] is False
    assert cards.card_owner_item(first.card_id)["bank_code"] == "boc"
