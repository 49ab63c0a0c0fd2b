"""``manage.py liveform_tokens_generate PID [--count N]``: unguessable Token IDs for private mode."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from idcheck.errors import ApplicationError
from projects.actors import Actor
from projects.models import Project
from projects.services import liveform_tokens_generate
from projects.services.tokens import MAX_GENERATED


class Command(BaseCommand):
    help = (
        "Register COUNT new Token IDs (24 random letters and digits, about 143 bits each) in the "
        "project's pool and print them, one a line."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("pid")
        parser.add_argument("--count", type=int, default=1, help=f"1 to {MAX_GENERATED:,} (default 1).")

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(pid=options["pid"]).first()
        if project is None:
            raise CommandError(f"No project with pid {options['pid']!r}.")
        try:
            token_ids = liveform_tokens_generate(project=project, count=options["count"], actor=Actor.system("cli"))
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write("\n".join(token_ids))
