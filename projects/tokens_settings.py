"""Private mode's project settings (spec §6.5), registered from ``ProjectsConfig.ready`` and
shown on the dashboard's Security settings page.

``liveform_private_mode``: ``off`` (any link opens the Liveform; a ``token`` is only echoed as
``tokenId``), ``pool`` (only Token IDs registered with ``POST /v3/submission/tokens``) or
``usage`` (any Token ID, refused 3 minutes after its first use). ``liveform_token_expiry_uses``:
a token expires at that use (1: single use); ``liveform_token_expiry_hours``: a token expires
that many hours after its registration (``usage``: its first use). Either expiry sends the
``token_expired`` webhook; ``off`` (empty) for no expiry of that kind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError

from projects.models import Project
from projects.models.tokens import PrivateMode, PrivateModeSettings
from projects.selectors import private_mode_settings_get
from projects.settings_registry import ProjectSetting, clean_rate, parse_optional_int, register

MAX_EXPIRY_USES = 1_000
MAX_EXPIRY_HOURS = 24 * 366


def parse_optional_limit(text: str) -> int | None:
    return None if text.strip().lower() == "off" else parse_optional_int(text)


def clean_mode(value: Any) -> str:
    mode = str(value).strip().lower()
    if mode not in PrivateMode.values:
        raise ValidationError(f"Private mode must be one of {', '.join(PrivateMode.values)}.")
    return mode


def _render_limit(value: Any) -> str:
    return "off" if value is None else str(value)


def _reader(field: str) -> Callable[[Project], Any]:
    return lambda project: getattr(private_mode_settings_get(project), field)


def _writer(field: str) -> Callable[[Project, Any], None]:
    def write(project: Project, value: Any) -> None:
        PrivateModeSettings.objects.update_or_create(project=project, defaults={field: value})

    return write


def register_token_settings() -> None:
    settings = [
        ("liveform_private_mode", "mode", "Private mode",
         "off: any link opens the Liveform; pool: only Token IDs registered through the API; "
         "usage: any Token ID, refused 3 minutes after its first use.",
         str, clean_mode, str, tuple(PrivateMode.choices)),
        ("liveform_token_expiry_uses", "expiry_uses", "Token expiry by use count",
         "A token expires at this use (1: single use) and the token_expired webhook is sent; off for none.",
         parse_optional_limit, clean_rate(MAX_EXPIRY_USES), _render_limit, ()),
        ("liveform_token_expiry_hours", "expiry_hours", "Token expiry by time (hours)",
         "A token expires this many hours after its registration (usage mode: its first use); off for none.",
         parse_optional_limit, clean_rate(MAX_EXPIRY_HOURS), _render_limit, ()),
    ]  # fmt: skip
    for key, field, label, help_text, parse, clean, render, choices in settings:
        register(ProjectSetting(key, label, help_text, parse, clean, _reader(field), _writer(field), render, choices))
