"""The project setting ``third_party_providers``, registered from ``RegistryConfig.ready``.

A list of provider ids (``registry.providers``), run in order after the document step; empty
(the default): no third-party check. ``registry:NAME`` needs the registry ``NAME`` imported
first (``manage.py import_identity_registry``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from projects.models import Project
from projects.settings_registry import ProjectSetting, parse_list, register
from registry.providers import parse_provider_id

KEY = "third_party_providers"
MAX_PROVIDERS = 10


def clean_third_party_providers(value: Any) -> list[str]:
    from registry.models import IdentityRegistry

    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError("Expected a list of provider ids such as registry:NAME.")
    chosen = list(dict.fromkeys(item.strip() for item in value if item.strip()))
    if len(chosen) > MAX_PROVIDERS:
        raise ValidationError(f"At most {MAX_PROVIDERS} providers.")
    for item in chosen:
        try:
            kind, name = parse_provider_id(item)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        if kind == "registry" and not IdentityRegistry.objects.filter(name=name).exists():
            raise ValidationError(
                f"No registry named {name!r}: import it first with manage.py import_identity_registry."
            )
    return chosen


def _read(project: Project) -> list[str]:
    from registry.selectors import third_party_providers

    return third_party_providers(project)


def _write(project: Project, value: list[str]) -> None:
    from registry.models import ProjectThirdParty

    ProjectThirdParty.objects.update_or_create(project=project, defaults={"providers": value})


def register_third_party_settings() -> None:
    register(
        ProjectSetting(
            key=KEY,
            label="Third-party data providers",
            help=(
                "Provider ids checked after the document, in order: registry:NAME matches the document against "
                "an imported identity registry. Empty: no third-party check."
            ),
            parse=parse_list,
            clean=clean_third_party_providers,
            read=_read,
            write=_write,
            render=lambda value: ", ".join(value),
        )
    )
