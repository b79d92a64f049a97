"""The case store on DynamoDB (one table, one partition per case).

Items of a case share `pk = CASE#<id>`:
- `sk = CASE`            the case (status, applicant, consent, contact, version)
- `sk = MATTER#<code>`   one per matter (status, form, result, reason, version)
- `sk = EVENT#<at>#<order><n>`  the timeline, append-only (order: the event's place in its write)
- `sk = WAIT#<code>`     a department wait: the task token of the execution
- `sk = CARDORDER#<card>` a card the cooperating bank is to make (制卡), for the bank's list

The index on `gsi2` (named ByDistrictDue after its first use) holds every work list:
reviewers' pending (`REVIEW#…`) and decided (`DECIDED#…`) reviews, a bank's cards to
make (`BANKCARDS#<bank>`), a service point's cases (`POINT#<service point>`). The index
on `gsi3` (ByDue) holds the scheduled jobs' dated work. Those keys are built in
`case_keys` only: the port's methods name the lists in the domain's words.

A person's cases are found through the index `ByPerson` (`gsi1pk = PERSON#<hmac>`),
never by a Scan; the key is an HMAC of the resident ID, never the ID itself.
Every update of a case or matter is conditional on its `version` (optimistic locking).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters import case_keys
from chalicelib.adapters.wait_moves import WaitMoves
from chalicelib.domain.case import FINAL_CASE_STATUSES, CaseStatus, MatterStatus
from chalicelib.domain.outcomes import OPEN_MATTER_STATUSES, Channel, Conclusion, Delivery, Event, Message, PayoutSwitch
from chalicelib.domain.resident_id import mask_phone


def Key(name: str) -> Any:  # boto3's condition builders, imported at first use: boto3 is most of a cold start's import time
    from boto3.dynamodb.conditions import Key as key

    return key(name)


def Attr(name: str) -> Any:
    from boto3.dynamodb.conditions import Attr as attr

    return attr(name)


PERSON_INDEX = "ByPerson"
DISTRICT_DUE_INDEX = "ByDistrictDue"  # pending reviews of a department in a district, by due time
DUE_INDEX = "ByDue"  # open waits (and other dated work) across the city, by due time


class ConcurrentUpdate(Exception):
    """The item changed since it was read (its version moved on)."""


class NotFound(Exception):
    pass


def _plain(value: Any) -> Any:
    """DynamoDB numbers back to int, recursively."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, set):
        return sorted(_plain(v) for v in value)
    return value


_OPEN_VALUES = {f":open{i}": status.value for i, status in enumerate(OPEN_MATTER_STATUSES)}
_OPEN_LIST = ", ".join(_OPEN_VALUES)


def _event_dict(event: Event, at: str) -> dict:
    item: dict[str, Any] = {"kind": event.kind, "text": event.text, "at": at}
    if event.matter:
        item["matter"] = event.matter
    if event.data:
        item["data"] = event.data
    return item


def _scheduled_item(pk: str, sk: str, due_key: str, due_at: str, item: dict) -> dict:
    return {**item, "pk": pk, "sk": sk, "entity": "scheduled", "gsi3pk": due_key, "gsi3sk": f"{due_at}#{pk}", "due_at": due_at}


def _retention_item(case_id: str, due_at: str) -> dict:
    """A finished case's uploaded materials, due for deletion (the retention job deletes and removes it)."""
    pk, sk = case_keys.material_retention(case_id)
    return _scheduled_item(pk, sk, case_keys.MATERIAL_RETENTIONS, due_at, {"request_id": case_id, "case_id": case_id})


def _payout_switch_item(switch: PayoutSwitch) -> dict:
    """An accepted payout account change, due on its effective date; under the person's key, so a later one replaces it."""
    pk, sk = case_keys.payout_switch(switch.person_key)
    item = {
        "request_id": switch.request_id,
        "case_id": switch.case_id,
        "id_number": switch.id_number,
        "effective_month": switch.effective_month,
    }
    return _scheduled_item(pk, sk, case_keys.PAYOUT_SWITCHES, switch.effective_at, item)


def _card_order_item(case_id: str, order: dict) -> dict:
    """A card for its bank to make, on the bank's list by the time it was ordered."""
    return {
        **order,
        "pk": f"CASE#{case_id}",
        "sk": f"CARDORDER#{order['card_id']}",
        "entity": "card_order",
        "gsi2pk": case_keys.bank_cards(order["bank_code"]),
        "gsi2sk": f"{order['ordered_at']}#{order['card_id']}",
    }


def _wait_item(case_id: str, code: str, wait: dict, now: str, department: str, district: str | None) -> dict:
    """A department wait, on the department's pending reviews and the deadline job's list, both by its due time."""
    listed_at = f"{wait.get('due_at', '')}#{case_id}#{code}"
    return {
        **wait,
        "pk": f"CASE#{case_id}",
        "sk": f"WAIT#{code}",
        "entity": "wait",
        "created_at": now,
        "version": 1,
        "gsi2pk": case_keys.pending_reviews(department, district),
        "gsi2sk": listed_at,
        "gsi3pk": case_keys.OPEN_WAITS,
        "gsi3sk": listed_at,
    }


def _alert_item(topic: str, key: str, item: dict, now: str) -> dict:
    pk, sk = case_keys.alert(topic, key)
    return {**item, "pk": pk, "sk": sk, "entity": "marker", "at": now}


def _outbox_item(case_id: str, message: Message, now: str) -> dict:
    """A message in the case's outbox, pending until a sender claims it."""
    item = {
        "pk": f"CASE#{case_id}",
        "sk": f"OUTBOX#{message.id}",
        "entity": "outbox",
        "id": message.id,
        "channel": message.channel.value,
        "text": message.text,
        "to": message.to,
        "delivery": Delivery.PENDING.value,
        "created_at": now,
    }
    for name in ("matter", "subject", "department", "district", "level"):
        value = getattr(message, name)
        if value:
            item[name] = value
    return item


def _message(item: dict) -> Message:
    return Message(
        id=item["id"],
        channel=Channel(item["channel"]),
        text=item["text"],
        to=item.get("to", ""),
        matter=item.get("matter"),
        subject=item.get("subject", ""),
        department=item.get("department", ""),
        district=item.get("district", ""),
        level=item.get("level", ""),
    )


def _notification_event(item: dict) -> dict:
    """An SMS in the outbox is the timeline's notification (phone masked)."""
    data = {"to": mask_phone(item["to"]), "text": item["text"]}
    event = {"kind": "notification", "text": "已发送短信通知", "at": item["created_at"], "data": data}
    if item.get("matter"):
        event["matter"] = item["matter"]
    return event


_KEYS = ("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk", "entity")


def _strip(item: dict) -> dict:
    return {k: _plain(v) for k, v in item.items() if k not in _KEYS}


@dataclass(frozen=True)
class Answer:
    """The answer to a request made with an Idempotency-Key, remembered with the write it answers.

    It lives in its own table (`table`, keyed by `id`, expiring at `expiration`, epoch
    seconds) so that it expires like every idempotency record; `request` is a digest of
    what was asked, so that the same key with another request can be refused.
    """

    table: str
    id: str
    request: str
    body: dict
    expiration: int


@dataclass
class CaseRecord:
    case: dict
    matters: dict[str, dict] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    waits: dict[str, dict] = field(default_factory=dict)
    materials: dict[str, dict] = field(default_factory=dict)

    @property
    def case_id(self) -> str:
        return self.case["case_id"]


class DynamoCaseStore(WaitMoves):
    def __init__(self, table: Any, clock: Callable[[], datetime]):
        self._table = table  # a boto3 DynamoDB Table resource
        # The business clock stamps every event and time the store records (wiring passes Services.now);
        # required, so that no store falls back to a wall clock of its own.
        self._clock = clock

    def _now_iso(self) -> str:
        return self._clock().astimezone(UTC).isoformat(timespec="milliseconds")

    # --- writes -------------------------------------------------------------

    def create(
        self, case: dict, matters: list[dict], event: dict, materials: list[dict] | None = None, answer: Answer | None = None
    ) -> None:
        """The case's items in one transaction; with `answer`, the request's answer is remembered in it (ConcurrentUpdate if taken)."""
        case_id = case["case_id"]
        pk = f"CASE#{case_id}"
        items = [
            {
                **case,
                "pk": pk,
                "sk": "CASE",
                "entity": "case",
                "version": 1,
                "gsi1pk": f"PERSON#{case['person_key']}",
                "gsi1sk": f"{case['created_at']}#{case_id}",
                # a counter case is on its service point's list (GET /counter/cases)
                **(
                    {"gsi2pk": case_keys.service_point_cases(case["service_point"]), "gsi2sk": f"{case['created_at']}#{case_id}"}
                    if case.get("service_point")
                    else {}
                ),
            }
        ] + [{**m, "pk": pk, "sk": f"MATTER#{m['code']}", "entity": "matter", "version": 1} for m in matters]
        items += [{**m, "pk": pk, "sk": f"MATERIAL#{m['kind']}", "entity": "material", "version": 1} for m in materials or []]
        items.append(self._event_item(case_id, event))
        puts = [
            {
                "Put": {
                    "TableName": self._table.name,
                    "Item": item,
                    "ConditionExpression": "attribute_not_exists(#pk)",
                    "ExpressionAttributeNames": {"#pk": "pk"},
                }
            }
            for item in items
        ]
        self._transact(puts + ([self._remember(answer)] if answer else []), f"case {case_id}")

    # --- one transaction per state change of a run (domain/outcomes.py) ---------

    def begin_processing(self, case_id: str, codes: list[str], due: dict[str, tuple[str, str]], event: Event, plan: dict) -> bool:
        """A submitted case passed pre-judgment: `processing` with its `plan`, reviewed matters dated, the event; one transaction.

        False (nothing written) if the case is no longer `submitted`: a retry, or a withdrawal, got there first.
        """
        pk = f"CASE#{case_id}"
        now = self._now_iso()
        updates: list[dict] = [
            self._update(
                {"pk": pk, "sk": "CASE"},
                sets={"status": CaseStatus.PROCESSING.value, "updated_at": now, "plan": plan},
                if_absent={"matter_status": {code: MatterStatus.PENDING.value for code in codes}, "matter_reasons": {}},
                condition=("#status = :expected_status", {"#status": "status"}, {":expected_status": CaseStatus.SUBMITTED.value}),
            )
        ]
        for code, (due_at, expires_at) in due.items():
            dated = {"due_at": due_at, "expires_at": expires_at}
            updates.append(self._update({"pk": pk, "sk": f"MATTER#{code}"}, sets={}, if_absent=dated))
        return self._write_together(updates, [self._put(self._event_item(case_id, _event_dict(event, now)))])

    def conclude(self, conclusion: Conclusion) -> bool:
        """Record outcomes with their events, outbox messages and (if last) the case's final status: one transaction.

        False (nothing written) if a condition no longer holds: a matter already has its outcome, the case left
        the expected status, this is after all the last open matter, or the contact phone changed.
        """
        c = conclusion
        pk = f"CASE#{c.case_id}"
        now = self._now_iso()
        updates: list[dict] = [self._case_conclusion(c, now)]
        puts: list[dict] = []
        for outcome in c.outcomes:
            changes: dict[str, Any] = {"status": outcome.status.value, "updated_at": now}
            if outcome.result is not None:
                changes["result"] = outcome.result
            if outcome.reason is not None:
                changes["reason"] = outcome.reason
            if outcome.reason_code is not None:
                changes["reason_code"] = outcome.reason_code
            updates.append(
                self._update(
                    {"pk": pk, "sk": f"MATTER#{outcome.code}"},
                    sets=changes,
                    condition=(f"#st IN ({_OPEN_LIST})", {"#st": "status"}, dict(_OPEN_VALUES)),
                    bump=True,
                )
            )
        for order, event in enumerate(c.events):
            puts.append(self._put(self._event_item(c.case_id, _event_dict(event, now), order)))
        for message in c.messages:
            puts.append(self._put_new_item(_outbox_item(c.case_id, message, now)))
        if c.wait is not None:
            expected = {f":w{i}": s.value for i, s in enumerate(c.wait.expected)}
            updates.append(
                self._update(
                    {"pk": pk, "sk": f"WAIT#{c.wait.code}"},
                    sets={"status": c.wait.status.value, **c.wait.changes},
                    removes=("gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk"),
                    condition=(f"#ws IN ({', '.join(expected)})", {"#ws": "status"}, expected),
                    bump=True,
                )
            )
        if c.card_order is not None:
            puts.append(self._put_new_item(_card_order_item(c.case_id, c.card_order)))
        if c.payout_switch is not None:
            puts.append(self._put(_payout_switch_item(c.payout_switch)))
        if c.closing is not None and c.closing.retention_due:
            puts.append(self._put(_retention_item(c.case_id, c.closing.retention_due)))
        return self._write_together(updates, puts)

    def _case_conclusion(self, c: Conclusion, now: str) -> dict:
        """The case item's part of a conclusion: each matter's outcome on `matter_status`, the conditions that make it first."""
        names: dict[str, str] = {"#status": "status", "#ms": "matter_status"}
        values: dict[str, Any] = {":case_status": c.case_status.value}
        sets = ["updated_at = :now"]
        values[":now"] = now
        conditions = ["#status = :case_status"]
        if c.case_status == CaseStatus.SUBMITTED:  # refused at pre-judgment: every matter at once
            names["#mr"] = "matter_reasons"
            sets += ["#ms = :all", "#mr = :reasons"]
            values[":all"] = {o.code: o.status.value for o in c.outcomes}
            values[":reasons"] = {o.code: o.reason for o in c.outcomes if o.reason}
        else:
            for i, outcome in enumerate(c.outcomes):
                names[f"#m{i}"] = outcome.code
                values[f":r{i}"] = outcome.status.value
                sets.append(f"#ms.#m{i} = :r{i}")
                conditions.append(f"#ms.#m{i} IN ({_OPEN_LIST})")
                if outcome.reason:
                    names["#mr"] = "matter_reasons"
                    values[f":why{i}"] = outcome.reason
                    sets.append(f"#mr.#m{i} = :why{i}")
        if c.some_open or c.case_status != CaseStatus.SUBMITTED:
            values.update(_OPEN_VALUES)
        if c.some_open:
            alternatives = []
            for j, code in enumerate(c.some_open):
                names[f"#s{j}"] = code
                alternatives.append(f"#ms.#s{j} IN ({_OPEN_LIST})")
            conditions.append("(" + " OR ".join(alternatives) + ")")
        for j, (code, status) in enumerate(c.others_final.items()):
            names[f"#f{j}"] = code
            values[f":f{j}"] = status
            conditions.append(f"#ms.#f{j} = :f{j}")
        if c.contact_phone is not None:
            names["#contact"], names["#phone"] = "contact", "phone"
            values[":phone"] = c.contact_phone
            conditions.append("#contact.#phone = :phone")
        if c.new_contact_phone is not None:
            names["#contact"], names["#phone"] = "contact", "phone"
            values[":new_phone"] = c.new_contact_phone
            sets.append("#contact.#phone = :new_phone")
        if c.closing is not None:
            sets += ["#status = :final", "finished_at = :finished_at"]
            values[":final"], values[":finished_at"] = c.closing.status.value, c.closing.at
        names["#version"] = "version"
        values[":one"] = 1
        sets.append("#version = #version + :one")
        return {
            "TableName": self._table.name,
            "Key": {"pk": f"CASE#{c.case_id}", "sk": "CASE"},
            "UpdateExpression": "SET " + ", ".join(sets),
            "ConditionExpression": " AND ".join(conditions),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }

    def open_wait(self, case_id: str, code: str, wait: dict, *, department: str, district: str | None, event: Event) -> bool:
        """Hand a matter to its department: the wait (task token) on the lists, the matter awaiting review, the event.

        One transaction; False (nothing written) if the wait exists already (a retried task) or the matter or case moved on.
        """
        pk = f"CASE#{case_id}"
        now = self._now_iso()
        item = _wait_item(case_id, code, wait, now, department, district)
        awaiting = MatterStatus.AWAITING_REVIEW.value
        updates = [
            self._update(
                {"pk": pk, "sk": f"MATTER#{code}"},
                sets={"status": awaiting, "updated_at": now},
                condition=(f"#st IN ({_OPEN_LIST})", {"#st": "status"}, dict(_OPEN_VALUES)),
                bump=True,
            ),
            self._update(
                {"pk": pk, "sk": "CASE"},
                sets={"updated_at": now},
                condition=(
                    "#status = :processing",
                    {"#status": "status"},
                    {":processing": CaseStatus.PROCESSING.value},
                ),
                map_sets={("matter_status", code): awaiting},
                bump=True,
            ),
        ]
        return self._write_together(updates, [self._put_new_item(item), self._put(self._event_item(case_id, _event_dict(event, now)))])

    # --- the outbox: every notification is a record first, sent once ----------

    def put_outbox(self, case_id: str, message: Message) -> bool:
        """A notification not tied to a run's outcome (a withdrawal, a rejected upload); False if its id exists."""
        return self._put_new(_outbox_item(case_id, message, self._now_iso()))

    def claim_outbox(self, case_id: str, message_id: str) -> bool:
        """Take a pending message to send it: only one sender ever gets True for a message."""
        try:
            self._table.update_item(
                Key={"pk": f"CASE#{case_id}", "sk": f"OUTBOX#{message_id}"},
                UpdateExpression="SET #d = :sent, sent_at = :at",
                ConditionExpression="#d = :pending",
                ExpressionAttributeNames={"#d": "delivery"},
                ExpressionAttributeValues={":sent": Delivery.SENT.value, ":pending": Delivery.PENDING.value, ":at": self._now_iso()},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def claim_outbox_all(self, case_id: str, message_ids: list[str]) -> bool:
        """Take several pending messages of one write at once (one transaction); False, and none taken, if any is not pending."""
        now = self._now_iso()
        updates = [
            {
                "TableName": self._table.name,
                "Key": {"pk": f"CASE#{case_id}", "sk": f"OUTBOX#{message_id}"},
                "UpdateExpression": "SET #d = :sent, sent_at = :at",
                "ConditionExpression": "#d = :pending",
                "ExpressionAttributeNames": {"#d": "delivery"},
                "ExpressionAttributeValues": {":sent": Delivery.SENT.value, ":pending": Delivery.PENDING.value, ":at": now},
            }
            for message_id in message_ids
        ]
        return self._write_together(updates, [])

    def release_outbox(self, case_id: str, message_id: str) -> None:
        """Sending failed after the claim: pending again, for the retry to send."""
        self._table.update_item(
            Key={"pk": f"CASE#{case_id}", "sk": f"OUTBOX#{message_id}"},
            UpdateExpression="SET #d = :pending REMOVE sent_at",
            ExpressionAttributeNames={"#d": "delivery"},
            ExpressionAttributeValues={":pending": Delivery.PENDING.value},
        )

    def pending_outbox(self, case_id: str) -> list[Message]:
        """The case's messages not sent yet (a task that stopped between its write and its send)."""
        page = self._table.query(
            KeyConditionExpression=Key("pk").eq(f"CASE#{case_id}") & Key("sk").begins_with("OUTBOX#"),
            ConsistentRead=True,
        )
        return [_message(_strip(i)) for i in page["Items"] if i.get("delivery") == Delivery.PENDING.value]

    # --- transaction parts --------------------------------------------------

    def _update(
        self,
        key: dict,
        *,
        sets: dict[str, Any],
        if_absent: dict[str, Any] | None = None,
        removes: tuple[str, ...] = (),
        condition: tuple[str, dict[str, str], dict[str, Any]] | None = None,
        map_sets: dict[tuple[str, str], Any] | None = None,
        bump: bool = False,
    ) -> dict:
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        parts = []
        for i, (name, value) in enumerate(sets.items()):
            names[f"#u{i}"], values[f":u{i}"] = name, value
            parts.append(f"#u{i} = :u{i}")
        for i, (name, value) in enumerate((if_absent or {}).items()):
            names[f"#a{i}"], values[f":a{i}"] = name, value
            parts.append(f"#a{i} = if_not_exists(#a{i}, :a{i})")
        for i, ((attribute, entry), value) in enumerate((map_sets or {}).items()):
            names[f"#p{i}"], names[f"#e{i}"], values[f":p{i}"] = attribute, entry, value
            parts.append(f"#p{i}.#e{i} = :p{i}")
        if bump:
            names["#version"], values[":one"] = "version", 1
            parts.append("#version = #version + :one")
        expression = ("SET " + ", ".join(parts)) if parts else ""
        if removes:
            expression += " REMOVE " + ", ".join(removes)
        update: dict[str, Any] = {"TableName": self._table.name, "Key": key, "UpdateExpression": expression.strip()}
        condition_text = "attribute_exists(pk)"
        if condition is not None:
            text, condition_names, condition_values = condition
            condition_text += f" AND {text}"
            names.update(condition_names)
            values.update(condition_values)
        update["ConditionExpression"] = condition_text
        if names:
            update["ExpressionAttributeNames"] = names
        if values:
            update["ExpressionAttributeValues"] = values
        return update

    def _put_new_item(self, item: dict) -> dict:
        return {
            "TableName": self._table.name,
            "Item": item,
            "ConditionExpression": "attribute_not_exists(#pk)",
            "ExpressionAttributeNames": {"#pk": "pk"},
        }

    def _put(self, item: dict) -> dict:
        return {"TableName": self._table.name, "Item": item}

    def _write_together(self, updates: list[dict], puts: list[dict]) -> bool:
        """Updates and puts in one transaction; False (nothing written) if a condition failed."""
        try:
            self._table.meta.client.transact_write_items(TransactItems=[{"Update": u} for u in updates] + [{"Put": p} for p in puts])
        except ClientError as error:
            if error.response["Error"]["Code"] in ("TransactionCanceledException", "ConditionalCheckFailedException"):
                return False
            raise
        return True

    def update_case(self, case_id: str, expected_version: int, changes: dict) -> dict:
        return self._conditional_update({"pk": f"CASE#{case_id}", "sk": "CASE"}, expected_version, changes)

    def update_matter(self, case_id: str, code: str, expected_version: int, changes: dict) -> dict:
        key = {"pk": f"CASE#{case_id}", "sk": f"MATTER#{code}"}
        return self._conditional_update(key, expected_version, changes)

    def update_material(self, case_id: str, kind: str, expected_version: int, changes: dict) -> dict:
        key = {"pk": f"CASE#{case_id}", "sk": f"MATERIAL#{kind}"}
        return self._conditional_update(key, expected_version, changes)

    def mutate_case(self, case_id: str, change: Callable[[dict], dict | None], attempts: int = 5) -> dict:
        """Read the case item, compute changes from it, write them conditionally; retry on a race.

        `change` returns the attributes to set, or None to leave the case as it is.
        """
        return _mutate(
            lambda: self.get_case_item(case_id),
            lambda version, changes: self.update_case(case_id, version, changes),
            change,
            attempts,
            f"case {case_id}",
        )

    def mutate_matter(self, case_id: str, code: str, change: Callable[[dict], dict | None], attempts: int = 5) -> dict:
        """The same for one matter of the case."""
        return _mutate(
            lambda: self.get_matter(case_id, code),
            lambda version, changes: self.update_matter(case_id, code, version, changes),
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
        """Change a draft in one transaction, conditional on the case still being that draft.

        The case item moves to the next version only if it is still a draft at
        `expected_version` (a submit or delete in between wins, and this fails with
        ConcurrentUpdate); `matters` replace the matter items, `removed_matters` go;
        `new_materials` are added, and each of `removed_materials` (kind -> version) goes
        only if no upload touched it meanwhile.
        """
        pk = f"CASE#{case_id}"
        table = self._table.name
        names = {"#version": "version", "#status": "status"}
        values: dict[str, Any] = {":expected": expected_version, ":one": 1, ":draft": "draft"}
        sets = ["#version = #version + :one"]
        for i, (name, value) in enumerate(changes.items()):
            names[f"#f{i}"] = name
            values[f":v{i}"] = value
            sets.append(f"#f{i} = :v{i}")
        items: list[dict] = [
            {
                "Update": {
                    "TableName": table,
                    "Key": {"pk": pk, "sk": "CASE"},
                    "UpdateExpression": "SET " + ", ".join(sets),
                    "ConditionExpression": "attribute_exists(pk) AND #version = :expected AND #status = :draft",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            }
        ]
        items += [
            {"Put": {"TableName": table, "Item": {**m, "pk": pk, "sk": f"MATTER#{m['code']}", "entity": "matter", "version": 1}}}
            for m in matters
        ]
        items += [{"Delete": {"TableName": table, "Key": {"pk": pk, "sk": f"MATTER#{code}"}}} for code in removed_matters]
        items += [
            {
                "Put": {
                    "TableName": table,
                    "Item": {**m, "pk": pk, "sk": f"MATERIAL#{m['kind']}", "entity": "material", "version": 1},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            for m in new_materials
        ]
        items += [
            {
                "Delete": {
                    "TableName": table,
                    "Key": {"pk": pk, "sk": f"MATERIAL#{kind}"},
                    "ConditionExpression": "#version = :v",
                    "ExpressionAttributeNames": {"#version": "version"},
                    "ExpressionAttributeValues": {":v": version},
                }
            }
            for kind, version in removed_materials.items()
        ]
        try:
            self._table.meta.client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error.response["Error"]["Code"] in ("TransactionCanceledException", "ConditionalCheckFailedException"):
                raise ConcurrentUpdate(f"draft {case_id}") from error
            raise
        return self.get_case_item(case_id)

    def delete_draft(self, case_id: str, expected_version: int) -> None:
        """Delete a draft: the case item goes, conditional on it still being that draft.

        This one write decides a race with a submit; the case's other items are removed
        afterwards (without the case item nobody can read them: `get` answers None).
        """
        try:
            self._table.delete_item(
                Key={"pk": f"CASE#{case_id}", "sk": "CASE"},
                ConditionExpression="attribute_exists(pk) AND #version = :expected AND #status = :draft",
                ExpressionAttributeNames={"#version": "version", "#status": "status"},
                ExpressionAttributeValues={":expected": expected_version, ":draft": "draft"},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ConcurrentUpdate(f"draft {case_id}") from error
            raise
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(f"CASE#{case_id}"),
            "ProjectionExpression": "pk, sk",
            "ConsistentRead": True,
        }
        with self._table.batch_writer() as batch:
            while True:
                page = self._table.query(**kwargs)
                for item in page["Items"]:
                    batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def add_event(self, case_id: str, kind: str, text: str, *, matter: str | None = None, data: dict | None = None) -> dict:
        event: dict[str, Any] = {"kind": kind, "text": text, "at": self._now_iso()}
        if matter:
            event["matter"] = matter
        if data:
            event["data"] = data
        self._table.put_item(Item=self._event_item(case_id, event), ConditionExpression="attribute_not_exists(pk)")
        return event

    def get_wait(self, case_id: str, code: str) -> dict | None:
        item = self._table.get_item(Key={"pk": f"CASE#{case_id}", "sk": f"WAIT#{code}"}, ConsistentRead=True).get("Item")
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
        """Conditional update of a wait on its status; ConcurrentUpdate if the status moved on."""
        statuses = (expected_status,) if isinstance(expected_status, str) else expected_status
        names = {"#status": "status", "#version": "version"}
        values: dict[str, Any] = {":one": 1, **{f":s{i}": v for i, v in enumerate(statuses)}}
        sets = ["#version = #version + :one"]
        removes = []
        for i, (name, value) in enumerate(changes.items()):
            names[f"#f{i}"] = name
            values[f":v{i}"] = value
            sets.append(f"#f{i} = :v{i}")
        if listed_for:
            sets += ["gsi2pk = :gsi2pk", "gsi2sk = :gsi2sk"]
            values[":gsi2pk"], values[":gsi2sk"] = listed_for, f"{due_at}#{case_id}#{code}"
        if due_key:
            sets += ["gsi3pk = :gsi3pk", "gsi3sk = :gsi3sk"]
            values[":gsi3pk"], values[":gsi3sk"] = due_key, f"{due_at}#{case_id}#{code}"
        if unlist:
            removes += ["gsi2pk", "gsi2sk"]
        if undue:
            removes += ["gsi3pk", "gsi3sk"]
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        try:
            response = self._table.update_item(
                Key={"pk": f"CASE#{case_id}", "sk": f"WAIT#{code}"},
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(pk) AND #status IN (" + ", ".join(f":s{i}" for i in range(len(statuses))) + ")",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ConcurrentUpdate(f"wait {code} of case {case_id}") from error
            raise
        return _strip(response["Attributes"])

    def list_pending_reviews(self, department: str, district: str | None, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        return self._list(case_keys.pending_reviews(department, district), limit, cursor)

    def list_decided_reviews(self, department: str, district: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        return self._list(case_keys.decided_reviews(department, district), limit, cursor, newest_first=True)

    def list_bank_cards(self, bank_code: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        return self._list(case_keys.bank_cards(bank_code), limit, cursor)

    def list_service_point_cases(self, service_point: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        return self._list(case_keys.service_point_cases(service_point), limit, cursor, newest_first=True)

    def waits_due(self, until: str) -> tuple[list[dict], int]:
        return self._due(case_keys.OPEN_WAITS, until)

    def unfinished_cases(self, submitted_until: str) -> tuple[list[dict], int]:
        """Case items submitted at or before `submitted_until` and not yet seen finished by the reconciler."""
        return self._due(case_keys.UNFINISHED_CASES, submitted_until)

    def next_run(self, case_id: str, run: int) -> bool:
        """The case's run `run` is over unfinished: the next one is `run + 1`, once (False if another got there
        first, or the case is no longer submitted or processing)."""
        try:
            self._table.update_item(
                Key={"pk": f"CASE#{case_id}", "sk": "CASE"},
                UpdateExpression="SET #run = :next",
                ConditionExpression=(
                    "(#run = :run OR (attribute_not_exists(#run) AND :run = :zero)) AND #status IN (:submitted, :processing)"
                ),
                ExpressionAttributeNames={"#run": "run", "#status": "status"},
                ExpressionAttributeValues={
                    ":next": run + 1,
                    ":run": run,
                    ":zero": 0,
                    ":submitted": "submitted",
                    ":processing": "processing",
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def forget_finished(self, case_id: str) -> bool:
        """A finished case leaves the reconciler's list (False if it is not finished: it stays)."""
        finals = sorted(s.value for s in FINAL_CASE_STATUSES)
        try:
            self._table.update_item(
                Key={"pk": f"CASE#{case_id}", "sk": "CASE"},
                UpdateExpression="REMOVE gsi3pk, gsi3sk",
                ConditionExpression="#status IN (" + ", ".join(f":f{i}" for i in range(len(finals))) + ")",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={f":f{i}": v for i, v in enumerate(finals)},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def resumes_due(self, until: str) -> tuple[list[dict], int]:
        return self._due(case_keys.RESUMES, until)

    def _list(self, listed_for: str, limit: int, cursor: str | None, newest_first: bool = False) -> tuple[list[dict], str | None]:
        """One page of a work list (index ByDistrictDue): oldest first (a reviewer's list: by due time), or newest first."""
        kwargs: dict[str, Any] = {
            "IndexName": DISTRICT_DUE_INDEX,
            "KeyConditionExpression": Key("gsi2pk").eq(listed_for),
            "ScanIndexForward": not newest_first,
            "Limit": limit,
        }
        if cursor:
            kwargs["ExclusiveStartKey"] = _decode_cursor(cursor, "gsi2pk", listed_for)
        page = self._table.query(**kwargs)
        next_key = page.get("LastEvaluatedKey")
        return [_strip(i) for i in page["Items"]], _encode_cursor(next_key) if next_key else None

    def _due(self, due_key: str, until: str) -> tuple[list[dict], int]:
        """Everything under `due_key` due at or before `until` (index ByDue); answers (items, items read)."""
        items: list[dict] = []
        kwargs: dict[str, Any] = {
            "IndexName": DUE_INDEX,
            "KeyConditionExpression": Key("gsi3pk").eq(due_key) & Key("gsi3sk").lte(f"{until}#~"),
        }
        read = 0
        while True:
            page = self._table.query(**kwargs)
            read += page.get("ScannedCount", len(page["Items"]))
            items.extend(_strip(i) for i in page["Items"])
            if "LastEvaluatedKey" not in page:
                return items, read
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def put_card_order(self, case_id: str, order: dict) -> bool:
        """A card for a bank to make, on that bank's list; a replay keeps the first. False if it existed."""
        return self._put_new(_card_order_item(case_id, order))

    def close_card_order(self, case_id: str, card_id: str, status: str, at: str) -> bool:
        """The bank is done with the card (made or not): off its list. False if it was done already."""
        try:
            self._table.update_item(
                Key={"pk": f"CASE#{case_id}", "sk": f"CARDORDER#{card_id}"},
                UpdateExpression="SET #s = :status, closed_at = :at REMOVE gsi2pk, gsi2sk",
                ConditionExpression="attribute_exists(pk) AND #s = :open",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":status": status, ":at": at, ":open": "awaiting_production"},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def list_for_person_at_point(
        self, person_key: str, service_point: str, limit: int = 20, cursor: str | None = None
    ) -> tuple[list[dict], str | None]:
        """A person's cases opened at one service point, newest first (index ByPerson, filtered)."""
        return self.list_for_person(person_key, limit, cursor, Attr("service_point").eq(service_point))

    def payout_switches_due(self, until: str) -> tuple[list[dict], int]:
        return self._due(case_keys.PAYOUT_SWITCHES, until)

    def remove_payout_switch(self, person_key: str, request_id: str) -> bool:
        return self._delete_scheduled(*case_keys.payout_switch(person_key), request_id)

    def schedule_material_retention(self, case_id: str, due_at: str) -> None:
        self._table.put_item(Item=_retention_item(case_id, due_at))

    def material_retentions_due(self, until: str) -> tuple[list[dict], int]:
        return self._due(case_keys.MATERIAL_RETENTIONS, until)

    def remove_material_retention(self, case_id: str) -> bool:
        return self._delete_scheduled(*case_keys.material_retention(case_id), case_id)

    def alert_once(self, topic: str, key: str, item: dict) -> bool:
        """The alert's mark, written at most once; False if it existed (the alert was raised already)."""
        return self._put_new(_alert_item(topic, key, item, self._now_iso()))

    def _delete_scheduled(self, pk: str, sk: str, request_id: str) -> bool:
        """Remove dated work once done, unless it was replaced meanwhile; False if it was."""
        try:
            self._table.delete_item(
                Key={"pk": pk, "sk": sk}, ConditionExpression="request_id = :r", ExpressionAttributeValues={":r": request_id}
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # --- reads --------------------------------------------------------------

    def get(self, case_id: str) -> CaseRecord | None:
        items: list[dict] = []
        kwargs: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq(f"CASE#{case_id}"), "ConsistentRead": True}
        while True:
            page = self._table.query(**kwargs)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        record: CaseRecord | None = None
        matters, events, waits, materials = {}, [], {}, {}
        for item in items:
            entity = item.get("entity")
            if entity == "case":
                record = CaseRecord(case=_strip(item))
            elif entity == "matter":
                matters[item["code"]] = _strip(item)
            elif entity == "event":
                events.append(_strip(item))
            elif entity == "wait":
                waits[item["sk"].removeprefix("WAIT#")] = _strip(item)
            elif entity == "material":
                materials[item["kind"]] = _strip(item)
            elif entity == "outbox" and item.get("channel") == Channel.SMS:
                events.append(_notification_event(item))
        if record is None:
            return None
        events.sort(key=lambda e: e["at"])
        record.matters, record.events, record.waits, record.materials = matters, events, waits, materials
        return record

    def get_case_item(self, case_id: str) -> dict:
        """The case item alone (one GetItem), without its matters and timeline."""
        item = self._table.get_item(Key={"pk": f"CASE#{case_id}", "sk": "CASE"}, ConsistentRead=True).get("Item")
        if item is None:
            raise NotFound(f"case {case_id}")
        return _strip(item)

    def get_matter(self, case_id: str, code: str) -> dict:
        item = self._table.get_item(Key={"pk": f"CASE#{case_id}", "sk": f"MATTER#{code}"}, ConsistentRead=True).get("Item")
        if item is None:
            raise NotFound(f"matter {code} of case {case_id}")
        return _strip(item)

    def list_for_person(
        self, person_key: str, limit: int = 20, cursor: str | None = None, only: Any = None
    ) -> tuple[list[dict], str | None]:
        """A person's cases, newest first, one page (`only`: a filter on them); the cursor is opaque to callers."""
        kwargs: dict[str, Any] = {
            "IndexName": PERSON_INDEX,
            "KeyConditionExpression": Key("gsi1pk").eq(f"PERSON#{person_key}"),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if only is not None:
            kwargs["FilterExpression"] = only
        if cursor:
            kwargs["ExclusiveStartKey"] = _decode_cursor(cursor, "gsi1pk", f"PERSON#{person_key}")
        page = self._table.query(**kwargs)
        next_key = page.get("LastEvaluatedKey")
        return [_strip(i) for i in page["Items"]], _encode_cursor(next_key) if next_key else None

    # --- create and submit --------------------------------------------------

    def submit(self, case_id: str, expected_version: int, changes: dict, event: dict, answer: Answer | None = None) -> int:
        """A draft becomes submitted: the case's change and its timeline event in one transaction
        (with `answer`, the request's answer too), conditional on the case still being that
        draft; ConcurrentUpdate otherwise. Answers the case's new version."""
        # on the reconciler's list from now on: a run that is lost is found there (index ByDue)
        listed = {"gsi3pk": case_keys.UNFINISHED_CASES, "gsi3sk": case_keys.unfinished_since(changes.get("submitted_at", ""), case_id)}
        update = self._case_update(case_id, expected_version, "draft", {**changes, **listed})
        timeline = {"Put": {"TableName": self._table.name, "Item": self._event_item(case_id, event)}}
        self._transact([update, timeline, *([self._remember(answer)] if answer else [])], f"case {case_id}")
        return expected_version + 1

    def return_to_draft(self, case_id: str, expected_version: int, changes: dict, event: dict, forget: Answer | None = None) -> int:
        """A submitted case whose run could not start is a draft again, with the event saying so, in one
        transaction; the submit's remembered answer (`forget`) goes with it, so that the request can be
        made again. ConcurrentUpdate if the case moved on. Answers the case's new version."""
        update = self._case_update(case_id, expected_version, "submitted", changes, remove=("gsi3pk", "gsi3sk"))
        timeline = {"Put": {"TableName": self._table.name, "Item": self._event_item(case_id, event)}}
        forgotten = [{"Delete": {"TableName": forget.table, "Key": {"id": forget.id}}}] if forget else []
        self._transact([update, timeline, *forgotten], f"case {case_id}")
        return expected_version + 1

    def remembered_answer(self, table: str, answer_id: str) -> Answer | None:
        """The answer remembered under `answer_id`, unless it has expired."""
        item = self._table.meta.client.get_item(TableName=table, Key={"id": answer_id}, ConsistentRead=True).get("Item")
        if item is None or int(item["expiration"]) <= int(self._clock().timestamp()):
            return None
        return Answer(table, answer_id, item["request"], json.loads(item["body"]), int(item["expiration"]))

    def _case_update(self, case_id: str, expected_version: int, expected_status: str, changes: dict, remove: tuple[str, ...] = ()) -> dict:
        names = {"#version": "version", "#status": "status"}
        values: dict[str, Any] = {":expected": expected_version, ":one": 1, ":was": expected_status}
        sets = ["#version = #version + :one"]
        for i, (name, value) in enumerate(changes.items()):
            names[f"#f{i}"] = name
            values[f":v{i}"] = value
            sets.append(f"#f{i} = :v{i}")
        removes = []
        for i, name in enumerate(remove):
            names[f"#r{i}"] = name
            removes.append(f"#r{i}")
        return {
            "Update": {
                "TableName": self._table.name,
                "Key": {"pk": f"CASE#{case_id}", "sk": "CASE"},
                "UpdateExpression": "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else ""),
                "ConditionExpression": "attribute_exists(pk) AND #version = :expected AND #status = :was",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    def _remember(self, answer: Answer) -> dict:
        """Put the answer unless a live one is there (an expired record may linger until its TTL deletes it)."""
        item = {
            "id": answer.id,
            "request": answer.request,
            "body": json.dumps(answer.body, ensure_ascii=False),
            "expiration": answer.expiration,
        }
        return {
            "Put": {
                "TableName": answer.table,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(#id) OR #expiration <= :now",
                "ExpressionAttributeNames": {"#id": "id", "#expiration": "expiration"},
                "ExpressionAttributeValues": {":now": int(self._clock().timestamp())},
            }
        }

    def _transact(self, items: list[dict], what: str) -> None:
        try:
            self._table.meta.client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error.response["Error"]["Code"] in ("TransactionCanceledException", "ConditionalCheckFailedException"):
                raise ConcurrentUpdate(what) from error
            raise

    # --- internals ----------------------------------------------------------

    def _put_new(self, item: dict) -> bool:
        """Put an item that must not exist yet; False (and nothing written) if it did: a replay keeps the first."""
        try:
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _event_item(self, case_id: str, event: dict, order: int = 0) -> dict:
        at = event.get("at") or self._now_iso()
        return {
            **event,
            "at": at,
            "pk": f"CASE#{case_id}",
            "sk": case_keys.timeline_event(at, order),
            "entity": "event",
        }

    def _conditional_update(self, key: dict, expected_version: int, changes: dict) -> dict:
        names = {"#version": "version"}
        values: dict[str, Any] = {":expected": expected_version, ":one": 1}
        sets = ["#version = #version + :one"]
        for i, (name, value) in enumerate(changes.items()):
            names[f"#f{i}"] = name
            values[f":v{i}"] = value
            sets.append(f"#f{i} = :v{i}")
        try:
            response = self._table.update_item(
                Key=key,
                UpdateExpression="SET " + ", ".join(sets),
                ConditionExpression="attribute_exists(pk) AND #version = :expected",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ConcurrentUpdate(str(key)) from error
            raise
        return _strip(response["Attributes"])

    # --- deadline alerts ----------------------------------------------------

    def mark_wait_alerted(self, case_id: str, code: str, level: str, seen: str | None) -> bool:
        """Record on a pending wait that its department is alerted at `level`; False, and nothing written, if not.

        One conditional update, on the wait still pending and still alerted at `seen`
        (the level the caller read; None: never alerted): of two overlapping job runs,
        one records the alert and the other gets False. The level sits on the wait item,
        so the deadline job's own index query shows which waits need nothing, and those
        cost no write. The wait's `version` stays: an alert is no change of the wait's
        state, and must not make a reviewer's decision on it conflict.
        """
        names = {"#status": "status", "#level": "alerted_level", "#at": f"{level}_alerted_at"}
        values: dict[str, Any] = {":pending": "pending", ":level": level, ":at": self._now_iso()}
        if seen is None:
            still_seen = "attribute_not_exists(#level)"
        else:
            still_seen, values[":seen"] = "#level = :seen", seen
        try:
            self._table.update_item(
                Key={"pk": f"CASE#{case_id}", "sk": f"WAIT#{code}"},
                UpdateExpression="SET #level = :level, #at = :at",
                ConditionExpression=f"attribute_exists(pk) AND #status = :pending AND {still_seen}",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def unmark_wait_alerted(self, case_id: str, code: str, level: str, back_to: str | None) -> None:
        """Undo `mark_wait_alerted` when the alert could not be sent, so that the next run sends it; only if still at `level`."""
        names = {"#level": "alerted_level", "#at": f"{level}_alerted_at"}
        values: dict[str, Any] = {":level": level}
        if back_to is None:
            expression = "REMOVE #level, #at"
        else:
            expression, values[":back"] = "SET #level = :back REMOVE #at", back_to
        try:
            self._table.update_item(
                Key={"pk": f"CASE#{case_id}", "sk": f"WAIT#{code}"},
                UpdateExpression=expression,
                ConditionExpression="#level = :level",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise


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


def _encode_cursor(key: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(_plain(key)).encode()).decode()


def _decode_cursor(cursor: str, index_key: str, expected: str) -> dict:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError("cursor") from error
    # A cursor only pages through the caller's own list.
    sort_key = index_key.replace("pk", "sk")
    if not isinstance(key, dict) or key.get(index_key) != expected or set(key) != {"pk", "sk", index_key, sort_key}:
        raise ValueError("cursor")
    if not all(isinstance(v, str) for v in key.values()):
        raise ValueError("cursor")
    return key
