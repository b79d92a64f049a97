"""The cooperating banks (合作银行) and their branches (网点) where cards are made, and
where a review is routed.

Pure data read from `data/banks.json` (shipped with the package), no AWS. The
apply/reissue forms name a bank and a branch from this list (domain.md §2); a bank
token names its bank by code (api.md). Branch names repeat across banks (every
bank has a 屯溪支行), so a branch is only ever looked up within its bank.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "banks.json"

# The districts of Huangshan (黄山市) where branches are; the codes of GB/T 2260.
DISTRICTS: dict[str, str] = {
    "341002": "屯溪区",
    "341003": "黄山区",
    "341004": "徽州区",
    "341021": "歙县",
    "341022": "休宁县",
    "341023": "黟县",
    "341024": "祁门县",
}
CITY = "341000"  # 黄山市: the city-level queue


@dataclass(frozen=True)
class Branch:
    code: str
    name: str
    district: str

    @property
    def district_name(self) -> str:
        return DISTRICTS[self.district]


@dataclass(frozen=True)
class Bank:
    code: str
    name: str
    branches: tuple[Branch, ...]

    def branch(self, code_or_name: str) -> Branch | None:
        return next((b for b in self.branches if code_or_name in (b.code, b.name)), None)


def parse_banks(data: object) -> tuple[Bank, ...]:
    """The banks of a data file's content; ValueError naming what is wrong (a bad file must not deploy)."""
    if not isinstance(data, dict) or not isinstance(data.get("banks"), list) or not data["banks"]:
        raise ValueError('banks data: expected {"banks": [...]} with at least one bank')
    banks: list[Bank] = []
    codes: set[str] = set()
    names: set[str] = set()
    for i, raw in enumerate(data["banks"]):
        try:
            branches = tuple(Branch(code=b["code"], name=b["name"], district=b["district"]) for b in raw["branches"])
            bank = Bank(code=raw["code"], name=raw["name"], branches=branches)
        except (KeyError, TypeError) as error:
            raise ValueError(f"banks data: bank #{i} lacks {error}") from None
        if bank.code in codes or bank.name in names:
            raise ValueError(f"banks data: bank {bank.code} appears twice")
        if not bank.branches:
            raise ValueError(f"banks data: bank {bank.code} has no branch")
        for branch in bank.branches:
            if branch.code in codes:
                raise ValueError(f"banks data: code {branch.code} appears twice")
            if branch.district not in DISTRICTS:
                raise ValueError(f"banks data: branch {branch.code} has an unknown district {branch.district}")
            codes.add(branch.code)
        if len({b.name for b in bank.branches}) != len(bank.branches):
            raise ValueError(f"banks data: bank {bank.code} has two branches of the same name")
        codes.add(bank.code)
        names.add(bank.name)
        banks.append(bank)
    return tuple(banks)


@lru_cache(maxsize=1)
def _banks() -> tuple[Bank, ...]:
    return parse_banks(json.loads(DATA_FILE.read_text(encoding="utf-8")))


def load_banks() -> list[Bank]:
    """Every cooperating bank, in the data file's order (read once per process)."""
    return list(_banks())


def bank_by_code(code: str | None) -> Bank | None:
    return next((b for b in _banks() if b.code == code), None)


def bank_by_name(name: str) -> Bank | None:
    return next((b for b in _banks() if b.name == name), None)


def find_bank(code_or_name: str) -> Bank | None:
    """The bank a form names: by its Chinese name (as the forms always did) or by its code."""
    wanted = (code_or_name or "").strip()
    return bank_by_name(wanted) or bank_by_code(wanted)


def branch_of(bank_code_or_name: str, branch_name: str) -> Branch | None:
    """The branch of that bank with that name (or code); None when the bank has no such branch."""
    bank = find_bank(bank_code_or_name)
    return bank.branch(branch_name) if bank else None


def banks_in(district: str | None) -> list[Bank]:
    """The banks with their branches in a district (all when None); banks without one there are left out."""
    if district is None:
        return load_banks()
    return [
        Bank(code=b.code, name=b.name, branches=here) for b in _banks() if (here := tuple(x for x in b.branches if x.district == district))
    ]


def review_district(card_system_district: str | None, id_number: str) -> str:
    """The reviewers' queue of an applicant (domain.md §7): every review reaches one.

    The applicant's district in the card system; else the district of the ID's region
    code when it is one of Huangshan's; else the city queue (341000).
    """
    if card_system_district in DISTRICTS:
        return card_system_district
    region = (id_number or "")[:6]
    if re.fullmatch(r"[0-9]{6}", region) and region in DISTRICTS:
        return region
    return CITY
