"""What a policy key is (:class:`PolicyKey`) and the kinds of value one holds: how its text is
parsed, how its value becomes ``PolicySettings`` fields and is read back, and how it is shown.
The keys themselves are listed in ``catalogue``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from policy.id_types import HEADER, AllowListError, parse_allowed_id_types
from policy.settings import THRESHOLD_PRESETS, PolicySettings
from projects.settings_registry import parse_bool

Fields = dict[str, Any]  # PolicySettings field (dotted for nested records) -> JSON value


@dataclass(frozen=True)
class PolicyKey:
    key: str
    label: str
    help: str
    parse: Callable[[str], Any]
    to_fields: Callable[[Any], Fields]  # registry value -> PolicySettings JSON fields (may raise ValidationError)
    value_of: Callable[[PolicySettings], Any]  # PolicySettings -> registry value
    render: Callable[[Any], str] = str
    choices: tuple[tuple[str, str], ...] = ()


# --- parsers (text from a form or the command line -> value)


def parse_int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValidationError(f"Expected a whole number, not {text!r}.") from None


def optional_int_parser(*off_words: str) -> Callable[[str], int | None]:
    def parse(text: str) -> int | None:
        return None if text.strip().lower() in {"", "none", "null", *off_words} else parse_int(text)

    return parse


def parse_threshold(text: str) -> str | int:
    value = text.strip().lower()
    if value.startswith("custom"):
        value = value.removeprefix("custom").strip(" :=")
    return parse_int(value) if value.lstrip("-").isdigit() else value


def parse_countries(text: str) -> list[str]:
    return [item.strip() for item in text.replace("\n", ",").split(",") if item.strip()]


def parse_id_types(text: str) -> list[str]:
    """One ``COUNTRY,id_type`` pair per line; a ``country,id_type`` header and ``#`` lines are
    skipped, and ``;`` also separates lines, for a one-line shell argument."""
    lines = [line.strip() for line in text.replace(";", "\n").splitlines()]
    header = ",".join(HEADER)
    return [line for line in lines if line and not line.startswith("#") and line.replace(" ", "").lower() != header]


# --- registry values -> PolicySettings fields, and back


def threshold_fields(value: Any) -> Fields:
    if isinstance(value, str) and value in THRESHOLD_PRESETS:
        return {"threshold_preset": value, "custom_threshold": None}
    if isinstance(value, int) and not isinstance(value, bool):
        return {"threshold_preset": "custom", "custom_threshold": value}
    presets = ", ".join(f"{name} ({score})" for name, score in THRESHOLD_PRESETS.items())
    raise ValidationError(f"Expected {presets} or a whole number 0 to 100 (custom), not {value!r}.")


def threshold_of(settings: PolicySettings) -> str | int:
    return settings.threshold if settings.threshold_preset == "custom" else settings.threshold_preset


def countries_fields(value: Any) -> Fields:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError("Expected a list of ISO 3166-1 alpha-3 country codes.")
    return {"blacklist_countries": list(dict.fromkeys(item.strip().upper() for item in value))}


def id_types_fields(value: Any) -> Fields:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError("Expected a list of 'COUNTRY,id_type' lines.")
    header = ",".join(HEADER)
    problems: list[str] = []
    seen: set[str] = set()
    for line in value:
        try:
            parse_allowed_id_types(f"{header}\n{line}")
        except AllowListError as exc:
            problems += [f"{line!r}: {problem.split(': ', 1)[-1]}" for problem in exc.problems]
        key = line.replace(" ", "")
        if key in seen:
            problems.append(f"{line!r}: listed twice")
        seen.add(key)
    if problems:
        raise ValidationError("; ".join(problems) + ".")
    allowed = parse_allowed_id_types("\n".join([header, *value]))
    return {"allowed_id_types": {"entries": [list(entry) for entry in allowed.entries]}}


def single_field(field: str) -> Callable[[Any], Fields]:
    return lambda value: {field: value}


def field_reader(field: str) -> Callable[[PolicySettings], Any]:
    def read(settings: PolicySettings) -> Any:
        value: Any = settings
        for part in field.split("."):
            value = getattr(value, part)
        return value

    return read


# --- values -> text for display and forms


def render_bool(value: Any) -> str:
    return "true" if value else "false"


def render_lines(value: Any) -> str:
    return "\n".join(value)


def optional_renderer(off: str) -> Callable[[Any], str]:
    return lambda value: off if value is None else str(value)


def _options(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((value, value.replace("_", " ").capitalize()) for value in values)


ON_OFF = (("false", "Off"), ("true", "On"))


# --- the common kinds: one PolicySettings field each


def bool_key(key: str, field: str, label: str, help_text: str) -> PolicyKey:
    return PolicyKey(key, label, help_text, parse_bool, single_field(field), field_reader(field), render_bool, ON_OFF)


def int_key(key: str, field: str, label: str, help_text: str) -> PolicyKey:
    return PolicyKey(key, label, help_text, parse_int, single_field(field), field_reader(field))


def choice_key(key: str, field: str, label: str, help_text: str, values: tuple[str, ...]) -> PolicyKey:
    return PolicyKey(key, label, help_text, lambda text: text.strip().lower(), single_field(field),
                     field_reader(field), str, _options(values))  # fmt: skip
