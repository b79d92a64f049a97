"""Changing and deleting a draft (api.md `PATCH` / `DELETE /cases/{caseId}`, issue 9 point 8).

A draft is a case not yet submitted: the applicant (or the clerk of the service point
that opened it) may change its matters, forms and contact, or delete it. A change is
pre-judged again exactly like a new case, and the materials follow the new matters:
what is still needed is kept as it is (an upload is not asked for twice), what is no
longer needed is dropped with its file. Each change is one conditional write on the
case's version and status, so a submit racing a change or a delete has one winner.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo_cases import CaseRecord, ConcurrentUpdate
from chalicelib.auth import Principal
from chalicelib.domain.case import CaseStatus
from chalicelib.domain.catalogue import CATALOGUE, MATERIAL_NAMES, Material, MatterCode, matter_name
from chalicelib.domain.prejudge import prejudge
from chalicelib.errors import ConflictProblem
from chalicelib.models import MatterChoice, UpdateCaseRequest
from chalicelib.observability import MetricUnit, logger, metrics
from chalicelib.services.case_views import case_view, load_own_case
from chalicelib.services.cases import materials_for, new_matters, parse_selection
from chalicelib.services.prejudging import matter_statuses, person_records, prejudgment_problem
from chalicelib.wiring import Services


def _require_draft(status: str) -> None:
    if status == CaseStatus.WITHDRAWN:
        raise ConflictProblem("案件已撤回，不能再修改或删除")
    if status != CaseStatus.DRAFT:
        raise ConflictProblem("案件已提交，不能再修改或删除")


def update_draft(services: Services, principal: Principal, case_id: str, request: UpdateCaseRequest) -> dict[str, Any]:
    """Change a draft's matters, forms or contact; pre-judged again like `POST /cases`."""
    record = load_own_case(services, principal, case_id)
    _require_draft(record.case["status"])
    case = record.case
    if request.matters is not None:
        selection = parse_selection(request.matters)
    else:  # the forms stored were valid when the case was created; they are judged again as they are
        selection = parse_selection([MatterChoice(code=MatterCode(code), form=m.get("form", {})) for code, m in _in_order(record.matters)])
    id_number = case["id_number"]
    offline_or_agent = case.get("channel") == "offline" or bool(case.get("agent"))
    judgment = prejudge(selection, person_records(services, id_number, exclude_case=case_id), offline_or_agent=offline_or_agent)
    if not judgment.passed:
        metrics.add_metric(name="PrejudgmentFailures", unit=MetricUnit.Count, value=1)
        raise prejudgment_problem(judgment)

    now = services.now_iso()
    contact = dict(case["contact"])
    if request.contact is not None:
        contact |= request.contact.model_dump(exclude_none=True)
    codes = [code.value for code in selection]
    matters = new_matters(selection, now)
    removed_matters = [code for code in record.matters if code not in codes]
    needed = materials_for(services, id_number, list(selection), agent=bool(case.get("agent")), at=now)
    needed_kinds = {m["kind"] for m in needed}
    new_materials = [m for m in needed if m["kind"] not in record.materials]
    dropped = {kind: m for kind, m in record.materials.items() if kind not in needed_kinds}
    try:
        changed = services.store.replace_draft(
            case_id,
            case["version"],
            {"contact": contact, "matter_codes": codes, "matter_status": matter_statuses(matters), "updated_at": now},
            matters,
            removed_matters,
            new_materials,
            {kind: m["version"] for kind, m in dropped.items()},
        )
    except ConcurrentUpdate:
        raise ConflictProblem("案件已提交或正在被另一请求修改，请刷新后重试") from None
    for material in dropped.values():
        if material.get("key"):  # the file of a material no longer needed is not kept
            services.materials.delete(material["key"])
    event = services.store.add_event(case_id, "updated", _change_text(record.matters, matters, case["contact"], contact, dropped))
    logger.info("draft updated", extra={"case_id": case_id, "matters": codes, "materials_dropped": sorted(dropped)})
    metrics.add_metric(name="DraftsUpdated", unit=MetricUnit.Count, value=1)
    # the answer is the draft as written: the new matters and materials at version 1, the kept materials as they were
    kept = {kind: m for kind, m in record.materials.items() if kind not in dropped}
    written = CaseRecord(
        case=changed,
        matters={m["code"]: {**m, "version": 1} for m in matters},
        events=[*record.events, event],
        waits=record.waits,
        materials={**kept, **{m["kind"]: {**m, "version": 1} for m in new_materials}},
    )
    return case_view(written, principal, services).model_dump(mode="json")


def delete_draft(services: Services, principal: Principal, case_id: str) -> None:
    """Delete a draft with its uploaded files; a submitted case stays (409)."""
    record = load_own_case(services, principal, case_id)
    _require_draft(record.case["status"])
    try:
        services.store.delete_draft(case_id, record.case["version"])
    except ConcurrentUpdate:
        current = services.store.get(case_id)
        if current is None:
            return  # deleted by a concurrent request: the outcome asked for
        _require_draft(current.case["status"])
        raise ConflictProblem("案件正在被另一请求修改，请刷新后重试") from None
    deleted = services.materials.delete_prefix(f"cases/{case_id}/")
    logger.info("draft deleted", extra={"case_id": case_id, "files_deleted": deleted})
    metrics.add_metric(name="DraftsDeleted", unit=MetricUnit.Count, value=1)


def _in_order(matters: dict[str, dict]) -> list[tuple[str, dict]]:
    order = list(CATALOGUE).index
    return sorted(matters.items(), key=lambda item: order(MatterCode(item[0])))


def _change_text(before: dict[str, dict], after: list[dict], old_contact: dict, new_contact: dict, dropped: dict[str, dict]) -> str:
    """The timeline's line for a change, in the applicant's words."""
    parts = []
    added = [m["code"] for m in after if m["code"] not in before]
    kept = {m["code"]: m["form"] for m in after if m["code"] in before}
    removed = [c for c in before if c not in kept]
    changed = [c for c, form in kept.items() if before[c].get("form", {}) != form]
    if added:
        parts.append("增加事项：" + "、".join(map(matter_name, added)))
    if removed:
        parts.append("取消事项：" + "、".join(map(matter_name, removed)))
    if changed:
        parts.append("修改表单：" + "、".join(map(matter_name, changed)))
    if old_contact != new_contact:
        parts.append("联系方式已更新")
    if dropped:
        parts.append("不再需要的材料已删除：" + "、".join(MATERIAL_NAMES[Material(k)] for k in dropped))
    return "草稿已修改，条件预判通过" + ("；" + "；".join(parts) if parts else "")
