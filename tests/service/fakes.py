"""Fakes at the ports (chalicelib/ports.py) for service-level tests: plain Python, no AWS.

- `CardSystemInMemory`, `PensionSystemInMemory`, `DataSharingInMemory`: the external systems with
  the simulators' state transitions, refusals and replay rules (chalicelib/adapters/simulators.py),
  seeded from the same residents and identities files; a DynamoDB call on moto costs ~20 ms, which
  is what made every rule test slow (tests/service/test_the_fake_external_systems_answer_as_the_simulators_do.py
  holds the two to the same answers).
- `SentMessages`: the notifier, keeping what left, in order.
- `MaterialsInMemory`: the materials bucket; an upload is a put into it.
- `CalendarStoreInMemory`: the operators' loaded holiday schedules.
- `SteppedWorkflow`: statemachine/case.asl.json played on the service's own stage functions.
"""

from __future__ import annotations

import copy
import json
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stdnum import luhn

from chalicelib.adapters.dynamo_calendar import schedule_of
from chalicelib.adapters.dynamo_cases import ConcurrentUpdate
from chalicelib.adapters.simulators import _seeded_at, preexisting_case_id, shared_document_key
from chalicelib.domain.banks import find_bank
from chalicelib.domain.cards import Card, CardStatus, PensionRecord
from chalicelib.domain.identity import IdentityMatch, same_name
from chalicelib.domain.workdays import YearSchedule
from chalicelib.ports import ExternalRefusal, ResidentProfile
from chalicelib.residents import Identity, Resident

ROOT = Path(__file__).resolve().parents[2]
ASL = json.loads((ROOT / "statemachine" / "case.asl.json").read_text(encoding="utf-8"))

_VALID = {s.value for s in (CardStatus.AWAITING_COLLECTION, CardStatus.ISSUED, CardStatus.ACTIVE, CardStatus.LOST)}


def _card(item: dict) -> Card:
    return Card(
        card_id=item["card_id"],
        status=CardStatus(item["status"]),
        bank=item.get("bank", ""),
        branch=item.get("branch", ""),
        account_number=item.get("account_number", ""),
        issued_on=item.get("issued_on"),
        bank_code=item.get("bank_code", ""),
    )


class _People:
    """The external systems' records, per person (by resident ID) and per card."""

    def __init__(self, residents: Iterable[Resident], identities: Iterable[Identity], clock: Callable[[], datetime]):
        self.clock = clock
        self.profiles: dict[str, dict] = {}
        self.cards: dict[str, dict] = {}  # card id -> item (with `owner`, the resident ID)
        self.pensions: dict[str, dict] = {}
        self.shared: dict[str, dict] = {}
        self.names: dict[str, str] = {}  # the population register
        self.operations: dict[str, str] = {}  # an approval's operation id -> the card it made
        for r in residents:
            self.profiles[r.id_number] = {"name": r.name, "phone": r.phone, "address": r.address, "district": r.district}
            if r.card:
                self.cards[r.card.card_id] = {
                    "owner": r.id_number,
                    "card_id": r.card.card_id,
                    "status": r.card.status.value,
                    "bank": r.card.bank,
                    "bank_code": bank.code if (bank := find_bank(r.card.bank)) else "",
                    "branch": r.card.branch,
                    "account_number": r.card.account_number,
                    "issued_on": r.card.issued_on.isoformat() if r.card.issued_on else None,
                    "created_at": _seeded_at(r.card.issued_on),
                    **({"case_id": preexisting_case_id(r.card.card_id)} if r.card.status == CardStatus.AWAITING_COLLECTION else {}),
                }
            if r.pension:
                self.pensions[r.id_number] = {"recipient": r.pension.recipient, "payout_account": r.pension.payout_account}
            self.shared[r.id_number] = {"id_license": r.shared.id_license, "police_photo": r.shared.police_photo}
            self.names[r.id_number] = r.name
        for i in identities:
            self.names[i.id_number] = i.name

    def now(self) -> str:
        return self.clock().astimezone(UTC).isoformat(timespec="milliseconds")


class CardSystemInMemory:
    """The provincial card system as the simulator applies it: one valid card, the newest; conditional transitions."""

    def __init__(self, people: _People):
        self._people = people

    def profile(self, id_number: str) -> ResidentProfile | None:
        item = self._people.profiles.get(id_number)
        return ResidentProfile(item["name"], item["phone"], item["address"], item["district"]) if item else None

    def _current_item(self, id_number: str) -> dict | None:
        cards = [c for c in self._people.cards.values() if c["owner"] == id_number]
        if not cards:
            return None
        valid = [c for c in cards if c["status"] in _VALID]
        return max(valid or cards, key=lambda c: c.get("created_at", ""))

    def current_card(self, id_number: str) -> Card | None:
        item = self._current_item(id_number)
        return _card(item) if item else None

    def _transition(
        self,
        id_number: str,
        operation_id: str,
        allowed_from: set[CardStatus],
        to: CardStatus,
        refusal: Callable[[Card | None], ExternalRefusal],
    ) -> Card:
        item = self._current_item(id_number)
        if item is None or item["status"] not in _VALID:
            raise refusal(None if item is None else _card(item))
        if item["status"] not in {s.value for s in allowed_from}:
            if item.get("last_operation") == operation_id and item["status"] == to.value:
                return _card(item)  # the same operation, replayed: already done
            raise refusal(_card(item))
        item.update(status=to.value, last_operation=operation_id, updated_at=self._people.now())
        return _card(item)

    def activate(self, id_number: str, operation_id: str) -> Card:
        def refusal(card: Card | None) -> ExternalRefusal:
            if card is not None and card.status == CardStatus.ACTIVE:
                return ExternalRefusal("CARD_ALREADY_ACTIVE", "社会保障卡已启用，无需重复启用")
            return ExternalRefusal("CARD_NOT_ISSUED", "社会保障卡不是待启用状态，不能启用")

        return self._transition(id_number, operation_id, {CardStatus.ISSUED}, CardStatus.ACTIVE, refusal)

    def report_loss(self, id_number: str, operation_id: str) -> Card:
        def refusal(card: Card | None) -> ExternalRefusal:
            if card is not None and card.status == CardStatus.LOST:
                return ExternalRefusal("CARD_ALREADY_LOST", "社会保障卡已挂失，无需重复挂失")
            return ExternalRefusal("NO_CARD", "没有可以挂失的社会保障卡")

        return self._transition(id_number, operation_id, {CardStatus.ISSUED, CardStatus.ACTIVE}, CardStatus.LOST, refusal)

    def revoke_loss(self, id_number: str, operation_id: str) -> Card:
        def refusal(card: Card | None) -> ExternalRefusal:
            return ExternalRefusal("CARD_NOT_LOST", "社会保障卡未处于挂失状态，不能解挂")

        return self._transition(id_number, operation_id, {CardStatus.LOST}, CardStatus.ACTIVE, refusal)

    def cancel(self, id_number: str, reason: str, operation_id: str) -> Card:
        def refusal(card: Card | None) -> ExternalRefusal:
            return ExternalRefusal("NO_CARD", "没有可以注销的社会保障卡")

        return self._transition(
            id_number, operation_id, {CardStatus.ISSUED, CardStatus.ACTIVE, CardStatus.LOST}, CardStatus.CANCELLED, refusal
        )

    def change_contact(self, id_number: str, phone: str | None, address: str | None, operation_id: str) -> ResidentProfile:
        card = self.current_card(id_number)
        if card is None or card.status == CardStatus.CANCELLED:
            raise ExternalRefusal("NO_CARD", "未查询到社会保障卡记录，不能变更信息")
        profile = self._people.profiles.get(id_number)
        if profile is None:
            raise ExternalRefusal("NO_PROFILE", "未查询到参保人信息")
        profile["last_operation"] = operation_id
        if phone is not None:
            profile["phone"] = phone
        if address is not None:
            profile["address"] = address
        return ResidentProfile(profile["name"], profile["phone"], profile["address"], profile["district"])

    def issue_new_card(
        self, id_number: str, bank: str, branch: str, operation_id: str, case_id: str, replaces: str | None, bank_code: str = ""
    ) -> Card:
        if operation_id in self._people.operations:
            return _card(self._people.cards[self._people.operations[operation_id]])  # the same approval, replayed
        card_id = "HS" + secrets.token_hex(8).upper()
        body = "621700" + str(secrets.randbelow(10**12)).rjust(12, "0")
        item = {
            "owner": id_number,
            "card_id": card_id,
            "status": CardStatus.AWAITING_COLLECTION.value,
            "bank": bank,
            "bank_code": bank_code,
            "branch": branch,
            "account_number": body + luhn.calc_check_digit(body),
            "issued_on": None,
            "created_at": self._people.now(),
            "case_id": case_id,
            "last_operation": operation_id,
        }
        if replaces:
            item["replaces"] = replaces
        self._people.cards[card_id] = item
        self._people.operations[operation_id] = card_id
        return _card(item)

    def card_owner_item(self, card_id: str) -> dict | None:
        item = self._people.cards.get(card_id)
        return copy.deepcopy(item) if item else None

    def mark_issued(self, card_id: str, on: str) -> tuple[Card, str | None, bool]:
        item = self._people.cards.get(card_id)
        if item is None:
            raise ExternalRefusal("CARD_NOT_FOUND", "未找到该社会保障卡")
        if item["status"] != CardStatus.AWAITING_COLLECTION.value:
            if item["status"] in (CardStatus.ISSUED.value, CardStatus.ACTIVE.value, CardStatus.LOST.value) and item.get("issued_on"):
                return _card(item), item.get("case_id"), False
            raise ExternalRefusal("CARD_NOT_AWAITING_COLLECTION", "该社会保障卡不是待领卡状态")
        item.update(status=CardStatus.ISSUED.value, issued_on=on, updated_at=self._people.now())
        if item.get("replaces") and item["replaces"] in self._people.cards:
            self._people.cards[item["replaces"]].update(status=CardStatus.REPLACED.value, updated_at=self._people.now())
        return _card(item), item.get("case_id"), True

    def mark_not_made(self, card_id: str, reason: str) -> tuple[Card, str | None, bool]:
        item = self._people.cards.get(card_id)
        if item is None:
            raise ExternalRefusal("CARD_NOT_FOUND", "未找到该社会保障卡")
        if item["status"] == CardStatus.NOT_MADE.value:
            return _card(item), item.get("case_id"), False
        if item["status"] != CardStatus.AWAITING_COLLECTION.value:
            raise ExternalRefusal("CARD_NOT_AWAITING_COLLECTION", "该社会保障卡不是待制卡状态")
        item.update(status=CardStatus.NOT_MADE.value, not_made_reason=reason, updated_at=self._people.now())
        return _card(item), item.get("case_id"), True


class PensionSystemInMemory:
    def __init__(self, people: _People):
        self._people = people

    def record(self, id_number: str) -> PensionRecord | None:
        item = self._people.pensions.get(id_number)
        if item is None:
            return None
        return PensionRecord(
            recipient=bool(item.get("recipient")),
            payout_account=item.get("payout_account"),
            pending_account=item.get("pending_account"),
            pending_effective_month=item.get("pending_effective_month"),
        )

    def accept_change(self, id_number: str, account: str, month: str, request_id: str) -> PensionRecord:
        item = self._people.pensions.get(id_number)
        if not item or item.get("recipient") is not True:
            raise ExternalRefusal("NOT_PENSIONER", "未查询到养老保险待遇领取记录")
        item.update(pending_account=account, pending_effective_month=month, pending_request=request_id)
        return self.record(id_number)  # type: ignore[return-value]

    def switch_payout(self, id_number: str, request_id: str) -> tuple[PensionRecord, bool]:
        item = self._people.pensions.get(id_number, {})
        if item.get("pending_request") != request_id:
            return self.record(id_number), False  # type: ignore[return-value]
        item.update(previous_account=item.get("payout_account"), payout_account=item["pending_account"], switched_request=request_id)
        for key in ("pending_account", "pending_effective_month", "pending_request"):
            item.pop(key, None)
        return self.record(id_number), True  # type: ignore[return-value]


class DataSharingInMemory:
    def __init__(self, people: _People, person_key: Callable[[str], str]):
        self._people = people
        self._person_key = person_key

    def shared_materials(self, id_number: str) -> dict[str, bool]:
        item = self._people.shared.get(id_number) or {}
        return {"id_license": bool(item.get("id_license")), "police_photo": bool(item.get("police_photo"))}

    def verify_identity(self, id_number: str, name: str) -> IdentityMatch:
        known = self._people.names.get(id_number)
        if known is None:
            return IdentityMatch.UNKNOWN
        return IdentityMatch.MATCH if same_name(known, name) else IdentityMatch.MISMATCH

    def document_key(self, id_number: str, source: str) -> str | None:
        if not self.shared_materials(id_number).get(source):
            return None
        return shared_document_key(self._person_key(id_number), source)


def external_systems(
    residents: Iterable[Resident], identities: Iterable[Identity], clock: Callable[[], datetime], person_key: Callable[[str], str]
) -> tuple[CardSystemInMemory, PensionSystemInMemory, DataSharingInMemory]:
    people = _People(residents, identities, clock)
    return CardSystemInMemory(people), PensionSystemInMemory(people), DataSharingInMemory(people, person_key)


@dataclass
class SentMessages:
    """The notifier: every SMS and department alert handed to it, in order."""

    sms: list[tuple[str, str]] = field(default_factory=list)
    alerts: list[dict[str, str]] = field(default_factory=list)
    failing: bool = False  # SNS unreachable: every send raises

    def send_sms(self, phone: str, text: str) -> str:
        if self.failing:
            raise ConnectionError("SNS unreachable")
        self.sms.append((phone, text))
        return f"sms-{len(self.sms)}"

    def alert_department(self, department: str, district: str, level: str, subject: str, text: str) -> str:
        if self.failing:
            raise ConnectionError("SNS unreachable")
        self.alerts.append({"department": department, "district": district, "level": level, "subject": subject, "text": text})
        return f"alert-{len(self.alerts)}"

    def to(self, phone: str) -> list[str]:
        return [text for to, text in self.sms if to == phone]


class MaterialsInMemory:
    """The materials bucket: objects by key. An upload link names the key; the browser's POST is `put`."""

    bucket = "materials-bucket"

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def upload_link(self, key: str, content_type: str, max_bytes: int, seconds: int) -> dict[str, Any]:
        return {"url": f"memory://{self.bucket}", "fields": {"key": key, "Content-Type": content_type}}

    def download_link(self, key: str, seconds: int) -> str:
        return f"memory://{self.bucket}/{key}"

    def put(self, key: str, data: bytes) -> None:
        self.objects[key] = data

    def size(self, key: str) -> int | None:
        return len(self.objects[key]) if key in self.objects else None

    def read(self, key: str) -> bytes:
        return self.objects[key]

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    def delete_prefix(self, prefix: str) -> int:
        keys = [k for k in self.objects if k.startswith(prefix)]
        for key in keys:
            del self.objects[key]
        return len(keys)

    def fetch(self, link: str) -> bytes:
        """What a download link serves."""
        return self.objects[link.removeprefix(f"memory://{self.bucket}/")]


class CalendarStoreInMemory:
    """Loaded holiday schedules (DynamoCalendarStore without DynamoDB and without its per-process cache)."""

    def __init__(self, clock: Callable[[], datetime]):
        self._clock = clock
        self.items: dict[int, dict] = {}

    def get_item(self, year: int) -> dict | None:
        return copy.deepcopy(self.items.get(year))

    def put(self, year: int, content: dict, loaded_by: str, expected_version: int | None) -> dict:
        current = self.items.get(year)
        if (current["version"] if current else None) != expected_version:
            raise ConcurrentUpdate(f"calendar {year}")
        item = {
            **copy.deepcopy(content),
            "year": year,
            "loaded_by": loaded_by,
            "loaded_at": self._clock().astimezone(UTC).isoformat(timespec="milliseconds"),
            "version": (expected_version or 0) + 1,
        }
        self.items[year] = item
        return copy.deepcopy(item)

    def forget(self, year: int) -> None:
        pass

    def schedule(self, year: int) -> YearSchedule | None:
        item = self.items.get(year)
        return schedule_of(item) if item else None


# --- the workflow --------------------------------------------------------------------------


def _retry_policy() -> tuple[frozenset[str], int]:
    """The errors a task is retried on, and how many attempts it gets, as the ASL says for RunMatter."""
    states = ASL["States"]["StageOneImmediateMatters"]["ItemProcessor"]["States"]["RunMatter"]
    retry = next(r for r in states["Retry"] if "ConcurrentUpdate" in r["ErrorEquals"])
    return frozenset(retry["ErrorEquals"]), 1 + retry["MaxAttempts"]


RETRIED_ERRORS, ATTEMPTS = _retry_policy()
WAIT_TIMEOUT_ERRORS = frozenset(
    next(
        c["ErrorEquals"]
        for c in ASL["States"]["StageTwo"]["Branches"][1]["States"]["ReviewedMatters"]["ItemProcessor"]["States"][
            "AwaitDepartmentDecision"
        ]["Catch"]
        if c["Next"] == "RecordWaitTimeout"
    )
)


def _through_json(value: Any) -> Any:
    """What crosses the engine does so as JSON (execution input, task answers, task-token outputs)."""
    return json.loads(json.dumps(value, ensure_ascii=False))


class RunBroke(Exception):
    """A task failed past its retries and its failure could not be recorded: the ASL's FailCase path."""


@dataclass
class Run:
    case_id: str
    facts: dict[str, Any] | None
    status: str = "RUNNING"
    plan: dict[str, Any] | None = None
    stage_one: list[dict] = field(default_factory=list)
    status_query: list[dict] = field(default_factory=list)
    reviewed: dict[str, dict] = field(default_factory=dict)  # matter -> the branch's answer, once it has one
    waiting: dict[str, str] = field(default_factory=dict)  # matter -> its live task token
    errors: list[str] = field(default_factory=list)


class SteppedWorkflow:
    """The Workflow port, playing statemachine/case.asl.json on the service's stage functions, synchronously.

    `start` runs the case at once (unless `held`): pre-judgment, stage one in order, the status
    query, then each reviewed matter's check and its department wait, whose task token it keeps.
    `resume` / `fail_wait` end a wait as SendTaskSuccess / SendTaskFailure do, and the run goes
    on to its end. A task that raises is retried on the errors the ASL retries, then its matter
    is failed (RecordMatterFailure); a run that breaks is closed by FailCase. Answers and inputs
    pass through JSON, as through the engine.
    """

    def __init__(self) -> None:
        self.services: Any = None  # set once the services are built: the stage functions take them
        self.runs: dict[str, Run] = {}
        self.tokens: dict[str, tuple[str, str]] = {}  # live task token -> (case, matter)
        self.held = False
        self.refusing: dict[str, Exception] = {}  # port operation -> what it raises meanwhile (throttled, unavailable)

    # --- the port -----------------------------------------------------------------------

    def start(self, case_id: str, facts: dict[str, Any] | None = None, run: int = 0) -> str:
        """Run 0 only: the reconciler's next runs are tested with a double of their own."""
        if run != 0:
            raise NotImplementedError("SteppedWorkflow plays one run per case")
        self._available("start")
        if case_id not in self.runs:
            self.runs[case_id] = Run(case_id, _through_json(facts) if facts is not None else None)
            if not self.held:
                self.go(case_id)
        return f"arn:aws:states:us-east-1:000000000000:execution:case:{case_id}"

    def describe(self, case_id: str, number: int = 0) -> dict[str, Any] | None:
        self._available("describe")
        run = self.runs.get(case_id) if number == 0 else None
        return {"status": run.status, "name": case_id, "input": {"case_id": case_id, "facts": run.facts}} if run else None

    def stop(self, case_id: str, cause: str, number: int = 0) -> bool:
        self._available("stop")
        run = self.runs.get(case_id) if number == 0 else None
        if run is None or run.status != "RUNNING":
            return False
        run.status = "ABORTED"
        self._forget_tokens(run)
        return True

    def resume(self, task_token: str, outcome: dict[str, Any]) -> bool:
        self._available("resume")
        run, code = self._waiting(task_token)
        if run is None:
            return False
        decision = _through_json(outcome)
        self._after_wait(
            run,
            code,
            lambda: self._matter(
                run, code, lambda: self._tasks().record_decision(self.services, run.case_id, code, decision, run.facts, run.plan)
            ),
        )
        return True

    def fail_wait(self, task_token: str, error: str, cause: str) -> bool:
        self._available("fail_wait")
        run, code = self._waiting(task_token)
        if run is None:
            return False
        if error in WAIT_TIMEOUT_ERRORS:  # RecordWaitTimeout, itself caught by RecordMatterFailure
            tasks = self._tasks()
            self._after_wait(
                run,
                code,
                lambda: self._matter(run, code, lambda: tasks.record_wait_timeout(self.services, run.case_id, code, run.facts, run.plan)),
            )
        else:  # any other error of the wait: RecordMatterFailure
            self._after_wait(run, code, lambda: self._record_failure(run, code, TaskFailed(error, cause)))
        return True

    # --- for tests --------------------------------------------------------------------

    def go(self, case_id: str) -> None:
        """Run a held case from its start, up to its department waits or its end."""
        run = self.runs[case_id]
        tasks = self._tasks()
        try:
            try:
                plan = self._task(run, lambda: tasks.prejudge_at_submission(self.services, run.case_id, run.facts))
            except TaskFailed as failed:
                raise RunBroke(f"{failed.error}: {failed.cause}") from failed
            if not plan["passed"]:  # DecidedAtPrejudgment
                run.status = "SUCCEEDED"
                return
            run.plan = plan
            for code in plan["stage_one"]:
                run.stage_one.append(
                    self._matter(run, code, lambda c=code: tasks.run_matter(self.services, run.case_id, c, run.facts, plan))
                )
            for code in plan["status_query"]:
                run.status_query.append(
                    self._matter(run, code, lambda c=code: tasks.run_matter(self.services, run.case_id, c, run.facts, plan))
                )
            for code in plan["reviewed"]:
                self._to_department(run, code)
        except RunStopped:
            return
        except RunBroke as broke:
            self._fail_case(run, str(broke))
            return
        self._finish_if_done(run)

    def token_of(self, case_id: str, code: str) -> str:
        return self.runs[case_id].waiting[code]

    # --- the states ---------------------------------------------------------------------

    @staticmethod
    def _tasks() -> Any:
        from chalicelib.services import workflow_tasks

        return workflow_tasks

    def _available(self, operation: str) -> None:
        if operation in self.refusing:
            raise self.refusing[operation]

    def _running(self, run: Run) -> None:
        if run.status != "RUNNING":
            raise RunStopped(run.case_id)

    def _task(self, run: Run, call: Callable[[], dict]) -> dict:
        """One Lambda task with the ASL's retries; what it answers, through JSON."""
        for attempt in range(ATTEMPTS):
            self._running(run)
            try:
                return _through_json(call())
            except RunStopped:
                raise
            except Exception as error:  # the engine sees the error's name
                run.errors.append(f"{type(error).__name__}: {error}")
                if type(error).__name__ not in RETRIED_ERRORS or attempt == ATTEMPTS - 1:
                    raise TaskFailed(type(error).__name__, str(error)) from error
        raise AssertionError("unreachable")

    def _matter(self, run: Run, code: str, call: Callable[[], dict]) -> dict:
        """A matter's task; caught (States.ALL) by RecordMatterFailure."""
        try:
            return self._task(run, call)
        except TaskFailed as failed:
            return self._record_failure(run, code, failed)

    def _record_failure(self, run: Run, code: str, failed: TaskFailed) -> dict:
        error = {"Error": failed.error, "Cause": failed.cause}
        try:
            return self._task(
                run, lambda: self._tasks().record_matter_failure(self.services, run.case_id, code, error, run.facts, run.plan)
            )
        except TaskFailed as broke:
            raise RunBroke(f"{broke.error}: {broke.cause}") from broke

    def _to_department(self, run: Run, code: str) -> None:
        tasks = self._tasks()
        check = self._matter(run, code, lambda: tasks.check_before_review(self.services, run.case_id, code, run.facts, run.plan))
        if check.get("go") is not True:
            run.reviewed[code] = check  # NotSentToTheDepartment (or its failure recorded)
            return
        token = secrets.token_urlsafe(24)
        try:
            self._task(run, lambda: tasks.request_decision(self.services, run.case_id, code, token, run.facts, run.plan))
        except TaskFailed as failed:
            run.reviewed[code] = self._record_failure(run, code, failed)
            return
        run.waiting[code] = token
        self.tokens[token] = (run.case_id, code)

    def _waiting(self, token: str) -> tuple[Run | None, str]:
        case_id, code = self.tokens.pop(token, (None, ""))
        run = self.runs.get(case_id) if case_id else None
        if run is None or run.status != "RUNNING" or run.waiting.get(code) != token:
            return None, code  # the wait is over: TaskTimedOut / InvalidToken
        del run.waiting[code]
        return run, code

    def _after_wait(self, run: Run, code: str, branch_end: Callable[[], dict]) -> None:
        """A reviewed matter's branch ends (its decision, timeout or failure recorded); the run finishes when it was the last."""
        try:
            run.reviewed[code] = branch_end()
        except RunStopped:
            return
        except RunBroke as broke:
            self._fail_case(run, str(broke))
            return
        self._finish_if_done(run)

    def _finish_if_done(self, run: Run) -> None:
        if run.status != "RUNNING" or run.plan is None or set(run.reviewed) != set(run.plan["reviewed"]):
            return
        results = {"stage_one": run.stage_one, "stage_two": [run.status_query, [run.reviewed[c] for c in run.plan["reviewed"]]]}
        try:
            self._task(run, lambda: self._tasks().finish_case(self.services, run.case_id, run.facts, _through_json(results)))
        except RunStopped:
            return
        except TaskFailed as failed:
            self._fail_case(run, f"{failed.error}: {failed.cause}")
            return
        run.status = "SUCCEEDED"

    def _fail_case(self, run: Run, cause: str) -> None:
        if run.status != "RUNNING":
            return
        self._forget_tokens(run)
        try:
            self._tasks().fail_case(self.services, run.case_id, {"Error": "States.TaskFailed", "Cause": cause}, run.facts)
        finally:
            run.status = "FAILED"

    def _forget_tokens(self, run: Run) -> None:
        for token in run.waiting.values():
            self.tokens.pop(token, None)
        run.waiting.clear()


class TaskFailed(Exception):
    def __init__(self, error: str, cause: str):
        super().__init__(f"{error}: {cause}")
        self.error, self.cause = error, cause


class RunStopped(Exception):
    """The run was stopped (withdrawn) while a task was due: nothing more runs."""
