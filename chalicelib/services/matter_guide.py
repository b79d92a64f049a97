"""The notice and the matter list (事项清单): what a citizen reads before choosing."""

from __future__ import annotations

from chalicelib.domain import messages
from chalicelib.domain.catalogue import (
    CATALOGUE,
    CHOICE_NAMES,
    MATERIAL_NAMES,
    FormField,
)
from chalicelib.models import (
    FormFieldInfo,
    MatterInfo,
    MatterList,
    Notice,
)
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
                material_kinds=list(m.materials),
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
