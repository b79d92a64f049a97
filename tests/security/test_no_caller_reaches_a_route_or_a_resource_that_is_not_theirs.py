"""The authorization matrix: every caller the API knows × every route × a resource of theirs or of someone else (issue 11).

What each caller may do is written once below (PROBES, from api.md and domain.md §7), not read from the code under
test: on a protected route a caller without the route's role is refused (403), a caller with the role but not the
resource learns nothing (404, api.md: "to anyone else the answer is 404, never 403 with details"), and a missing,
forged, unsigned or expired token is 401. Any other answer fails the test — a 200 where 403/404 is expected is a
leak — and so does any 500 and any answer to a caller who may not see a resource that names it or its applicant.

Each route is probed by the callers who may not use it first, then by the one who may: their success (a pending
review decided, a draft deleted, a card issued) shows that none of the refused calls changed anything.
The /dev routes are left out: they exist on the local stack only and take no token by design
(tests/integration/test_api_contract.py checks that no deployed stage has them).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import jwt
import pytest

from chalicelib.wiring import services
from tests.conftest import demo_resident
from tests.integration.test_admin_calendar import SCHEDULE_2027
from tests.integration.test_materials_and_counter import counter_case
from tests.integration.test_reviews import BANK, submitted_review

APPLICANT = "杨磊"  # applies for a card (district 341022): the review, the drafts and the cases' reads are theirs
CARD_HOLDER = "胡国平"  # their approved card waits at bank `boc` (BANK)
PENSIONER = "黄秀英"  # their payout-account change waits for the pension system
FIRST_TIMER = "吴磊"  # their draft application still needs its materials
AT_THE_COUNTER = "周建国"  # their case was opened at the clerk's service point
STRANGER = "王芳"  # owns nothing here: "another citizen"

CALLERS = (
    "applicant",
    "another_citizen",
    "clerk",
    "another_clerk",
    "reviewer",
    "another_reviewer",
    "reviewer_who_applied",  # the applicant, a reviewer of their own district: never a case of their own (domain.md §7)
    "pension_system",
    "bank",
    "another_bank",
    "operator",
    "auditor",
    "no_token",
    "forged",
    "unsigned",
    "expired",
)
UNAUTHENTICATED = ("no_token", "forged", "unsigned", "expired")
CLERKS = ("clerk", "another_clerk")


@dataclass(frozen=True)
class Probe:
    """One route on one resource: who may (and what they get), who is told it does not exist; everyone else 403
    (401 without a valid token)."""

    method: str
    path: str  # {placeholders} are the world's resources
    allowed: dict[str, int]
    hidden: tuple[str, ...] = ()  # the route's role, not the resource: 404
    body: Any = None
    public: bool = False  # no token needed: everyone gets `allowed["*"]`
    owner: str = "applicant"  # whose resource it is: the caller named "applicant" is this resident
    blind: tuple[str, ...] = ()  # allowed to list their own, in which nothing of the world's people may appear

    def expected(self, caller: str) -> int:
        if self.public:
            return self.allowed["*"]
        if caller in UNAUTHENTICATED:
            return 401
        if caller in self.allowed:
            return self.allowed[caller]
        return 404 if caller in self.hidden else 403


CONTACT = {"phone": "13905590009", "address": "安徽省黄山市休宁县海阳镇状元街1号"}
STATUS_QUERY = {
    "consent": {"notice_version": "2023.1", "agreed": True},
    "matters": [{"code": "status_query"}],
    "contact": CONTACT,
}
EVERY_CASE_READER = {"applicant": 200}
OTHER_PEOPLE = ("another_citizen", *CLERKS)  # may read cases, but not these
NOT_THEIR_REVIEW = ("another_reviewer", "reviewer_who_applied")

PROBES = [
    # public: the same answer with any token or none
    *[Probe("GET", path, {"*": 200}, public=True) for path in ("/health", "/openapi.json", "/notice", "/matters", "/banks", "/scenarios")],
    # a citizen's own requests
    Probe("POST", "/prejudge", {"applicant": 200, "another_citizen": 200}, body={"matters": [{"code": "status_query"}]}),
    Probe("GET", "/cases", {"applicant": 200, "another_citizen": 200}, blind=("another_citizen",)),
    Probe("GET", "/cases/{review_case}", EVERY_CASE_READER, hidden=OTHER_PEOPLE),
    Probe("GET", "/cases/{review_case}/form", EVERY_CASE_READER, hidden=OTHER_PEOPLE),
    Probe("GET", "/cases/{review_case}/access-log", {"applicant": 200}, hidden=("another_citizen",)),  # the person's own view
    Probe("PATCH", "/cases/{draft_to_change}", {"applicant": 200}, hidden=OTHER_PEOPLE, body={"contact": CONTACT}),
    Probe(
        "POST",
        "/cases/{draft_needing_materials}/materials",
        {"applicant": 201},
        hidden=OTHER_PEOPLE,
        body={"kind": "photo", "content_type": "image/jpeg", "size": 2048},
        owner=FIRST_TIMER,
    ),
    Probe("POST", "/cases/{draft_to_submit}/submit", {"applicant": 202}, hidden=OTHER_PEOPLE),
    Probe("POST", "/cases/{draft_to_withdraw}/withdraw", {"applicant": 200}, hidden=OTHER_PEOPLE),
    Probe("DELETE", "/cases/{draft_to_delete}", {"applicant": 204}, hidden=OTHER_PEOPLE),
    Probe("POST", "/cases", {"applicant": 201, "another_citizen": 201}, body=STATUS_QUERY),
    # the counter: the clerk's service point's cases, which their applicant sees too
    Probe(
        "GET", "/cases/{counter_case}", {"clerk": 200, "applicant": 200}, hidden=("another_clerk", "another_citizen"), owner=AT_THE_COUNTER
    ),
    Probe("GET", "/counter/cases", {"clerk": 200, "another_clerk": 200}, blind=("another_clerk",), owner=AT_THE_COUNTER),
    Probe(
        "POST",
        "/counter/cases",
        {"clerk": 201, "another_clerk": 201},
        body={**STATUS_QUERY, "applicant": {"id_number": demo_resident(FIRST_TIMER)["id_number"], "name": FIRST_TIMER}},
    ),
    # HR review, district-scoped
    Probe(
        "GET",
        "/reviews",
        {"reviewer": 200, "another_reviewer": 200, "reviewer_who_applied": 200},
        blind=("another_reviewer", "reviewer_who_applied"),
    ),
    Probe("GET", "/reviews/{review}", {"reviewer": 200}, hidden=NOT_THEIR_REVIEW),
    Probe("POST", "/reviews/{review}/decision", {"reviewer": 200}, hidden=NOT_THEIR_REVIEW, body={"decision": "approve"}),
    # the pension system
    Probe("GET", "/pension/requests", {"pension_system": 200}, owner=PENSIONER),
    Probe("POST", "/pension/requests/{pension_request}/decision", {"pension_system": 200}, body={"decision": "accept"}, owner=PENSIONER),
    # cooperating banks: their own bank's cards only
    Probe("GET", "/bank/cards", {"bank": 200, "another_bank": 200}, blind=("another_bank",), owner=CARD_HOLDER),
    Probe("POST", "/bank/cards/{card}/issued", {"bank": 200}, hidden=("another_bank",), owner=CARD_HOLDER),
    # the card was just issued (the probe above): its own bank may no longer fail it, and is told why
    Probe("POST", "/bank/cards/{card}/failed", {"bank": 409}, hidden=("another_bank",), body={"reason": "芯片写入失败"}, owner=CARD_HOLDER),
    # operators and auditors
    Probe("GET", "/admin/calendar/2027", {"operator": 200}),
    Probe("PUT", "/admin/calendar/2027", {"operator": 200}, body=SCHEDULE_2027),
    Probe("GET", "/audit/accesses?person={applicant_id_number}", {"auditor": 200}),
]


def _staff(api: Any, roles: list[str], sub: str, **claims: Any) -> str:
    return api.token({"id_number": sub, "name": "工作人员", "phone": "13900000009"}, roles=roles, **claims)


def _bad_tokens() -> dict[str, str]:
    settings = services().settings
    claims = {"sub": demo_resident(APPLICANT)["id_number"], "roles": ["citizen"], "iss": settings.jwt_issuer}
    now = int(time.time())
    return {
        "forged": jwt.encode({**claims, "exp": now + 600}, "a key that is not the stack's development key!", algorithm="HS256"),
        "unsigned": jwt.encode({**claims, "exp": now + 600}, None, algorithm="none"),
        "expired": jwt.encode({**claims, "exp": now - 3600}, settings.jwt_dev_key.get_secret_value(), algorithm="HS256"),
    }


@pytest.fixture
def world(api: Any) -> dict[str, Any]:
    """The resources the probes aim at, each in the state its route acts on."""
    from tests.integration.test_pension import pension_system
    from tests.integration.test_reviews import approved_card

    applicant, applicant_token, review_case = submitted_review(api, APPLICANT, {"code": "apply", "form": BANK})
    _, _, _, card_id = approved_card(api, CARD_HOLDER)
    pensioner = demo_resident(PENSIONER)
    pension_token = api.token(pensioner)
    change = {"code": "pension_account", "form": {"account_number": pensioner["card"]["account_number"]}}
    created = api.create_case(pension_token, [change], phone=pensioner["phone"])
    assert created.status_code == 201, created.body
    pension_case = created.json_body["case_id"]
    assert api.post(f"/cases/{pension_case}/submit", None, pension_token).status_code == 202
    api.wait_for(pension_case, pension_token, lambda c: c["matters"][0]["status"] == "awaiting_review")

    drafts = {}
    for name in ("draft_to_change", "draft_to_submit", "draft_to_withdraw", "draft_to_delete"):
        response = api.create_case(applicant_token, [{"code": "status_query"}], phone=applicant["phone"])
        assert response.status_code == 201, response.body
        drafts[name] = response.json_body["case_id"]
    first_timer = demo_resident(FIRST_TIMER)
    needing = api.create_case(api.token(first_timer), [{"code": "apply", "form": BANK}], phone=first_timer["phone"])
    assert needing.status_code == 201, needing.body

    tokens = {
        "applicant": applicant_token,
        "another_citizen": api.token(STRANGER),
        "clerk": _staff(api, ["clerk"], "clerk-1", service_point="HS-TX-01"),
        "another_clerk": _staff(api, ["clerk"], "clerk-2", service_point="HS-HZ-02"),
        "reviewer": _staff(api, ["reviewer"], "hr-1", district=applicant["district"]),
        "another_reviewer": _staff(api, ["reviewer"], "hr-2", district="341002"),
        "reviewer_who_applied": _staff(api, ["reviewer"], "hr-3", district=applicant["district"], id_number=applicant["id_number"]),
        "pension_system": pension_system(api),
        "bank": _staff(api, ["bank"], "bank-1", bank="boc"),
        "another_bank": _staff(api, ["bank"], "bank-2", bank="icbc"),
        "operator": _staff(api, ["operator"], "ops-1"),
        "auditor": _staff(api, ["auditor"], "SJ0001"),
        **_bad_tokens(),
    }
    opened = counter_case(api, tokens["clerk"], AT_THE_COUNTER, [{"code": "status_query"}])
    assert opened.status_code == 201, opened.body
    return {
        "tokens": tokens,
        "ids": {
            "review_case": review_case["case_id"],
            "review": f"{review_case['case_id']}.apply",
            "pension_request": f"{pension_case}.pension_account",
            "card": card_id,
            "counter_case": opened.json_body["case_id"],
            "draft_needing_materials": needing.json_body["case_id"],
            "applicant_id_number": applicant["id_number"],
            **drafts,
        },
    }


def _token_of(world: dict[str, Any], api: Any, probe: Probe, caller: str) -> str | None:
    if caller == "no_token":
        return None
    if caller == "applicant" and probe.owner != "applicant":
        return api.token(probe.owner)  # the resident whose resource this is
    return world["tokens"][caller]


def _call(api: Any, method: str, path: str, token: str | None, body: Any) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return api.client.http.request(method, path, headers=headers, body=json.dumps(body) if body is not None else b"")


UNKNOWN = "0b7c6a52-6d1e-4a53-9c1f-1c1d2e3f4a5b"


def test_every_caller_gets_exactly_what_the_table_says_on_every_route(api: Any, world: dict[str, Any]) -> None:
    import app as application

    served = {(m, path) for path, route in application.app.routes.items() for m in route if m != "OPTIONS" and not path.startswith("/dev/")}
    unprobed = served - {(p.method, _route_of(p.path)) for p in PROBES}
    assert not unprobed, f"routes without a probe: {sorted(unprobed)}"

    ids = world["ids"]
    people = [demo_resident(name)["id_number"] for name in RESIDENTS]
    everything = [v for k, v in ids.items() if k != "applicant_id_number"] + people
    wrong = []
    for probe in PROBES:
        path = probe.path.format(**ids)
        key = next((k for k in ids if "{" + k + "}" in probe.path), None)
        # the callers who may not, first; the one(s) who may, last
        for caller in sorted(CALLERS, key=lambda c: probe.expected(c) < 300):
            token = _token_of(world, api, probe, caller)
            response = _call(api, probe.method, path, token, probe.body)
            text = response.body.decode("utf-8", "replace")
            expected = probe.expected(caller)
            where = f"{probe.method} {probe.path} as {caller}"
            if response.status_code != expected:
                wrong.append(f"{where}: {response.status_code}, expected {expected}: {text[:300]}")
                continue
            if expected >= 400 and not probe.public:
                assert response.headers.get("Content-Type") == "application/problem+json", (where, response.headers)
                assert not [n for n in people if n in text], f"{where} names a resident"
            if expected == 404 and key is not None:  # exactly what a resource that does not exist answers
                unknown = _call(api, probe.method, probe.path.format(**{**ids, key: UNKNOWN}), token, probe.body)
                if (unknown.status_code, unknown.body.decode().replace(UNKNOWN, ids[key])) != (404, text):
                    wrong.append(f"{where}: its 404 differs from an unknown resource's: {text[:200]} / {unknown.body[:200]!r}")
            if caller in probe.blind:  # their own list, in which nothing of the others' appears
                named = [thing for thing in everything if thing in text]
                if named:
                    wrong.append(f"{where}: the list shows {len(named)} thing(s) of other people: {text[:300]}")
    assert not wrong, "\n".join(wrong)


RESIDENTS = (APPLICANT, CARD_HOLDER, PENSIONER, FIRST_TIMER, AT_THE_COUNTER)
ROUTE_PARAMETERS = {"review": "review_id", "pension_request": "request_id", "card": "card_id"}  # every other resource is a case


def _route_of(path: str) -> str:
    """The app's route a probe's path stands for."""
    parts = []
    for part in path.split("?", maxsplit=1)[0].split("/"):
        if part.startswith("{"):
            parts.append("{" + ROUTE_PARAMETERS.get(part[1:-1], "case_id") + "}")
        else:
            parts.append("{year}" if part == "2027" else part)
    return "/".join(parts)
