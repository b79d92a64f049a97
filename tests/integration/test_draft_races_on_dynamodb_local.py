"""A draft's change, delete and submit racing on real DynamoDB semantics (DynamoDB Local): exactly one wins."""

from __future__ import annotations

import pytest

from chalicelib.adapters.dynamo_cases import ConcurrentUpdate
from tests.integration.test_store_on_dynamodb_local import a_case, endpoint, run_together, services  # noqa: F401 (fixtures)


def _submit(store, case_id, version):  # noqa: ANN001, ANN202
    return store.update_case(case_id, version, {"status": "submitted"})


def _delete(store, case_id, version):  # noqa: ANN001, ANN202
    return store.delete_draft(case_id, version)


def _change(store, case_id, version):  # noqa: ANN001, ANN202
    return store.replace_draft(
        case_id,
        version,
        {"matter_codes": ["status_query"]},
        [{"code": "status_query", "status": "pending", "form": {}}],
        ["activate"],
        [],
        {},
    )


def test_of_a_submit_and_a_delete_started_together_exactly_one_wins(services):  # noqa: F811
    for round_ in range(5):
        case_id = a_case(services, f"00000000-0000-4000-8000-00000000010{round_}")
        version = services.store.get(case_id).case["version"]
        work = [_submit, _delete]
        results = run_together(2, lambda i: work[i](services.store, case_id, version))  # noqa: B023
        failed = [r for r in results if isinstance(r, ConcurrentUpdate)]
        assert len(failed) == 1, results
        record = services.store.get(case_id)
        if isinstance(results[0], ConcurrentUpdate):  # the delete won: nothing is left
            assert record is None
        else:  # the submit won: the case is whole
            assert record.case["status"] == "submitted" and list(record.matters) == ["activate"]


def test_of_a_submit_and_a_change_started_together_exactly_one_wins(services):  # noqa: F811
    for round_ in range(5):
        case_id = a_case(services, f"00000000-0000-4000-8000-00000000020{round_}")
        version = services.store.get(case_id).case["version"]
        work = [_submit, _change]
        results = run_together(2, lambda i: work[i](services.store, case_id, version))  # noqa: B023
        assert len([r for r in results if isinstance(r, ConcurrentUpdate)]) == 1, results
        record = services.store.get(case_id)
        assert record.case["version"] == version + 1
        if isinstance(results[0], ConcurrentUpdate):  # the change won: still a draft, with its new matters
            assert record.case["status"] == "draft" and list(record.matters) == ["status_query"]
        else:  # the submit won: the matters it was submitted with
            assert record.case["status"] == "submitted" and list(record.matters) == ["activate"]


def test_a_change_does_not_drop_a_material_an_upload_touched_meanwhile(services):  # noqa: F811
    case_id = a_case(services, "00000000-0000-4000-8000-000000000301")
    store = services.store
    version = store.get(case_id).case["version"]
    # the material as the change read it (version 1), then an upload moves it on
    store._table.put_item(Item={"pk": f"CASE#{case_id}", "sk": "MATERIAL#photo", "entity": "material", "kind": "photo", "version": 2})
    with pytest.raises(ConcurrentUpdate):
        store.replace_draft(case_id, version, {"matter_codes": []}, [], [], [], {"photo": 1})
    record = store.get(case_id)
    assert record.case["version"] == version and "photo" in record.materials
