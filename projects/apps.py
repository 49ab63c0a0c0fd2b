from __future__ import annotations

from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects and access"

    def ready(self) -> None:
        from projects.liveform import register_liveform_settings
        from projects.secure_transfer_settings import register_secure_transfer_settings
        from projects.tokens_settings import register_token_settings

        register_liveform_settings()
        register_token_settings()
        register_secure_transfer_settings()
