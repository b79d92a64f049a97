"""Combinations of matters in one case, their order and their materials (domain.md §3, §4).

"`cancel` goes with `status_query` only; `apply` goes with `status_query` only;
`activate` excludes `reissue`, `loss`; `loss`/`revoke` excludes `reissue`; `reissue`
and `apply` exclude `pension_account`. A refused combination fails pre-judgment with
`CONFLICTING_MATTERS` naming both matters. Every other combination is allowed."
"""

from __future__ import annotations

from itertools import chain, combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.cards import Card, CardStatus, PensionRecord
from chalicelib.domain.catalogue import CATALOGUE, Material, MatterCode, execution_order, parse_form, required_materials
from chalicelib.domain.prejudge import PersonRecords, conflicting_matters, prejudge

M = MatterCode

# The names of domain.md §2, as the applicant reads them.
NAMES = {
    M.APPLY: "社会保障卡申领",
    M.REISSUE: "社会保障卡补领、换领、换发",
    M.ACTIVATE: "社会保障卡启用",
    M.LOSS: "社会保障卡挂失、解挂",
    M.CANCEL: "社会保障卡注销",
    M.INFO_CHANGE: "社会保障卡信息变更",
    M.STATUS_QUERY: "社会保障卡应用状态查询",
    M.PENSION_ACCOUNT: "养老保险待遇发放账号维护申请",
}

ACCOUNT = "6217005590000000017"

# Each matter as it can be chosen; `loss` with both of its actions.
VARIANTS: dict[str, tuple[MatterCode, dict[str, str]]] = {
    "apply": (M.APPLY, {"bank": "中国工商银行黄山分行", "branch": "屯溪老街支行"}),
    "reissue": (M.REISSUE, {"bank": "中国工商银行黄山分行", "branch": "屯溪老街支行", "kind": "damaged"}),
    "activate": (M.ACTIVATE, {}),
    "loss/report": (M.LOSS, {"action": "report"}),
    "loss/revoke": (M.LOSS, {"action": "revoke"}),
    "cancel": (M.CANCEL, {"reason": "emigration"}),
    "info_change": (M.INFO_CHANGE, {"phone": "13905590011"}),
    "status_query": (M.STATUS_QUERY, {}),
    "pension_account": (M.PENSION_ACCOUNT, {"account_number": ACCOUNT}),
}

# The refused pairs, one line per sentence of domain.md §3.
REFUSED = {
    frozenset(pair)
    for pair in [
        # cancel goes with status_query only
        ("cancel", "apply"), ("cancel", "reissue"), ("cancel", "activate"), ("cancel", "loss/report"),
        ("cancel", "loss/revoke"), ("cancel", "info_change"), ("cancel", "pension_account"),
        # apply goes with status_query only
        ("apply", "reissue"), ("apply", "activate"), ("apply", "loss/report"), ("apply", "loss/revoke"),
        ("apply", "info_change"), ("apply", "pension_account"),
        # activate excludes reissue, loss
        ("activate", "reissue"), ("activate", "loss/report"), ("activate", "loss/revoke"),
        # loss/revoke excludes reissue
        ("loss/revoke", "reissue"),
        # reissue and apply exclude pension_account
        ("reissue", "pension_account"),
    ]
}  # fmt: skip

# Every pair of two different matters (the two loss actions are the same matter).
PAIRS = [(a, b) for a, b in combinations(VARIANTS, 2) if VARIANTS[a][0] != VARIANTS[b][0]]
ALLOWED = [p for p in PAIRS if frozenset(p) not in REFUSED]
REFUSED_PAIRS = [p for p in PAIRS if frozenset(p) in REFUSED]


def selection_of(*variants: str) -> dict[MatterCode, object]:
    chosen = [VARIANTS[v] for v in variants]
    return {code: parse_form(code, fields) for code, fields in chosen}


def conflicts_on(selection: dict[MatterCode, object], matter: MatterCode) -> list[str]:
    card = Card("HS0001", CardStatus.ACTIVE, account_number=ACCOUNT)
    result = prejudge(selection, PersonRecords(card=card, pension=PensionRecord(recipient=True, payout_account="6222005590000009992")))
    (check,) = [c for c in result.checks if c.matter == matter]
    return [r.message for r in check.reasons if r.code == "CONFLICTING_MATTERS"]


def test_the_pair_tables_cover_every_pair_of_the_eight_matters() -> None:
    assert len(PAIRS) == 28 + 7  # C(8, 2), plus the pairs with loss counted once more for its second action
    assert REFUSED <= {frozenset(p) for p in PAIRS}
    assert len(REFUSED) == 18


def test_the_matter_names_are_those_of_domain_md() -> None:
    assert {code: matter.name for code, matter in CATALOGUE.items()} == NAMES


@pytest.mark.parametrize(("a", "b"), REFUSED_PAIRS)
def test_a_refused_pair_fails_with_conflicting_matters_on_both_matters_naming_both(a: str, b: str) -> None:
    selection = selection_of(a, b)
    code_a, code_b = VARIANTS[a][0], VARIANTS[b][0]
    for matter in (code_a, code_b):
        (message,) = conflicts_on(selection, matter)
        assert NAMES[code_a] in message
        assert NAMES[code_b] in message
    assert [set(p) for p in conflicting_matters(selection)] == [{code_a, code_b}]


@pytest.mark.parametrize(("a", "b"), ALLOWED)
def test_an_allowed_pair_has_no_conflict(a: str, b: str) -> None:
    selection = selection_of(a, b)
    assert conflicts_on(selection, VARIANTS[a][0]) == []
    assert conflicts_on(selection, VARIANTS[b][0]) == []
    assert conflicting_matters(selection) == []


@pytest.mark.parametrize("kind", ["lost", "damaged", "expired"])
def test_loss_report_goes_with_any_reissue_but_loss_revoke_with_none(kind: str) -> None:
    reissue = parse_form(M.REISSUE, {"bank": "中国工商银行黄山分行", "branch": "屯溪老街支行", "kind": kind})
    report = {M.LOSS: parse_form(M.LOSS, {"action": "report"}), M.REISSUE: reissue}
    revoke = {M.LOSS: parse_form(M.LOSS, {"action": "revoke"}), M.REISSUE: reissue}
    assert conflicting_matters(report) == []
    assert [set(p) for p in conflicting_matters(revoke)] == [{M.LOSS, M.REISSUE}]


@pytest.mark.parametrize("other", [v for v in VARIANTS if v != "status_query"])
def test_status_query_goes_with_every_other_matter(other: str) -> None:
    assert conflicting_matters(selection_of("status_query", other)) == []


def _subsets() -> list[tuple[str, ...]]:
    names = list(VARIANTS)
    every = chain.from_iterable(combinations(names, n) for n in range(1, len(names) + 1))
    return [s for s in every if not {"loss/report", "loss/revoke"} <= set(s)]


def test_in_larger_selections_every_refused_pair_is_reported_and_nothing_else() -> None:
    subsets = _subsets()
    assert len(subsets) == 2**8 - 1 + 2**7  # every non-empty subset of 8 matters, loss in two ways
    for subset in subsets:
        selection = selection_of(*subset)
        for variant in subset:
            matter = VARIANTS[variant][0]
            partners = [VARIANTS[o][0] for o in subset if frozenset((variant, o)) in REFUSED]
            messages = conflicts_on(selection, matter)
            assert len(messages) == len(partners), (subset, variant, messages)
            for partner in partners:
                assert any(NAMES[partner] in m and NAMES[matter] in m for m in messages), (subset, variant, partner)


# --- execution order ------------------------------------------------------------

STAGE_ONE = [M.LOSS, M.INFO_CHANGE, M.ACTIVATE, M.CANCEL]
STAGE_TWO = [M.STATUS_QUERY, M.APPLY, M.REISSUE, M.PENSION_ACCOUNT]


def test_all_matters_run_in_two_stages_in_the_order_of_domain_md() -> None:
    assert execution_order(list(reversed(list(M)))) == (STAGE_ONE, STAGE_TWO)
    assert execution_order(set(M)) == (STAGE_ONE, STAGE_TWO)


@given(st.permutations(list(M)), st.integers(min_value=0, max_value=8))
def test_any_selection_runs_its_immediate_state_changes_first_and_in_order(matters: list[MatterCode], count: int) -> None:
    chosen = matters[:count]
    one, two = execution_order(chosen)
    assert one == [m for m in STAGE_ONE if m in chosen]
    assert two == [m for m in STAGE_TWO if m in chosen]
    assert sorted(one + two) == sorted(chosen)


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        ([M.PENSION_ACCOUNT, M.ACTIVATE], ([M.ACTIVATE], [M.PENSION_ACCOUNT])),
        ([M.REISSUE, M.LOSS], ([M.LOSS], [M.REISSUE])),
        ([M.STATUS_QUERY, M.CANCEL], ([M.CANCEL], [M.STATUS_QUERY])),
        ([M.ACTIVATE, M.INFO_CHANGE, M.STATUS_QUERY], ([M.INFO_CHANGE, M.ACTIVATE], [M.STATUS_QUERY])),
        ([M.STATUS_QUERY], ([], [M.STATUS_QUERY])),
        ([], ([], [])),
    ],
)
def test_typical_selections_run_in_the_expected_order(chosen: list[MatterCode], expected: tuple) -> None:
    assert execution_order(chosen) == expected


# --- materials ------------------------------------------------------------------

CARD_MATERIALS = {Material.ID_CARD_FRONT, Material.ID_CARD_BACK, Material.PHOTO}


@pytest.mark.parametrize("matter", [M.APPLY, M.REISSUE])
def test_apply_and_reissue_need_both_sides_of_the_id_card_and_a_photo(matter: MatterCode) -> None:
    materials = required_materials([matter])
    assert sorted(materials) == sorted(CARD_MATERIALS)


@pytest.mark.parametrize("matter", [m for m in M if m not in (M.APPLY, M.REISSUE)])
def test_matters_without_a_new_card_need_no_materials(matter: MatterCode) -> None:
    assert required_materials([matter]) == []


def test_a_material_needed_by_several_matters_is_asked_for_once() -> None:
    materials = required_materials([M.APPLY, M.REISSUE, M.STATUS_QUERY])
    assert sorted(materials) == sorted(CARD_MATERIALS)


@given(st.lists(st.sampled_from(list(M))))
def test_each_material_is_required_at_most_once_for_any_selection(matters: list[MatterCode]) -> None:
    materials = required_materials(matters)
    assert len(materials) == len(set(materials))
    assert set(materials) == (CARD_MATERIALS if {M.APPLY, M.REISSUE} & set(matters) else set())
