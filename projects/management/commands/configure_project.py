"""``manage.py configure_project PID KEY=VALUE …`` and ``--show [--json]``.

Changes go through the same validation as the dashboard and are written to the Event Log.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from projects.actors import Actor
from projects.models import Project
from projects.services import InvalidSettings, project_settings_update
from projects.settings_registry import all_settings, get_setting


class Command(BaseCommand):
    help = "Read or change a project's settings (run with --show to list every setting)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("pid")
        parser.add_argument("assignments", nargs="*", metavar="KEY=VALUE")
        parser.add_argument("--show", action="store_true", help="Print every setting and its value.")
        parser.add_argument("--json", action="store_true", help="With --show: one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(pid=options["pid"]).first()
        if project is None:
            raise CommandError(f"No project with pid {options['pid']!r}.")
        if options["assignments"]:
            self._apply(project, options["assignments"])
        if options["show"] or not options["assignments"]:
            self._show(project, as_json=options["json"])

    def _apply(self, project: Project, assignments: list[str]) -> None:
        changes: dict[str, Any] = {}
        for assignment in assignments:
            key, sep, text = assignment.partition("=")
            if not sep:
                raise CommandError(f"Expected KEY=VALUE, got {assignment!r}.")
            try:
                changes[key.strip()] = get_setting(key.strip()).parse(text)
            except ValidationError as exc:
                raise CommandError(f"{key}: {' '.join(exc.messages)}") from None
        try:
            changed = project_settings_update(project=project, changes=changes, actor=Actor.system("cli"))
        except InvalidSettings as exc:
            raise CommandError(exc.message) from None
        self.stderr.write(f"Changed: {', '.join(changed)}" if changed else "Nothing changed.")

    def _show(self, project: Project, *, as_json: bool) -> None:
        values = {setting.key: setting.read(project) for setting in all_settings()}
        if as_json:
            self.stdout.write(json.dumps({"pid": project.pid, **values}, default=str))
            return
        for setting in all_settings():
            self.stdout.write(f"{setting.key} = {setting.render(values[setting.key])}")
            self.stdout.write(f"    {setting.help}")
