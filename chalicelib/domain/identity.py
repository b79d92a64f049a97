"""Identity check at the counter (domain.md §7a): does a name belong to an ID number?

The identity source (data sharing, 公安人口信息) answers match, mismatch or unknown
for a name and an ID number. A mismatch is always refused; a person the source does
not know may proceed only when the clerk records that the physical ID card was checked.
Pure rules: the answers come in, the refusals go out.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class IdentityMatch(StrEnum):
    MATCH = "match"  # the source knows the number, under this name
    MISMATCH = "mismatch"  # the source knows the number, under another name
    UNKNOWN = "unknown"  # the source does not know the number


# The middle dot of minority names (买买提·艾力) is typed in many ways.
_DOTS = re.compile(r"[·•・‧．.]")
_SPACES = re.compile(r"\s+")

# Who is checked, as the request names them and as the clerk reads them.
PERSONS = {"applicant": "申请人", "agent": "代办人"}


def same_name(recorded: str, given: str) -> bool:
    """Names compared as written on the ID card: full-width forms, spaces and the kind of middle dot do not count."""

    def canonical(name: str) -> str:
        return _DOTS.sub("·", _SPACES.sub("", unicodedata.normalize("NFKC", name)))

    return canonical(recorded) == canonical(given)


def identity_problems(outcomes: dict[str, IdentityMatch], id_card_checked: bool) -> list[dict[str, str]]:
    """The refusals of a counter request: one per person whose check does not let the case open.

    `outcomes` maps "applicant" / "agent" to the source's answer. Empty: the case may open.
    """
    problems = []
    for person, outcome in outcomes.items():
        who = PERSONS[person]
        if outcome == IdentityMatch.MISMATCH:
            problems.append(
                {
                    "field": f"{person}.name",
                    "code": "IDENTITY_MISMATCH",
                    "message": f"{who}姓名与身份证号码不一致（公安人口信息），请核对{who}的姓名和身份证号码",
                }
            )
        elif outcome == IdentityMatch.UNKNOWN and not id_card_checked:
            problems.append(
                {
                    "field": person,
                    "code": "IDENTITY_UNKNOWN",
                    "message": f"公安人口信息中未查到{who}的身份信息，"
                    f"请查验{who}的居民身份证原件，确认人证一致后勾选“已查验身份证原件”再提交",
                }
            )
    return problems


def identity_summary(outcomes: dict[str, IdentityMatch], id_card_checked: bool) -> str:
    """One line for the case's timeline and form, e.g. 申请人身份核验一致；代办人未查到，已查验身份证原件."""
    words = {IdentityMatch.MATCH: "身份核验一致", IdentityMatch.UNKNOWN: "未查到身份信息", IdentityMatch.MISMATCH: "身份核验不一致"}
    parts = [f"{PERSONS[p]}{words[o]}" for p, o in outcomes.items()]
    text = "；".join(parts)
    if id_card_checked:
        text += "；窗口人员已查验身份证原件"
    return text
