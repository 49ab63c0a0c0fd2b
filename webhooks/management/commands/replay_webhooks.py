"""``manage.py replay_webhooks PID --since 2027-03-01T00:00 [--until …]``: replay dead letters.

Every dead-lettered delivery of an event emitted in the range goes out again, oldest first,
with its own ``webhook-id`` and bytes and a whole new schedule. Times are UTC unless they say
otherwise; ``--until`` defaults to now. The replay is written to the Event Log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from projects.actors import Actor
from projects.models import Project
from webhooks.services import WebhookError, webhook_deliveries_replay_range


def _moment(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not an ISO 8601 date or time, e.g. 2027-03-01T09:00.") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


class Command(BaseCommand):
    help = "Replay a project's dead-lettered webhook deliveries emitted in a time range."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("pid")
        parser.add_argument("--since", required=True, help="ISO 8601, UTC unless an offset is given.")
        parser.add_argument("--until", help="ISO 8601 (default: now); the range excludes it.")

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(pid=options["pid"]).first()
        if project is None:
            raise CommandError(f"No project with pid {options['pid']!r}.")
        since = _moment(options["since"])
        until = _moment(options["until"]) if options["until"] else timezone.now()
        try:
            replayed = webhook_deliveries_replay_range(project=project, since=since, until=until,
                                                       actor=Actor.system("cli"))  # fmt: skip
        except WebhookError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Replaying {len(replayed)} dead-lettered deliveries.")
