"""Reference data for front-ends: the cooperating banks and the life-situation scenarios."""

from __future__ import annotations

from chalicelib.domain.banks import DISTRICTS, banks_in
from chalicelib.domain.catalogue import CATALOGUE
from chalicelib.domain.scenarios import SCENARIOS
from chalicelib.errors import ValidationProblem
from chalicelib.models import BankInfo, BankList, BranchInfo, ProposedMatterInfo, ScenarioInfo, ScenarioList
from chalicelib.services.matter_guide import form_field_info


def list_banks(district: str | None) -> BankList:
    """api.md `GET /banks`: every cooperating bank with its branches, or those of one district."""
    if district is not None and district not in DISTRICTS:
        choices = "、".join(f"{code} {name}" for code, name in DISTRICTS.items())
        raise ValidationProblem(
            "区县代码不是黄山市的区县",
            [{"field": "district", "code": "invalid", "message": f"区县代码须为黄山市的区县之一：{choices}"}],
        )
    return BankList(
        banks=[
            BankInfo(
                code=bank.code,
                name=bank.name,
                branches=[BranchInfo(code=b.code, name=b.name, district=b.district, district_name=b.district_name) for b in bank.branches],
            )
            for bank in banks_in(district)
        ]
    )


def list_scenarios() -> ScenarioList:
    """api.md `GET /scenarios` (domain.md §8a)."""
    return ScenarioList(
        scenarios=[
            ScenarioInfo(
                code=s.code,
                title=s.title,
                description=s.description,
                complete=s.complete,
                matters=[
                    ProposedMatterInfo(
                        code=m.code,
                        name=CATALOGUE[m.code].name,
                        form=m.form_dict(),
                        remaining=[form_field_info(f) for f in CATALOGUE[m.code].form_fields if f.name in m.remaining],
                    )
                    for m in s.matters
                ],
            )
            for s in SCENARIOS
        ]
    )
