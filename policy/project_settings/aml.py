"""The AML watch-list filtering settings (spec §8.12) as project settings. They are kept in
``policy.aml`` (``ProjectAmlSettings``), not in ``PolicySettings``, because the verification
decision never reads them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError

from policy.project_settings.keys import ON_OFF, parse_int, render_bool
from projects.models import Project
from projects.settings_registry import ProjectSetting, clean_bool, parse_bool


def _clean_aml_threshold(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ValidationError("Expected a whole number from 0 to 100.")
    return value


def aml_settings() -> list[ProjectSetting]:
    from policy.aml.selectors import aml_settings_get

    def write(field: str) -> Callable[[Project, Any], None]:
        def store(project: Project, value: Any) -> None:
            from policy.aml.services import aml_settings_store

            aml_settings_store(project=project, **{field: value})

        return store

    return [
        ProjectSetting(
            "aml_screening",
            "AML screening on approval",
            "true: every approved submission is screened against the imported watch lists (docs/aml.md).",
            parse_bool,
            clean_bool,
            lambda project: aml_settings_get(project).screening,
            write("screening"),
            render_bool,
            ON_OFF,
        ),
        ProjectSetting(
            "aml_threshold",
            "AML match threshold",
            "A watch-list profile scoring at or above it (0–100, default 90) raises a Red Flag.",
            parse_int,
            _clean_aml_threshold,
            lambda project: aml_settings_get(project).threshold,
            write("threshold"),
        ),
        ProjectSetting(
            "aml_monitoring",
            "AML ongoing monitoring",
            "true: every approved submission is registered in the default worklist and rescreened after each "
            "watch-list import (docs/aml.md).",
            parse_bool,
            clean_bool,
            lambda project: aml_settings_get(project).monitoring,
            write("monitoring"),
            render_bool,
            ON_OFF,
        ),
    ]
