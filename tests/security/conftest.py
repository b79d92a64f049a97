"""A caller who holds every role, so a probe reaches each route's body parsing whatever the route's role."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import STAFF_ID_NUMBER

EVERY_ROLE = ["citizen", "clerk", "reviewer", "pension_system", "bank", "operator", "auditor"]


@pytest.fixture
def everyone(api: Any) -> str:
    return api.token("王芳", roles=EVERY_ROLE, district="341002", service_point="SP-TUNXI-01", bank="icbc", id_number=STAFF_ID_NUMBER)


def body_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every route that may carry a body, path parameters filled with an unknown id."""
    routes = []
    for path, entries in sorted(app.routes.items()):
        for method in sorted(entries):
            if method in ("POST", "PUT", "PATCH"):
                filled = path.replace("{year}", "2027").replace("{job}", "deadline-alerts")
                for name in ("{case_id}", "{review_id}", "{request_id}", "{card_id}"):
                    filled = filled.replace(name, "0b7c6a52-6d1e-4a53-9c1f-1c1d2e3f4a5b")
                routes.append((method, filled))
    return routes
