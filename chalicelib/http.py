"""The HTTP edge: JSON and problem+json responses, the principal, idempotency.

Imported by `app` at every cold start, so it imports only Chalice, the errors and the logger;
pydantic, the principal's model, the time zone tables and the services are imported by the
first call that needs them (issue 10, cold start).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.errors import IdempotencyKeyReused, PayloadTooLarge, Problem, RequestInProgress, ValidationProblem
from chalicelib.observability import logger

if TYPE_CHECKING:
    from pydantic import BaseModel

    from chalicelib.auth import Principal

PROBLEM_JSON = "application/problem+json"
# The largest body a route reads (a year's holiday schedule) is a few KB: anything far beyond is refused
# before it is parsed or authenticated, on every route, with or without a body model.
MAX_BODY_BYTES = 64 * 1024


def json_response(body: BaseModel | dict | list, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    from chalicelib.domain.times import shanghai_times  # its calendar tables: at the first response, not at import

    if not isinstance(body, dict | list):
        from pydantic import BaseModel  # a model's builder has imported pydantic already

        if isinstance(body, BaseModel):
            body = body.model_dump(mode="json")
    return Response(
        body=json.dumps(shanghai_times(body), ensure_ascii=False),
        status_code=status,
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )


def problem_response(problem: Problem) -> Response:
    headers: dict[str, str | list[str]] = {"Content-Type": PROBLEM_JSON}
    if problem.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return Response(body=json.dumps(problem.body(), ensure_ascii=False), status_code=problem.status, headers=headers)


def refused_body(raw: bytes | str | None) -> Response | None:
    """413 problem+json for a body over MAX_BODY_BYTES; None for any other (nothing is read or changed)."""
    size = len(raw.encode() if isinstance(raw, str) else raw or b"")
    if size <= MAX_BODY_BYTES:
        return None
    limit = f"{MAX_BODY_BYTES // 1024} KB"
    return problem_response(
        PayloadTooLarge(f"请求体不能超过{limit}", [{"field": "body", "code": "too_large", "message": f"请求体过大，不能超过{limit}"}])
    )


class InternalProblem(Problem):
    status = 500
    type = "https://sscard.example.gov.cn/problems/internal"
    title = "系统繁忙"


def handles_problems(route: Callable[..., Response]) -> Callable[..., Response]:
    """Domain errors become problem+json; anything unexpected is logged, never leaked."""

    @functools.wraps(route)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return route(*args, **kwargs)
        except Problem as problem:
            return problem_response(problem)
        except Exception:
            logger.exception("unhandled error in route", extra={"route": route.__name__})
            return problem_response(InternalProblem("系统繁忙，请稍后重试"))

    return wrapper


def principal_of(request: Any) -> Principal:
    from chalicelib.auth import authenticate
    from chalicelib.wiring import services

    return authenticate(services().settings, dict(request.headers), request.context or {})


@functools.lru_cache(maxsize=1)
def _persistence(table: str) -> Any:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from chalicelib.wiring import services

    return DynamoDBPersistenceLayer(table_name=table, boto3_client=services().client("dynamodb"))


def idempotently(
    operation: str,
    principal: Principal,
    key: str | None,
    body: Any,
    run: Callable[[], tuple[int, dict]],
    lambda_context: Any = None,
) -> Response:
    """Run a creating request once per `Idempotency-Key` (api.md conventions).

    A repeat with the same key and body answers the first answer and does nothing
    again; the same key with another body is 422; one still running is 409.
    """
    key = checked_idempotency_key(key)
    if key is None:
        status, payload = run()
        return json_response(payload, status)
    # The idempotency utility imports boto3: imported by the first keyed request, not by every cold start.
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError, IdempotencyValidationError

    from chalicelib.wiring import services

    settings = services().settings
    config = IdempotencyConfig(
        event_key_jmespath="[operation, person, key]",
        payload_validation_jmespath="body",
        expires_after_seconds=settings.idempotency_expiry_seconds,
        raise_on_no_idempotency_key=True,
    )
    if lambda_context is not None and hasattr(lambda_context, "get_remaining_time_in_millis"):
        config.register_lambda_context(lambda_context)

    def once(request: dict) -> dict:
        status, payload = run()
        return {"status": status, "body": payload}

    guarded = idempotent_function(
        data_keyword_argument="request",
        persistence_store=_persistence(settings.idempotency_table),
        config=config,
        key_prefix=f"sscard-{operation}",
    )(once)
    person = services().person_key(principal.sub)
    try:
        answer = guarded(request={"operation": operation, "person": person, "key": key, "body": body})
    except IdempotencyValidationError:
        raise IdempotencyKeyReused(
            "该 Idempotency-Key 已用于内容不同的请求",
            [{"field": "Idempotency-Key", "code": "reused", "message": "请为新的请求使用新的幂等键"}],
        ) from None
    except IdempotencyAlreadyInProgressError:
        raise RequestInProgress("相同的请求正在处理中，请稍后查看结果") from None
    return json_response(answer["body"], answer["status"], {"Idempotency-Key": key})


# The constraints the OpenAPI document states (chalicelib/openapi.py reads them from here).
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]{1,128}$"  # 1 to 128 visible ASCII characters: a UUID, a client's own id
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+={0,2}$"  # what a page answered as next_cursor (URL-safe base64)
CURSOR_MAX_LENGTH = 1024


def checked_idempotency_key(key: str | None) -> str | None:
    """The request's Idempotency-Key, if it has one (422 if it is not 1 to 128 visible ASCII characters)."""
    if key is not None and not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key):
        raise ValidationProblem(
            "Idempotency-Key 格式不正确",
            [{"field": "Idempotency-Key", "code": "invalid", "message": "须为1至128个可见的英文字符、数字或符号（不含空格）"}],
        )
    return key


def checked_cursor_text(cursor: str | None) -> str | None:
    """A page cursor of the shape next_cursor has (422 naming `cursor` otherwise); the store checks whose list it pages."""
    if cursor is not None and (len(cursor) > CURSOR_MAX_LENGTH or not re.fullmatch(CURSOR_PATTERN, cursor)):
        raise ValidationProblem("分页游标无效", [{"field": "cursor", "code": "invalid", "message": "分页游标无效，请从第一页重新查询"}])
    return cursor


def answered(body: dict, status: int, key: str | None) -> Response:
    """The answer to a creating request; one made with an Idempotency-Key names it (as every repeat of it does)."""
    return json_response(body, status, {"Idempotency-Key": key} if key is not None else None)
