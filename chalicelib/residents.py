"""The residents file that seeds the external-system simulators, and the identities file.

`{"residents": [ ... ]}`; see README. An invalid file is refused with the line of
the resident (or the JSON syntax error) at fault.

The identities file, `{"identities": [{"id_number": ..., "name": ...}, ...]}`, lists
people the population register (公安人口信息, behind data sharing) knows who are not in
the card system, e.g. agents (代办人) at the counter; refused the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from chalicelib.domain.accounts import is_bank_card_number
from chalicelib.domain.cards import CardStatus
from chalicelib.domain.resident_id import normalize_resident_id, resident_id_error

_M = TypeVar("_M", bound=BaseModel)


class ResidentsFileError(ValueError):
    def __init__(self, path: str, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.line = line


def _valid_id(value: str) -> str:
    error = resident_id_error(value)
    if error is not None:  # name the wrong part: format, province, birth_date or check_character
        raise ValueError(f"id_number is not a valid resident ID, wrong {error.part}: {error.message}")
    return normalize_resident_id(value)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ResidentCard(_Strict):
    card_id: str = Field(min_length=4, max_length=32, pattern=r"^[A-Za-z0-9-]+$")
    status: CardStatus
    bank: str = Field(min_length=1)
    branch: str = Field(min_length=1)
    account_number: str
    issued_on: date | None = None

    @field_validator("account_number")
    @classmethod
    def _account(cls, value: str) -> str:
        if not is_bank_card_number(value):
            raise ValueError("account_number is not a Luhn-valid 16-19 digit bank card number")
        return value


class ResidentPension(_Strict):
    recipient: bool
    payout_account: str | None = None


class ResidentShared(_Strict):
    id_license: bool = False
    police_photo: bool = False


class Resident(_Strict):
    id_number: str
    name: str = Field(min_length=1, max_length=40)
    phone: str = Field(pattern=r"^1[0-9]{10}$")
    address: str = Field(min_length=1)
    district: str = Field(pattern=r"^[0-9]{6}$")
    card: ResidentCard | None = None
    pension: ResidentPension | None = None
    shared: ResidentShared = ResidentShared()
    kind: Literal["resident"] = "resident"

    _id = field_validator("id_number")(_valid_id)


def _element_lines(text: str, key: str = "residents") -> list[int]:
    """1-based line of each element of the top-level `key` array."""
    decoder = json.JSONDecoder()
    start = text.find("[", text.find(f'"{key}"'))
    lines: list[int] = []
    pos = start + 1
    while pos < len(text):
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            break
        lines.append(text.count("\n", 0, pos) + 1)
        _, pos = decoder.raw_decode(text, pos)
    return lines


def _entries(text: str, path: str, key: str, model: type[_M], label: str) -> Iterator[tuple[int, int, _M]]:
    """(index, line, entry) of each element of the file's top-level `key` array, validated; the first bad one is
    refused with its line."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ResidentsFileError(path, error.lineno, f"invalid JSON: {error.msg}") from error
    if not isinstance(document, dict) or not isinstance(document.get(key), list):
        raise ResidentsFileError(path, 1, f'expected {{"{key}": [ ... ]}}')
    lines = _element_lines(text, key)
    for index, raw in enumerate(document[key]):
        line = lines[index] if index < len(lines) else 1
        try:
            entry = model.model_validate(raw)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ResidentsFileError(path, line, f"{label} #{index + 1}: {where}: {first['msg']}") from None
        yield index, line, entry


def parse_residents(text: str, path: str = "<residents>") -> list[Resident]:
    residents: list[Resident] = []
    seen: set[str] = set()
    cards: set[str] = set()
    for index, line, resident in _entries(text, path, "residents", Resident, "resident"):
        if resident.id_number in seen:
            raise ResidentsFileError(path, line, f"resident #{index + 1}: duplicate id_number")
        if resident.card and resident.card.card_id in cards:
            raise ResidentsFileError(path, line, f"resident #{index + 1}: duplicate card_id")
        seen.add(resident.id_number)
        if resident.card:
            cards.add(resident.card.card_id)
        residents.append(resident)
    return residents


def load_residents(path: str | Path) -> list[Resident]:
    path = Path(path)
    return parse_residents(path.read_text(encoding="utf-8"), str(path))


class Identity(_Strict):
    """A person the population register knows (name and ID number) who is not in the card system."""

    id_number: str
    name: str = Field(min_length=1, max_length=40)

    _id = field_validator("id_number")(_valid_id)


def parse_identities(text: str, path: str = "<identities>", residents: Iterable[Resident] = ()) -> list[Identity]:
    """The identities file; a number that is also a resident's is refused (the register has one name per number)."""
    known = {r.id_number for r in residents}
    identities: list[Identity] = []
    for index, line, identity in _entries(text, path, "identities", Identity, "identity"):
        if identity.id_number in known:
            raise ResidentsFileError(path, line, f"identity #{index + 1}: duplicate id_number (also a resident or listed twice)")
        known.add(identity.id_number)
        identities.append(identity)
    return identities


def load_identities(path: str | Path, residents: Iterable[Resident] = ()) -> list[Identity]:
    path = Path(path)
    return parse_identities(path.read_text(encoding="utf-8"), str(path), residents)
