"""Reviews: routed to a queue some reviewer sees; never to the applicant; pending and decided lists; the review's details.

A reviewer token that does not say who they are is refused here too; an unknown list status is checked at the
edge in tests/integration/test_api_contract.py.
"""

from __future__ import annotations

import pytest
from stdnum.cn import ric

from chalicelib.errors import NotFoundProblem
from chalicelib.services import reviews
from tests.conftest import demo_resident
from tests.service.conftest import World, awaiting_review
from tests.service.test_reviews_are_decided_once_in_time_and_reach_the_bank import BANK, submitted_review


def newcomer(region: str, name: str, phone: str) -> dict:
    """A person the card system does not know, with an ID first issued in `region`."""
    body = region + "19900307" + "001"
    return {"id_number": body + ric.calc_check_digit(body + "0"), "name": name, "phone": phone}  # the last digit is ignored


def submitted_by(world: World, person: dict) -> dict:
    who = world.citizen(person)
    case_id = world.create(who, [{"code": "apply", "form": BANK}], phone=person["phone"])["case_id"]
    world.upload_missing(who, case_id)
    world.submit(who, case_id)
    case = world.case(who, case_id)
    assert awaiting_review(case)
    return case


def listed(world: World, who, status: str = "pending") -> list[str]:
    found = world.decided_reviews(who) if status == "decided" else world.pending_reviews(who)
    return [r["review_id"] for r in found["reviews"]]


def opens(world: World, who, review_id: str) -> bool:
    try:
        reviews.get_review(world.services, who, review_id)
    except NotFoundProblem:
        return False
    return True


def can_see(world: World, who, review_id: str) -> bool:
    return review_id in listed(world, who) and opens(world, who, review_id)


def test_the_review_goes_to_the_applicants_district_in_the_card_system_and_no_other(world):
    resident, _, case = submitted_review(world)  # 杨磊: 341022 in the card system, an old 3427xx ID
    review_id = f"{case['case_id']}.apply"
    assert can_see(world, world.reviewer(resident["district"]), review_id)
    for other in ("341002", "341000"):
        who = world.reviewer(other)
        assert review_id not in listed(world, who)
        assert not opens(world, who, review_id)
        with pytest.raises(NotFoundProblem):
            world.decide(who, review_id, {"decision": "approve"})


def test_a_person_unknown_to_the_card_system_is_reviewed_in_the_district_of_the_id_else_in_the_city_queue(world):
    local = submitted_by(world, newcomer("341021", "方圆", "13905591001"))
    outsider = submitted_by(world, newcomer("110101", "孙悦", "13905591002"))
    local_id, outsider_id = f"{local['case_id']}.apply", f"{outsider['case_id']}.apply"
    assert can_see(world, world.reviewer("341021"), local_id)
    assert not can_see(world, world.reviewer("341000"), local_id)
    city = world.reviewer("341000")
    assert can_see(world, city, outsider_id)
    world.decide(city, outsider_id, {"decision": "approve"})
    assert outsider_id in listed(world, city, "decided")
    assert all(outsider_id not in listed(world, world.reviewer(d)) for d in ("341002", "341021", "341022"))


def test_a_reviewer_never_sees_or_decides_their_own_case(world):
    resident, _, case = submitted_review(world)
    review_id = f"{case['case_id']}.apply"
    by_claim = world.reviewer(resident["district"], sub="hr-7", id_number=resident["id_number"])
    by_sub = world.reviewer(resident["district"], sub=resident["id_number"], id_number=None)
    for who in (by_claim, by_sub):
        assert review_id not in listed(world, who)
        assert not opens(world, who, review_id)
        with pytest.raises(NotFoundProblem):
            world.decide(who, review_id, {"decision": "approve"})
    colleague = world.reviewer(resident["district"], sub="hr-8", id_number=demo_resident("王芳")["id_number"])
    assert can_see(world, colleague, review_id)
    world.decide(colleague, review_id, {"decision": "approve"})
    assert review_id in listed(world, colleague, "decided")
    assert review_id not in listed(world, by_claim, "decided")


def test_decided_reviews_are_listed_newest_first_and_leave_the_pending_list(world):
    first_resident, _, first = submitted_review(world, "杨磊")
    hr = world.reviewer(first_resident["district"])
    other = submitted_by(world, newcomer("341022", "程明", "13905591003"))
    ids = [f"{first['case_id']}.apply", f"{other['case_id']}.apply"]
    assert set(ids) <= set(listed(world, hr)) and listed(world, hr, "decided") == []
    world.decide(hr, ids[0], {"decision": "approve"})
    world.decide(hr, ids[1], {"decision": "reject", "reason": "照片不清晰"})
    decided = world.decided_reviews(hr)["reviews"]
    assert [r["review_id"] for r in decided] == [ids[1], ids[0]]
    assert [r["decision"] for r in decided] == ["reject", "approve"] and all(r["status"] == "decided" for r in decided)
    assert not set(ids) & set(listed(world, hr))
    paged = world.decided_reviews(hr, limit=1)
    assert [r["review_id"] for r in paged["reviews"]] == [ids[1]] and paged["next_cursor"]
    rest = world.decided_reviews(hr, limit=1, cursor=paged["next_cursor"])
    assert [r["review_id"] for r in rest["reviews"]] == [ids[0]]


def test_the_review_shows_the_applicant_the_form_the_due_time_and_a_link_to_every_material_shared_or_uploaded(world):
    resident, _, case = submitted_review(world, "赵敏")  # ID e-license shared, police photo not: the photo is uploaded
    body = reviews.get_review(world.services, world.reviewer(resident["district"]), f"{case['case_id']}.apply").model_dump(mode="json")
    assert body["applicant"]["name"] == resident["name"]
    assert body["applicant"]["id_number"] == resident["id_number"][:6] + "********" + resident["id_number"][-4:]
    assert body["form"] == BANK and body["matter"] == "apply" and body["due_at"] == case["matters"][0]["due_at"]
    assert body["matter_time_limit"] == "1个工作日"
    assert {m["kind"]: m["source"] for m in body["materials"]} == {
        "id_card_front": "data_sharing",
        "id_card_back": "data_sharing",
        "photo": "upload",
    }
    for material in body["materials"]:
        assert material["download_url"], material
        fetched = world.materials.fetch(material["download_url"])
        assert fetched.startswith(b"\x89PNG") or fetched.startswith(b"\xff\xd8\xff"), material["kind"]


def test_a_reviewer_whose_token_does_not_say_who_they_are_or_where_is_refused_so_no_one_reviews_their_own_case():
    from chalicelib.auth import Principal, require_staff
    from chalicelib.errors import Forbidden

    assert require_staff(World.reviewer("341022"), "reviewer").district == "341022"
    nowhere = Principal(sub="hr-nowhere", roles=["reviewer"], id_number="341002196506150030")
    for anonymous in (World.reviewer("341022", sub="hr-unknown", id_number=None), nowhere):
        with pytest.raises(Forbidden):
            require_staff(anonymous, "reviewer")
