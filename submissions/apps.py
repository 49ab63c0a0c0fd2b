from __future__ import annotations

from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = "Submissions"

    def ready(self) -> None:
        from submissions.duplicates.settings import register_duplicate_settings

        register_duplicate_settings()

        from submissions.webhook_payloads import fill_personal_fields
        from webhooks.registry import register_payload_filler

        register_payload_filler("submissions", fill_personal_fields)
