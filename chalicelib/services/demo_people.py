"""The people of the local demo (GET /dev/people): whom the demo sign-in page offers to sign in as.

The residents come from the residents file the local stack was seeded with (RESIDENTS_FILE, else
the settings' demo file), so the page lists exactly the people the simulators know; the staff are the
accounts the README's walkthrough uses (data/staff.demo.json). Each entry carries the claims that
POST /dev/token takes. Local only: app.py registers the route on the local stage alone.

The page shows a resident by name and masked ID number; the full number is in the claims only
because a citizen token's `sub` is that number.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from chalicelib.domain.banks import CITY, DISTRICTS
from chalicelib.domain.cards import CARD_STATUS_NAMES
from chalicelib.domain.resident_id import mask_resident_id
from chalicelib.models import DevTokenRequest
from chalicelib.residents import load_residents
from chalicelib.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
STAFF_FILE = ROOT / "data" / "staff.demo.json"
DISTRICT_NAMES = {CITY: "黄山市（市级）", **DISTRICTS}


class DemoResident(BaseModel):
    name: str
    id_number_masked: str
    district: str
    district_name: str
    card_status_text: str  # the card's state in the file the stack was seeded with
    claims: DevTokenRequest


class DemoStaff(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role_name: str
    label: str
    claims: DevTokenRequest


class DemoPeople(BaseModel):
    residents: list[DemoResident]
    staff: list[DemoStaff]


def _residents_file(settings: Settings) -> Path:
    # the same choice as the local stack's start (chalicelib/localstack.py)
    return Path(os.environ.get("RESIDENTS_FILE") or ROOT / settings.residents_file)


def load_staff(path: Path = STAFF_FILE) -> list[DemoStaff]:
    return [DemoStaff.model_validate(entry) for entry in json.loads(path.read_text(encoding="utf-8"))["staff"]]


def demo_people(settings: Settings) -> DemoPeople:
    residents = [
        DemoResident(
            name=resident.name,
            id_number_masked=mask_resident_id(resident.id_number),
            district=resident.district,
            district_name=DISTRICT_NAMES.get(resident.district, resident.district),
            card_status_text=CARD_STATUS_NAMES[resident.card.status] if resident.card else "尚未办卡",
            claims=DevTokenRequest(sub=resident.id_number, name=resident.name, phone_number=resident.phone, roles=["citizen"]),
        )
        for resident in load_residents(_residents_file(settings))
    ]
    return DemoPeople(residents=residents, staff=load_staff())
