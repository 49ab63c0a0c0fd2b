from __future__ import annotations

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Third-party data"

    def ready(self) -> None:
        from registry.settings import register_third_party_settings

        register_third_party_settings()
