"""Ports: what the services need from the world. Adapters live in `chalicelib.adapters`.

The provincial card system, the pension system and the data-sharing service are
external systems; locally they are simulators (`adapters.simulators`), in production
the wiring replaces them here with clients of the real interfaces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from chalicelib.domain.access import Access
from chalicelib.domain.cards import Card, PensionRecord
from chalicelib.domain.identity import IdentityMatch
from chalicelib.domain.outcomes import Conclusion, Event, Message

if TYPE_CHECKING:  # the record types only: importing the adapter would load boto3
    from chalicelib.adapters.dynamo_cases import Answer, CaseRecord


class ExternalRefusal(Exception):
    """An external system refused an operation for a business reason (not transient)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ResidentProfile:
    name: str
    phone: str
    address: str
    district: str


class CardSystem(Protocol):
    """The provincial social security card system (省社会保障卡管理系统)."""

    def profile(self, id_number: str) -> ResidentProfile | None: ...

    def current_card(self, id_number: str) -> Card | None: ...

    def activate(self, id_number: str, operation_id: str) -> Card: ...

    def report_loss(self, id_number: str, operation_id: str) -> Card: ...

    def revoke_loss(self, id_number: str, operation_id: str) -> Card: ...

    def cancel(self, id_number: str, reason: str, operation_id: str) -> Card: ...

    def change_contact(self, id_number: str, phone: str | None, address: str | None, operation_id: str) -> ResidentProfile: ...

    def issue_new_card(
        self, id_number: str, bank: str, branch: str, operation_id: str, case_id: str, replaces: str | None, bank_code: str = ""
    ) -> Card:
        """An approved apply/reissue: a new card to be made at the bank; a replay answers the same card."""
        ...

    def card_owner_item(self, card_id: str) -> dict | None:
        """The card's record (with its `bank_code`), or None for a card the system does not know."""
        ...

    def mark_issued(self, card_id: str, on: str) -> tuple[Card, str | None, bool]:
        """The bank made and handed over the card: (card, the case that asked for it, whether this call changed it)."""
        ...

    def mark_not_made(self, card_id: str, reason: str) -> tuple[Card, str | None, bool]:
        """The bank could not make the card: (card, the case that asked for it, whether this call changed it)."""
        ...


class PensionSystem(Protocol):
    """The pension business system (养老保险业务系统)."""

    def record(self, id_number: str) -> PensionRecord | None: ...

    def accept_change(self, id_number: str, account: str, month: str, request_id: str) -> PensionRecord: ...

    def switch_payout(self, id_number: str, request_id: str) -> tuple[PensionRecord, bool]: ...


class DataSharing(Protocol):
    """The government data-sharing service (数据共享): ID e-license, police photo, identity check."""

    def shared_materials(self, id_number: str) -> dict[str, bool]: ...

    def verify_identity(self, id_number: str, name: str) -> IdentityMatch:
        """Whether `name` is the name of `id_number` in the population register (公安人口信息).

        Answers match / mismatch / unknown, never the registered name: the counter learns
        no more than whether the person before it is who they say.
        """
        ...

    def document_key(self, id_number: str, source: str) -> str | None:
        """Where a reviewer reads a shared document (`id_license`, `police_photo`): its key in the
        materials bucket, which the data-sharing adapter fills; None when the service does not provide it."""
        ...


class Notifier(Protocol):
    def send_sms(self, phone: str, text: str) -> str: ...

    def alert_department(self, department: str, district: str, level: str, subject: str, text: str) -> str: ...


class WorkflowUnavailable(Exception):
    """The workflow service did not take a call for a passing reason (throttled, unavailable): try again later."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class Workflow(Protocol):
    """The case's runs and the department waits inside them.

    A case has one run at a time: run 0 from submission, and run n + 1 only when the
    reconciler found run n over while the case was not (each run named by the case and n).
    """

    def start(self, case_id: str, facts: dict[str, Any] | None = None, run: int = 0) -> str:
        """Start the case's run `run` with its fixed facts in the input; a second start answers the first."""
        ...

    def describe(self, case_id: str, run: int = 0) -> dict[str, Any] | None:
        """The run's state (`status`: RUNNING, SUCCEEDED, FAILED, ABORTED...), or None if it was never started."""
        ...

    def stop(self, case_id: str, cause: str, run: int = 0) -> bool:
        """Stop the case's run (withdrawal); False if none is running."""
        ...

    def resume(self, task_token: str, outcome: dict[str, Any]) -> bool:
        """Hand a department's decision to the run waiting on `task_token`.

        False when the run no longer waits for it (the wait timed out, the run ended):
        the decision came too late. WorkflowUnavailable when it may go through later.
        """
        ...

    def fail_wait(self, task_token: str, error: str, cause: str) -> bool:
        """End a department wait with an error the state machine catches (e.g. the time limit passed).

        False when the run no longer waits; WorkflowUnavailable when it may go through later.
        """
        ...


class CaseStore(Protocol):
    """Where cases live: the case, its matters, materials, timeline and department waits,
    the work lists built on them, and the dated work of the scheduled jobs.

    Every change of a case, matter, material or wait is conditional on what the caller
    read (its `version`, or a wait's `status`): a change that lost a race raises
    `ConcurrentUpdate` and writes nothing. "Put once" writes answer False, writing
    nothing, when the item exists: a replay keeps the first. Reads of an item that is
    not there raise `NotFound` (or answer None where the signature says so). Cursors are
    opaque strings that page through the list they came from only; any other string is
    a ValueError. Every time the store records comes from the business clock it is given.
    (`ConcurrentUpdate`, `NotFound`, `CaseRecord` and `Answer` are defined in
    `chalicelib.adapters.dynamo_cases`; every store raises and answers those.)
    """

    # --- a case and its matters ----------------------------------------------

    def create(
        self, case: dict, matters: list[dict], event: dict, materials: list[dict] | None = None, answer: Answer | None = None
    ) -> None:
        """A new case with its matters, materials and first timeline event, all or nothing, each at version 1;
        with `answer`, the request's answer is remembered in the same write.

        ConcurrentUpdate (and nothing written) if the case exists already, or a live answer is
        remembered under the answer's id. The case is on its person's list (`person_key`) and,
        when opened at a counter, on its service point's list.
        """
        ...

    def submit(self, case_id: str, expected_version: int, changes: dict, event: dict, answer: Answer | None = None) -> int:
        """A draft at `expected_version` becomes submitted (`changes`) with its timeline event and (with `answer`)
        the request's answer, all at once; ConcurrentUpdate, nothing written, otherwise. Answers the new version."""
        ...

    def return_to_draft(self, case_id: str, expected_version: int, changes: dict, event: dict, forget: Answer | None = None) -> int:
        """A submitted case whose run could not start is a draft again, with the event saying so; the submit's
        remembered answer (`forget`) goes, so the request may be made again. ConcurrentUpdate if the case moved on."""
        ...

    def remembered_answer(self, table: str, answer_id: str) -> Answer | None:
        """The answer remembered under `answer_id`, unless it has expired (by the business clock)."""
        ...

    def get(self, case_id: str) -> CaseRecord | None:
        """The whole case (matters by code, materials by kind, waits by matter, the timeline in time order with each
        SMS of its outbox as a `notification` event, phone masked), or None."""
        ...

    def get_case_item(self, case_id: str) -> dict:
        """The case alone, without its matters and timeline; NotFound if there is none."""
        ...

    def get_matter(self, case_id: str, code: str) -> dict:
        """One matter of a case; NotFound if there is none."""
        ...

    def update_case(self, case_id: str, expected_version: int, changes: dict) -> dict:
        """Set `changes` on the case if it is still at `expected_version`; answers the case as written."""
        ...

    def update_matter(self, case_id: str, code: str, expected_version: int, changes: dict) -> dict:
        """The same for one matter."""
        ...

    def update_material(self, case_id: str, kind: str, expected_version: int, changes: dict) -> dict:
        """The same for one material."""
        ...

    def mutate_case(self, case_id: str, change: Callable[[dict], dict | None], attempts: int = 5) -> dict:
        """Read the case, let `change` compute what to set (None: nothing), write it conditionally; on a race
        read again and call `change` again, at most `attempts` times, then ConcurrentUpdate."""
        ...

    def mutate_matter(self, case_id: str, code: str, change: Callable[[dict], dict | None], attempts: int = 5) -> dict:
        """The same for one matter."""
        ...

    def add_event(self, case_id: str, kind: str, text: str, *, matter: str | None = None, data: dict | None = None) -> dict:
        """Append an event to the case's timeline, stamped now; answers it. The timeline reads in time order."""
        ...

    # --- a run's state changes, each one write (domain/outcomes.py) ---------------------

    def begin_processing(self, case_id: str, codes: list[str], due: dict[str, tuple[str, str]], event: Event, plan: dict) -> bool:
        """A submitted case passed pre-judgment: it is processing with its `plan`, every matter open on its
        `matter_status`, the reviewed matters dated (`due`: code -> (due_at, expires_at), kept if dated already),
        the event on the timeline; all at once. False, and nothing written, if the case is no longer submitted."""
        ...

    def conclude(self, conclusion: Conclusion) -> bool:
        """Record matters' outcomes with their events, outbox messages, the wait they end, a card order or payout
        switch, and (when last) the case's final status: all or nothing. False, and nothing written, when any
        condition of `conclusion` no longer holds: the first outcome of a matter wins."""
        ...

    def open_wait(self, case_id: str, code: str, wait: dict, *, department: str, district: str | None, event: Event) -> bool:
        """Hand an open matter to its department: the wait on the department's pending reviews of `district`
        (None: the department's one queue) and on the deadline job's list, both by its `due_at`; the matter
        awaiting review; the event; all at once. False, and nothing written, if the wait exists (a retried
        task) or the matter or case moved on."""
        ...

    # --- the outbox: every notification is recorded first, then sent once ---------------

    def put_outbox(self, case_id: str, message: Message) -> bool:
        """Record a message not tied to a run's outcome; False if one with its id is recorded already."""
        ...

    def claim_outbox(self, case_id: str, message_id: str) -> bool:
        """Take a pending message to send it: of all callers, one only ever gets True for a message."""
        ...

    def claim_outbox_all(self, case_id: str, message_ids: list[str]) -> bool:
        """Take several pending messages of one write at once: all of them, or (False) none if any is not pending."""
        ...

    def release_outbox(self, case_id: str, message_id: str) -> None:
        """Its sending failed after the claim: pending again, for a retry to send."""
        ...

    def pending_outbox(self, case_id: str) -> list[Message]:
        """The case's messages recorded but not sent yet, by id."""
        ...

    # --- drafts ----------------------------------------------------------------

    def replace_draft(
        self,
        case_id: str,
        expected_version: int,
        changes: dict,
        matters: list[dict],
        removed_matters: list[str],
        new_materials: list[dict],
        removed_materials: dict[str, int],
    ) -> dict:
        """Change a draft, all or nothing, only if it is still a draft at `expected_version`: `matters` replace
        theirs, `removed_matters` go, `new_materials` come, `removed_materials` (kind -> version) go if
        untouched since. ConcurrentUpdate otherwise. Answers the case as written."""
        ...

    def delete_draft(self, case_id: str, expected_version: int) -> None:
        """Delete a draft that is still at `expected_version`, with everything of it; ConcurrentUpdate otherwise
        (a submit won the race)."""
        ...

    # --- department waits and work lists --------------------------------------------

    def get_wait(self, case_id: str, code: str) -> dict | None:
        """The wait, with `index` naming the lists it is on; None if there is none."""
        ...

    def update_wait(self, case_id: str, code: str, *, expected_status: str | tuple[str, ...], changes: dict) -> dict:
        """Change a wait whose status is (one of) `expected_status`, on the lists it is on. ConcurrentUpdate if its
        status moved on or it does not exist. Answers the wait as written."""
        ...

    def decide_wait(self, case_id: str, code: str, changes: dict, *, decided_at: str, department: str, district: str | None) -> dict:
        """A pending wait is decided (`changes`): it leaves the pending reviews and the deadline job's list, goes onto
        the district's decided reviews (`district` None: onto none) and onto the list of resumes to send, both by
        `decided_at`. ConcurrentUpdate if it is no longer pending. Answers the wait as written."""
        ...

    def settle_resume(self, case_id: str, code: str, changes: dict) -> dict:
        """A decided wait's resume went through or came too late (`changes`): it leaves the list of resumes to send.
        ConcurrentUpdate if the wait is no longer decided."""
        ...

    def end_wait(self, case_id: str, code: str, *, expected_status: str | tuple[str, ...], changes: dict) -> dict:
        """A wait ends without a decision (timed out, withdrawn): it leaves every list. ConcurrentUpdate as `update_wait`."""
        ...

    def mark_wait_alerted(self, case_id: str, code: str, level: str, seen: str | None) -> bool:
        """Record on a pending wait that its department was alerted at `level`, if it is still alerted at `seen`
        (None: never); its version stays. False, and nothing written, otherwise: one of two overlapping runs wins."""
        ...

    def unmark_wait_alerted(self, case_id: str, code: str, level: str, back_to: str | None) -> None:
        """The alert at `level` could not be sent: the wait is alerted at `back_to` again, if still at `level`."""
        ...

    def list_pending_reviews(self, department: str, district: str | None, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        """One page of a department's pending reviews in `district` (None: its one queue), soonest due first, and the
        cursor of the next page (None at the end)."""
        ...

    def list_decided_reviews(self, department: str, district: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        """One page of a district's decided reviews, newest decision first, and the cursor of the next page."""
        ...

    def rearm_wait(self, case_id: str, code: str, task_token: str, at: str, run: int = 0) -> dict | None:
        """A new run waits on this matter with `task_token`: a pending wait takes it; a decided one takes it
        and goes back on the resumes to send (at `at`). None if the wait is neither."""
        ...

    def unfinished_cases(self, submitted_until: str) -> tuple[list[dict], int]:
        """Case items submitted at or before `submitted_until` and not yet seen finished (the reconciler's list);
        answers (items, items read)."""
        ...

    def next_run(self, case_id: str, run: int) -> bool:
        """Run `run` of the case is over while the case is not: the next is `run + 1`, once. False if another
        reconciler got there first or the case is no longer submitted or processing."""
        ...

    def forget_finished(self, case_id: str) -> bool:
        """A finished case leaves the reconciler's list; False (and it stays) if it is not finished."""
        ...

    def waits_due(self, until: str) -> tuple[list[dict], int]:
        """Every open wait due at or before `until`, soonest first (the deadline job); and how many items were read."""
        ...

    def resumes_due(self, until: str) -> tuple[list[dict], int]:
        """Every decided wait whose resume is still to be sent, decided at or before `until`; and the items read."""
        ...

    # --- cards for the cooperating banks to make ---------------------------------------

    def put_card_order(self, case_id: str, order: dict) -> bool:
        """A card for its bank (`bank_code`) to make, on that bank's list by `ordered_at`, once (False if it exists)."""
        ...

    def list_bank_cards(self, bank_code: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        """One page of the cards a bank is to make, oldest order first, and the cursor of the next page."""
        ...

    def close_card_order(self, case_id: str, card_id: str, status: str, at: str) -> bool:
        """The bank is done with the card (made or not): it leaves the bank's list. False if it was done already."""
        ...

    # --- a person's cases ---------------------------------------------------------

    def list_for_person(self, person_key: str, limit: int = 20, cursor: str | None = None) -> tuple[list[dict], str | None]:
        """One page of a person's cases, newest first, and the cursor of the next page."""
        ...

    def list_service_point_cases(self, service_point: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        """One page of the cases opened at a service point, newest first, and the cursor of the next page."""
        ...

    def list_for_person_at_point(
        self, person_key: str, service_point: str, limit: int = 20, cursor: str | None = None
    ) -> tuple[list[dict], str | None]:
        """The person's cases opened at one service point, newest first. A page reads `limit` of the person's
        cases and keeps those of the point, so it may hold fewer and still have a next page."""
        ...

    # --- dated work of the scheduled jobs, and alerts raised once ------------------------------

    def payout_switches_due(self, until: str) -> tuple[list[dict], int]:
        """Every pending payout account change effective at or before `until`, soonest first (written by `conclude`
        with its acceptance); and how many items were read."""
        ...

    def remove_payout_switch(self, person_key: str, request_id: str) -> bool:
        """The person's pending change is switched: remove it, unless a later change replaced it (False then)."""
        ...

    def schedule_material_retention(self, case_id: str, due_at: str) -> None:
        """A finished case's uploaded materials are to be deleted at `due_at` (a later schedule replaces it)."""
        ...

    def material_retentions_due(self, until: str) -> tuple[list[dict], int]:
        """Every case whose materials are due for deletion at or before `until`, soonest first; and the items read."""
        ...

    def remove_material_retention(self, case_id: str) -> bool:
        """The case's materials are deleted: it leaves the retention list (False if it was not on it)."""
        ...

    def alert_once(self, topic: str, key: str, item: dict) -> bool:
        """Mark an operator alert about `topic` for `key` as raised: True the first time only, False ever after."""
        ...


class AccessLog(Protocol):
    """The access records of staff reads (PIPL Art. 51): append-only, newest first; cursors opaque."""

    def record(self, accesses: list[Access]) -> None:
        """Write the records (all of them, or raise: a read that cannot be recorded is not answered)."""

    def for_case(self, case_id: str, limit: int, cursor: str | None) -> tuple[list[Access], str | None]: ...

    def for_person(self, person_key: str, limit: int, cursor: str | None) -> tuple[list[Access], str | None]: ...

    def by_staff(self, staff_key: str, limit: int, cursor: str | None) -> tuple[list[Access], str | None]: ...
