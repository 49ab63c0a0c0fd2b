"""Registering the policy and AML keys with ``projects.settings_registry`` (from
``PolicyConfig.ready``): each :class:`PolicyKey` becomes a ``ProjectSetting`` whose validator is
``PolicySettings.from_json`` itself, so a value refused here is refused by the engine, and whose
reads and writes go to ``policy.models.ProjectPolicy`` (sparse), never to the Project row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError

from policy.project_settings.aml import aml_settings
from policy.project_settings.catalogue import POLICY_KEYS
from policy.project_settings.keys import Fields, PolicyKey
from policy.settings import PolicySettings, SettingsError
from projects.models import Project
from projects.settings_registry import ProjectSetting, register


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


def register_policy_settings() -> None:
    """The AML settings first, then the policy keys in the catalogue's order."""
    for setting in aml_settings():
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
