"""``manage.py webhook_secret PID [--rotate]``: print the signing secret a receiver verifies with.

With ``--rotate`` a new secret is made and printed; the previous one keeps signing for 24 hours
so receivers can switch without losing a delivery (G6). Rotations are written to the Event Log.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from projects.actors import Actor
from projects.models import Project
from webhooks.services import WebhookError, webhook_endpoint_get, webhook_secret_rotate, webhook_secrets_live


class Command(BaseCommand):
    help = "Print (or with --rotate, replace) a project's webhook signing secret."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("pid")
        parser.add_argument("--rotate", action="store_true", help="Make a new secret; the old one signs for 24 h.")

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(pid=options["pid"]).first()
        if project is None:
            raise CommandError(f"No project with pid {options['pid']!r}.")
        try:
            if options["rotate"]:
                secret = webhook_secret_rotate(project=project, actor=Actor.system("cli"))
            else:
                endpoint = webhook_endpoint_get(project=project)
                if endpoint is None:
                    raise WebhookError("Set a webhook URL first.")
                secret = webhook_secrets_live(endpoint)[0]
        except WebhookError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(secret)
