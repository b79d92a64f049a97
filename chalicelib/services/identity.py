"""The identity check of a counter case (domain.md §7a), through the data-sharing port."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.identity import IdentityMatch, identity_problems, identity_summary
from chalicelib.errors import ValidationProblem
from chalicelib.models import CounterCaseRequest
from chalicelib.observability import logger
from chalicelib.wiring import Services


def check_counter_identities(services: Services, request: CounterCaseRequest) -> dict[str, Any]:
    """Check the applicant's (and the agent's) name against their ID number; answers the record of the check.

    Raises a 422 naming each person whose check refuses the request: a mismatch always,
    a person the source does not know unless the clerk checked the physical ID card.
    Reads only, so a refused request has changed nothing.
    """
    outcomes: dict[str, IdentityMatch] = {
        "applicant": services.data_sharing.verify_identity(request.applicant.id_number, request.applicant.name)
    }
    if request.agent:
        outcomes["agent"] = services.data_sharing.verify_identity(request.agent.id_number, request.agent.name)
    problems = identity_problems(outcomes, request.id_card_checked)
    if problems:
        # outcomes only: never the names or numbers of the people concerned
        logger.info("counter identity check refused", extra={"outcomes": {p: o.value for p, o in outcomes.items()}})
        raise ValidationProblem("身份核验未通过：" + "；".join(p["message"] for p in problems), problems)
    return {
        "applicant": outcomes["applicant"].value,
        "agent": outcomes["agent"].value if "agent" in outcomes else None,
        "id_card_checked": request.id_card_checked,
        "checked_at": services.now_iso(),
        "source": "data_sharing",
        "summary": identity_summary(outcomes, request.id_card_checked),
    }
