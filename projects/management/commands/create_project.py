"""``manage.py create_project NAME [--owner EMAIL] [--credits N]`` (staff operation)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from idcheck.errors import ApplicationError
from projects.actors import Actor
from projects.models import User
from projects.services import api_key_issue, project_create


class Command(BaseCommand):
    help = "Create a project (TEST status), optionally with an owner and initial credits; prints its API key once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name")
        parser.add_argument("--owner", help="E-mail of an existing user who becomes the owner.")
        parser.add_argument("--credits", type=int, default=0)

    def handle(self, *args: Any, **options: Any) -> None:
        owner = None
        if options["owner"]:
            owner = User.objects.filter(email=options["owner"].strip().lower()).first()
            if owner is None:
                raise CommandError(f"No user with e-mail {options['owner']!r}.")
        if options["credits"] < 0:
            raise CommandError("--credits cannot be negative.")
        actor = Actor.system("cli")
        try:
            project = project_create(name=options["name"], owner=owner, actor=actor, credits=options["credits"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        issued = api_key_issue(project=project, actor=actor)
        self.stdout.write(f"pid      {project.pid}\napi_key  {issued.plaintext}  (shown once)")
