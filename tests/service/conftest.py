"""Service-level tests: the service functions (chalicelib/services) called as the routes and handlers call
them, on a `Services` whose every port is in memory — the `InMemoryCaseStore` (held to the DynamoDB
store by tests/contract) and the fakes of tests/service/fakes.py, the workflow among them playing
statemachine/case.asl.json on the stage functions. No moto, no HTTP, no engine threads: a test takes
milliseconds, so the rules are tested here and tests/integration keeps the HTTP and ASL wiring.

Requests go through the same pydantic models the routes parse (`chalicelib.validation.parse_model`),
so a field error is the 422 the route would answer. The business clock starts on a working Tuesday
and ticks a millisecond at each reading, so timelines keep their order as on the real clock.
"""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import pytest

from chalicelib.adapters.access_log import InMemoryAccessLog
from chalicelib.adapters.memory_cases import InMemoryCaseStore
from chalicelib.adapters.simulators import shared_document_key
from chalicelib.auth import Principal
from chalicelib.domain.workdays import SHANGHAI
from chalicelib.residents import Identity, Resident, load_identities, load_residents
from chalicelib.settings import Settings
from chalicelib.validation import parse_model
from chalicelib.wiring import Services
from tests.conftest import DEMO_RESIDENTS, ROOT, STAFF_ID_NUMBER, demo_resident, jpeg
from tests.service.fakes import (
    CalendarStoreInMemory,
    MaterialsInMemory,
    SentMessages,
    SteppedWorkflow,
    external_systems,
)

FINAL = {"completed", "partially_completed", "rejected", "failed", "withdrawn"}
ADDRESS = "安徽省黄山市屯溪区新安北路18号"
START = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)  # a Tuesday, a working day


@cache
def _people() -> tuple[list[Resident], list[Identity]]:
    residents = load_residents(DEMO_RESIDENTS)
    return residents, load_identities(ROOT / "data" / "identities.demo.json", residents)


@cache
def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 80), (40, 90, 170)).save(buffer, "PNG")
    return buffer.getvalue()


class Clock:
    """The business clock: a set moment that moves a millisecond with each reading, as time does between writes."""

    def __init__(self, moment: datetime = START):
        self.moment = moment

    def __call__(self) -> datetime:
        now = self.moment
        self.moment += timedelta(milliseconds=1)
        return now

    def set(self, moment: datetime) -> None:
        self.moment = moment


class World:
    """The services on in-memory ports, the people of the demo files, and the callers' principals."""

    def __init__(self) -> None:
        residents, identities = _people()
        self.clock = Clock()
        services = Services(Settings(stage="test"), clock=self.clock)
        # the cached adapters of the composition root, set instead of built
        services.store = InMemoryCaseStore(clock=services.now)
        self.access_log = InMemoryAccessLog()  # staff reads are recorded (PIPL Art. 51)
        services.access_log = self.access_log
        cards, pension, sharing = external_systems(residents, identities, services.now, services.person_key)
        services.card_system, services.pension_system, services.data_sharing = cards, pension, sharing
        self.materials = MaterialsInMemory()
        for r in residents:  # the documents data sharing provides, where a reviewer reads them
            for source in ("id_license", "police_photo"):
                if getattr(r.shared, source):
                    self.materials.put(shared_document_key(services.person_key(r.id_number), source), _png())
        services.materials = self.materials
        self.notifier = SentMessages()
        services.notifier = self.notifier
        services.calendar_store = CalendarStoreInMemory(services.now)
        self.workflow = SteppedWorkflow()
        services.workflow = self.workflow
        self.workflow.services = services
        self.services = services
        from chalicelib.services.bank import list_cards_waiting_from_before

        list_cards_waiting_from_before(services, residents)  # as the local stack does at start

    # --- who calls ------------------------------------------------------------------

    @staticmethod
    def citizen(who: str | dict) -> Principal:
        resident = demo_resident(who) if isinstance(who, str) else who
        return Principal(sub=resident["id_number"], roles=["citizen"], name=resident["name"], phone_number=resident["phone"])

    @staticmethod
    def reviewer(district: str, sub: str = "hr-reviewer-1", id_number: str | None = STAFF_ID_NUMBER) -> Principal:
        return Principal(sub=sub, roles=["reviewer"], name="审核员", district=district, id_number=id_number)

    @staticmethod
    def clerk(point: str = "HS-TX-01", sub: str = "clerk-1") -> Principal:
        return Principal(sub=sub, roles=["clerk"], name="窗口人员", service_point=point)

    @staticmethod
    def bank(code: str | None) -> Principal:
        return Principal(sub="bank-clerk-1", roles=["bank"], name="银行柜员", bank=code)

    @staticmethod
    def pension_system() -> Principal:
        return Principal(sub="pension-system", roles=["pension_system"], name="养老保险系统")

    @staticmethod
    def operator(sub: str = "ops-1") -> Principal:
        return Principal(sub=sub, roles=["operator"], name="运维人员")

    # --- what the routes do ---------------------------------------------------------------

    def create(
        self,
        who: Principal,
        matters: list[dict],
        phone: str = "13905590001",
        address: str = "安徽省黄山市屯溪区新安北路18号",
        key: str | None = None,
    ) -> dict:
        """POST /cases: the draft as answered (a Problem raised as the route would answer it)."""
        from chalicelib.models import CreateCaseRequest
        from chalicelib.services import cases

        body = {
            "consent": {"notice_version": self.services.settings.notice_version, "agreed": True},
            "matters": matters,
            "contact": {"phone": phone, "address": address},
        }
        return cases.create_case(self.services, who, parse_model(CreateCaseRequest, body), key)

    def counter_case(self, clerk: Principal, applicant_name: str, matters: list[dict], agent: dict | None = None, **extra: Any) -> dict:
        """POST /counter/cases for a demo resident present at the counter."""
        from chalicelib.models import CounterCaseRequest
        from chalicelib.services import cases

        applicant = demo_resident(applicant_name)
        body: dict[str, Any] = {
            "consent": {"notice_version": self.services.settings.notice_version, "agreed": True},
            "matters": matters,
            "contact": {"phone": applicant["phone"], "address": applicant["address"]},
            "applicant": {"id_number": applicant["id_number"], "name": applicant["name"]},
            **extra,
        }
        if agent:
            body["agent"] = agent
        return cases.create_counter_case(self.services, clerk, parse_model(CounterCaseRequest, body))

    def submit(self, who: Principal, case_id: str, key: str | None = None) -> dict:
        """POST /cases/{id}/submit; the fake workflow runs the case at once, up to its department waits."""
        from chalicelib.services import cases

        return cases.submit_case(self.services, who, case_id, key)

    def case(self, who: Principal, case_id: str) -> dict:
        """GET /cases/{id} as JSON."""
        from chalicelib.services import case_views

        return case_views.get_case(self.services, who, case_id).model_dump(mode="json")

    def declare(self, who: Principal, case_id: str, kind: str, content_type: str = "image/jpeg", size: int = 1000) -> tuple[int, dict]:
        """POST /cases/{id}/materials: (status, answer)."""
        from chalicelib.models import MaterialDeclaration
        from chalicelib.services import materials

        request = parse_model(MaterialDeclaration, {"kind": kind, "content_type": content_type, "size": size})
        status, answer = materials.declare_material(self.services, who, case_id, request)
        return status, answer.model_dump(mode="json")

    def upload(
        self, who: Principal, case_id: str, kind: str, content: bytes, content_type: str = "image/jpeg", size: int | None = None
    ) -> dict | None:
        """Declare, put the file where the link says (the browser's POST), and let the bucket's event check it."""
        from chalicelib.services import materials

        status, answer = self.declare(who, case_id, kind, content_type, size or len(content))
        if status != 201:
            return None
        key = answer["upload"]["fields"]["key"]
        self.materials.put(key, content)
        return materials.check_uploaded_object(self.services, key)

    def upload_missing(self, who: Principal, case_id: str) -> None:
        for material in self.case(who, case_id)["materials"]:
            if material["status"] not in ("provided", "uploaded"):
                assert self.upload(who, case_id, material["kind"], jpeg())["status"] == "uploaded"

    def opened(self, name: str, matters: list[dict], phone: str | None = None) -> tuple[dict, Principal, dict]:
        """A demo resident's case created, its materials uploaded and submitted: (resident, principal, case as now)."""
        resident = demo_resident(name)
        who = self.citizen(resident)
        created = self.create(who, matters, phone=phone or resident["phone"])
        self.upload_missing(who, created["case_id"])
        self.submit(who, created["case_id"])
        return resident, who, self.case(who, created["case_id"])

    def decide(self, who: Principal, review_id: str, body: dict, department: str = "hr") -> dict:
        """POST /reviews/{id}/decision (HR) as JSON."""
        from chalicelib.models import DecisionRequest
        from chalicelib.services import reviews

        return reviews.decide(self.services, who, review_id, parse_model(DecisionRequest, body), department).model_dump(mode="json")

    def decide_pension(self, review_id: str, body: dict) -> dict:
        """POST /pension/requests/{id}/decision as JSON."""
        from chalicelib.models import PensionDecisionRequest
        from chalicelib.services import reviews

        request = parse_model(PensionDecisionRequest, body)
        return reviews.decide_pension(self.services, self.pension_system(), review_id, request).model_dump(mode="json")

    def pending_reviews(self, who: Principal, department: str = "hr", limit: int = 20, cursor: str | None = None) -> dict:
        from chalicelib.services import reviews

        return reviews.list_pending(self.services, who, department, limit, cursor).model_dump(mode="json")

    def decided_reviews(self, who: Principal, limit: int = 20, cursor: str | None = None) -> dict:
        from chalicelib.services import reviews

        return reviews.list_decided(self.services, who, limit, cursor).model_dump(mode="json")

    def deadline_job(self, moment: datetime) -> dict:
        """The deadline job as EventBridge runs it at `moment`."""
        from chalicelib.services import deadlines

        return json.loads(json.dumps(deadlines.run_deadline_alerts(self.services, moment)))

    def payout_switch_job(self, moment: datetime) -> dict:
        from chalicelib.services import payouts

        return payouts.run_payout_switch(self.services, moment)

    def retention_job(self, moment: datetime) -> dict:
        from chalicelib.services import materials

        return materials.run_materials_retention(self.services, moment)

    def sms_to(self, phone: str) -> list[str]:
        return self.notifier.to(phone)


@pytest.fixture
def world() -> World:
    return World()


def finished(case: dict) -> bool:
    return case["status"] in FINAL


def awaiting_review(case: dict) -> bool:
    return case["matters"][0]["status"] == "awaiting_review" and any(e["kind"] == "awaiting_review" for e in case["timeline"])
