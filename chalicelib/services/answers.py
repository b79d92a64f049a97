"""Requests answered once per Idempotency-Key (api.md conventions), without a write of their own.

Creating a case and submitting one are each one conditional write. The answer to such a
request made with an Idempotency-Key is put in that same transaction, in the idempotency
table (whose records expire), so the key costs no write of its own: a repeat with the
same key and request finds the first answer and does nothing again; the same key with
another request is refused (422). A request that fails writes nothing, so it may be
made again with its key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import timedelta
from typing import Any

from chalicelib.adapters.dynamo_cases import Answer
from chalicelib.auth import Principal
from chalicelib.errors import IdempotencyKeyReused
from chalicelib.wiring import Services


def keyed_request(services: Services, operation: str, principal: Principal, key: str | None, request: Any) -> Answer | None:
    """Where the answer to this request is (to be) remembered, with a digest of what was asked
    (its body still empty); None without a key.

    A key counts per caller and operation, as it always has: two people may use the same one.
    """
    if key is None:
        return None
    caller = services.person_key(principal.sub)  # never the resident ID itself
    answer_id = f"sscard-answer-{operation}#" + hashlib.sha256(f"{caller}\n{key}".encode()).hexdigest()
    asked = hashlib.sha256(json.dumps(request, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
    expiration = int((services.now() + timedelta(seconds=services.settings.idempotency_expiry_seconds)).timestamp())
    return Answer(services.settings.idempotency_table, answer_id, asked, {}, expiration)


def earlier_answer(services: Services, keyed: Answer | None) -> dict | None:
    """The first answer to a repeated request; 422 if the key was used for another request."""
    if keyed is None:
        return None
    earlier = services.store.remembered_answer(keyed.table, keyed.id)
    if earlier is None:
        return None
    if earlier.request != keyed.request:
        raise IdempotencyKeyReused(
            "该 Idempotency-Key 已用于内容不同的请求",
            [{"field": "Idempotency-Key", "code": "reused", "message": "请为新的请求使用新的幂等键"}],
        )
    return earlier.body


def remembered(keyed: Answer | None, body: dict) -> Answer | None:
    """The answer to remember with the request's write (None without a key)."""
    if keyed is None:
        return None
    return dataclasses.replace(keyed, body=body)
