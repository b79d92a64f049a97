"""The residents file that seeds the simulators: the demo file, and refusals with the line at fault."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.cards import CardStatus
from chalicelib.residents import ResidentsFileError, load_residents, parse_residents

DEMO = Path(__file__).resolve().parents[2] / "data" / "residents.demo.json"


def resident(number: int, **changes: Any) -> dict[str, Any]:
    """A valid resident; `number` keeps ids, phones and cards apart."""
    ids = ["342701198503120022", "341003199002150037", "341004198811200040", "341021199507070051", "342701198001010069"]
    accounts = ["6217005590000000017", "6217005590000000025", "6217005590000000033", "6217005590000000041", "6217005590000000058"]
    base: dict[str, Any] = {
        "id_number": ids[number],
        "name": "测试居民",
        "phone": f"1390559000{number}",
        "address": "安徽省黄山市屯溪区新安北路18号",
        "district": "341002",
        "card": {
            "card_id": f"HS000{number}",
            "status": "active",
            "bank": "中国工商银行黄山分行",
            "branch": "屯溪老街支行",
            "account_number": accounts[number],
            "issued_on": "2021-05-10",
        },
        "pension": None,
        "shared": {"id_license": True, "police_photo": True},
    }
    base.update(changes)
    return base


def one_per_line(*residents: dict[str, Any]) -> str:
    """Line 1 opens the array, resident i is on line i + 2, the last line closes it."""
    body = ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in residents)
    return '{"residents": [\n' + body + "\n]}\n"


def refusal(text: str) -> ResidentsFileError:
    with pytest.raises(ResidentsFileError) as raised:
        parse_residents(text, "residents.json")
    return raised.value


# --- the demo file --------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> list[Any]:
    return load_residents(DEMO)


def test_the_demo_file_keeps_its_first_ten_residents_and_has_no_duplicates(demo: list[Any]) -> None:
    first_ten = ["王芳", "李强", "刘洋", "陈静", "杨磊", "赵敏", "黄秀英", "周建国", "吴磊", "徐丽"]
    assert [r.name for r in demo[:10]] == first_ten  # tests and the README use them
    assert len({r.id_number for r in demo}) == len(demo)


def test_the_demo_file_has_a_resident_in_every_card_state(demo: list[Any]) -> None:
    states = {r.card.status if r.card else "none" for r in demo}
    # a card the bank could not make (not_made) only comes from an approval in the service itself
    assert states == {"none", *CardStatus} - {CardStatus.NOT_MADE}


def test_the_demo_file_has_a_pensioner(demo: list[Any]) -> None:
    assert any(r.pension and r.pension.recipient for r in demo)


def test_the_demo_file_has_a_pensioner_paid_to_their_own_card(demo: list[Any]) -> None:
    assert any(r.pension and r.card and r.pension.payout_account == r.card.account_number for r in demo)


def test_the_demo_file_has_a_resident_without_shared_data(demo: list[Any]) -> None:
    assert any(not r.shared.id_license and not r.shared.police_photo for r in demo)


def test_loading_the_demo_file_by_path_equals_parsing_its_text(demo: list[Any]) -> None:
    assert parse_residents(DEMO.read_text(encoding="utf-8")) == demo


# --- valid variants -------------------------------------------------------------


def test_a_resident_without_card_pension_or_shared_data_is_accepted() -> None:
    minimal = {k: v for k, v in resident(0).items() if k not in ("card", "pension", "shared")}
    (parsed,) = parse_residents(json.dumps({"residents": [minimal]}))
    assert parsed.card is None
    assert parsed.pension is None
    assert not parsed.shared.id_license
    assert not parsed.shared.police_photo


def test_a_lowercase_x_in_an_id_is_stored_uppercase() -> None:
    (parsed,) = parse_residents(one_per_line(resident(0, id_number="34270119770606007x")))
    assert parsed.id_number == "34270119770606007X"


def test_an_empty_residents_list_is_accepted() -> None:
    assert parse_residents('{"residents": []}') == []


# --- refusals, with the line of the resident at fault ----------------------------


def test_a_bad_id_check_digit_is_reported_on_the_line_of_that_resident() -> None:
    text = one_per_line(resident(0), resident(1, id_number="341003199002150038"))
    assert text.splitlines()[2].lstrip().startswith('{"id_number": "341003199002150038"')
    error = refusal(text)
    assert error.line == 3
    assert "residents.json:3:" in str(error)
    assert "id_number" in str(error)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "2390559000"}, "phone"),
        ({"phone": "139055900011"}, "phone"),
        ({"district": "3410"}, "district"),
        ({"name": ""}, "name"),
        ({"nickname": "小王"}, "nickname"),
        ({"card": {**resident(2)["card"], "status": "stolen"}}, "status"),
        ({"card": {**resident(2)["card"], "account_number": "6217005590000000034"}}, "account_number"),
        ({"card": {**resident(2)["card"], "card_id": "HS 3"}}, "card_id"),
        ({"card": {**resident(2)["card"], "issued_on": "2021-02-30"}}, "issued_on"),
        ({"pension": {"recipient": "sometimes"}}, "recipient"),
        ({"shared": {"id_license": True, "fingerprint": True}}, "fingerprint"),
    ],
    ids=["phone-too-short", "phone-too-long", "district", "empty-name", "unknown-field", "unknown-card-status", "account-not-luhn",
         "card-id-with-space", "impossible-issue-date", "pension-recipient-not-bool", "unknown-shared-item"],
)  # fmt: skip
def test_an_invalid_resident_is_reported_on_its_line(changes: dict[str, Any], field: str) -> None:
    text = one_per_line(resident(0), resident(1), resident(2, **changes), resident(3))
    error = refusal(text)
    assert error.line == 4
    assert field in str(error)


def test_a_bad_phone_is_reported_on_the_line_of_that_resident() -> None:
    error = refusal(one_per_line(resident(0), resident(1), resident(2, phone="1390559")))
    assert error.line == 4
    assert "phone" in str(error)


def test_an_unknown_card_status_is_reported_on_the_line_of_that_resident() -> None:
    card = {**resident(1)["card"], "status": "frozen"}
    error = refusal(one_per_line(resident(0), resident(1, card=card)))
    assert error.line == 3
    assert "status" in str(error)


def test_a_duplicate_id_number_is_reported_on_the_line_of_the_second_resident() -> None:
    duplicate = resident(3, id_number=resident(1)["id_number"])
    error = refusal(one_per_line(resident(0), resident(1), resident(2), duplicate))
    assert error.line == 5
    assert "duplicate" in str(error)


def test_the_same_id_with_x_in_another_case_is_a_duplicate() -> None:
    error = refusal(one_per_line(resident(0, id_number="34270119770606007X"), resident(1, id_number="34270119770606007x")))
    assert error.line == 3


def test_a_duplicate_card_id_is_reported_on_the_line_of_the_second_resident() -> None:
    card = {**resident(2)["card"], "card_id": "HS0000"}
    error = refusal(one_per_line(resident(0), resident(1), resident(2, card=card)))
    assert error.line == 4
    assert "card_id" in str(error)


def test_a_resident_spread_over_several_lines_is_reported_on_its_first_line() -> None:
    text = json.dumps({"residents": [resident(0), resident(1, phone="x")]}, ensure_ascii=False, indent=2)
    first_line_of_second = (
        next(i for i, line in enumerate(text.splitlines(), start=1) if '"id_number": "341003199002150037"' in line) - 1
    )  # the line with the opening brace
    assert text.splitlines()[first_line_of_second - 1].strip() == "{"
    assert refusal(text).line == first_line_of_second


def test_a_resident_on_the_line_that_opens_the_array_is_reported_on_line_one() -> None:
    text = '{"residents": [' + json.dumps(resident(0, phone="bad")) + ",\n" + json.dumps(resident(1)) + "]}"
    assert refusal(text).line == 1


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('{"residents": [\n  {"id_number": "342701198503120022",\n   "name": "王芳"\n   "phone": "13905590001"}\n]}', 4),
        ('{"residents": [\n  {"name": "王芳"},\n  {name: "李强"}\n]}', 3),
        ('{"residents": [\n  {"name": "王芳"},\n  {"name": "李强"},\n]}', 4),
        ('{"residents": [\n  {"name": "王芳"}\n', 3),
        ("", 1),
    ],
    ids=["missing-comma", "unquoted-key", "trailing-comma", "unterminated", "empty-file"],
)
def test_invalid_json_is_reported_on_the_line_of_the_syntax_error(text: str, line: int) -> None:
    error = refusal(text)
    assert error.line == line
    assert "JSON" in str(error)


@pytest.mark.parametrize(
    "text",
    ['[{"id_number": "342701198503120022"}]', '{"people": []}', '{"residents": {"a": 1}}', '"residents"', "null"],
    ids=["bare-array", "wrong-key", "residents-not-a-list", "string", "null"],
)
def test_a_file_without_a_residents_list_is_refused_on_line_one(text: str) -> None:
    assert refusal(text).line == 1


def test_a_phone_with_full_width_digits_is_refused() -> None:
    phone = "1" + "3905590001".translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert refusal(one_per_line(resident(0), resident(1, phone=phone))).line == 3


def test_the_same_id_written_in_full_width_digits_is_not_a_second_person() -> None:
    full_width = resident(1)["id_number"].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert refusal(one_per_line(resident(0), resident(1), resident(2, id_number=full_width))).line == 4
