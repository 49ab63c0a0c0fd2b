from __future__ import annotations

from django.apps import AppConfig


class IdcheckConfig(AppConfig):
    name = "idcheck"
    verbose_name = "ID Check core"

    def ready(self) -> None:
        from idcheck import api_schema, checks  # noqa: F401  (registers checks and schema extensions)
