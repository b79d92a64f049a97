"""Citizen-facing service functions: notice, matters, pre-judgment, cases."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError

from chalicelib.adapters.dynamo_cases import Answer, CaseRecord, ConcurrentUpdate
from chalicelib.auth import Principal
from chalicelib.domain import messages
from chalicelib.domain.case import FINAL_MATTER_STATUSES, OPEN_CASE_STATUSES, CaseStatus, MatterStatus
from chalicelib.domain.catalogue import (
    CATALOGUE,
    CHOICE_NAMES,
    FORM_MODELS,
    MATERIAL_NAMES,
    SHARED_SOURCE,
    FormField,
    Material,
    MatterCode,
    parse_form,
    required_materials,
)
from chalicelib.domain.prejudge import PersonRecords, Prejudgment, prejudge
from chalicelib.domain.resident_id import is_valid_resident_id, mask_phone, mask_resident_id
from chalicelib.errors import (
    ConflictProblem,
    NotFoundProblem,
    PrejudgmentFailed,
    RequestInProgress,
    ServiceUnavailable,
    ValidationProblem,
    checked_cursor,
)
from chalicelib.models import (
    CaseList,
    CaseSummary,
    CaseView,
    CounterCaseRequest,
    CreateCaseRequest,
    FormFieldInfo,
    MatterChoice,
    MatterInfo,
    MatterList,
    Notice,
    PrejudgeRequest,
    PrejudgeResult,
)
from chalicelib.observability import MetricUnit, logger, metrics
from chalicelib.services import answers
from chalicelib.services.case_facts import case_facts
from chalicelib.services.identity import check_counter_identities
from chalicelib.validation import field_errors
from chalicelib.wiring import Services


def read_notice(services: Services) -> Notice:
    return Notice(version=services.settings.notice_version, text=messages.NOTICE_TEXT)


def list_matters() -> MatterList:
    return MatterList(
        matters=[
            MatterInfo(
                code=m.code,
                name=m.name,
                time_limit=m.time_limit,
                time_limit_text=m.time_limit_text,
                handled_by=m.handled_by.value,
                materials=[MATERIAL_NAMES[x] for x in m.materials],
                form_fields=[form_field_info(f) for f in m.form_fields],
            )
            for m in CATALOGUE.values()
        ]
    )


def form_field_info(field: FormField) -> FormFieldInfo:
    """A form field as the front-ends see it (GET /matters, and the fields a scenario leaves open)."""
    return FormFieldInfo(
        name=field.name,
        label=field.label,
        kind=field.kind,
        required=field.required,
        choices=list(field.choices),
        choice_names={c: CHOICE_NAMES[c] for c in field.choices},
    )


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


def matter_statuses(matters: list[dict]) -> dict[str, str]:
    """The case item's `matter_status` map {code: status}: what pre-judgment reads of another case."""
    return {m["code"]: m["status"] for m in matters}


def person_records(services: Services, id_number: str, exclude_case: str | None = None) -> PersonRecords:
    """What pre-judgment reads: card system, pension system, the person's open cases.

    The person's case list (one query a page of 50) is enough: each case item carries the
    status of each of its matters (`matter_status`), kept by every write that ends one. A
    case written before it did is read whole.
    """
    open_matters: set[MatterCode] = set()
    person_key = services.person_key(id_number)
    cursor = None
    while True:
        cases, cursor = services.store.list_for_person(person_key, limit=50, cursor=cursor)
        for case in cases:
            if case["case_id"] == exclude_case or case["status"] not in OPEN_CASE_STATUSES:
                continue
            statuses = case.get("matter_status")
            if statuses is None:
                record = services.store.get(case["case_id"])
                statuses = {code: m["status"] for code, m in record.matters.items()} if record else {}
            open_matters |= {MatterCode(code) for code, status in statuses.items() if status not in FINAL_MATTER_STATUSES}
        if cursor is None:
            break
    return PersonRecords(
        card=services.card_system.current_card(id_number),
        pension=services.pension_system.record(id_number),
        open_matters=frozenset(open_matters),
    )


def _result(judgment: Prejudgment) -> PrejudgeResult:
    return PrejudgeResult(
        passed=judgment.passed,
        matters=[
            {
                "matter": check.matter,
                "passed": check.passed,
                "errors": [{"matter": check.matter, "code": r.code, "message": r.message} for r in check.reasons],
            }
            for check in judgment.checks
        ],
    )


def parse_rule_fields(choices: list[MatterChoice]) -> dict[MatterCode, Any]:
    """For a pre-judgment before the forms (domain.md §1.3): only the fields a rule reads
    (`loss` action, `reissue` kind, `cancel` reason, `pension_account` account) must be
    there and valid; the rest of a form may still be missing."""
    selection: dict[MatterCode, Any] = {}
    errors: list[dict[str, str]] = []
    for index, choice in enumerate(choices):
        try:
            selection[choice.code] = parse_form(choice.code, choice.form)
            continue
        except ValidationError as error:
            needed = [
                e
                for e in error.errors()
                if e["loc"]
                and e["loc"][0] in RULE_FIELDS.get(choice.code, ())
                and not (e["type"] == "missing" and e["loc"][0] in JUDGED_WITHOUT.get(choice.code, ()))
            ]
            if needed:
                errors.extend(field_errors(needed, prefix=f"matters[{index}].form"))
                continue
        selection[choice.code] = FORM_MODELS[choice.code].model_construct(**choice.form)
    if errors:
        fields = "、".join(dict.fromkeys(e["field"] for e in errors))
        raise ValidationProblem(f"以下字段有误：{fields}", errors)
    return selection


RULE_FIELDS: dict[MatterCode, tuple[str, ...]] = {
    MatterCode.LOSS: ("action",),
    MatterCode.REISSUE: ("kind",),
    MatterCode.CANCEL: ("reason",),
    MatterCode.PENSION_ACCOUNT: ("account_number",),
}

# Rule fields that only the applicant can give and that a scenario (domain.md §8a)
# therefore leaves empty: before the forms, their absence leaves out only the check that
# reads them (the new account's owner; a death reported online), the rest is judged.
JUDGED_WITHOUT: dict[MatterCode, tuple[str, ...]] = {
    MatterCode.CANCEL: ("reason",),
    MatterCode.PENSION_ACCOUNT: ("account_number",),
}


def prejudge_for(services: Services, principal: Principal, request: PrejudgeRequest) -> PrejudgeResult:
    selection = parse_rule_fields(request.matters)
    judgment = prejudge(selection, person_records(services, principal.id_number))
    metrics.add_metric(name="Prejudgments", unit=MetricUnit.Count, value=1)
    return _result(judgment)


def _prejudgment_problem(judgment: Prejudgment) -> PrejudgmentFailed:
    errors = [{"matter": m.value, "code": r.code, "message": r.message} for m, r in judgment.failures]
    detail = "；".join(dict.fromkeys(f"{CATALOGUE[m].name}：{r.message}" for m, r in judgment.failures))
    return PrejudgmentFailed(detail, errors)


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
        raise _prejudgment_problem(judgment)

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


def can_see(services: Services, principal: Principal, case: dict) -> bool:
    """The applicant, and a clerk of the service point that opened the case."""
    if principal.has("citizen") and is_valid_resident_id(principal.sub) and case["person_key"] == services.person_key(principal.id_number):
        return True
    clerk_of_the_point = principal.has("clerk") and principal.service_point is not None
    return bool(clerk_of_the_point and case.get("channel") == "offline" and case.get("service_point") == principal.service_point)


def load_own_case(services: Services, principal: Principal, case_id: str) -> CaseRecord:
    """The case, if the caller may see it; 404 for anyone else, never a hint."""
    try:
        uuid.UUID(case_id)
    except ValueError:
        raise NotFoundProblem("未找到该案件") from None
    record = services.store.get(case_id)
    if record is None or not can_see(services, principal, record.case):
        raise NotFoundProblem("未找到该案件")
    return record


def missing_materials(record: CaseRecord) -> list[dict]:
    """Materials neither shared nor uploaded and checked, in the catalogue's order."""
    order = list(Material).index
    missing = [m for m in record.materials.values() if m["status"] not in ("provided", "uploaded")]
    return sorted(missing, key=lambda m: order(Material(m["kind"])))


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
        # or another submit, change or delete of the case
        if (earlier := answers.earlier_answer(services, keyed)) is not None:
            return earlier
        return _submitted_already(services, principal, load_own_case(services, principal, case_id), None)
    _start(services, submitted, forget=answer)
    logger.info("case submitted", extra={"case_id": case_id})
    metrics.add_metric(name="CasesSubmitted", unit=MetricUnit.Count, value=1)
    return view


def _submitted_already(services: Services, principal: Principal, record: CaseRecord, keyed: Answer | None) -> dict[str, Any]:
    """A submit of a case that is no longer a draft: the first answer to a repeat with its key; for a
    case submitted but whose run may not have started (a failure between the write and the start, or
    a twin request), the run is started (again: the execution name is the case id, so a second start
    finds the first run); anything later is a conflict."""
    if (earlier := answers.earlier_answer(services, keyed)) is not None:
        return earlier
    if record.case["status"] != CaseStatus.SUBMITTED:
        raise ConflictProblem("案件已提交，请勿重复提交")
    _start(services, record)
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


def get_case(services: Services, principal: Principal, case_id: str) -> CaseView:
    return case_view(load_own_case(services, principal, case_id), principal, services)


def list_cases(services: Services, principal: Principal, limit: int, cursor: str | None) -> CaseList:
    with checked_cursor():
        cases, next_cursor = services.store.list_for_person(services.person_key(principal.id_number), limit, cursor)
    return CaseList(cases=[_summary(c) for c in cases], next_cursor=next_cursor)


def _summary(case: dict, *, counter: bool = False) -> CaseSummary:
    """A line of a case list; the counter's list also names the applicant (ID masked)."""
    return CaseSummary(
        case_id=case["case_id"],
        status=case["status"],
        matters=case["matter_codes"],
        created_at=case["created_at"],
        submitted_at=case.get("submitted_at"),
        **({"applicant_name": case.get("applicant_name"), "applicant_id_number": mask_resident_id(case["id_number"])} if counter else {}),
    )


def list_counter_cases(services: Services, principal: Principal, id_number: str | None, limit: int, cursor: str | None) -> CaseList:
    """The clerk's service point's cases, newest first; with an ID number, that person's cases there."""
    point = principal.service_point or ""
    with checked_cursor():
        if id_number is None:
            cases, next_cursor = services.store.list_waits(f"POINT#{point}", limit, cursor, newest_first=True)
        else:
            cases, next_cursor = services.store.list_for_person_at_point(services.person_key(id_number), point, limit, cursor)
    own = [c for c in cases if c.get("service_point") == point]  # only ever the clerk's own point
    return CaseList(cases=[_summary(c, counter=True) for c in own], next_cursor=next_cursor)


def material_views(record: CaseRecord, services: Services | None) -> list[dict[str, Any]]:
    """The case's materials and where each came from; uploaded ones with a short-lived link."""
    order = list(Material).index
    views = []
    for kind in sorted(record.materials, key=lambda k: order(Material(k))):
        m = record.materials[kind]
        view = {
            "kind": kind,
            "name": MATERIAL_NAMES[Material(kind)],
            "status": m["status"],
            "source": m.get("source"),
            "provided_at": m.get("provided_at"),
            "reason": m.get("reason"),
        }
        if services is not None and m["status"] == "uploaded" and m.get("key"):
            view["download_url"] = services.materials.download_link(m["key"], services.settings.download_url_seconds)
        elif services is not None and m["status"] == "provided" and m.get("shared_as"):
            # taken from data sharing: the reviewer reads the shared document itself
            key = services.data_sharing.document_key(record.case["id_number"], m["shared_as"])
            if key:
                view["download_url"] = services.materials.download_link(key, services.settings.download_url_seconds)
        views.append(view)
    return views


def case_view(record: CaseRecord, principal: Principal, services: Services | None = None) -> CaseView:
    case = record.case
    own = principal.has("citizen") and principal.sub.upper() == case["id_number"]
    agent = case.get("agent")
    order = list(CATALOGUE).index
    matters = []
    for code in sorted(record.matters, key=lambda c: order(MatterCode(c))):
        m = record.matters[code]
        matters.append(
            {
                "code": code,
                "name": CATALOGUE[MatterCode(code)].name,
                "status": m["status"],
                "time_limit_text": CATALOGUE[MatterCode(code)].time_limit_text,
                "form": m.get("form", {}),
                "result": m.get("result"),
                "reason": m.get("reason"),
                "reason_code": m.get("reason_code"),
                "due_at": m.get("due_at"),
                "updated_at": m.get("updated_at"),
            }
        )
    events = sorted(record.events, key=lambda e: e["at"])
    return CaseView(
        case_id=case["case_id"],
        status=case["status"],
        channel=case["channel"],
        service_point=case.get("service_point"),
        clerk=case.get("clerk"),
        agent={**agent, "id_number": mask_resident_id(agent["id_number"]), "phone": mask_phone(agent["phone"])} if agent else None,
        identity_check=case.get("identity_check"),
        # links to the files only for the applicant (domain.md §4); reviewers get theirs in the review
        materials=material_views(record, services if own else None),
        applicant={
            "name": case.get("applicant_name", ""),
            "id_number": case["id_number"] if own else mask_resident_id(case["id_number"]),
        },
        contact=case["contact"],
        consent=case["consent"],
        created_at=case["created_at"],
        submitted_at=case.get("submitted_at"),
        finished_at=case.get("finished_at"),
        matters=matters,
        timeline=[{"at": e["at"], "kind": e["kind"], "text": e["text"], "matter": e.get("matter")} for e in events],
        notifications=[
            {"at": e["at"], "to": e.get("data", {}).get("to", ""), "text": e.get("data", {}).get("text", "")}
            for e in events
            if e["kind"] == "notification"
        ],
    )


def notify_applicant(services: Services, record: CaseRecord, text: str, matter: str | None = None) -> None:
    """SMS to the case's contact phone, through the outbox (services/outbox.py)."""
    from chalicelib.services.outbox import notify_applicant as through_outbox

    through_outbox(services, record, text, matter)
