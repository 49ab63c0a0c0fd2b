"""The project setting ``custom_di_fields`` (spec §8.6 Custom DI), registered from
``SubmissionsConfig.ready`` with the projects settings registry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from projects.models import Project
from projects.settings_registry import ProjectSetting, parse_list, register
from submissions.duplicates.identity import CUSTOM_DI_FIELDS

KEY = "custom_di_fields"


def clean_custom_di_fields(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError("Expected a list of field names.")
    unknown = sorted({item for item in value if item not in CUSTOM_DI_FIELDS})
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(unknown)}. Choose from {', '.join(CUSTOM_DI_FIELDS)}.")
    return sorted(set(value))


def _read(project: Project) -> list[str]:
    from submissions.duplicates.services import custom_di_fields

    return custom_di_fields(project.pk)


def _write(project: Project, value: list[str]) -> None:
    from submissions.models import ProjectDuplicateSettings

    ProjectDuplicateSettings.objects.update_or_create(project=project, defaults={"custom_di_fields": value})


def register_duplicate_settings() -> None:
    register(
        ProjectSetting(
            key=KEY,
            label="Custom DI fields",
            help=(
                "Collected values combined into the Custom DI for duplicate-user detection; generated only when "
                f"every chosen value exists. Empty: no Custom DI. Fields: {', '.join(CUSTOM_DI_FIELDS)}."
            ),
            parse=parse_list,
            clean=clean_custom_di_fields,
            read=_read,
            write=_write,
            render=lambda value: ", ".join(value),
        )
    )
