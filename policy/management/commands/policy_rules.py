"""``manage.py policy_rules PID`` (current rules), ``--history``, ``--show-version N``, ``--publish FILE``.

Publishing validates the file (a JSON list of rules, or an object with ``rules``; see
``policy.rules``), stores it as the next version and records it in the Event Log; every problem
is printed with its path. Try a file first with ``manage.py policy_backtest``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from idcheck.errors import ApplicationError
from policy.selectors import policy_rule_set_current, policy_rule_set_get, policy_rule_set_list
from policy.services import policy_rules_publish
from projects.actors import Actor
from projects.models import Project


class Command(BaseCommand):
    help = "Show a project's custom policy rules and their versions, or publish a new version."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("pid")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--history", action="store_true", help="List every published version.")
        group.add_argument("--show-version", type=int, metavar="N", dest="rules_version", help="Print version N.")
        group.add_argument("--publish", metavar="FILE", help="Publish FILE as the next version.")

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(pid=options["pid"]).first()
        if project is None:
            raise CommandError(f"No project with pid {options['pid']!r}.")
        if options["history"]:
            for item in policy_rule_set_list(project):
                count = len(item.rules.get("rules", []))
                self.stdout.write(f"v{item.version}  {item.created_at:%Y-%m-%d %H:%M}  {item.created_by_label}  "
                                  f"{count} rule(s)")  # fmt: skip
            return
        if options["publish"]:
            self._publish(project, options["publish"])
            return
        if options["rules_version"] is not None:
            found = policy_rule_set_get(project, options["rules_version"])
        else:
            found = policy_rule_set_current(project)
        if found is None:
            raise CommandError("No such rules version." if options["rules_version"] else "No rules published yet.")
        self.stdout.write(json.dumps(found.rules, indent=2))

    def _publish(self, project: Project, path: str) -> None:
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path} is not JSON: line {exc.lineno} column {exc.colno}: {exc.msg}") from None
        try:
            published = policy_rules_publish(project=project, document=document, actor=Actor.system("cli"))
        except ApplicationError as exc:
            problems = exc.extra.get("errors")
            if problems:
                raise CommandError("\n".join(f"{p['path']}: {p['reason']}" for p in problems)) from None
            raise CommandError(exc.message) from None
        self.stderr.write(f"Published rules version {published.version}.")
