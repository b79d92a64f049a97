"""Reviews over HTTP: an unknown list status, and a reviewer token that does not say who they are.

Routing, the reviewer's own cases, the lists and the review's details are tested at service level:
tests/service/test_every_review_reaches_a_reviewer_who_is_not_the_applicant.py.
"""

from __future__ import annotations


def reviewer(api, district, sub="hr-reviewer-1", **claims):
    return api.token({"id_number": sub, "name": "审核员", "phone": "13900000000"}, roles=["reviewer"], district=district, **claims)


def test_any_other_status_is_422_naming_the_field(api):
    response = api.get("/reviews?status=all", reviewer(api, "341022"))
    assert response.status_code == 422
    assert response.json_body["errors"][0]["field"] == "status"


def test_a_reviewer_whose_token_does_not_say_who_they_are_is_refused_so_no_one_reviews_their_own_case(api):
    anonymous = api.post("/dev/token", {"sub": "hr-unknown", "roles": ["reviewer"], "district": "341022"}).json_body["token"]
    assert api.get("/reviews?status=pending", anonymous).status_code == 403
    assert api.get("/reviews/some-case.apply", anonymous).status_code == 403
