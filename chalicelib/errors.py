"""Domain errors, mapped to problem+json (RFC 9457) at the HTTP edge."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Problem(Exception):
    status = 400
    type = "about:blank"
    title = "请求有误"

    def __init__(self, detail: str, errors: list[dict[str, Any]] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors is not None:
            body["errors"] = self.errors
        return body


class ValidationProblem(Problem):
    """Input that does not have the required shape; `errors` name each field."""

    status = 422
    type = "https://sscard.example.gov.cn/problems/validation"
    title = "提交的信息不符合要求"


class MalformedRequest(Problem):
    status = 400
    type = "https://sscard.example.gov.cn/problems/malformed"
    title = "请求格式错误"


class PayloadTooLarge(Problem):
    status = 413
    type = "https://sscard.example.gov.cn/problems/payload-too-large"
    title = "请求内容过大"


class PrejudgmentFailed(Problem):
    status = 422
    type = "https://sscard.example.gov.cn/problems/prejudgment-failed"
    title = "条件预判未通过"


class NotFoundProblem(Problem):
    status = 404
    type = "https://sscard.example.gov.cn/problems/not-found"
    title = "未找到"


class ConflictProblem(Problem):
    status = 409
    type = "https://sscard.example.gov.cn/problems/conflict"
    title = "当前状态不允许此操作"


class Unauthorized(Problem):
    status = 401
    type = "https://sscard.example.gov.cn/problems/unauthorized"
    title = "未登录或登录已失效"


class Forbidden(Problem):
    status = 403
    type = "https://sscard.example.gov.cn/problems/forbidden"
    title = "无权进行此操作"


class IdempotencyKeyReused(Problem):
    status = 422
    type = "https://sscard.example.gov.cn/problems/idempotency-key-reused"
    title = "幂等键已用于其他请求"


class RequestInProgress(Problem):
    status = 409
    type = "https://sscard.example.gov.cn/problems/in-progress"
    title = "相同的请求正在处理中"


class GoneProblem(Problem):
    status = 410
    type = "https://sscard.example.gov.cn/problems/gone"
    title = "已超过办理时限"


class ServiceUnavailable(Problem):
    status = 503
    type = "https://sscard.example.gov.cn/problems/unavailable"
    title = "服务暂时不可用"


@contextmanager
def checked_cursor() -> Iterator[None]:
    """A page read whose cursor does not parse (the store raises ValueError) answers 422 naming `cursor`."""
    try:
        yield
    except ValueError:
        raise ValidationProblem(
            "分页游标无效", [{"field": "cursor", "code": "invalid", "message": "分页游标无效，请从第一页重新查询"}]
        ) from None
