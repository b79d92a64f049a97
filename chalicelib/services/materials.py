"""Materials once (材料一次提交): upload links, the content check, and retention.

Each material the case needs is recorded once at creation, taken from data sharing
where it can be. What is missing is uploaded straight to S3 through a presigned POST;
the object's arrival (S3 ObjectCreated -> the `check_material` function) checks what
it really is, keeps it or deletes it and tells the applicant which material to redo.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote_plus

from chalicelib.adapters.dynamo_cases import ConcurrentUpdate
from chalicelib.auth import Principal
from chalicelib.domain import messages
from chalicelib.domain.case import CaseStatus
from chalicelib.domain.catalogue import MATERIAL_NAMES, Material
from chalicelib.domain.uploads import ALLOWED_TYPES, inspect_upload, size_text
from chalicelib.errors import ConflictProblem, ValidationProblem
from chalicelib.models import MaterialDeclaration, MaterialUpload
from chalicelib.observability import MetricUnit, logger, metrics
from chalicelib.services.case_views import load_own_case
from chalicelib.services.cases import notify_applicant
from chalicelib.wiring import Services

KEY = re.compile(r"^cases/(?P<case_id>[0-9a-f-]{36})/(?P<kind>[a-z_]+)/(?P<upload>[0-9a-f]{32})\.(?P<ext>jpg|png|pdf)$")


def declare_material(services: Services, principal: Principal, case_id: str, request: MaterialDeclaration) -> tuple[int, MaterialUpload]:
    """api.md `POST /cases/{caseId}/materials`: an upload link, or "already provided by data sharing"."""
    record = load_own_case(services, principal, case_id)
    material = record.materials.get(request.kind.value)
    if material is None:
        needed = "、".join(MATERIAL_NAMES[Material(k)] for k in record.materials) or "无"
        raise ValidationProblem(
            "本案件不需要该材料",
            [{"field": "kind", "code": "MATERIAL_NOT_NEEDED", "message": f"本案件不需要{MATERIAL_NAMES[request.kind]}（需要：{needed}）"}],
        )
    if material["status"] == "provided":
        return 200, MaterialUpload(kind=request.kind, status="provided", source="data_sharing", provided_at=material.get("provided_at"))
    if record.case["status"] != CaseStatus.DRAFT:
        raise ConflictProblem("案件已提交，不能再更换材料")
    if material["status"] == "uploaded":
        raise ConflictProblem(f"{MATERIAL_NAMES[request.kind]}已上传并通过检查，无需重复提交")
    limit = services.settings.max_upload_bytes
    if request.size > limit:
        raise ValidationProblem(
            "文件过大",
            [{"field": "size", "code": "TOO_LARGE", "message": f"文件不能超过{size_text(limit)}"}],
        )
    key = f"cases/{case_id}/{request.kind.value}/{uuid.uuid4().hex}.{ALLOWED_TYPES[request.content_type]}"
    try:
        services.store.update_material(
            case_id,
            request.kind.value,
            material["version"],
            {"status": "awaiting_upload", "key": key, "content_type": request.content_type, "declared_size": request.size, "reason": None},
        )
    except ConcurrentUpdate:
        raise ConflictProblem("该材料正在被另一请求处理，请稍后重试") from None
    link = services.materials.upload_link(key, request.content_type, limit, services.settings.upload_url_seconds)
    return 201, MaterialUpload(
        kind=request.kind, status="awaiting_upload", upload=link, max_bytes=limit, expires_in=services.settings.upload_url_seconds
    )


def check_uploaded_object(services: Services, key: str) -> dict[str, Any]:
    """An object arrived in the bucket: keep it if it is what was declared, else delete it."""
    match = KEY.match(key)
    if not match:
        logger.warning("an object outside the materials layout arrived", extra={"key_prefix": key[:16]})
        return {"key": key, "status": "ignored"}
    case_id, kind = match["case_id"], match["kind"]
    record = services.store.get(case_id)
    material = record.materials.get(kind) if record else None
    if material is not None and material.get("key") == key and material["status"] in ("uploaded", "rejected"):
        return {"key": key, "status": "already_checked"}  # S3 delivers events at least once
    if record is None or material is None or material.get("key") != key or material["status"] != "awaiting_upload":
        services.materials.delete(key)  # nobody asked for this object
        return {"key": key, "status": "deleted_unexpected"}
    limit = services.settings.max_upload_bytes
    size = services.materials.size(key)
    data = b"" if size is None or size > limit else services.materials.read(key)
    verdict = inspect_upload(data, material["content_type"], limit) if size is not None and size <= limit else None
    name = MATERIAL_NAMES[Material(kind)]
    if verdict is not None and verdict.ok:
        services.store.update_material(
            case_id, kind, material["version"], {"status": "uploaded", "source": "upload", "provided_at": services.now_iso(), "size": size}
        )
        services.store.add_event(case_id, "material_uploaded", f"{name}已上传并通过检查")
        metrics.add_metric(name="MaterialsAccepted", unit=MetricUnit.Count, value=1)
        return {"key": key, "status": "uploaded"}
    reason = verdict.reason if verdict else f"文件超过{size_text(limit)}的大小限制"
    services.materials.delete(key)
    services.store.update_material(case_id, kind, material["version"], {"status": "rejected", "reason": reason})
    services.store.add_event(case_id, "material_rejected", f"{name}未通过检查：{reason}，请重新上传")
    notify_applicant(services, record, messages.material_rejected(name, reason))
    logger.info("material rejected", extra={"case_id": case_id, "kind": kind})
    metrics.add_metric(name="MaterialsRejected", unit=MetricUnit.Count, value=1)
    return {"key": key, "status": "rejected", "reason": reason}


def check_s3_event(services: Services, event: dict) -> list[dict[str, Any]]:
    results = []
    for record in event.get("Records", []):
        s3 = record.get("s3", {})
        if s3.get("bucket", {}).get("name") == services.settings.materials_bucket:
            results.append(check_uploaded_object(services, unquote_plus(s3["object"]["key"])))
    return results


def schedule_retention(services: Services, case_id: str, finished_at: str) -> None:
    """Once a case is finished, its materials are due for deletion after the retention period."""
    due = (datetime.fromisoformat(finished_at) + timedelta(days=services.settings.materials_retention_days)).isoformat()
    services.store.schedule_material_retention(case_id, due)


def run_materials_retention(services: Services, now: datetime) -> dict[str, Any]:
    """Delete the uploaded materials of cases finished longer ago than the retention period.

    The case keeps its record of what was provided and when; only the files go.
    """
    due, read = services.store.material_retentions_due(now.isoformat())
    cleaned = []
    for item in due:
        case_id = item["case_id"]
        deleted = services.materials.delete_prefix(f"cases/{case_id}/")
        record = services.store.get(case_id)
        for kind, material in (record.materials if record else {}).items():
            if material["status"] == "uploaded":
                try:
                    services.store.update_material(
                        case_id, kind, material["version"], {"status": "deleted", "deleted_at": services.now_iso()}
                    )
                except ConcurrentUpdate:
                    pass
        services.store.add_event(case_id, "materials_deleted", f"已按保存期限删除上传的材料文件（{deleted}个），保留提交记录")
        services.store.remove_material_retention(case_id)
        cleaned.append(case_id)
    logger.info("materials retention ran", extra={"cases": len(cleaned), "items_read": read})
    return {"time": now.isoformat(), "cleaned": cleaned, "items_read": read}
