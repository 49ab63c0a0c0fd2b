"""The policy settings as project settings (``projects.settings_registry``), registered from
``PolicyConfig.ready``: the dashboard's Policy page, ``manage.py configure_project`` and
``projects.services.project_settings_update`` read, validate and write them like every other
project setting (one validator, all-or-nothing, the change in the Event Log by key).

Each registry key (``policy_…``) maps to one or more fields of ``policy.settings.PolicySettings``;
the values live in ``policy.models.ProjectPolicy`` (sparse), never on the Project row.
Validation is ``PolicySettings.from_json`` itself, so a value refused here is refused by the engine.

The threshold is ONE key, ``policy_threshold``: ``conservative`` (70), ``standard`` (50),
``open`` (40) or a whole number 0–100 (a custom threshold). Two keys (preset + number) would make
"custom and 65" depend on the order the two writes happen in.

``policy_allowed_id_types`` is the per-country CSV allow-list (``policy.id_types``): one
``COUNTRY,id_type`` pair per line (a ``country,id_type`` header and ``#`` lines are skipped; ``;``
also separates lines, for a one-line shell argument). An empty list accepts every ID type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from policy.id_types import HEADER, AllowListError, parse_allowed_id_types
from policy.settings import (
    DEVICE_DUPLICATE_POLICIES,
    NETWORK_LEVELS,
    NO_DOB_HANDLING,
    PIPELINES,
    REVIEWERS,
    THRESHOLD_PRESETS,
    PolicySettings,
    SettingsError,
)
from projects.models import Project
from projects.settings_registry import ProjectSetting, clean_bool, parse_bool, register

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


def _nest(fields: Fields) -> dict[str, Any]:
    """``{"network_levels.vpn": "high"}`` -> ``{"network_levels": {"vpn": "high"}}``."""
    nested: dict[str, Any] = {}
    for name, value in fields.items():
        head, _, tail = name.partition(".")
        if tail:
            nested.setdefault(head, {})[tail] = value
        else:
            nested[head] = value
    return nested


def _validated(fields: Fields) -> PolicySettings:
    try:
        return PolicySettings.from_json(_nest(fields))
    except SettingsError as exc:
        raise ValidationError("; ".join(f"{path}: {reason}" for path, reason in exc.problems) + ".") from None


# --- parsers (text from a form or the command line -> value)


def _parse_int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValidationError(f"Expected a whole number, not {text!r}.") from None


def _parse_optional_int(*off_words: str) -> Callable[[str], int | None]:
    def parse(text: str) -> int | None:
        return None if text.strip().lower() in {"", "none", "null", *off_words} else _parse_int(text)

    return parse


def _parse_threshold(text: str) -> str | int:
    value = text.strip().lower()
    if value.startswith("custom"):
        value = value.removeprefix("custom").strip(" :=")
    return _parse_int(value) if value.lstrip("-").isdigit() else value


def _parse_countries(text: str) -> list[str]:
    return [item.strip() for item in text.replace("\n", ",").split(",") if item.strip()]


def _parse_id_types(text: str) -> list[str]:
    lines = [line.strip() for line in text.replace(";", "\n").splitlines()]
    header = ",".join(HEADER)
    return [line for line in lines if line and not line.startswith("#") and line.replace(" ", "").lower() != header]


# --- registry values -> PolicySettings fields


def _threshold_fields(value: Any) -> Fields:
    if isinstance(value, str) and value in THRESHOLD_PRESETS:
        return {"threshold_preset": value, "custom_threshold": None}
    if isinstance(value, int) and not isinstance(value, bool):
        return {"threshold_preset": "custom", "custom_threshold": value}
    presets = ", ".join(f"{name} ({score})" for name, score in THRESHOLD_PRESETS.items())
    raise ValidationError(f"Expected {presets} or a whole number 0 to 100 (custom), not {value!r}.")


def _threshold_of(settings: PolicySettings) -> str | int:
    return settings.threshold if settings.threshold_preset == "custom" else settings.threshold_preset


def _countries_fields(value: Any) -> Fields:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError("Expected a list of ISO 3166-1 alpha-3 country codes.")
    return {"blacklist_countries": list(dict.fromkeys(item.strip().upper() for item in value))}


def _id_types_fields(value: Any) -> Fields:
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


def _one(field: str) -> Callable[[Any], Fields]:
    return lambda value: {field: value}


def _attr(field: str) -> Callable[[PolicySettings], Any]:
    def read(settings: PolicySettings) -> Any:
        value: Any = settings
        for part in field.split("."):
            value = getattr(value, part)
        return value

    return read


def _render_bool(value: Any) -> str:
    return "true" if value else "false"


def _render_lines(value: Any) -> str:
    return "\n".join(value)


def _render_optional(off: str) -> Callable[[Any], str]:
    return lambda value: off if value is None else str(value)


def _options(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((value, value.replace("_", " ").capitalize()) for value in values)


ON_OFF = (("false", "Off"), ("true", "On"))


def _bool_key(key: str, field: str, label: str, help_text: str) -> PolicyKey:
    return PolicyKey(key, label, help_text, parse_bool, _one(field), _attr(field), _render_bool, ON_OFF)


def _int_key(key: str, field: str, label: str, help_text: str) -> PolicyKey:
    return PolicyKey(key, label, help_text, _parse_int, _one(field), _attr(field))


def _choice_key(key: str, field: str, label: str, help_text: str, values: tuple[str, ...]) -> PolicyKey:
    return PolicyKey(key, label, help_text, lambda text: text.strip().lower(), _one(field), _attr(field), str,
                     _options(values))  # fmt: skip


POLICY_KEYS: list[PolicyKey] = [
    PolicyKey(
        "policy_threshold",
        "ARGOS score threshold",
        "conservative (70), standard (50), open (40), or a whole number 0–100 for a custom threshold. "
        "A score at or above it is approved automatically; below it, pending.",
        _parse_threshold,
        _threshold_fields,
        _threshold_of,
    ),
    _bool_key(
        "policy_automated_processing_only",
        "automated_processing_only",
        "Automated processing only",
        "true: no manual review; what would be pending is rejected (automatic_verification_fail).",
    ),
    _choice_key(
        "policy_reviewer",
        "reviewer",
        "Reviewer of pending submissions",
        "staff (our reviewers) or client_api (you review through the dashboard or the review API).",
        REVIEWERS,
    ),
    PolicyKey(
        "policy_age_limit",
        "Age limit",
        "Minimum age in years from the document's date of birth (under_ageLimit); 'off' for none.",
        _parse_optional_int("off", "no", "false"),
        _one("age_limit"),
        _attr("age_limit"),
        _render_optional("off"),
    ),
    _bool_key("policy_reject_expired_id", "reject_expired_id", "Reject expired IDs", "true: expired_id."),
    PolicyKey(
        "policy_blacklist_countries",
        "Blacklisted issuing countries",
        "ISO 3166-1 alpha-3 codes, comma or line separated (blacklistCountry); empty for none.",
        _parse_countries,
        _countries_fields,
        lambda s: list(s.blacklist_countries),
        ", ".join,
    ),
    PolicyKey(
        "policy_allowed_id_types",
        "Allowed ID types (CSV)",
        "One COUNTRY,id_type per line (country alpha-3 or * for every other country; a 'country,id_type' "
        "header is skipped). A listed country accepts only its types (invalid_acceptedID); empty accepts all.",
        _parse_id_types,
        _id_types_fields,
        lambda s: [f"{country},{id_type}" for country, id_type in s.allowed_id_types.entries],
        _render_lines,
    ),
    _choice_key(
        "policy_no_date_of_birth",
        "no_date_of_birth",
        "ID without a date of birth",
        "reject (no-date-of-birth), pending (manual review) or accept.",
        NO_DOB_HANDLING,
    ),
    _bool_key(
        "policy_reject_duplicate_user",
        "reject_duplicate_user",
        "Duplicate user prevention",
        "true: reject a submission whose identity matches an earlier one (duplicate_user).",
    ),
    _bool_key(
        "policy_reject_duplicate_face",
        "reject_duplicate_face",
        "Face duplication check",
        "true: reject a selfie matching another person's in this project (duplicated_face).",
    ),
    _int_key(
        "policy_approve_period_days",
        "approve_period_days",
        "Approved re-submission block (days)",
        "Block new submissions of an already approved person for N days; 0 is off.",
    ),
    _int_key(
        "policy_reject_period_days",
        "reject_period_days",
        "Rejected re-submission block (days)",
        "Block new submissions of a rejected person for N days; 0 is off.",
    ),
    _bool_key(
        "policy_network_detection",
        "network_detection",
        "Proxy & VPN detection",
        "true: judge the submitter's IP against the imported VPN/proxy/TOR/hosting ranges.",
    ),
    *[
        _choice_key(
            f"policy_network_level_{kind}",
            f"network_levels.{kind}",
            f"{label} connections",
            "high: reject; medium: manual review; low: noted only.",
            NETWORK_LEVELS,
        )
        for kind, label in (("proxy", "Proxy"), ("vpn", "VPN"), ("tor", "TOR"), ("hosting", "Hosting provider"))
    ],
    _bool_key(
        "policy_device_verification",
        "device_verification",
        "Device verification",
        "true: refuse non-mobile environments and tampered devices (DE-20000, DE-30000).",
    ),
    _int_key(
        "policy_device_duplicate_limit",
        "device_duplicate_limit",
        "Approvals allowed per device",
        "Device duplicate check: approvals allowed per device in the period (1–1000).",
    ),
    PolicyKey(
        "policy_device_duplicate_period_days",
        "Device duplicate period (days)",
        "Days the device duplicate check looks back; 'all' for all time.",
        _parse_optional_int("all", "all time"),
        _one("device_duplicate_period_days"),
        _attr("device_duplicate_period_days"),
        _render_optional("all"),
    ),
    _choice_key(
        "policy_device_duplicate_policy",
        "device_duplicate_policy",
        "Over the device limit",
        "fail (DE-40000) or register_and_pass.",
        DEVICE_DUPLICATE_POLICIES,
    ),
    _int_key(
        "policy_max_attempts",
        "max_attempts",
        "Attempts per flow",
        "Failed face or document attempts before too_many_retry (1–10).",
    ),
    _bool_key(
        "policy_proof_of_address",
        "proof_of_address",
        "Proof of address",
        "true: every submission needs a bill or statement (addressImage) naming the document's holder, issued "
        "within 6 months; its address fills address_*. Refusals: address_image_invalidImage (missing or not an "
        "image), address_image_badImage, address_info_dataMismatch, address_info_expiredDocument.",
    ),
    PolicyKey(
        "policy_pipeline",
        "Verification pipeline",
        "id_document: the Liveform photographs an ID document and takes a selfie. knowledge_based: the person "
        "types their name, date of birth, gender and nationality and takes a selfie, with no document "
        "(docs/liveform.md). API submissions are always ID documents.",
        lambda text: text.strip().lower(),
        _one("pipeline"),
        _attr("pipeline"),
        str,
        tuple(zip(PIPELINES, ("ID document", "Knowledge-Based"), strict=True)),
    ),
    _int_key(
        "policy_incomplete_timeout_hours",
        "incomplete_timeout_hours",
        "Incomplete timeout (hours)",
        "An unfinished submission is rejected with timeout after this many hours (1–720).",
    ),
]
KEYS = [item.key for item in POLICY_KEYS]


def _clean(item: PolicyKey) -> Callable[[Any], Any]:
    def clean(value: Any) -> Any:
        return item.value_of(_validated(item.to_fields(value)))

    return clean


def _read(item: PolicyKey) -> Callable[[Project], Any]:
    def read(project: Project) -> Any:
        from policy.selectors import policy_settings_get

        return item.value_of(policy_settings_get(project))

    return read


def _write(item: PolicyKey) -> Callable[[Project, Any], None]:
    def write(project: Project, value: Any) -> None:
        from policy.services import policy_settings_store
        from projects.services import InvalidSettings

        try:
            policy_settings_store(project=project, fields=_nest(item.to_fields(value)))
        except SettingsError as exc:
            raise InvalidSettings({item.key: "; ".join(f"{p}: {r}" for p, r in exc.problems)}) from None

    return write


def _clean_aml_threshold(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ValidationError("Expected a whole number from 0 to 100.")
    return value


def _aml_settings() -> list[ProjectSetting]:
    """Watch-list filtering (spec §8.12): kept in ``policy.aml`` (``ProjectAmlSettings``), not in
    ``PolicySettings``, because the verification decision never reads them."""
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
            _render_bool,
            ON_OFF,
        ),
        ProjectSetting(
            "aml_threshold",
            "AML match threshold",
            "A watch-list profile scoring at or above it (0–100, default 90) raises a Red Flag.",
            _parse_int,
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
            _render_bool,
            ON_OFF,
        ),
    ]


def register_policy_settings() -> None:
    for setting in _aml_settings():
        register(setting)
    for item in POLICY_KEYS:
        register(
            ProjectSetting(
                item.key,
                item.label,
                item.help,
                item.parse,
                _clean(item),
                _read(item),
                _write(item),
                item.render,
                item.choices,
            )  # fmt: skip
        )
