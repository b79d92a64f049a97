"""Pre-judgment (条件预判), domain.md §3: every row of the table, per card state and form.

Expectations come from domain.md §3. Where the table lists failure codes only as
examples and is silent on a state, the expected code is the one a citizen would
understand (e.g. `NO_CARD` when there is no valid card, `CARD_NOT_ISSUED` while the
bank is still making the card) and is named in the row's comment.
"""

from __future__ import annotations

import re

import pytest

from chalicelib.domain.cards import Card, CardStatus, PensionRecord
from chalicelib.domain.catalogue import MatterCode, parse_form
from chalicelib.domain.prejudge import PersonRecords, Prejudgment, prejudge

M = MatterCode

CARD_ACCOUNT = "6217005590000000017"  # the financial account of the person's own card (Luhn-valid)
OTHER_ACCOUNT = "6222005590000009992"  # somebody else's / another bank card (Luhn-valid)
THIRD_ACCOUNT = "6222005590000005552"  # yet another bank card: neither the own card nor the payout account
CJK = re.compile(r"[\u4e00-\u9fff]")

STATES = ("none", "awaiting_collection", "issued", "active", "lost", "cancelled", "replaced")
VALID_STATES = ("awaiting_collection", "issued", "active", "lost")  # 一人一卡: a card that is still valid

BANK = {"bank": "中国工商银行黄山分行", "branch": "屯溪老街支行"}
PENSIONER = PensionRecord(recipient=True, payout_account=OTHER_ACCOUNT)
NOT_A_PENSIONER = PensionRecord(recipient=False)


# --- builders -------------------------------------------------------------------


def card_in(state: str, account: str = CARD_ACCOUNT) -> Card | None:
    if state == "none":
        return None
    return Card(
        card_id="HS0001",
        status=CardStatus(state),
        bank=BANK["bank"],
        branch=BANK["branch"],
        account_number=account,
        issued_on="2021-05-10",
    )


def person(state: str, *, pension: PensionRecord | None = None, open_matters: tuple[MatterCode, ...] = ()) -> PersonRecords:
    return PersonRecords(card=card_in(state), pension=pension, open_matters=frozenset(open_matters))


def form(matter: MatterCode, **fields: str) -> object:
    defaults: dict[MatterCode, dict[str, str]] = {
        M.APPLY: dict(BANK),
        M.REISSUE: {**BANK, "kind": "damaged"},
        M.LOSS: {"action": "report"},
        M.CANCEL: {"reason": "emigration"},
        M.INFO_CHANGE: {"phone": "13905590011"},
        M.PENSION_ACCOUNT: {"account_number": CARD_ACCOUNT},
    }
    return parse_form(matter, {**defaults.get(matter, {}), **fields})


def judge(selection: dict[MatterCode, object], records: PersonRecords, *, offline_or_agent: bool = False) -> Prejudgment:
    return prejudge(selection, records, offline_or_agent=offline_or_agent)


def codes(result: Prejudgment, matter: MatterCode) -> list[str]:
    (check,) = [c for c in result.checks if c.matter == matter]
    return sorted(r.code for r in check.reasons)


def single(matter: MatterCode, records: PersonRecords, *, offline_or_agent: bool = False, **fields: str) -> list[str]:
    return codes(judge({matter: form(matter, **fields)}, records, offline_or_agent=offline_or_agent), matter)


# --- apply ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("none", []),
        ("awaiting_collection", ["CARD_EXISTS"]),
        ("issued", ["CARD_EXISTS"]),
        ("active", ["CARD_EXISTS"]),
        ("lost", ["CARD_EXISTS"]),  # a lost card is still the valid card; the way out is 补领
        ("cancelled", []),
        ("replaced", []),
    ],
)
def test_apply_passes_only_when_the_person_has_no_valid_card(state: str, expected: list[str]) -> None:
    assert single(M.APPLY, person(state)) == expected


def test_apply_is_refused_with_the_message_of_domain_md_when_a_valid_card_exists() -> None:
    result = judge({M.APPLY: form(M.APPLY)}, person("active"))
    assert [(m, r.message) for m, r in result.failures] == [(M.APPLY, "您已持有有效社会保障卡，无需重复申领")]


# --- reissue --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("none", ["NO_CARD"]),
        ("awaiting_collection", ["CARD_NOT_LOST"]),
        ("issued", ["CARD_NOT_LOST"]),
        ("active", ["CARD_NOT_LOST"]),
        ("lost", []),
        ("cancelled", ["NO_CARD"]),
        ("replaced", ["NO_CARD"]),
    ],
)
def test_reissue_of_a_lost_card_requires_the_card_to_be_lost(state: str, expected: list[str]) -> None:
    assert single(M.REISSUE, person(state), kind="lost") == expected


@pytest.mark.parametrize("kind", ["damaged", "expired"])
@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("none", ["NO_CARD"]),
        ("awaiting_collection", ["CARD_NOT_ISSUED"]),  # the bank has not made the card yet
        ("issued", []),
        ("active", []),
        ("lost", ["CARD_LOST"]),  # a lost card is reissued as `lost` (补领), not damaged/expired
        ("cancelled", ["NO_CARD"]),
        ("replaced", ["NO_CARD"]),
    ],
)
def test_reissue_of_a_damaged_or_expired_card_requires_an_issued_or_active_card(kind: str, state: str, expected: list[str]) -> None:
    assert single(M.REISSUE, person(state), kind=kind) == expected


# --- activate -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("none", ["NO_CARD"]),
        ("awaiting_collection", ["CARD_NOT_ISSUED"]),
        ("issued", []),
        ("active", ["CARD_ALREADY_ACTIVE"]),
        ("lost", ["CARD_LOST"]),
        ("cancelled", ["NO_CARD"]),
        ("replaced", ["NO_CARD"]),
    ],
)
def test_activate_passes_only_for_an_issued_card(state: str, expected: list[str]) -> None:
    assert single(M.ACTIVATE, person(state)) == expected


def test_activate_is_refused_when_the_card_is_already_active() -> None:
    assert single(M.ACTIVATE, person("active")) == ["CARD_ALREADY_ACTIVE"]


def test_activate_is_refused_when_the_card_has_not_been_issued_yet() -> None:
    assert single(M.ACTIVATE, person("awaiting_collection")) == ["CARD_NOT_ISSUED"]


# --- loss -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("none", ["NO_CARD"]),
        ("awaiting_collection", ["CARD_NOT_ISSUED"]),
        ("issued", []),
        ("active", []),
        ("lost", ["CARD_ALREADY_LOST"]),
        ("cancelled", ["NO_CARD"]),
        ("replaced", ["NO_CARD"]),
    ],
)
def test_loss_report_passes_for_an_issued_or_active_card(state: str, expected: list[str]) -> None:
    assert single(M.LOSS, person(state), action="report") == expected


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("none", ["NO_CARD"]),
        ("awaiting_collection", ["CARD_NOT_LOST"]),
        ("issued", ["CARD_NOT_LOST"]),
        ("active", ["CARD_NOT_LOST"]),
        ("lost", []),
        ("cancelled", ["NO_CARD"]),
        ("replaced", ["NO_CARD"]),  # the replaced card is no longer the person's valid card
    ],
)
def test_loss_revoke_passes_only_for_a_lost_card(state: str, expected: list[str]) -> None:
    assert single(M.LOSS, person(state), action="revoke") == expected


# --- cancel ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("none", ["NO_CARD"]),
        ("awaiting_collection", ["CARD_NOT_ISSUED"]),
        ("issued", []),
        ("active", []),
        ("lost", []),
        ("cancelled", ["NO_CARD"]),
        ("replaced", ["NO_CARD"]),
    ],
)
def test_cancel_passes_for_an_issued_active_or_lost_card(state: str, expected: list[str]) -> None:
    assert single(M.CANCEL, person(state), reason="emigration") == expected


@pytest.mark.parametrize(
    ("reason", "offline_or_agent", "expected"),
    [
        ({"reason": "emigration"}, False, []),
        ({"reason": "duplicate"}, False, []),
        ({"reason": "other", "reason_text": "卡片信息有误"}, False, []),
        ({"reason": "emigration"}, True, []),
        ({"reason": "duplicate"}, True, []),
        ({"reason": "other", "reason_text": "卡片信息有误"}, True, []),
        ({"reason": "deceased"}, True, []),
        ({"reason": "deceased"}, False, ["CANCEL_REASON_NOT_ALLOWED"]),
    ],
    ids=["emigration-online", "duplicate-online", "other-online", "emigration-offline", "duplicate-offline", "other-offline",
         "deceased-offline-or-agent", "deceased-online"],
)  # fmt: skip
def test_cancel_because_the_holder_died_is_only_possible_through_an_agent_or_at_a_counter(
    reason: dict[str, str], offline_or_agent: bool, expected: list[str]
) -> None:
    assert single(M.CANCEL, person("active"), offline_or_agent=offline_or_agent, **reason) == expected


def test_cancel_because_the_holder_died_online_without_a_card_reports_both_reasons() -> None:
    assert single(M.CANCEL, person("none"), reason="deceased") == ["CANCEL_REASON_NOT_ALLOWED", "NO_CARD"]


@pytest.mark.parametrize(
    ("state", "pension", "expected"),
    [
        ("active", PensionRecord(recipient=True, payout_account=CARD_ACCOUNT), ["PAYOUT_ACCOUNT_BOUND"]),
        ("issued", PensionRecord(recipient=True, payout_account=CARD_ACCOUNT), ["PAYOUT_ACCOUNT_BOUND"]),
        ("lost", PensionRecord(recipient=True, payout_account=CARD_ACCOUNT), ["PAYOUT_ACCOUNT_BOUND"]),
        (
            "active",
            PensionRecord(recipient=True, payout_account=OTHER_ACCOUNT, pending_account=CARD_ACCOUNT, pending_effective_month="2026-03"),
            ["PAYOUT_ACCOUNT_BOUND"],
        ),
        ("active", PensionRecord(recipient=True, payout_account=OTHER_ACCOUNT), []),
        ("active", PensionRecord(recipient=True, payout_account=None), []),
        ("active", None, []),
    ],
    ids=["current-account-active-card", "current-account-issued-card", "current-account-lost-card", "pending-account",
         "payout-to-another-account", "pensioner-without-account", "not-in-pension-system"],
)  # fmt: skip
def test_cancel_is_refused_while_the_card_is_the_pension_payout_account(
    state: str, pension: PensionRecord | None, expected: list[str]
) -> None:
    assert single(M.CANCEL, person(state, pension=pension)) == expected


def test_cancel_of_a_payout_card_is_refused_with_the_message_of_domain_md() -> None:
    result = judge({M.CANCEL: form(M.CANCEL)}, person("active", pension=PensionRecord(recipient=True, payout_account=CARD_ACCOUNT)))
    assert [(m, r.message) for m, r in result.failures] == [(M.CANCEL, "该卡为养老保险待遇发放账户，请先变更发放账号")]


def test_cancel_of_a_payout_card_is_refused_even_at_a_counter_for_a_deceased_holder() -> None:
    records = person("active", pension=PensionRecord(recipient=True, payout_account=CARD_ACCOUNT))
    assert single(M.CANCEL, records, offline_or_agent=True, reason="deceased") == ["PAYOUT_ACCOUNT_BOUND"]


# --- info_change ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("none", ["NO_CARD"]),
        ("awaiting_collection", []),
        ("issued", []),
        ("active", []),
        ("lost", []),
        ("cancelled", ["NO_CARD"]),
        ("replaced", []),
    ],
)
def test_info_change_passes_for_any_card_record_that_is_not_cancelled(state: str, expected: list[str]) -> None:
    assert single(M.INFO_CHANGE, person(state)) == expected


# --- status_query ---------------------------------------------------------------


@pytest.mark.parametrize("offline_or_agent", [False, True])
@pytest.mark.parametrize("state", STATES)
def test_status_query_always_passes(state: str, offline_or_agent: bool) -> None:
    records = person(state, pension=PENSIONER, open_matters=(M.APPLY, M.REISSUE))
    assert single(M.STATUS_QUERY, records, offline_or_agent=offline_or_agent) == []


# --- pension_account ------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("none", ["ACCOUNT_NOT_OWN_CARD", "CARD_NOT_ACTIVE"]),  # no card at all: neither own nor active
        ("awaiting_collection", ["CARD_NOT_ACTIVE"]),
        ("issued", ["CARD_NOT_ACTIVE"]),
        ("active", []),
        ("lost", ["CARD_NOT_ACTIVE"]),
        ("cancelled", ["CARD_NOT_ACTIVE"]),
        ("replaced", ["CARD_NOT_ACTIVE"]),
    ],
)
def test_pension_account_requires_the_pensioners_own_card_to_be_active(state: str, expected: list[str]) -> None:
    assert single(M.PENSION_ACCOUNT, person(state, pension=PENSIONER), account_number=CARD_ACCOUNT) == expected


@pytest.mark.parametrize(
    ("state", "pension", "account", "expected"),
    [
        ("active", PENSIONER, CARD_ACCOUNT, []),
        ("active", None, CARD_ACCOUNT, ["NOT_PENSIONER"]),
        ("active", NOT_A_PENSIONER, CARD_ACCOUNT, ["NOT_PENSIONER"]),
        ("issued", PENSIONER, CARD_ACCOUNT, ["CARD_NOT_ACTIVE"]),
        ("active", PENSIONER, THIRD_ACCOUNT, ["ACCOUNT_NOT_OWN_CARD"]),
        ("active", PENSIONER, OTHER_ACCOUNT, ["ACCOUNT_NOT_OWN_CARD", "SAME_ACCOUNT"]),  # the payout account already
        ("lost", None, OTHER_ACCOUNT, ["ACCOUNT_NOT_OWN_CARD", "CARD_NOT_ACTIVE", "NOT_PENSIONER"]),
    ],
    ids=[
        "all-good",
        "not-in-pension-system",
        "not-a-recipient",
        "card-not-active",
        "account-not-own-card",
        "the-current-payout-account",
        "everything-wrong",
    ],
)
def test_pension_account_names_every_unmet_condition(state: str, pension: PensionRecord | None, account: str, expected: list[str]) -> None:
    assert single(M.PENSION_ACCOUNT, person(state, pension=pension), account_number=account) == expected


# --- other open cases -----------------------------------------------------------


@pytest.mark.parametrize(
    ("matter", "fields", "state", "open_matters", "expected"),
    [
        (M.APPLY, {}, "none", (M.APPLY,), ["APPLICATION_IN_PROGRESS"]),
        (M.APPLY, {}, "none", (M.REISSUE,), ["APPLICATION_IN_PROGRESS"]),
        (M.APPLY, {}, "cancelled", (M.APPLY,), ["APPLICATION_IN_PROGRESS"]),
        (M.APPLY, {}, "active", (M.REISSUE,), ["APPLICATION_IN_PROGRESS", "CARD_EXISTS"]),
        (M.APPLY, {}, "none", (M.STATUS_QUERY, M.INFO_CHANGE, M.PENSION_ACCOUNT), []),
        (M.REISSUE, {"kind": "lost"}, "lost", (M.REISSUE,), ["APPLICATION_IN_PROGRESS"]),
        (M.REISSUE, {"kind": "lost"}, "lost", (M.APPLY,), ["APPLICATION_IN_PROGRESS"]),
        (M.REISSUE, {"kind": "damaged"}, "active", (M.REISSUE,), ["APPLICATION_IN_PROGRESS"]),
        (M.REISSUE, {"kind": "expired"}, "issued", (M.APPLY,), ["APPLICATION_IN_PROGRESS"]),
        (M.REISSUE, {"kind": "damaged"}, "active", (M.LOSS, M.INFO_CHANGE, M.PENSION_ACCOUNT), []),
        (M.LOSS, {"action": "revoke"}, "lost", (M.REISSUE,), ["CARD_BEING_REPLACED"]),
        (M.LOSS, {"action": "revoke"}, "lost", (M.INFO_CHANGE, M.STATUS_QUERY, M.PENSION_ACCOUNT), []),
    ],
    ids=["apply-while-apply-open", "apply-while-reissue-open", "apply-after-cancel-while-apply-open", "apply-with-card-while-reissue-open",
         "apply-while-unrelated-matters-open", "reissue-lost-while-reissue-open", "reissue-lost-while-apply-open",
         "reissue-damaged-while-reissue-open", "reissue-expired-while-apply-open", "reissue-while-unrelated-matters-open",
         "revoke-while-reissue-open", "revoke-while-unrelated-matters-open"],
)  # fmt: skip
def test_open_cases_of_the_person_are_taken_into_account(
    matter: MatterCode, fields: dict[str, str], state: str, open_matters: tuple[MatterCode, ...], expected: list[str]
) -> None:
    assert single(matter, person(state, open_matters=open_matters), **fields) == expected


def test_loss_revoke_is_refused_while_a_reissue_is_replacing_the_card() -> None:
    result = judge({M.LOSS: form(M.LOSS, action="revoke")}, person("lost", open_matters=(M.REISSUE,)))
    assert codes(result, M.LOSS) == ["CARD_BEING_REPLACED"]


# --- projection within one case -------------------------------------------------


@pytest.mark.parametrize("state", ["issued", "active"])
def test_loss_report_and_reissue_of_the_lost_card_pass_together(state: str) -> None:
    result = judge({M.LOSS: form(M.LOSS, action="report"), M.REISSUE: form(M.REISSUE, kind="lost")}, person(state))
    assert result.passed, result.failures


def test_reissue_of_a_lost_card_without_a_loss_report_fails_on_an_active_card() -> None:
    result = judge({M.REISSUE: form(M.REISSUE, kind="lost"), M.STATUS_QUERY: form(M.STATUS_QUERY)}, person("active"))
    assert codes(result, M.REISSUE) == ["CARD_NOT_LOST"]


def test_a_failing_loss_report_does_not_make_the_card_lost_for_a_reissue() -> None:
    result = judge({M.LOSS: form(M.LOSS, action="report"), M.REISSUE: form(M.REISSUE, kind="lost")}, person("awaiting_collection"))
    assert codes(result, M.LOSS) == ["CARD_NOT_ISSUED"]
    assert codes(result, M.REISSUE) == ["CARD_NOT_LOST"]


def test_loss_report_then_reissue_of_a_damaged_card_sees_the_card_lost() -> None:
    result = judge({M.LOSS: form(M.LOSS, action="report"), M.REISSUE: form(M.REISSUE, kind="damaged")}, person("active"))
    assert codes(result, M.LOSS) == []
    assert codes(result, M.REISSUE) == ["CARD_LOST"]


def test_activate_and_pension_account_pass_together_on_an_issued_card_of_a_pensioner() -> None:
    selection = {M.ACTIVATE: form(M.ACTIVATE), M.PENSION_ACCOUNT: form(M.PENSION_ACCOUNT, account_number=CARD_ACCOUNT)}
    result = judge(selection, person("issued", pension=PENSIONER))
    assert result.passed, result.failures


def test_a_failing_activation_leaves_the_card_inactive_for_pension_account() -> None:
    selection = {M.ACTIVATE: form(M.ACTIVATE), M.PENSION_ACCOUNT: form(M.PENSION_ACCOUNT, account_number=CARD_ACCOUNT)}
    result = judge(selection, person("awaiting_collection", pension=PENSIONER))
    assert codes(result, M.ACTIVATE) == ["CARD_NOT_ISSUED"]
    assert codes(result, M.PENSION_ACCOUNT) == ["CARD_NOT_ACTIVE"]


def test_loss_report_and_pension_account_fail_because_the_card_will_be_lost() -> None:
    selection = {M.LOSS: form(M.LOSS, action="report"), M.PENSION_ACCOUNT: form(M.PENSION_ACCOUNT, account_number=CARD_ACCOUNT)}
    result = judge(selection, person("active", pension=PENSIONER))
    assert codes(result, M.LOSS) == []
    assert codes(result, M.PENSION_ACCOUNT) == ["CARD_NOT_ACTIVE"]


def test_loss_revoke_and_pension_account_pass_together_on_a_lost_card() -> None:
    selection = {M.LOSS: form(M.LOSS, action="revoke"), M.PENSION_ACCOUNT: form(M.PENSION_ACCOUNT, account_number=CARD_ACCOUNT)}
    result = judge(selection, person("lost", pension=PENSIONER))
    assert result.passed, result.failures


def test_loss_report_and_info_change_pass_together() -> None:
    selection = {M.LOSS: form(M.LOSS, action="report"), M.INFO_CHANGE: form(M.INFO_CHANGE), M.STATUS_QUERY: form(M.STATUS_QUERY)}
    result = judge(selection, person("active"))
    assert result.passed, result.failures


# --- the answer as a whole ------------------------------------------------------


def test_every_failing_matter_is_reported_with_its_reasons() -> None:
    selection = {M.ACTIVATE: form(M.ACTIVATE), M.INFO_CHANGE: form(M.INFO_CHANGE), M.STATUS_QUERY: form(M.STATUS_QUERY)}
    result = judge(selection, person("none"))
    assert not result.passed
    assert sorted((m.value, r.code) for m, r in result.failures) == [("activate", "NO_CARD"), ("info_change", "NO_CARD")]
    assert codes(result, M.STATUS_QUERY) == []


def test_the_answer_has_one_check_per_chosen_matter() -> None:
    selection = {M.PENSION_ACCOUNT: form(M.PENSION_ACCOUNT), M.LOSS: form(M.LOSS), M.STATUS_QUERY: form(M.STATUS_QUERY)}
    result = judge(selection, person("active", pension=PENSIONER))
    assert sorted(c.matter for c in result.checks) == sorted(selection)


def test_a_selection_that_passes_has_no_failures() -> None:
    result = judge({M.STATUS_QUERY: form(M.STATUS_QUERY), M.INFO_CHANGE: form(M.INFO_CHANGE)}, person("active"))
    assert result.passed
    assert result.failures == []


SINGLE_VARIANTS = [
    (M.APPLY, {}),
    (M.REISSUE, {"kind": "lost"}),
    (M.REISSUE, {"kind": "damaged"}),
    (M.REISSUE, {"kind": "expired"}),
    (M.ACTIVATE, {}),
    (M.LOSS, {"action": "report"}),
    (M.LOSS, {"action": "revoke"}),
    (M.CANCEL, {"reason": "deceased"}),
    (M.INFO_CHANGE, {}),
    (M.STATUS_QUERY, {}),
    (M.PENSION_ACCOUNT, {"account_number": OTHER_ACCOUNT}),
]


@pytest.mark.parametrize("state", STATES)
def test_every_failure_has_a_stable_code_and_a_plain_chinese_message(state: str) -> None:
    for open_matters in ((), (M.APPLY, M.REISSUE)):
        records = person(state, pension=PensionRecord(recipient=True, payout_account=CARD_ACCOUNT), open_matters=open_matters)
        for matter, fields in SINGLE_VARIANTS:
            result = judge({matter: form(matter, **fields)}, records)
            for _, reason in result.failures:
                assert re.fullmatch(r"[A-Z][A-Z_]+", reason.code), reason
                assert CJK.search(reason.message), reason
                assert not re.search(r"[A-Za-z]{3,}", reason.message), reason


def test_pre_judgment_does_not_depend_on_the_order_in_which_matters_were_chosen() -> None:
    forward = {M.LOSS: form(M.LOSS, action="report"), M.REISSUE: form(M.REISSUE, kind="lost"), M.INFO_CHANGE: form(M.INFO_CHANGE)}
    backward = dict(reversed(list(forward.items())))
    records = person("active")
    assert judge(forward, records) == judge(backward, records)
