from __future__ import annotations

from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "policy"
    verbose_name = "Verification policy"

    def ready(self) -> None:
        from policy.project_settings import register_policy_settings

        register_policy_settings()
