"""Every project setting an operator may read or change, with its one validator.

The dashboard forms, ``manage.py configure_project`` and the API all go through
``projects.services.project_settings_update``, which validates with the functions here, so
a value refused in one place is refused everywhere. Later features register their own
settings with :func:`register` from their app's ``AppConfig.ready``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from idcheck.lib.netaddr import InvalidNetwork, normalise_networks
from projects.models import Project, ProjectStatus

MAX_ALLOWLIST_ENTRIES = 200


@dataclass(frozen=True)
class ProjectSetting:
    key: str
    label: str
    help: str
    parse: Callable[[str], Any]  # text (CLI, form field) -> value
    clean: Callable[[Any], Any]  # value -> normalised value, or ValidationError
    read: Callable[[Project], Any]
    write: Callable[[Project, Any], None]
    render: Callable[[Any], str] = str  # value -> text for display and forms
    choices: tuple[tuple[str, str], ...] = ()  # text choices offered by forms, when closed


_REGISTRY: dict[str, ProjectSetting] = {}


def register(setting: ProjectSetting) -> None:
    """An app's ``ready()`` may run again (tests do it): the same setting registered again
    replaces itself; a different setting under a key already taken is a programming error."""
    existing = _REGISTRY.get(setting.key)
    if existing is not None and existing.label != setting.label:
        raise ValueError(f"project setting {setting.key!r} is registered twice")
    _REGISTRY[setting.key] = setting


def get_setting(key: str) -> ProjectSetting:
    try:
        return _REGISTRY[key]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise ValidationError(f"Unknown setting {key!r}. Known settings: {known}.") from None


def all_settings() -> list[ProjectSetting]:
    return list(_REGISTRY.values())


# --- parsers and cleaners shared by the built-in settings


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in {"true", "yes", "on", "1"}:
        return True
    if value in {"false", "no", "off", "0"}:
        return False
    raise ValidationError(f"Expected true or false, not {text!r}.")


def parse_optional_int(text: str) -> int | None:
    value = text.strip().lower()
    if value in {"", "default", "none"}:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError(f"Expected a whole number or 'default', not {text!r}.") from None


def parse_list(text: str) -> list[str]:
    return [item.strip() for item in text.replace("\n", ",").split(",") if item.strip()]


def clean_name(value: Any) -> str:
    name = str(value).strip()
    if not 1 <= len(name) <= 120:
        raise ValidationError("The project name must have 1 to 120 characters.")
    return name


def clean_status(value: Any) -> str:
    status = str(value).strip().upper()
    if status not in ProjectStatus.values:
        raise ValidationError(f"Status must be one of {', '.join(ProjectStatus.values)}.")
    return status


def clean_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError("Expected true or false.")
    return value


def clean_rate(maximum: int) -> Callable[[Any], int | None]:
    def clean(value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
            raise ValidationError(f"Expected a whole number from 1 to {maximum:,}, or 'default'.")
        return value

    return clean


def clean_allowlist(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError("Expected a list of IPv4 or IPv6 networks in CIDR notation.")
    if len(value) > MAX_ALLOWLIST_ENTRIES:
        raise ValidationError(f"At most {MAX_ALLOWLIST_ENTRIES} networks.")
    try:
        return normalise_networks(value)
    except InvalidNetwork as exc:
        raise ValidationError(str(exc)) from None


def parse_moment(text: str) -> dt.datetime | None:
    """``2026-12-01`` (midnight UTC), ``2026-12-01T09:30:00Z`` or with an offset; ``none`` clears it."""
    value = text.strip()
    if value.lower() in {"", "none", "default"}:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValidationError(f"Expected a date or a date and time like 2026-12-01T09:30:00Z, not {text!r}.") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def clean_moment(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ValidationError("Expected a date and time with its time zone, or none.")
    return value.astimezone(dt.UTC)


def _render_moment(value: Any) -> str:
    return "none" if value is None else value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _field(name: str) -> tuple[Callable[[Project], Any], Callable[[Project, Any], None]]:
    return (lambda project: getattr(project, name)), (lambda project, value: setattr(project, name, value))


def _render_optional(value: Any) -> str:
    return "default" if value is None else str(value)


def _render_list(value: Any) -> str:
    return ", ".join(value)


def _render_bool(value: Any) -> str:
    return "true" if value else "false"


def _register_builtins() -> None:
    builtins = [
        ("name", "Project name", "Shown to admins in the dashboard.", str, clean_name, str),
        ("status", "Status", "TEST, OPEN or CLOSED. Closed projects accept no submissions.", str, clean_status, str),
        (
            "emergency_stop",
            "Emergency stop",
            "true halts the Liveform and submission intake at once.",
            parse_bool,
            clean_bool,
            _render_bool,
        ),
        (
            "rate_limit_per_second",
            "API requests per second",
            "Per project; 'default' uses the installation default.",
            parse_optional_int,
            clean_rate(100_000),
            _render_optional,
        ),
        (
            "rate_limit_per_day",
            "API requests per UTC day",
            "Per project; 'default' uses the installation default.",
            parse_optional_int,
            clean_rate(100_000_000),
            _render_optional,
        ),
        (
            "api_ip_allowlist",
            "API IP allow-list",
            "CIDR networks allowed to call /v3/ with this project's key; empty allows every address.",
            parse_list,
            clean_allowlist,
            _render_list,
        ),
        (
            "submission_period_start",
            "Submission period: start",
            "UTC; before it the Liveform shows 'period' and the API refuses new submissions. 'none' for no start.",
            parse_moment,
            clean_moment,
            _render_moment,
        ),
        (
            "submission_period_end",
            "Submission period: end",
            "UTC, excluded; from it on, as before the start. 'none' for no end.",
            parse_moment,
            clean_moment,
            _render_moment,
        ),
        (
            "privacy_display",
            "Privacy display",
            "true shows ID images and selfies blurred in the dashboard until a reviewer reveals one.",
            parse_bool,
            clean_bool,
            _render_bool,
        ),
        (
            "dashboard_ip_allowlist",
            "Dashboard IP allow-list",
            "CIDR networks from which admins may open this project; empty allows every address.",
            parse_list,
            clean_allowlist,
            _render_list,
        ),
    ]
    choices = {
        "status": tuple((value, label) for value, label in ProjectStatus.choices),
        "emergency_stop": (("false", "Normal operation"), ("true", "Stopped")),
        "privacy_display": (("false", "Images shown"), ("true", "Images blurred until revealed")),
    }
    for key, label, help_text, parse, clean, render in builtins:
        read, write = _field(key)
        register(ProjectSetting(key, label, help_text, parse, clean, read, write, render, choices.get(key, ())))


_register_builtins()
