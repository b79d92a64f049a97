"""The counter's identity check rules (domain.md §7a): a mismatch is refused, an unknown person needs the ID card checked."""

from __future__ import annotations

import itertools

import pytest

from chalicelib.domain.identity import IdentityMatch, identity_problems, identity_summary, same_name

M = IdentityMatch


@pytest.mark.parametrize(
    ("recorded", "given"),
    [
        ("汪德华", "汪德华"),
        ("汪德华", " 汪 德华 "),
        ("买买提·艾力", "买买提•艾力"),
        ("买买提·艾力", "买买提.艾力"),
        ("买买提·艾力", "买买提・艾力"),
        ("ＡＢＣ", "ABC"),
    ],
)
def test_names_written_as_on_the_card_are_the_same(recorded: str, given: str) -> None:
    assert same_name(recorded, given)


@pytest.mark.parametrize(
    ("recorded", "given"), [("汪德华", "汪德化"), ("汪德华", "汪德"), ("汪德华", "王德华"), ("买买提·艾力", "买买提艾力")]
)
def test_another_name_is_not_the_same(recorded: str, given: str) -> None:
    assert not same_name(recorded, given)


PEOPLE = [{"applicant": a} for a in M] + [{"applicant": a, "agent": g} for a, g in itertools.product(M, M)]


@pytest.mark.parametrize("outcomes", PEOPLE, ids=lambda o: "-".join(f"{k}:{v}" for k, v in o.items()))
@pytest.mark.parametrize("checked", [False, True], ids=["unchecked", "id-card-checked"])
def test_every_combination_is_refused_exactly_for_mismatches_and_unchecked_unknowns(outcomes: dict, checked: bool) -> None:
    problems = identity_problems(outcomes, checked)
    expected = []
    for person, outcome in outcomes.items():
        if outcome == M.MISMATCH:
            expected.append((f"{person}.name", "IDENTITY_MISMATCH"))
        elif outcome == M.UNKNOWN and not checked:
            expected.append((person, "IDENTITY_UNKNOWN"))
    assert [(p["field"], p["code"]) for p in problems] == expected


@pytest.mark.parametrize(("person", "words"), [("applicant", "申请人"), ("agent", "代办人")])
def test_messages_name_the_person_in_chinese_and_tell_the_clerk_what_to_do(person: str, words: str) -> None:
    (mismatch,) = identity_problems({person: M.MISMATCH}, False)
    (unknown,) = identity_problems({person: M.UNKNOWN}, False)
    assert f"{words}姓名与身份证号码不一致" in mismatch["message"]
    assert words in unknown["message"] and "居民身份证原件" in unknown["message"] and "勾选" in unknown["message"]
    for message in (mismatch["message"], unknown["message"]):
        assert not any("a" <= c.lower() <= "z" for c in message)


def test_the_summary_says_each_outcome_and_the_id_card_check() -> None:
    assert identity_summary({"applicant": M.MATCH}, False) == "申请人身份核验一致"
    assert (
        identity_summary({"applicant": M.MATCH, "agent": M.UNKNOWN}, True)
        == "申请人身份核验一致；代办人未查到身份信息；窗口人员已查验身份证原件"
    )
