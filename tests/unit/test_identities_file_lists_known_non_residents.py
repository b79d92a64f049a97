"""The identities file: people the population register knows who are not in the card system."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chalicelib.residents import ResidentsFileError, load_identities, load_residents, parse_identities, parse_residents

DATA = Path(__file__).resolve().parents[2] / "data"


def test_the_demo_identities_load_next_to_the_demo_residents_without_overlap() -> None:
    residents = load_residents(DATA / "residents.demo.json")
    identities = load_identities(DATA / "identities.demo.json", residents)
    assert len(identities) >= 3
    assert not {i.id_number for i in identities} & {r.id_number for r in residents}


def test_a_lowercase_x_is_stored_uppercase() -> None:
    (identity,) = parse_identities('{"identities": [{"id_number": "34102319751120014x", "name": "胡国平"}]}')
    assert identity.id_number == "34102319751120014X"


def test_a_bad_number_is_refused_on_its_line_naming_the_wrong_part() -> None:
    text = (
        '{"identities": [\n'
        '  {"id_number": "341002196506150030", "name": "吴建华"},\n'
        '  {"id_number": "341002196513150030", "name": "某人"}\n'
        "]}"
    )
    with pytest.raises(ResidentsFileError) as raised:
        parse_identities(text, "identities.json")
    assert raised.value.line == 3
    assert "identities.json:3:" in str(raised.value) and "birth_date" in str(raised.value)


def test_a_number_listed_twice_or_already_a_resident_is_refused() -> None:
    entry = '{"id_number": "341002196506150030", "name": "吴建华"}'
    twice = '{"identities": [\n' + entry + ",\n" + entry + "\n]}"
    with pytest.raises(ResidentsFileError, match="duplicate"):
        parse_identities(twice)
    resident = json.loads((DATA / "residents.demo.json").read_text(encoding="utf-8"))["residents"][0]
    residents = parse_residents(json.dumps({"residents": [resident]}))
    with pytest.raises(ResidentsFileError, match="duplicate"):
        parse_identities(json.dumps({"identities": [{"id_number": resident["id_number"], "name": resident["name"]}]}), residents=residents)


@pytest.mark.parametrize("text", ["[]", '{"people": []}', "{", '{"identities": [{"id_number": "341002196506150030"}]}'])
def test_a_file_of_the_wrong_shape_is_refused(text: str) -> None:
    with pytest.raises(ResidentsFileError):
        parse_identities(text)
