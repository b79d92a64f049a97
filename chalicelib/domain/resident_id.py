"""Resident identity numbers (居民身份证号码, GB 11643-1999), and masking.

The ID number is also the social security number. Validation uses python-stdnum's
`cn.ric` (region prefix, birth date, ISO 7064 MOD 11-2 check digit).
"""

from __future__ import annotations

import re

from stdnum.cn import ric


def normalize_resident_id(value: str) -> str:
    return value.strip().upper()


def is_valid_resident_id(value: str) -> bool:
    """True for a well-formed 18-character resident ID with a correct check digit."""
    if not isinstance(value, str):
        return False
    value = normalize_resident_id(value)
    if len(value) != 18 or not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        return False
    return ric.is_valid(value)


def mask_resident_id(value: str) -> str:
    """First 6 and last 4 characters (api.md conventions)."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_account(value: str) -> str:
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]
