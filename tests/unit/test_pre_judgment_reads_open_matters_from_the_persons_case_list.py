"""Pre-judgment learns the person's open matters from their case list alone (issue 10 point 2).

Each case item carries `matter_status` {code: status}; a case written before it did is
read whole. The store here is a stand-in that serves the case list in pages and counts
whole-case reads.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo_cases import CaseRecord
from chalicelib.domain.catalogue import MatterCode
from chalicelib.services.prejudging import person_records
from chalicelib.settings import Settings
from chalicelib.wiring import Services

ID_NUMBER = "341003199002150037"


class CaseList:
    """The person's case items, newest first, served `page` at a time; whole cases on request."""

    def __init__(self, cases: list[dict[str, Any]], whole: dict[str, CaseRecord] | None = None, page: int = 50):
        self.cases, self.whole, self.page = cases, whole or {}, page
        self.pages_read = 0
        self.cases_read: list[str] = []

    def list_for_person(self, person_key: str, limit: int = 20, cursor: str | None = None) -> tuple[list[dict], str | None]:
        assert person_key == PERSON_KEY
        self.pages_read += 1
        start = int(cursor or 0)
        end = start + min(limit, self.page)
        return self.cases[start:end], (str(end) if end < len(self.cases) else None)

    def get(self, case_id: str) -> CaseRecord | None:
        self.cases_read.append(case_id)
        return self.whole.get(case_id)


class NoCard:
    def current_card(self, id_number: str) -> None:
        return None

    def record(self, id_number: str) -> None:
        return None


def services_with(store: CaseList) -> Services:
    services = Services(Settings(stage="local"))
    services.store = store  # type: ignore[misc]  # the adapters are cached properties: an instance value stands in
    services.card_system = services.pension_system = NoCard()  # type: ignore[misc,assignment]
    return services


PERSON_KEY = Services(Settings(stage="local")).person_key(ID_NUMBER)


def case(case_id: str, status: str, matter_status: dict[str, str] | None) -> dict[str, Any]:
    item: dict[str, Any] = {"case_id": case_id, "status": status}
    if matter_status is not None:
        item["matter_status"] = matter_status
    return item


def test_the_unfinished_matters_of_open_cases_are_read_from_the_case_items_without_reading_a_case() -> None:
    store = CaseList(
        [
            case("c1", "processing", {"apply": "awaiting_review", "status_query": "succeeded"}),
            case("c2", "submitted", {"loss": "pending"}),
            case("c3", "processing", {"reissue": "rejected", "activate": "failed"}),
        ]
    )
    records = person_records(services_with(store), ID_NUMBER)
    assert records.open_matters == {MatterCode.APPLY, MatterCode.LOSS}
    assert store.pages_read == 1 and store.cases_read == []


def test_drafts_finished_cases_and_the_case_being_judged_do_not_count() -> None:
    store = CaseList(
        [
            case("draft", "draft", {"apply": "pending"}),
            case("done", "completed", {"reissue": "succeeded"}),
            case("gone", "withdrawn", {"apply": "rejected"}),
            case("this", "submitted", {"pension_account": "pending"}),
        ]
    )
    assert person_records(services_with(store), ID_NUMBER, exclude_case="this").open_matters == frozenset()


def test_a_case_written_before_it_carried_its_matter_statuses_is_read_whole() -> None:
    old = CaseRecord(
        case={"case_id": "old", "status": "processing"},
        matters={"reissue": {"code": "reissue", "status": "awaiting_review"}, "loss": {"code": "loss", "status": "succeeded"}},
    )
    store = CaseList([case("new", "processing", {"apply": "succeeded"}), case("old", "processing", None)], {"old": old})
    assert person_records(services_with(store), ID_NUMBER).open_matters == {MatterCode.REISSUE}
    assert store.cases_read == ["old"]


def test_every_page_of_a_long_case_list_is_read() -> None:
    cases = [case(f"c{n}", "completed", {"status_query": "succeeded"}) for n in range(7)] + [
        case("last", "processing", {"apply": "in_progress"})
    ]
    store = CaseList(cases, page=3)
    assert person_records(services_with(store), ID_NUMBER).open_matters == {MatterCode.APPLY}
    assert store.pages_read == 3
