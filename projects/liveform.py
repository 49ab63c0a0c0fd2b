"""The Liveform's project settings (spec §7), registered from ``ProjectsConfig.ready``.

``liveform_return_url``: where the result page sends the end user (after "OK" or 5 seconds), and
where error pages offer to go back; empty for none. ``liveform_return_fields``: the dynamic
fields appended to it. ``liveform_return_encrypted``: the fields travel as one ``encrypted``
value (AES-256-ECB under the API key's payload key, §5.3) instead of in the clear.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from projects.models import LiveformSettings, Project
from projects.models.liveform import RETURN_FIELDS
from projects.settings_registry import ProjectSetting, clean_bool, parse_bool, parse_list, register

_URL = URLValidator(schemes=["http", "https"])


def clean_return_url(value: Any) -> str:
    url = str(value).strip()
    if url:
        if len(url) > 2000:
            raise ValidationError("The Return URL must have at most 2,000 characters.")
        try:
            _URL(url)
        except ValidationError:
            raise ValidationError("Enter an http:// or https:// URL, or nothing for no Return URL.") from None
    return url


def clean_return_fields(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError("Expected a list of field names.")
    unknown = sorted({item for item in value if item not in RETURN_FIELDS})
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(unknown)}. Choose from {', '.join(RETURN_FIELDS)}.")
    return [name for name in RETURN_FIELDS if name in value]


def liveform_settings_get(project: Project) -> LiveformSettings:
    """The project's row, or an unsaved one with the defaults (no Return URL)."""
    return LiveformSettings.objects.filter(project=project).first() or LiveformSettings(project=project)


def _reader(field: str) -> Callable[[Project], Any]:
    return lambda project: getattr(liveform_settings_get(project), field)


def _writer(field: str) -> Callable[[Project, Any], None]:
    def write(project: Project, value: Any) -> None:
        LiveformSettings.objects.update_or_create(project=project, defaults={field: value})

    return write


def register_liveform_settings() -> None:
    settings = [
        ("liveform_return_url", "Return URL",
         "Where the Liveform sends the end user when the flow ends (spec §7); empty for none.",
         str, clean_return_url, str),
        ("liveform_return_fields", "Return URL fields",
         f"Dynamic fields appended to the Return URL: {', '.join(RETURN_FIELDS)}.",
         parse_list, clean_return_fields, ", ".join),
        ("liveform_return_encrypted", "Encrypt the Return URL fields",
         "true sends the fields as one 'encrypted' value (AES-256-ECB with the API key).",
         parse_bool, clean_bool, lambda value: "true" if value else "false"),
    ]  # fmt: skip
    field_of = {
        "liveform_return_url": "return_url",
        "liveform_return_fields": "return_fields",
        "liveform_return_encrypted": "return_encrypted",
    }
    for key, label, help_text, parse, clean, render in settings:
        field = field_of[key]
        register(ProjectSetting(key, label, help_text, parse, clean, _reader(field), _writer(field), render))
