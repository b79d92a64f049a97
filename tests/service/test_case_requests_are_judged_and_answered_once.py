"""Creating and submitting cases at service level: pre-judgment answers, bad requests naming the field,
who sees the full ID, and requests repeated with their Idempotency-Key.

Moved from tests/integration/test_api_contract.py, which keeps what only HTTP shows (401, problem+json,
404 to a stranger, the OpenAPI document, a malformed body, concurrent submits starting one execution).
"""

from __future__ import annotations

import pytest

from chalicelib.adapters.dynamo_cases import ConcurrentUpdate
from chalicelib.auth import Principal
from chalicelib.errors import IdempotencyKeyReused, ValidationProblem
from chalicelib.models import CreateCaseRequest, PrejudgeRequest
from chalicelib.services import case_views, cases, prejudging
from chalicelib.services.case_views import case_view
from chalicelib.validation import parse_model
from tests.conftest import demo_resident
from tests.service.conftest import World


def my_cases(world: World, who) -> list[dict]:
    return case_views.list_cases(world.services, who, 20, None).model_dump(mode="json")["cases"]


def prejudged(world: World, who, body: dict) -> dict:
    """POST /prejudge."""
    return prejudging.prejudge_for(world.services, who, parse_model(PrejudgeRequest, body)).model_dump(mode="json")


def test_a_prejudgment_answers_every_failing_matter_without_creating_anything(world):
    who = world.citizen("李强")
    body = prejudged(
        world, who, {"matters": [{"code": "activate"}, {"code": "apply", "form": {"bank": "中国银行黄山分行", "branch": "屯溪支行"}}]}
    )
    assert body["passed"] is False
    verdicts = {m["matter"]: [e["code"] for e in m["errors"]] for m in body["matters"]}
    assert verdicts == {"apply": ["CONFLICTING_MATTERS", "CARD_EXISTS"], "activate": ["CONFLICTING_MATTERS"]}
    assert my_cases(world, who) == []


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: {**b, "matters": [{"code": "teleport"}]}, "matters[0].code"),
        (lambda b: {**b, "matters": []}, "matters"),
        (lambda b: {**b, "matters": [{"code": "activate"}, {"code": "activate"}]}, "matters"),
        (lambda b: {k: v for k, v in b.items() if k != "consent"}, "consent"),
        (lambda b: {**b, "consent": {**b["consent"], "agreed": False}}, "consent.agreed"),
        (lambda b: {**b, "consent": {**b["consent"], "notice_version": "2019.1"}}, "consent.notice_version"),
        (lambda b: {**b, "contact": {"phone": "12345", "address": "黄山市"}}, "contact.phone"),
        (lambda b: {**b, "matters": [{"code": "loss", "form": {"action": "destroy"}}]}, "matters[0].form.action"),
        (lambda b: {**b, "matters": [{"code": "activate", "form": {"x": 1}}]}, "matters[0].form.x"),
        (lambda b: {**b, "surprise": True}, "surprise"),
        (lambda b: [], "body"),
    ],
    ids=[
        "unknown-matter",
        "no-matter",
        "twice",
        "no-consent",
        "consent-refused",
        "old-notice",
        "bad-phone",
        "bad-form",
        "extra-form-field",
        "extra-field",
        "not-an-object",
    ],
)
def test_bad_case_requests_answer_422_naming_the_field_and_create_nothing(world, mutate, field):
    who = world.citizen("李强")
    good = {
        "consent": {"notice_version": world.services.settings.notice_version, "agreed": True},
        "matters": [{"code": "activate"}],
        "contact": {"phone": "13905590002", "address": "黄山市黄山区"},
    }
    with pytest.raises(ValidationProblem) as refused:
        cases.create_case(world.services, who, parse_model(CreateCaseRequest, mutate(good)))
    assert refused.value.status == 422 and refused.value.detail
    assert field in [e["field"] for e in refused.value.errors] and all(e["message"] for e in refused.value.errors)
    assert my_cases(world, who) == []
    assert world.services.card_system.current_card(demo_resident("李强")["id_number"]).status.value == "issued"


def test_a_citizen_sees_their_full_id_number_and_a_reviewer_would_see_it_masked(world):
    resident = demo_resident("李强")
    case = world.create(world.citizen(resident), [{"code": "status_query"}])
    assert case["applicant"]["id_number"] == resident["id_number"]
    staff = Principal(sub="hr-001", roles=["reviewer"], district="341003")
    view = case_view(world.services.store.get(case["case_id"]), staff)
    assert view.applicant.id_number == resident["id_number"][:6] + "********" + resident["id_number"][-4:]


def test_a_repeated_create_with_the_same_idempotency_key_answers_the_first_case(world):
    who = world.citizen("王芳")
    first = world.create(who, [{"code": "status_query"}], key="k-1")
    again = world.create(who, [{"code": "status_query"}], key="k-1")
    assert first["case_id"] == again["case_id"]
    assert len(my_cases(world, who)) == 1
    with pytest.raises(IdempotencyKeyReused) as reused:
        world.create(who, [{"code": "info_change", "form": {"address": "黄山市某路"}}], key="k-1")
    assert reused.value.status == 422 and reused.value.errors[0]["field"] == "Idempotency-Key"
    assert len(my_cases(world, who)) == 1


def test_the_same_idempotency_key_from_two_people_creates_two_cases(world):
    a, b = world.citizen("王芳"), world.citizen("徐丽")
    world.create(a, [{"code": "status_query"}], key="same")
    world.create(b, [{"code": "status_query"}], key="same")
    assert len(my_cases(world, a)) == len(my_cases(world, b)) == 1


def test_a_double_submit_with_one_idempotency_key_answers_the_first_answer_and_runs_once(world):
    who = world.citizen("李强")
    case_id = world.create(who, [{"code": "activate"}])["case_id"]
    first = world.submit(who, case_id, key="submit-1")
    again = world.submit(who, case_id, key="submit-1")
    assert first == again and first["status"] == "submitted"
    assert list(world.workflow.runs) == [case_id]
    assert world.case(who, case_id)["status"] == "completed"


def test_a_prejudgment_before_the_forms_needs_only_the_fields_its_rules_read(world):
    who = world.citizen("刘洋")  # a lost card
    assert prejudged(world, who, {"matters": [{"code": "reissue", "form": {"kind": "lost"}}, {"code": "info_change"}]})["passed"] is True
    with pytest.raises(ValidationProblem) as missing_kind:
        prejudged(world, who, {"matters": [{"code": "reissue"}]})
    assert "matters[0].form.kind" in [e["field"] for e in missing_kind.value.errors]
    # creating the case still needs the whole form
    with pytest.raises(ValidationProblem) as incomplete:
        world.create(who, [{"code": "reissue", "form": {"kind": "lost"}}])
    assert "matters[0].form.bank" in [e["field"] for e in incomplete.value.errors]


def test_a_submit_applied_by_an_attempt_whose_answer_was_lost_still_starts_the_run(world, monkeypatch):
    """The write took, but its answer came back as a conflict (a throttled retry of an applied write):
    the repeat finds the case submitted by this very request and starts its run, once."""
    who = world.citizen(demo_resident("李强"))
    case = world.create(who, [{"code": "status_query"}])
    world.workflow.held = True  # started runs wait, so the test sees the start itself
    store = world.services.store
    applied = store.submit

    def applied_then_lost(*args, **kwargs):
        applied(*args, **kwargs)
        raise ConcurrentUpdate(f"case {case['case_id']}")

    monkeypatch.setattr(store, "submit", applied_then_lost)
    answer = world.submit(who, case["case_id"], key="k-1")
    assert answer["status"] == "submitted"
    assert world.workflow.describe(case["case_id"])["status"] == "RUNNING"


def test_every_answer_that_shows_a_clerk_a_case_is_recorded_for_the_applicant(world):
    """Opening, changing, submitting and reading a counter case: each answer shows the person's data (PIPL Art. 51)."""
    clerk = world.clerk()
    case = world.counter_case(clerk, "刘洋", [{"code": "status_query"}])
    world.submit(clerk, case["case_id"])
    world.case(clerk, case["case_id"])
    looked = [a.looked.value for a in world.access_log.for_case(case["case_id"], 20, None)[0]]
    assert looked == ["case", "case", "case"]  # read, submitted, opened: newest first
    world.case(world.citizen(demo_resident("刘洋")), case["case_id"])  # the applicant's own read is not recorded
    assert len(world.access_log.for_case(case["case_id"], 20, None)[0]) == 3


def test_my_cases_are_listed_newest_first_page_by_page_and_a_cursor_pages_only_its_owners_cases(world):
    who, other = world.citizen("王芳"), world.citizen("李强")
    ids = [world.create(who, [{"code": "status_query"}])["case_id"] for _ in range(3)]
    first = case_views.list_cases(world.services, who, 2, None)
    assert [c.case_id for c in first.cases] == ids[::-1][:2] and first.next_cursor
    second = case_views.list_cases(world.services, who, 2, first.next_cursor)
    assert [c.case_id for c in second.cases] == ids[:1]
    for cursor, caller in (("garbage", who), (first.next_cursor, other)):  # another person's cursor does not page through these
        with pytest.raises(ValidationProblem) as refused:
            case_views.list_cases(world.services, caller, 2, cursor)
        assert [e["field"] for e in refused.value.errors] == ["cursor"]


def test_creates_racing_with_one_key_make_one_case_and_all_answer_it(world, monkeypatch):
    from chalicelib.services import answers

    who = world.citizen("徐丽")
    first = world.create(who, [{"code": "status_query"}], key="racing-key")
    # the twin request looked for an answer before the first one wrote its case and answer together
    real, looked = answers.earlier_answer, []

    def before_the_first_wrote(services, keyed):
        looked.append(keyed)
        return None if len(looked) == 1 else real(services, keyed)

    monkeypatch.setattr(answers, "earlier_answer", before_the_first_wrote)
    assert world.create(who, [{"code": "status_query"}], key="racing-key") == first
    assert [c["case_id"] for c in my_cases(world, who)] == [first["case_id"]]
    assert len(looked) == 2  # once before its write, once after the write found the first request's answer
