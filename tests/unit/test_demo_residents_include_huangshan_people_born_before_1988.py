"""The demo residents include Huangshan people born before their 3410xx region code existed (domain.md §7a)."""

from __future__ import annotations

import json
from pathlib import Path

from chalicelib.domain.cards import CardStatus
from chalicelib.residents import ResidentsFileError, load_residents, parse_residents

DEMO = Path(__file__).resolve().parents[2] / "data" / "residents.demo.json"


def test_several_demo_residents_carry_a_huangshan_code_and_were_born_before_1988() -> None:
    early = [r for r in load_residents(DEMO) if r.id_number.startswith("3410") and int(r.id_number[6:10]) < 1988]
    assert len(early) >= 3


def test_a_pensioner_born_in_1950_under_341002_has_an_active_card() -> None:
    (pensioner,) = [r for r in load_residents(DEMO) if r.id_number.startswith("341002") and r.id_number[6:10] == "1950"]
    assert pensioner.pension is not None and pensioner.pension.recipient
    assert pensioner.card is not None and pensioner.card.status == CardStatus.ACTIVE


def test_a_bad_number_in_the_residents_file_names_the_wrong_part() -> None:
    resident = json.loads(DEMO.read_text(encoding="utf-8"))["residents"][0]
    for number, part in (
        ("341002195003150123", "check_character"),
        ("341002195002300122", "birth_date"),
        ("001002195003150122", "province"),
        ("34100219500315012", "format"),
    ):
        try:
            parse_residents(json.dumps({"residents": [{**resident, "id_number": number}]}), "residents.json")
        except ResidentsFileError as error:
            assert f"wrong {part}" in str(error), (number, str(error))
        else:
            raise AssertionError(f"{number} was accepted")
