"""Bank card numbers (financial account of a social security card)."""

from __future__ import annotations

from stdnum import luhn


def is_bank_card_number(value: str) -> bool:
    """16–19 digits with a valid Luhn check digit."""
    return value.isascii() and value.isdigit() and 16 <= len(value) <= 19 and luhn.is_valid(value)
