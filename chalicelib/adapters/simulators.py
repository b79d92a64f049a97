"""Simulators of the external systems, backed by DynamoDB (the `SimulatorTable`).

These are local stand-ins, named as such: `CardSystemSimulator`,
`PensionSystemSimulator`, `DataSharingSimulator`. They apply real state transitions
with conditional writes (an `activate` on an `issued` card makes it `active`; a second
one is refused), and replaying an operation with the same operation id is harmless,
as a retried Lambda task may do. Production wiring replaces them at the ports
(`chalicelib.ports`) with clients of the provincial systems.

Items: `pk = RESIDENT#<hmac of ID>`; `sk = PROFILE | CARD#<card id> | PENSION | SHARED | IDENTITY`.
`IDENTITY` is the population register's entry (name), for residents and for the known
non-residents of the identities file alike.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

from botocore.exceptions import ClientError
from stdnum import luhn

from chalicelib.domain.banks import find_bank
from chalicelib.domain.cards import Card, CardStatus, PensionRecord
from chalicelib.domain.identity import IdentityMatch, same_name
from chalicelib.ports import ExternalRefusal, ResidentProfile
from chalicelib.residents import Identity, Resident


def _seeded_at(issued_on: date | None) -> str:
    """When a seeded card's record was made: its issue day, before anything the service does.

    The newest record is a person's current card; a card the service makes is stamped
    with the business clock, which may be set before the moment the stack started.
    """
    return datetime.combine(issued_on or date(2000, 1, 1), time.min, tzinfo=UTC).isoformat(timespec="milliseconds")


T = TypeVar("T")


class _SimulatorTable:
    def __init__(self, table: Any, person_key: Callable[[str], str], clock: Callable[[], datetime]):
        self._table = table
        self._person_key = person_key
        # The business clock (wiring passes Services.now), required: a simulator with a
        # clock of its own would stamp its records off the service's time.
        self._clock = clock

    def _now(self) -> str:
        return self._clock().astimezone(UTC).isoformat(timespec="milliseconds")

    def _pk(self, id_number: str) -> str:
        return f"RESIDENT#{self._person_key(id_number)}"

    def _items(self, id_number: str) -> list[dict]:
        from boto3.dynamodb.conditions import Key  # at first use: boto3 is most of a cold start's import time

        return self._table.query(KeyConditionExpression=Key("pk").eq(self._pk(id_number)), ConsistentRead=True)["Items"]


def preexisting_case_id(card_id: str) -> str:
    """The placeholder case of a card that was already waiting at its bank before this service (no case of ours asked for it)."""
    return f"preexisting-{card_id}"


def seed_simulators(table: Any, person_key: Callable[[str], str], residents: Iterable[Resident]) -> int:
    """Load the residents file into the simulator table; answers how many were loaded."""
    count = 0
    with table.batch_writer() as batch:
        for r in residents:
            pk = f"RESIDENT#{person_key(r.id_number)}"
            batch.put_item(Item={"pk": pk, "sk": "PROFILE", "name": r.name, "phone": r.phone, "address": r.address, "district": r.district})
            if r.card:
                batch.put_item(Item={"pk": f"CARD#{r.card.card_id}", "sk": "CARD", "owner": pk})
                batch.put_item(
                    Item={
                        "pk": pk,
                        "sk": f"CARD#{r.card.card_id}",
                        "card_id": r.card.card_id,
                        "status": r.card.status.value,
                        "bank": r.card.bank,
                        "bank_code": bank.code if (bank := find_bank(r.card.bank)) else "",
                        "branch": r.card.branch,
                        "account_number": r.card.account_number,
                        "issued_on": r.card.issued_on.isoformat() if r.card.issued_on else None,
                        "created_at": _seeded_at(r.card.issued_on),
                        # a card waiting at its bank answers to the placeholder case its bank's list holds
                        **({"case_id": preexisting_case_id(r.card.card_id)} if r.card.status == CardStatus.AWAITING_COLLECTION else {}),
                    }
                )
            if r.pension:
                batch.put_item(
                    Item={"pk": pk, "sk": "PENSION", "recipient": r.pension.recipient, "payout_account": r.pension.payout_account}
                )
            batch.put_item(Item={"pk": pk, "sk": "SHARED", "id_license": r.shared.id_license, "police_photo": r.shared.police_photo})
            batch.put_item(Item={"pk": pk, "sk": "IDENTITY", "name": r.name})
            count += 1
    return count


def seed_identities(table: Any, person_key: Callable[[str], str], identities: Iterable[Identity]) -> int:
    """Load the known non-residents (the identities file) into the population register; answers how many."""
    count = 0
    with table.batch_writer() as batch:
        for i in identities:
            batch.put_item(Item={"pk": f"RESIDENT#{person_key(i.id_number)}", "sk": "IDENTITY", "name": i.name})
            count += 1
    return count


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


class CardSystemSimulator(_SimulatorTable):
    """Simulator of the provincial social security card system."""

    def profile(self, id_number: str) -> ResidentProfile | None:
        item = self._table.get_item(Key={"pk": self._pk(id_number), "sk": "PROFILE"}, ConsistentRead=True).get("Item")
        if not item:
            return None
        return ResidentProfile(item["name"], item["phone"], item["address"], item["district"])

    def _current_item(self, id_number: str) -> dict | None:
        cards = [i for i in self._items(id_number) if i["sk"].startswith("CARD#")]
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
        try:
            response = self._table.update_item(
                Key={"pk": item["pk"], "sk": item["sk"]},
                UpdateExpression="SET #s = :to, last_operation = :op, updated_at = :at",
                ConditionExpression="#s IN (" + ", ".join(f":f{i}" for i in range(len(allowed_from))) + ")",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":to": to.value,
                    ":op": operation_id,
                    ":at": self._now(),
                    **{f":f{i}": s.value for i, s in enumerate(sorted(allowed_from))},
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            again = self._table.get_item(Key={"pk": item["pk"], "sk": item["sk"]}, ConsistentRead=True)["Item"]
            if again.get("last_operation") == operation_id and again["status"] == to.value:
                return _card(again)  # the same operation, replayed: already done
            raise refusal(_card(again)) from None
        return _card(response["Attributes"])

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

    def issue_new_card(
        self, id_number: str, bank: str, branch: str, operation_id: str, case_id: str, replaces: str | None, bank_code: str = ""
    ) -> Card:
        """An approved apply/reissue: a new card to be made at the bank (待领卡). Replay-safe.

        The card id is random, so nobody can derive or enumerate card ids from case ids;
        the operation keeps the id it drew (`OPERATION#<operation id>`), written in the
        same transaction as the card, so a replay finds the card made the first time.
        """
        card_id = "HS" + secrets.token_hex(8).upper()
        body = "621700" + str(secrets.randbelow(10**12)).rjust(12, "0")
        account = body + luhn.calc_check_digit(body)
        pk = self._pk(id_number)
        item = {
            "pk": pk,
            "sk": f"CARD#{card_id}",
            "card_id": card_id,
            "status": CardStatus.AWAITING_COLLECTION.value,
            "bank": bank,
            "bank_code": bank_code,
            "branch": branch,
            "account_number": account,
            "issued_on": None,
            "created_at": self._now(),
            "case_id": case_id,
            "last_operation": operation_id,
        }
        if replaces:
            item["replaces"] = replaces
        operation = {"pk": f"OPERATION#{operation_id}", "sk": "NEW_CARD", "card_id": card_id, "owner": pk}
        client = self._table.meta.client
        try:
            client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table.name,
                            "Item": operation,
                            "ConditionExpression": "attribute_not_exists(#pk)",
                            "ExpressionAttributeNames": {"#pk": "pk"},
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table.name,
                            "Item": item,
                            "ConditionExpression": "attribute_not_exists(#pk)",
                            "ExpressionAttributeNames": {"#pk": "pk"},
                        }
                    },
                    {"Put": {"TableName": self._table.name, "Item": {"pk": f"CARD#{card_id}", "sk": "CARD", "owner": pk}}},
                ]
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            first = self._table.get_item(Key={"pk": f"OPERATION#{operation_id}", "sk": "NEW_CARD"}, ConsistentRead=True).get("Item")
            existing = self.card_owner_item(first["card_id"]) if first else None
            if existing is None:
                raise
            return _card(existing)  # the same approval, replayed
        return _card(item)

    def card_owner_item(self, card_id: str) -> dict | None:
        pointer = self._table.get_item(Key={"pk": f"CARD#{card_id}", "sk": "CARD"}, ConsistentRead=True).get("Item")
        if not pointer:
            return None
        return self._table.get_item(Key={"pk": pointer["owner"], "sk": f"CARD#{card_id}"}, ConsistentRead=True).get("Item")

    def mark_issued(self, card_id: str, on: str) -> tuple[Card, str | None, bool]:
        """The bank made and handed over the card: `issued`; a card it replaces becomes `replaced`.

        Answers (card, the case that applied for it, whether this call changed anything).
        """
        item = self.card_owner_item(card_id)
        if item is None:
            raise ExternalRefusal("CARD_NOT_FOUND", "未找到该社会保障卡")
        if item["status"] != CardStatus.AWAITING_COLLECTION.value:
            if item["status"] in (CardStatus.ISSUED.value, CardStatus.ACTIVE.value, CardStatus.LOST.value) and item.get("issued_on"):
                return _card(item), item.get("case_id"), False
            raise ExternalRefusal("CARD_NOT_AWAITING_COLLECTION", "该社会保障卡不是待领卡状态")
        transaction = [
            {
                "Update": {
                    "TableName": self._table.name,
                    "Key": {"pk": item["pk"], "sk": item["sk"]},
                    "UpdateExpression": "SET #s = :issued, issued_on = :on, updated_at = :at",
                    "ConditionExpression": "#s = :awaiting",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":issued": "issued", ":awaiting": "awaiting_collection", ":on": on, ":at": self._now()},
                }
            }
        ]
        if item.get("replaces"):
            transaction.append(
                {
                    "Update": {
                        "TableName": self._table.name,
                        "Key": {"pk": item["pk"], "sk": f"CARD#{item['replaces']}"},
                        "UpdateExpression": "SET #s = :replaced, updated_at = :at",
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {":replaced": "replaced", ":at": self._now()},
                    }
                }
            )
        try:
            self._table.meta.client.transact_write_items(TransactItems=transaction)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            return self.mark_issued(card_id, on)  # someone else issued it meanwhile: answer as they left it
        again = _present(self.card_owner_item(card_id), card_id)
        return _card(again), again.get("case_id"), True

    def mark_not_made(self, card_id: str, reason: str) -> tuple[Card, str | None, bool]:
        """The bank could not make the card (制卡失败): `not_made`; a card it would replace stays as it is.

        Answers (card, the case that applied for it, whether this call changed anything).
        """
        item = self.card_owner_item(card_id)
        if item is None:
            raise ExternalRefusal("CARD_NOT_FOUND", "未找到该社会保障卡")
        if item["status"] == CardStatus.NOT_MADE.value:
            return _card(item), item.get("case_id"), False
        if item["status"] != CardStatus.AWAITING_COLLECTION.value:
            raise ExternalRefusal("CARD_NOT_AWAITING_COLLECTION", "该社会保障卡不是待制卡状态")
        try:
            self._table.update_item(
                Key={"pk": item["pk"], "sk": item["sk"]},
                UpdateExpression="SET #s = :not_made, not_made_reason = :reason, updated_at = :at",
                ConditionExpression="#s = :awaiting",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":not_made": "not_made",
                    ":awaiting": "awaiting_collection",
                    ":reason": reason,
                    ":at": self._now(),
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return self.mark_not_made(card_id, reason)  # changed meanwhile: answer as it was left
        again = _present(self.card_owner_item(card_id), card_id)
        return _card(again), again.get("case_id"), True

    def change_contact(self, id_number: str, phone: str | None, address: str | None, operation_id: str) -> ResidentProfile:
        card = self.current_card(id_number)
        if card is None or card.status == CardStatus.CANCELLED:
            raise ExternalRefusal("NO_CARD", "未查询到社会保障卡记录，不能变更信息")
        sets, values = ["last_operation = :op"], {":op": operation_id}
        if phone is not None:
            sets.append("phone = :phone")
            values[":phone"] = phone
        if address is not None:
            sets.append("address = :address")
            values[":address"] = address
        try:
            self._table.update_item(
                Key={"pk": self._pk(id_number), "sk": "PROFILE"},
                UpdateExpression="SET " + ", ".join(sets),
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ExternalRefusal("NO_PROFILE", "未查询到参保人信息") from None
            raise
        return _present(self.profile(id_number), "profile")


class PensionSystemSimulator(_SimulatorTable):
    """Simulator of the pension business system (read side; decisions come later)."""

    def record(self, id_number: str) -> PensionRecord | None:
        item = self._table.get_item(Key={"pk": self._pk(id_number), "sk": "PENSION"}, ConsistentRead=True).get("Item")
        if not item:
            return None
        return PensionRecord(
            recipient=bool(item.get("recipient")),
            payout_account=item.get("payout_account"),
            pending_account=item.get("pending_account"),
            pending_effective_month=item.get("pending_effective_month"),
        )

    def accept_change(self, id_number: str, account: str, month: str, request_id: str) -> PensionRecord:
        """Accepted: the new account is pending until its month; a newer change replaces it."""
        try:
            self._table.update_item(
                Key={"pk": self._pk(id_number), "sk": "PENSION"},
                UpdateExpression="SET pending_account = :account, pending_effective_month = :month, pending_request = :request",
                ConditionExpression="recipient = :yes",
                ExpressionAttributeValues={":account": account, ":month": month, ":request": request_id, ":yes": True},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ExternalRefusal("NOT_PENSIONER", "未查询到养老保险待遇领取记录") from None
            raise
        return _present(self.record(id_number), "pension record")

    def switch_payout(self, id_number: str, request_id: str) -> tuple[PensionRecord, bool]:
        """Make the pending account of `request_id` the payout account; answers (record, switched now).

        Conditional on the pending change still being that request, so a second run,
        or a change replaced by a newer one, switches nothing.
        """
        try:
            self._table.update_item(
                Key={"pk": self._pk(id_number), "sk": "PENSION"},
                UpdateExpression="SET previous_account = payout_account, payout_account = pending_account, switched_request = :request "
                "REMOVE pending_account, pending_effective_month, pending_request",
                ConditionExpression="pending_request = :request",
                ExpressionAttributeValues={":request": request_id},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return _present(self.record(id_number), "pension record"), False
        return _present(self.record(id_number), "pension record"), True


def shared_document_key(person_key: str, source: str) -> str:
    """Where the simulated data-sharing service keeps a person's document in the materials bucket."""
    return f"shared/{person_key}/{source}.png"


def seed_shared_documents(s3: Any, bucket: str, person_key: Callable[[str], str], residents: Iterable[Resident]) -> int:
    """A placeholder picture for each document the simulated data-sharing service provides; answers how many."""
    import io

    from PIL import Image

    count = 0
    colours = {"id_license": (40, 90, 170), "police_photo": (120, 120, 120)}
    for r in residents:
        for source, colour in colours.items():
            if getattr(r.shared, source):
                buffer = io.BytesIO()
                Image.new("RGB", (64, 80), colour).save(buffer, "PNG")
                s3.put_object(
                    Bucket=bucket, Key=shared_document_key(person_key(r.id_number), source), Body=buffer.getvalue(), ContentType="image/png"
                )
                count += 1
    return count


class DataSharingSimulator(_SimulatorTable):
    """Simulator of the data-sharing service: which documents it can provide, the identity check, and where a reviewer reads them."""

    def verify_identity(self, id_number: str, name: str) -> IdentityMatch:
        item = self._table.get_item(Key={"pk": self._pk(id_number), "sk": "IDENTITY"}, ConsistentRead=True).get("Item")
        if not item:
            return IdentityMatch.UNKNOWN
        return IdentityMatch.MATCH if same_name(item["name"], name) else IdentityMatch.MISMATCH

    def document_key(self, id_number: str, source: str) -> str | None:
        """The stored copy of a shared document (`id_license`, `police_photo`), if the service provides it."""
        if not self.shared_materials(id_number).get(source):
            return None
        return shared_document_key(self._person_key(id_number), source)

    def shared_materials(self, id_number: str) -> dict[str, bool]:
        item = self._table.get_item(Key={"pk": self._pk(id_number), "sk": "SHARED"}, ConsistentRead=True).get("Item") or {}
        return {"id_license": bool(item.get("id_license")), "police_photo": bool(item.get("police_photo"))}


def _present(value: T | None, what: str) -> T:
    """What the simulator has just written is there to read back; if not, its table is broken (not retried as a refusal)."""
    if value is None:
        raise LookupError(f"the simulator lost its {what} record")
    return value
