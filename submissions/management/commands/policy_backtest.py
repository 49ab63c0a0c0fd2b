"""``manage.py policy_backtest --project PID [--rules FILE] [--policy-settings FILE] [--last N] [--json]``.

Re-decides the project's last N decided submissions from their stored evidence under the rules
in FILE (a JSON list of rules, or an object with ``rules``; see ``policy.rules``) and/or the
settings in FILE (a JSON object of ``PolicySettings`` fields over the project's current ones,
e.g. ``{"threshold_preset": "open"}``), and prints how many decisions would change, which, and
why. Nothing is written: not the submissions, not the rules, not the Event Log.

The settings option is ``--policy-settings``: ``manage.py`` itself takes ``--settings`` (the Django
settings module) before any command sees it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from idcheck.errors import ApplicationError
from projects.models import Project
from submissions.backtest import DEFAULT_LAST, MAX_LAST, submission_policy_backtest


def _read_json(path: str, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(f"--{what}: cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise CommandError(f"--{what}: {path} is not JSON: line {exc.lineno} column {exc.colno}: {exc.msg}") from None


class Command(BaseCommand):
    help = "Re-decide stored submissions under new policy rules or settings and report the changes (writes nothing)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--project", required=True, metavar="PID")
        parser.add_argument("--rules", metavar="FILE", help="Rules JSON to try (default: the current rules).")
        parser.add_argument("--policy-settings", metavar="FILE", help="JSON object of policy settings to change.")
        parser.add_argument("--last", type=int, default=DEFAULT_LAST, metavar="N",
                            help=f"How many of the newest decided submissions (default {DEFAULT_LAST}).")  # fmt: skip
        parser.add_argument("--json", action="store_true", help="Print the report as one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(pid=options["project"]).first()
        if project is None:
            raise CommandError(f"No project with pid {options['project']!r}.")
        if not 1 <= options["last"] <= MAX_LAST:
            raise CommandError(f"--last must be 1 to {MAX_LAST}.")
        rules = _read_json(options["rules"], "rules") if options["rules"] else None
        changes = _read_json(options["policy_settings"], "policy-settings") if options["policy_settings"] else None
        try:
            result = submission_policy_backtest(
                project=project, rules_document=rules, settings_changes=changes, last=options["last"]
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.to_json(), sort_keys=True))
        else:
            self.stdout.write(f"Rules version {result.rules_version}, project {project.pid}")
            self.stdout.write(result.to_text(), ending="")
