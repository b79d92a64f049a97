"""Cooperating banks (合作银行) and their branches (网点), and where a review is routed.

The banks are data (`data/banks.json`): which banks make social security cards in the
city, each with a short code (the `bank` claim of a bank's token, the code a card
records) and its branches per district. Forms and the demo residents file name banks
by their Chinese name; `find_bank` maps a name (or a common short name, or the code)
to the bank, so a card always records the code.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

DEFAULT_BANKS_FILE = Path(__file__).resolve().parents[2] / "data" / "banks.json"

CITY = "341000"  # 黄山市: the city-level queue
# Huangshan's districts and counties (黄山市辖区县), the queues of district reviewers.
HUANGSHAN_DISTRICTS: dict[str, str] = {
    "341002": "屯溪区",
    "341003": "黄山区",
    "341004": "徽州区",
    "341021": "歙县",
    "341022": "休宁县",
    "341023": "黟县",
    "341024": "祁门县",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Branch(_Strict):
    code: str = Field(pattern=r"^[a-z0-9-]{2,40}$")
    name: str = Field(min_length=1, max_length=60)
    district: str = Field(pattern=r"^3410[0-9]{2}$")


class Bank(_Strict):
    code: str = Field(pattern=r"^[a-z0-9_-]{2,20}$")
    name: str = Field(min_length=1, max_length=60)
    aliases: tuple[str, ...] = ()
    branches: tuple[Branch, ...] = Field(min_length=1)

    def branch(self, name_or_code: str) -> Branch | None:
        wanted = name_or_code.strip()
        return next((b for b in self.branches if wanted in (b.name, b.code)), None)


class _BanksFile(_Strict):
    banks: tuple[Bank, ...] = Field(min_length=1)


def parse_banks(text: str) -> tuple[Bank, ...]:
    """The banks of a banks file; codes and names (with aliases) must each name one bank."""
    banks = TypeAdapter(_BanksFile).validate_python(json.loads(text)).banks
    seen: set[str] = set()
    for bank in banks:
        for key in (bank.code, bank.name, *bank.aliases):
            if key in seen:
                raise ValueError(f"banks file: {key} names more than one bank")
            seen.add(key)
        branch_codes = [b.code for b in bank.branches]
        if len(set(branch_codes)) != len(branch_codes):
            raise ValueError(f"banks file: duplicate branch code in {bank.code}")
    return banks


@cache
def load_banks(path: str | None = None) -> tuple[Bank, ...]:
    """The cooperating banks (read once per process)."""
    return parse_banks(Path(path or DEFAULT_BANKS_FILE).read_text(encoding="utf-8"))


def find_bank(name_or_code: str, banks: tuple[Bank, ...] | None = None) -> Bank | None:
    """The bank a form or a record names: by code, by its name, or by a common short name."""
    wanted = (name_or_code or "").strip()
    for bank in banks if banks is not None else load_banks():
        if wanted in (bank.code, bank.name, *bank.aliases):
            return bank
    return None


def bank_by_code(code: str | None, banks: tuple[Bank, ...] | None = None) -> Bank | None:
    return next((b for b in (banks if banks is not None else load_banks()) if b.code == code), None)


def review_district(card_system_district: str | None, id_number: str) -> str:
    """The reviewers' queue of an applicant (domain.md §7): every review reaches one.

    The applicant's district in the card system; else the district of the ID's region
    code when it is one of Huangshan's; else the city queue (341000).
    """
    if card_system_district in HUANGSHAN_DISTRICTS:
        return card_system_district
    region = (id_number or "")[:6]
    if re.fullmatch(r"[0-9]{6}", region) and region in HUANGSHAN_DISTRICTS:
        return region
    return CITY
