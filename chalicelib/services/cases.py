"""Use cases of a case: open it (online or at a counter), submit it."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError

from chalicelib.adapters.dynamo_cases import Answer, CaseRecord, ConcurrentUpdate
from chalicelib.auth import Principal
from chalicelib.domain.case import CaseStatus, MatterStatus
from chalicelib.domain.catalogue import (
    CATALOGUE,
    MATERIAL_NAMES,
    SHARED_SOURCE,
    Material,
    MatterCode,
    parse_form,
    required_materials,
)
from chalicelib.domain.prejudge import prejudge
from chalicelib.errors import (
    ConflictProblem,
    RequestInProgress,
    ServiceUnavailable,
    ValidationProblem,
)
from chalicelib.models import (
    CounterCaseRequest,
    CreateCaseRequest,
    MatterChoice,
)
from chalicelib.observability import MetricUnit, logger, metrics
from chalicelib.services import answers
from chalicelib.services.case_facts import case_facts
from chalicelib.services.case_views import case_view, load_own_case, missing_materials
from chalicelib.services.identity import check_counter_identities
from chalicelib.services.prejudging import matter_statuses, person_records, prejudgment_problem
from chalicelib.validation import field_errors
from chalicelib.wiring import Services


def new_matters(selection: dict[MatterCode, Any], at: str) -> list[dict]:
    """The matter items of a chosen selection, each `pending` (a new case, or a draft's changed selection)."""
    return [
        {
            "code": code.value,
            "status": MatterStatus.PENDING.value,
            "form": form.model_dump(exclude_none=True),
            "department": CATALOGUE[code].handled_by.value,
            "updated_at": at,
        }
        for code, form in selection.items()
    ]


def parse_selection(choices: list[MatterChoice]) -> dict[MatterCode, Any]:
    """Each chosen matter's form, validated; every form error names its field."""
    selection: dict[MatterCode, Any] = {}
    errors: list[dict[str, str]] = []
    for index, choice in enumerate(choices):
        try:
            selection[choice.code] = parse_form(choice.code, choice.form)
        except ValidationError as error:
            errors.extend(field_errors(error, prefix=f"matters[{index}].form"))
    if errors:
        fields = "、".join(dict.fromkeys(e["field"] for e in errors))
        raise ValidationProblem(f"以下字段有误：{fields}", errors)
    return selection


def _check_consent(services: Services, request: CreateCaseRequest) -> None:
    if not request.consent.agreed:
        raise ValidationProblem(
            "须阅读并同意用户须知及承诺后方可办理",
            [{"field": "consent.agreed", "code": "consent_required", "message": "须勾选同意用户须知及承诺"}],
        )
    if request.consent.notice_version != services.settings.notice_version:
        raise ValidationProblem(
            "用户须知已更新，请阅读最新版本后重新确认",
            [
                {
                    "field": "consent.notice_version",
                    "code": "notice_outdated",
                    "message": f"当前用户须知版本为 {services.settings.notice_version}",
                }
            ],
        )


def create_case(services: Services, principal: Principal, request: CreateCaseRequest, idempotency_key: str | None = None) -> dict[str, Any]:
    """Consent, pre-judgment, then a draft case (api.md `POST /cases`); a repeat with its key answers the first answer."""
    keyed = answers.keyed_request(services, "create-case", principal, idempotency_key, request.model_dump(mode="json"))
    if (earlier := answers.earlier_answer(services, keyed)) is not None:
        return earlier
    return _open_case(services, principal, request, id_number=principal.id_number, name=principal.name, keyed=keyed)


def create_counter_case(
    services: Services, principal: Principal, request: CounterCaseRequest, idempotency_key: str | None = None
) -> dict[str, Any]:
    """The same for an applicant present at a counter, optionally through an agent (代办人)."""
    keyed = answers.keyed_request(services, "create-counter-case", principal, idempotency_key, request.model_dump(mode="json"))
    if (earlier := answers.earlier_answer(services, keyed)) is not None:
        return earlier
    identity_check = check_counter_identities(services, request)
    agent = request.agent.model_dump() if request.agent else None
    return _open_case(
        services,
        principal,
        request,
        id_number=request.applicant.id_number,
        name=request.applicant.name,
        channel="offline",
        agent=agent,
        identity_check=identity_check,
        keyed=keyed,
    )


def _open_case(
    services: Services,
    principal: Principal,
    request: CreateCaseRequest,
    *,
    id_number: str,
    name: str,
    channel: str = "online",
    agent: dict | None = None,
    identity_check: dict | None = None,
    keyed: Answer | None = None,
) -> dict[str, Any]:
    _check_consent(services, request)
    selection = parse_selection(request.matters)
    offline = channel == "offline"
    judgment = prejudge(selection, person_records(services, id_number), offline_or_agent=offline or agent is not None)
    if not judgment.passed:
        metrics.add_metric(name="PrejudgmentFailures", unit=MetricUnit.Count, value=1)
        raise prejudgment_problem(judgment)

    case_id = str(uuid.uuid4())
    created_at = services.now_iso()
    profile = services.card_system.profile(id_number)
    case: dict[str, Any] = {
        "case_id": case_id,
        "person_key": services.person_key(id_number),
        "id_number": id_number,
        "applicant_name": name or (profile.name if profile else ""),
        "district": profile.district if profile else "",
        "channel": channel,
        "status": CaseStatus.DRAFT.value,
        "created_at": created_at,
        "updated_at": created_at,
        "consent": {"notice_version": request.consent.notice_version, "consented_at": created_at},
        "contact": {"phone": request.contact.phone, "address": request.contact.address},
        "matter_codes": [c.value for c in selection],
    }
    matters = new_matters(selection, created_at)
    case["matter_status"] = matter_statuses(matters)
    if offline:
        case |= {"clerk": principal.sub, "service_point": principal.service_point}
    if agent:
        case["agent"] = agent
    if identity_check:
        case["identity_check"] = identity_check
    needed = materials_for(services, id_number, list(selection), agent=agent is not None, at=created_at)
    where = "在服务网点受理，" if offline else "已同意用户须知，"
    if identity_check:
        where += identity_check["summary"] + "，"
    event = {"kind": "created", "text": f"{where}条件预判通过，案件已创建", "at": created_at}
    # the answer is the case as written (every item at version 1), not a second read of it
    written = CaseRecord(
        case={**case, "version": 1},
        matters={m["code"]: {**m, "version": 1} for m in matters},
        events=[event],
        materials={m["kind"]: {**m, "version": 1} for m in needed},
    )
    view = case_view(written, principal, services).model_dump(mode="json")
    try:
        services.store.create(case, matters, event, needed, answer=answers.remembered(keyed, view))
    except ConcurrentUpdate:
        # the case id is new, so only a twin request with the same key can have won the write
        if keyed is None:
            raise
        earlier = answers.earlier_answer(services, keyed)
        if earlier is None:
            raise RequestInProgress("相同的请求正在处理中，请稍后查看结果") from None
        return earlier
    logger.info("case created", extra={"case_id": case_id, "matters": case["matter_codes"], "channel": channel})
    metrics.add_metric(name="CasesCreated", unit=MetricUnit.Count, value=1)
    return view


def materials_for(services: Services, id_number: str, codes: list[MatterCode], *, agent: bool, at: str) -> list[dict]:
    """The case's materials, each once; what data sharing provides is recorded as such (§4)."""
    needed = required_materials(codes, agent=agent)
    shared = services.data_sharing.shared_materials(id_number) if any(m in SHARED_SOURCE for m in needed) else {}
    items = []
    for material in needed:
        source = SHARED_SOURCE.get(material)
        if source and shared.get(source):
            items.append({"kind": material.value, "status": "provided", "source": "data_sharing", "shared_as": source, "provided_at": at})
        else:
            items.append({"kind": material.value, "status": "required"})
    return items


def submit_case(services: Services, principal: Principal, case_id: str, idempotency_key: str | None = None) -> dict[str, Any]:
    """Start the workflow once (api.md `POST /cases/{id}/submit`).

    One read of the case, one conditional write (the status and the `submitted` event,
    with the answer when the request has an Idempotency-Key), one start of the run with
    the case's fixed facts; the answer is the case as written, not read again.
    """
    record = load_own_case(services, principal, case_id)
    keyed = answers.keyed_request(services, "submit-case", principal, idempotency_key, {"case_id": case_id})
    if record.case["status"] != CaseStatus.DRAFT:
        return _submitted_already(services, principal, record, keyed)
    missing = missing_materials(record)
    if missing:
        names = "、".join(MATERIAL_NAMES[Material(m["kind"])] for m in missing)
        raise ValidationProblem(
            f"以下材料尚未提交或未通过检查：{names}",
            [
                {
                    "field": f"materials.{m['kind']}",
                    "code": "MATERIAL_REJECTED" if m["status"] == "rejected" else "MATERIAL_MISSING",
                    "message": f"{MATERIAL_NAMES[Material(m['kind'])]}：" + (m.get("reason") or "尚未上传"),
                }
                for m in missing
            ],
        )
    submitted_at = services.now_iso()
    changes = {
        "status": CaseStatus.SUBMITTED.value,
        "submitted_at": submitted_at,
        "updated_at": submitted_at,
        # a draft's matters are all pending; the map is written here too for drafts older than it
        "matter_status": {code: m["status"] for code, m in record.matters.items()},
    }
    event = {"kind": "submitted", "text": "案件已提交，正在分送各事项办理", "at": submitted_at}
    submitted = CaseRecord(
        case={**record.case, **changes, "version": int(record.case["version"]) + 1},
        matters=record.matters,
        events=[*record.events, event],
        waits=record.waits,
        materials=record.materials,
    )
    view = case_view(submitted, principal, services).model_dump(mode="json")
    answer = answers.remembered(keyed, view)
    try:
        services.store.submit(case_id, int(record.case["version"]), changes, event, answer=answer)
    except ConcurrentUpdate:
        # a twin request (with this key: answered by it), the key used on another case (422),
        # another submit, change or delete of the case — or this very write, applied by an
        # attempt whose answer was lost (a throttled retry): whoever submitted it, its run is started
        return _submitted_already(services, principal, load_own_case(services, principal, case_id), keyed)
    _start(services, submitted, forget=answer)
    logger.info("case submitted", extra={"case_id": case_id})
    metrics.add_metric(name="CasesSubmitted", unit=MetricUnit.Count, value=1)
    return view


def _submitted_already(services: Services, principal: Principal, record: CaseRecord, keyed: Answer | None) -> dict[str, Any]:
    """A submit of a case that is no longer a draft: the first answer to a repeat with its key; for a
    case submitted but whose run may not have started (a failure between the write and the start, or
    a twin request), the run is started (again: the execution name is the case id, so a second start
    finds the first run); anything later is a conflict."""
    earlier = answers.earlier_answer(services, keyed)
    if record.case["status"] == CaseStatus.SUBMITTED:
        # the first attempt may have written and answered, then failed before the start took:
        # a repeat, remembered or not, starts the run (a second start finds the first)
        _start(services, record, forget=keyed if earlier is not None else None)
    if earlier is not None:
        return earlier
    if record.case["status"] != CaseStatus.SUBMITTED:
        raise ConflictProblem("案件已提交，请勿重复提交")
    return case_view(record, principal, services).model_dump(mode="json")


def _start(services: Services, record: CaseRecord, forget: Answer | None = None) -> None:
    try:
        services.workflow.start(record.case_id, case_facts(record.case, record.matters, record.materials))
    except Exception as error:
        _back_to_draft(services, record, forget)
        raise ServiceUnavailable("系统繁忙，案件未能提交，请稍后重新提交") from error


def _back_to_draft(services: Services, record: CaseRecord, forget: Answer | None) -> None:
    """The run could not be started: the case is a draft again, to be submitted again (with the same key too)."""
    case_id = record.case_id
    logger.exception("could not start the case workflow", extra={"case_id": case_id})
    try:
        if services.workflow.describe(case_id) is not None:
            return  # it did start after all
        now = services.now_iso()
        event = {"kind": "submit_failed", "text": "提交未能启动办理流程，请稍后重新提交", "at": now}
        services.store.return_to_draft(
            case_id, int(record.case["version"]), {"status": CaseStatus.DRAFT.value, "updated_at": now}, event, forget=forget
        )
    except ConcurrentUpdate:
        pass  # the case moved on meanwhile: it is no longer this submit's to undo
    except Exception:
        # Step Functions or the table unreachable: the case stays submitted; a repeat starts the run
        logger.exception("could not return the case to draft", extra={"case_id": case_id})


def notify_applicant(services: Services, record: CaseRecord, text: str, matter: str | None = None) -> None:
    """SMS to the case's contact phone, through the outbox (services/outbox.py)."""
    from chalicelib.services.outbox import notify_applicant as through_outbox

    through_outbox(services, record, text, matter)
