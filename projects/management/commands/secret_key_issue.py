"""``manage.py secret_key_issue PID``: issue (or reissue) a project's secretKey and print it once.

The same service as the dashboard's Security page (spec §5.1; docs/secure-data-transfer.md): the
key is printed this once and kept only as its sealed SHA-256; a previous one stops working at
once. It encrypts nothing until ``configure_project PID encryption_key=secret_key``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from projects.actors import Actor
from projects.models import Project
from projects.services import secret_key_issue


class Command(BaseCommand):
    help = "Issue (or reissue) a project's secretKey and print it once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("pid")

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(pid=options["pid"]).first()
        if project is None:
            raise CommandError(f"No project with pid {options['pid']!r}.")
        issued = secret_key_issue(project=project, actor=Actor.system("cli"))
        self.stdout.write(f"secretKey  {issued.plaintext}  (shown once)")
