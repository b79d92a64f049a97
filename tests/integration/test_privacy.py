"""No resident ID, phone or account number in clear in any log line of a full run, nor in a line whose code forgot to mask."""

from __future__ import annotations

import io
import json
import logging

import pytest

from chalicelib.observability import logger as service_logger
from chalicelib.wiring import services
from tests.conftest import demo_resident, finished


@pytest.fixture
def captured_logs():
    """Every line the service's logger (as formatted in Lambda) and any other logger writes."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(service_logger.registered_formatter)
    std_logger = logging.getLogger(service_logger.name)
    std_logger.addHandler(handler)
    root_handler = logging.StreamHandler(buffer)
    logging.getLogger().addHandler(root_handler)
    yield buffer
    std_logger.removeHandler(handler)
    logging.getLogger().removeHandler(root_handler)


def test_the_logs_of_a_full_run_and_of_a_careless_line_hold_no_personal_data_in_clear(api, captured_logs):
    pensioner = demo_resident("黄秀英")
    token = api.token(pensioner)
    new_phone = "13812345678"
    created = api.create_case(
        token,
        [
            {"code": "info_change", "form": {"phone": new_phone, "address": "黄山市祁门县新路9号"}},
            {"code": "status_query"},
            {"code": "pension_account", "form": {"account_number": pensioner["card"]["account_number"]}},
        ],
        phone=pensioner["phone"],
    )
    assert created.status_code == 201, created.body
    case_id = created.json_body["case_id"]
    api.post(f"/cases/{case_id}/submit", None, token)
    api.wait_for(case_id, token, lambda c: {m["status"] for m in c["matters"]} == {"succeeded", "awaiting_review"})
    wait = services().store.get(case_id).waits["pension_account"]
    services().client("stepfunctions").send_task_success(
        taskToken=wait["task_token"], output=json.dumps({"decision": "reject", "reason": "测试"})
    )
    api.wait_for(case_id, token, finished)
    # a refused request and a failing pre-judgment log too
    api.create_case(api.token("吴磊"), [{"code": "activate"}])
    api.post("/cases", None, token, raw="{broken")
    # and a line whose code forgot to mask: the redacting filter masks it
    careless = demo_resident("王芳")
    service_logger.info(f"careless {careless['id_number']} {careless['phone']}", extra={"account": careless["card"]["account_number"]})

    logs = captured_logs.getvalue()
    assert case_id in logs and "careless" in logs, "the run's logs carry the case id, the careless line is there"
    assert '"case_id"' in logs
    secrets = [
        pensioner["id_number"],
        pensioner["phone"],
        new_phone,
        pensioner["card"]["account_number"],
        pensioner["pension"]["payout_account"],
        demo_resident("吴磊")["id_number"],
        careless["id_number"],
        careless["phone"],
        careless["card"]["account_number"],
    ]
    for secret in secrets:
        assert secret not in logs, f"{secret[:3]}… appears in clear in the logs"
