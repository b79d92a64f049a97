"""Counter clerks' list over HTTP: an invalid ID number is 422 naming the field, and only clerks may list.

The listing and search of a point's cases: tests/service/test_counter_clerks_list_and_search_their_service_points_cases.py.
"""

from __future__ import annotations

from tests.integration.test_materials_and_counter import clerk


def test_an_invalid_id_number_is_422_naming_the_field_and_only_clerks_may_list(api):
    here = clerk(api)
    for bad in ("342701198001010068", "12345", "abc"):
        response = api.get(f"/counter/cases?id_number={bad}", here)
        assert response.status_code == 422, bad
        assert response.json_body["errors"][0]["field"] == "id_number"
    assert api.get("/counter/cases", api.token("杨磊")).status_code == 403
    assert api.get("/counter/cases?limit=0", here).status_code == 422
