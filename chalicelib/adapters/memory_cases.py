"""The case store in memory: the CaseStore port without a database, for service-level tests.

It behaves as `DynamoCaseStore` does, and the contract suite
(tests/contract/test_case_store_contract.py) holds both to it: conditional writes on
`version` (or a wait's `status`) that raise `ConcurrentUpdate` and write nothing when
they lose; transactions (create, a draft's change) all or nothing; put-once writes
that keep the first; the same orderings of the timeline and of every list; opaque
cursors that only page through their own list; numbers that DynamoDB would refuse
(floats) refused here too.

It keeps the DynamoDB store's item layout (`pk`/`sk`, the three index key pairs) in
one dict, so that each list is "the items under one index key, by its sort key", as
there, and a page's cursor is the keys of its last item, as there. One lock makes
each call atomic; `mutate_*` read and write under it separately, like the DynamoDB
store, so `change` may run again after a race exactly as it would there.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from chalicelib.adapters import case_keys
from chalicelib.adapters.dynamo_cases import (
    Answer,
    CaseRecord,
    ConcurrentUpdate,
    NotFound,
    _alert_item,
    _card_order_item,
    _event_dict,
    _message,
    _notification_event,
    _outbox_item,
    _payout_switch_item,
    _retention_item,
    _wait_item,
)
from chalicelib.adapters.wait_moves import WaitMoves
from chalicelib.domain.case import FINAL_CASE_STATUSES, CaseStatus, MatterStatus
from chalicelib.domain.outcomes import OPEN_MATTER_STATUSES, Channel, Conclusion, Delivery, Event, Message

_KEYS = ("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk", "entity")
# index name -> (partition key attribute, sort key attribute), as in the table's definition
_PERSON = ("gsi1pk", "gsi1sk")
_WORK_LIST = ("gsi2pk", "gsi2sk")
_DUE = ("gsi3pk", "gsi3sk")


def _stored(value: Any) -> Any:
    """A value as DynamoDB keeps it and the DynamoDB store reads it back (a copy: no caller shares it)."""
    if isinstance(value, bool) or value is None or isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return str.__str__(value)  # an enum member (CaseStatus.DRAFT) reads back as its plain string, as from DynamoDB
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")  # as boto3 refuses them
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): _stored(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_stored(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_stored(v) for v in value)
    raise TypeError(f"Unsupported type {type(value)} for value {value!r}")


def _strip(item: dict) -> dict:
    return {k: copy.deepcopy(v) for k, v in item.items() if k not in _KEYS}


class InMemoryCaseStore(WaitMoves):
    def __init__(self, clock: Callable[[], datetime]):
        # The business clock stamps every event and time the store records (as in DynamoCaseStore);
        # required, so that no store falls back to a wall clock of its own.
        self._clock = clock
        self._items: dict[tuple[str, str], dict] = {}
        self._answers: dict[tuple[str, str], Answer] = {}  # the idempotency table's records: (table, id) -> answer
        self._lock = threading.Lock()

    def _now_iso(self) -> str:
        return self._clock().astimezone(UTC).isoformat(timespec="milliseconds")

    # --- writes -------------------------------------------------------------

    def create(
        self, case: dict, matters: list[dict], event: dict, materials: list[dict] | None = None, answer: Answer | None = None
    ) -> None:
        case_id = case["case_id"]
        pk = f"CASE#{case_id}"
        case_item = {
            **case,
            "pk": pk,
            "sk": "CASE",
            "entity": "case",
            "version": 1,
            "gsi1pk": f"PERSON#{case['person_key']}",
            "gsi1sk": f"{case['created_at']}#{case_id}",
        }
        if case.get("service_point"):  # a counter case is on its service point's list
            case_item |= {"gsi2pk": case_keys.service_point_cases(case["service_point"]), "gsi2sk": f"{case['created_at']}#{case_id}"}
        items = [case_item]
        items += [{**m, "pk": pk, "sk": f"MATTER#{m['code']}", "entity": "matter", "version": 1} for m in matters]
        items += [{**m, "pk": pk, "sk": f"MATERIAL#{m['kind']}", "entity": "material", "version": 1} for m in materials or []]
        items.append(self._event_item(case_id, event))
        items = [_stored(i) for i in items]
        with self._lock:
            if any((i["pk"], i["sk"]) in self._items for i in items) or not self._may_remember(answer):
                raise ConcurrentUpdate(f"case {case_id}")
            for item in items:
                self._items[item["pk"], item["sk"]] = item
            self._remember(answer)

    def update_case(self, case_id: str, expected_version: int, changes: dict) -> dict:
        return self._conditional_update(f"CASE#{case_id}", "CASE", expected_version, changes)

    def update_matter(self, case_id: str, code: str, expected_version: int, changes: dict) -> dict:
        return self._conditional_update(f"CASE#{case_id}", f"MATTER#{code}", expected_version, changes)

    def update_material(self, case_id: str, kind: str, expected_version: int, changes: dict) -> dict:
        return self._conditional_update(f"CASE#{case_id}", f"MATERIAL#{kind}", expected_version, changes)

    def mutate_case(self, case_id: str, change: Callable[[dict], dict | None], attempts: int = 5) -> dict:
        return self._mutate(
            lambda: self.get_case_item(case_id), lambda v, c: self.update_case(case_id, v, c), change, attempts, f"case {case_id}"
        )

    def mutate_matter(self, case_id: str, code: str, change: Callable[[dict], dict | None], attempts: int = 5) -> dict:
        return self._mutate(
            lambda: self.get_matter(case_id, code),
            lambda v, c: self.update_matter(case_id, code, v, c),
            change,
            attempts,
            f"matter {code} of case {case_id}",
        )

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
        pk = f"CASE#{case_id}"
        changes = _stored(changes)
        new_matters = [_stored({**m, "pk": pk, "sk": f"MATTER#{m['code']}", "entity": "matter", "version": 1}) for m in matters]
        added = [_stored({**m, "pk": pk, "sk": f"MATERIAL#{m['kind']}", "entity": "material", "version": 1}) for m in new_materials]
        with self._lock:
            case = self._items.get((pk, "CASE"))
            # every condition of the transaction first: one failing, nothing is written
            if case is None or case.get("version") != expected_version or case.get("status") != "draft":
                raise ConcurrentUpdate(f"draft {case_id}")
            if any((pk, m["sk"]) in self._items for m in added):
                raise ConcurrentUpdate(f"draft {case_id}")
            for kind, version in removed_materials.items():
                material = self._items.get((pk, f"MATERIAL#{kind}"))
                if material is None or material.get("version") != version:
                    raise ConcurrentUpdate(f"draft {case_id}")
            self._items[pk, "CASE"] = {**case, **changes, "version": case["version"] + 1}
            for item in new_matters + added:
                self._items[pk, item["sk"]] = item
            for code in removed_matters:
                self._items.pop((pk, f"MATTER#{code}"), None)
            for kind in removed_materials:
                self._items.pop((pk, f"MATERIAL#{kind}"), None)
            return _strip(self._items[pk, "CASE"])

    def delete_draft(self, case_id: str, expected_version: int) -> None:
        pk = f"CASE#{case_id}"
        with self._lock:
            case = self._items.get((pk, "CASE"))
            if case is None or case.get("version") != expected_version or case.get("status") != "draft":
                raise ConcurrentUpdate(f"draft {case_id}")
            for key in [key for key in self._items if key[0] == pk]:
                del self._items[key]

    def add_event(self, case_id: str, kind: str, text: str, *, matter: str | None = None, data: dict | None = None) -> dict:
        event: dict[str, Any] = {"kind": kind, "text": text, "at": self._now_iso()}
        if matter:
            event["matter"] = matter
        if data:
            event["data"] = data
        self._put_new(_stored(self._event_item(case_id, event)))
        return event

    def get_wait(self, case_id: str, code: str) -> dict | None:
        with self._lock:
            item = self._items.get((f"CASE#{case_id}", f"WAIT#{code}"))
            return {**_strip(item), "index": {k: item[k] for k in ("gsi2pk", "gsi3pk") if k in item}} if item else None

    def _update_wait(
        self,
        case_id: str,
        code: str,
        expected_status: str | tuple[str, ...],
        changes: dict,
        *,
        listed_for: str | None = None,
        due_key: str | None = None,
        unlist: bool = False,
        undue: bool = False,
        due_at: str | None = None,
    ) -> dict:
        statuses = (expected_status,) if isinstance(expected_status, str) else expected_status
        key = (f"CASE#{case_id}", f"WAIT#{code}")
        changes = _stored(changes)
        with self._lock:
            wait = self._items.get(key)
            if wait is None or wait.get("status") not in statuses:
                raise ConcurrentUpdate(f"wait {code} of case {case_id}")
            updated = {**wait, **changes, "version": wait["version"] + 1}
            if listed_for:
                updated |= {"gsi2pk": listed_for, "gsi2sk": f"{due_at}#{case_id}#{code}"}
            if due_key:
                updated |= {"gsi3pk": due_key, "gsi3sk": f"{due_at}#{case_id}#{code}"}
            for name in (("gsi2pk", "gsi2sk") if unlist else ()) + (("gsi3pk", "gsi3sk") if undue else ()):
                updated.pop(name, None)
            self._items[key] = updated
            return _strip(updated)

    def put_card_order(self, case_id: str, order: dict) -> bool:
        return self._put_new(_stored(_card_order_item(case_id, order)))

    def close_card_order(self, case_id: str, card_id: str, status: str, at: str) -> bool:
        key = (f"CASE#{case_id}", f"CARDORDER#{card_id}")
        with self._lock:
            order = self._items.get(key)
            if order is None or order.get("status") != "awaiting_production":
                return False
            closed = {k: v for k, v in order.items() if k not in ("gsi2pk", "gsi2sk")}
            self._items[key] = {**closed, "status": status, "closed_at": at}
            return True

    def remove_payout_switch(self, person_key: str, request_id: str) -> bool:
        return self._delete_scheduled(*case_keys.payout_switch(person_key), request_id)

    def schedule_material_retention(self, case_id: str, due_at: str) -> None:
        item = _stored(_retention_item(case_id, due_at))
        with self._lock:
            self._items[item["pk"], item["sk"]] = item

    def remove_material_retention(self, case_id: str) -> bool:
        return self._delete_scheduled(*case_keys.material_retention(case_id), case_id)

    def _delete_scheduled(self, pk: str, sk: str, request_id: str) -> bool:
        with self._lock:
            item = self._items.get((pk, sk))
            if item is None or item.get("request_id") != request_id:
                return False
            del self._items[pk, sk]
            return True

    def alert_once(self, topic: str, key: str, item: dict) -> bool:
        return self._put_new(_stored(_alert_item(topic, key, item, self._now_iso())))

    # --- one transaction per state change of a run (domain/outcomes.py) ---------

    def begin_processing(self, case_id: str, codes: list[str], due: dict[str, tuple[str, str]], event: Event, plan: dict) -> bool:
        pk = f"CASE#{case_id}"
        now = self._now_iso()
        event_item = _stored(self._event_item(case_id, _event_dict(event, now)))
        plan = _stored(plan)
        with self._lock:
            case = self._items.get((pk, "CASE"))
            if case is None or case.get("status") != CaseStatus.SUBMITTED.value:
                return False
            if any((pk, f"MATTER#{code}") not in self._items for code in due):
                return False
            updated = {**case, "status": CaseStatus.PROCESSING.value, "updated_at": now, "plan": plan}
            updated.setdefault("matter_status", {code: MatterStatus.PENDING.value for code in codes})
            updated.setdefault("matter_reasons", {})
            self._items[pk, "CASE"] = updated
            for code, (due_at, expires_at) in due.items():
                matter = self._items[pk, f"MATTER#{code}"]
                self._items[pk, f"MATTER#{code}"] = {"due_at": due_at, "expires_at": expires_at, **matter}
            self._items[pk, event_item["sk"]] = event_item
            return True

    def conclude(self, conclusion: Conclusion) -> bool:
        c = conclusion
        pk = f"CASE#{c.case_id}"
        now = self._now_iso()
        new_items = [_stored(self._event_item(c.case_id, _event_dict(e, now), order)) for order, e in enumerate(c.events)]
        new_items += [_stored(_outbox_item(c.case_id, m, now)) for m in c.messages]
        if c.card_order is not None:
            new_items.append(_stored(_card_order_item(c.case_id, c.card_order)))
        if c.payout_switch is not None:
            new_items.append(_stored(_payout_switch_item(c.payout_switch)))
        if c.closing is not None and c.closing.retention_due:
            new_items.append(_stored(_retention_item(c.case_id, c.closing.retention_due)))
        with self._lock:
            # every condition first: one failing, nothing is written
            if not self._conclusion_holds(c, [i for i in new_items if i["entity"] in ("outbox", "card_order")]):
                return False
            self._items[pk, "CASE"] = self._concluded_case(c, self._items[pk, "CASE"], now)
            for outcome in c.outcomes:
                matter = self._items[pk, f"MATTER#{outcome.code}"]
                changes: dict[str, Any] = {"status": outcome.status.value, "updated_at": now}
                for name in ("result", "reason", "reason_code"):
                    if getattr(outcome, name) is not None:
                        changes[name] = _stored(getattr(outcome, name))
                self._items[pk, f"MATTER#{outcome.code}"] = {**matter, **changes, "version": matter["version"] + 1}
            if c.wait is not None:
                wait = self._items[pk, f"WAIT#{c.wait.code}"]
                ended = {k: v for k, v in wait.items() if k not in ("gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk")}
                self._items[pk, f"WAIT#{c.wait.code}"] = {
                    **ended,
                    "status": c.wait.status.value,
                    **_stored(c.wait.changes),
                    "version": wait["version"] + 1,
                }
            for item in new_items:
                self._items[item["pk"], item["sk"]] = item
            return True

    def _conclusion_holds(self, c: Conclusion, put_once: list[dict]) -> bool:
        """Whether every condition of the conclusion's transaction holds (the lock is held by the caller)."""
        pk = f"CASE#{c.case_id}"
        open_values = {s.value for s in OPEN_MATTER_STATUSES}
        case = self._items.get((pk, "CASE"))
        if case is None or case.get("status") != c.case_status.value:
            return False
        statuses = case.get("matter_status") or {}
        if c.case_status != CaseStatus.SUBMITTED and any(statuses.get(o.code) not in open_values for o in c.outcomes):
            return False
        if c.some_open and not any(statuses.get(code) in open_values for code in c.some_open):
            return False
        if any(statuses.get(code) != status for code, status in c.others_final.items()):
            return False
        if c.contact_phone is not None and (case.get("contact") or {}).get("phone") != c.contact_phone:
            return False
        for outcome in c.outcomes:
            matter = self._items.get((pk, f"MATTER#{outcome.code}"))
            if matter is None or matter.get("status") not in open_values:
                return False
        if c.wait is not None:
            wait = self._items.get((pk, f"WAIT#{c.wait.code}"))
            if wait is None or wait.get("status") not in {s.value for s in c.wait.expected}:
                return False
        return not any((i["pk"], i["sk"]) in self._items for i in put_once)

    @staticmethod
    def _concluded_case(c: Conclusion, case: dict, now: str) -> dict:
        updated = copy.deepcopy(case)
        updated["updated_at"] = now
        if c.case_status == CaseStatus.SUBMITTED:  # refused at pre-judgment: every matter at once
            updated["matter_status"] = {o.code: o.status.value for o in c.outcomes}
            updated["matter_reasons"] = {o.code: o.reason for o in c.outcomes if o.reason}
        else:
            for outcome in c.outcomes:
                updated["matter_status"][outcome.code] = outcome.status.value
                if outcome.reason:
                    updated["matter_reasons"][outcome.code] = outcome.reason
        if c.new_contact_phone is not None:
            updated["contact"]["phone"] = c.new_contact_phone
        if c.closing is not None:
            updated["status"], updated["finished_at"] = c.closing.status.value, c.closing.at
        updated["version"] = case["version"] + 1
        return updated

    def open_wait(self, case_id: str, code: str, wait: dict, *, department: str, district: str | None, event: Event) -> bool:
        pk = f"CASE#{case_id}"
        now = self._now_iso()
        item = _stored(_wait_item(case_id, code, wait, now, department, district))
        event_item = _stored(self._event_item(case_id, _event_dict(event, now)))
        awaiting = MatterStatus.AWAITING_REVIEW.value
        with self._lock:
            case = self._items.get((pk, "CASE"))
            matter = self._items.get((pk, f"MATTER#{code}"))
            if (pk, item["sk"]) in self._items or case is None or case.get("status") != CaseStatus.PROCESSING.value:
                return False
            if matter is None or matter.get("status") not in {s.value for s in OPEN_MATTER_STATUSES}:
                return False
            self._items[pk, item["sk"]] = item
            self._items[pk, f"MATTER#{code}"] = {**matter, "status": awaiting, "updated_at": now, "version": matter["version"] + 1}
            updated = copy.deepcopy(case)
            updated["matter_status"][code] = awaiting
            self._items[pk, "CASE"] = {**updated, "updated_at": now, "version": case["version"] + 1}
            self._items[pk, event_item["sk"]] = event_item
            return True

    # --- the outbox -------------------------------------------------------------

    def put_outbox(self, case_id: str, message: Message) -> bool:
        return self._put_new(_stored(_outbox_item(case_id, message, self._now_iso())))

    def claim_outbox(self, case_id: str, message_id: str) -> bool:
        key = (f"CASE#{case_id}", f"OUTBOX#{message_id}")
        with self._lock:
            item = self._items.get(key)
            if item is None or item.get("delivery") != Delivery.PENDING.value:
                return False
            self._items[key] = {**item, "delivery": Delivery.SENT.value, "sent_at": self._now_iso()}
            return True

    def claim_outbox_all(self, case_id: str, message_ids: list[str]) -> bool:
        keys = [(f"CASE#{case_id}", f"OUTBOX#{message_id}") for message_id in message_ids]
        with self._lock:
            if any(self._items.get(key, {}).get("delivery") != Delivery.PENDING.value for key in keys):
                return False
            now = self._now_iso()
            for key in keys:
                self._items[key] = {**self._items[key], "delivery": Delivery.SENT.value, "sent_at": now}
            return True

    def release_outbox(self, case_id: str, message_id: str) -> None:
        key = (f"CASE#{case_id}", f"OUTBOX#{message_id}")
        with self._lock:
            # an unconditional update, as in DynamoDB: it would make the item if it were gone
            item = {k: v for k, v in self._items.get(key, {"pk": key[0], "sk": key[1]}).items() if k != "sent_at"}
            self._items[key] = {**item, "delivery": Delivery.PENDING.value}

    def pending_outbox(self, case_id: str) -> list[Message]:
        pk = f"CASE#{case_id}"
        with self._lock:
            items = sorted((i for (p, s), i in self._items.items() if p == pk and s.startswith("OUTBOX#")), key=lambda i: i["sk"])
            return [_message(_strip(i)) for i in items if i.get("delivery") == Delivery.PENDING.value]

    # --- deadline alerts ----------------------------------------------------

    def mark_wait_alerted(self, case_id: str, code: str, level: str, seen: str | None) -> bool:
        key = (f"CASE#{case_id}", f"WAIT#{code}")
        with self._lock:
            wait = self._items.get(key)
            if wait is None or wait.get("status") != "pending" or wait.get("alerted_level") != seen:
                return False
            # the wait's version stays: an alert is no change of its state (as in DynamoCaseStore)
            self._items[key] = {**wait, "alerted_level": level, f"{level}_alerted_at": self._now_iso()}
            return True

    def unmark_wait_alerted(self, case_id: str, code: str, level: str, back_to: str | None) -> None:
        key = (f"CASE#{case_id}", f"WAIT#{code}")
        with self._lock:
            wait = self._items.get(key)
            if wait is None or wait.get("alerted_level") != level:
                return
            undone = {k: v for k, v in wait.items() if k not in ("alerted_level", f"{level}_alerted_at")}
            if back_to is not None:
                undone["alerted_level"] = back_to
            self._items[key] = undone

    # --- create and submit --------------------------------------------------

    def submit(self, case_id: str, expected_version: int, changes: dict, event: dict, answer: Answer | None = None) -> int:
        pk = f"CASE#{case_id}"
        changes = _stored(changes)
        event_item = _stored(self._event_item(case_id, event))
        with self._lock:
            case = self._items.get((pk, "CASE"))
            if case is None or case.get("version") != expected_version or case.get("status") != "draft" or not self._may_remember(answer):
                raise ConcurrentUpdate(f"case {case_id}")
            listed = {"gsi3pk": case_keys.UNFINISHED_CASES, "gsi3sk": case_keys.unfinished_since(changes.get("submitted_at", ""), case_id)}
            self._items[pk, "CASE"] = {**case, **changes, **listed, "version": expected_version + 1}
            self._items[pk, event_item["sk"]] = event_item
            self._remember(answer)
            return expected_version + 1

    def return_to_draft(self, case_id: str, expected_version: int, changes: dict, event: dict, forget: Answer | None = None) -> int:
        pk = f"CASE#{case_id}"
        changes = _stored(changes)
        event_item = _stored(self._event_item(case_id, event))
        with self._lock:
            case = self._items.get((pk, "CASE"))
            if case is None or case.get("version") != expected_version or case.get("status") != "submitted":
                raise ConcurrentUpdate(f"case {case_id}")
            kept = {k: v for k, v in case.items() if k not in ("gsi3pk", "gsi3sk")}
            self._items[pk, "CASE"] = {**kept, **changes, "version": expected_version + 1}
            self._items[pk, event_item["sk"]] = event_item
            if forget is not None:
                self._answers.pop((forget.table, forget.id), None)
            return expected_version + 1

    def remembered_answer(self, table: str, answer_id: str) -> Answer | None:
        with self._lock:
            kept = self._answers.get((table, answer_id))
            if kept is None or kept.expiration <= int(self._clock().timestamp()):
                return None
            return copy.deepcopy(kept)

    def _may_remember(self, answer: Answer | None) -> bool:
        """An answer is put unless a live one is under its id (the lock is held by the caller)."""
        if answer is None:
            return True
        kept = self._answers.get((answer.table, answer.id))
        return kept is None or kept.expiration <= int(self._clock().timestamp())

    def _remember(self, answer: Answer | None) -> None:
        if answer is not None:
            self._answers[answer.table, answer.id] = Answer(
                answer.table, answer.id, answer.request, json.loads(json.dumps(answer.body)), answer.expiration
            )

    # --- reads --------------------------------------------------------------

    def get(self, case_id: str) -> CaseRecord | None:
        pk = f"CASE#{case_id}"
        with self._lock:
            items = sorted((item for key, item in self._items.items() if key[0] == pk), key=lambda i: i["sk"])
            case = self._items.get((pk, "CASE"))
            if case is None:
                return None
            record = CaseRecord(case=_strip(case))
            for item in items:
                entity = item.get("entity")
                if entity == "matter":
                    record.matters[item["code"]] = _strip(item)
                elif entity == "event":
                    record.events.append(_strip(item))
                elif entity == "wait":
                    record.waits[item["sk"].removeprefix("WAIT#")] = _strip(item)
                elif entity == "material":
                    record.materials[item["kind"]] = _strip(item)
                elif entity == "outbox" and item.get("channel") == Channel.SMS:
                    record.events.append(_notification_event(copy.deepcopy(item)))
            record.events.sort(key=lambda e: e["at"])
            return record

    def get_case_item(self, case_id: str) -> dict:
        with self._lock:
            item = self._items.get((f"CASE#{case_id}", "CASE"))
            if item is None:
                raise NotFound(f"case {case_id}")
            return _strip(item)

    def get_matter(self, case_id: str, code: str) -> dict:
        with self._lock:
            item = self._items.get((f"CASE#{case_id}", f"MATTER#{code}"))
            if item is None:
                raise NotFound(f"matter {code} of case {case_id}")
            return _strip(item)

    def list_pending_reviews(self, department: str, district: str | None, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        return self._page(_WORK_LIST, case_keys.pending_reviews(department, district), limit, cursor, newest_first=False)

    def list_decided_reviews(self, department: str, district: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        return self._page(_WORK_LIST, case_keys.decided_reviews(department, district), limit, cursor, newest_first=True)

    def list_bank_cards(self, bank_code: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        return self._page(_WORK_LIST, case_keys.bank_cards(bank_code), limit, cursor, newest_first=False)

    def list_service_point_cases(self, service_point: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        return self._page(_WORK_LIST, case_keys.service_point_cases(service_point), limit, cursor, newest_first=True)

    def waits_due(self, until: str) -> tuple[list[dict], int]:
        return self._due(case_keys.OPEN_WAITS, until)

    def unfinished_cases(self, submitted_until: str) -> tuple[list[dict], int]:
        return self._due(case_keys.UNFINISHED_CASES, submitted_until)

    def next_run(self, case_id: str, run: int) -> bool:
        with self._lock:
            case = self._items.get((f"CASE#{case_id}", "CASE"))
            if case is None or case.get("run", 0) != run or case.get("status") not in ("submitted", "processing"):
                return False
            case["run"] = run + 1
            return True

    def forget_finished(self, case_id: str) -> bool:
        with self._lock:
            case = self._items.get((f"CASE#{case_id}", "CASE"))
            if case is None or case.get("status") not in FINAL_CASE_STATUSES:
                return False
            case.pop("gsi3pk", None)
            case.pop("gsi3sk", None)
            return True

    def resumes_due(self, until: str) -> tuple[list[dict], int]:
        return self._due(case_keys.RESUMES, until)

    def payout_switches_due(self, until: str) -> tuple[list[dict], int]:
        return self._due(case_keys.PAYOUT_SWITCHES, until)

    def material_retentions_due(self, until: str) -> tuple[list[dict], int]:
        return self._due(case_keys.MATERIAL_RETENTIONS, until)

    def _due(self, due_key: str, until: str) -> tuple[list[dict], int]:
        with self._lock:
            items = self._under(_DUE, due_key, lambda sort_key: sort_key <= f"{until}#~")
            return [_strip(i) for i in items], len(items)

    def list_for_person(self, person_key: str, limit: int = 20, cursor: str | None = None) -> tuple[list[dict], str | None]:
        return self._page(_PERSON, f"PERSON#{person_key}", limit, cursor, newest_first=True)

    def list_for_person_at_point(
        self, person_key: str, service_point: str, limit: int = 20, cursor: str | None = None
    ) -> tuple[list[dict], str | None]:
        # as a filtered query: `limit` cases are read, those of the point kept
        return self._page(_PERSON, f"PERSON#{person_key}", limit, cursor, True, lambda case: case.get("service_point") == service_point)

    # --- internals ----------------------------------------------------------

    def _put_new(self, item: dict) -> bool:
        with self._lock:
            if (item["pk"], item["sk"]) in self._items:
                return False
            self._items[item["pk"], item["sk"]] = item
            return True

    def _event_item(self, case_id: str, event: dict, order: int = 0) -> dict:
        at = event.get("at") or self._now_iso()
        return {**event, "at": at, "pk": f"CASE#{case_id}", "sk": case_keys.timeline_event(at, order), "entity": "event"}

    def _conditional_update(self, pk: str, sk: str, expected_version: int, changes: dict) -> dict:
        changes = _stored(changes)
        with self._lock:
            item = self._items.get((pk, sk))
            if item is None or item.get("version") != expected_version:
                raise ConcurrentUpdate(str({"pk": pk, "sk": sk}))
            updated = {**item, **changes, "version": item["version"] + 1}
            self._items[pk, sk] = updated
            return _strip(updated)

    @staticmethod
    def _mutate(
        read: Callable[[], dict], write: Callable[[int, dict], dict], change: Callable[[dict], dict | None], attempts: int, what: str
    ) -> dict:
        for _ in range(attempts):
            current = read()
            changes = change(current)
            if changes is None:
                return current
            try:
                return write(current["version"], changes)
            except ConcurrentUpdate:
                continue
        raise ConcurrentUpdate(f"{what} kept changing")

    def _under(self, index: tuple[str, str], partition: str, sort_key_holds: Callable[[str], bool] = lambda _: True) -> list[dict]:
        """The items under one index key, by its sort key (the lock is held by the caller)."""
        pk_name, sk_name = index
        found = [i for i in self._items.values() if i.get(pk_name) == partition and sk_name in i and sort_key_holds(i[sk_name])]
        return sorted(found, key=lambda i: (i[sk_name], i["pk"], i["sk"]))

    def _page(
        self,
        index: tuple[str, str],
        partition: str,
        limit: int,
        cursor: str | None,
        newest_first: bool,
        keep: Callable[[dict], bool] = lambda _: True,
    ) -> tuple[list[dict], str | None]:
        pk_name, sk_name = index
        start = _decode_cursor(cursor, index, partition) if cursor else None
        with self._lock:
            items: Iterable[dict] = self._under(index, partition)
            if newest_first:
                items = reversed(list(items))
            if start is not None:
                position = (start[sk_name], start["pk"], start["sk"])
                items = [
                    i
                    for i in items
                    if ((i[sk_name], i["pk"], i["sk"]) < position if newest_first else (i[sk_name], i["pk"], i["sk"]) > position)
                ]
            read = list(items)[:limit]
            # DynamoDB answers a next key whenever a page stops at its limit, even at the list's very end
            next_cursor = _encode_cursor({k: read[-1][k] for k in ("pk", "sk", pk_name, sk_name)}) if len(read) == limit and read else None
            return [_strip(i) for i in read if keep(i)], next_cursor


def _encode_cursor(key: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _decode_cursor(cursor: str, index: tuple[str, str], partition: str) -> dict:
    """The keys a cursor holds; a ValueError unless it is one of this list's (a cursor only pages through its own list)."""
    pk_name, sk_name = index
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError("cursor") from error
    if not isinstance(key, dict) or set(key) != {"pk", "sk", pk_name, sk_name} or key.get(pk_name) != partition:
        raise ValueError("cursor")
    if not all(isinstance(v, str) for v in key.values()):
        raise ValueError("cursor")
    return key
