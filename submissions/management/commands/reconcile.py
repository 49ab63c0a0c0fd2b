"""``manage.py reconcile``: prove after a fault that nothing was lost or half-written (issue 11).

Runs the checks of ``submissions.reconcile`` (docs/reconcile.md) and prints one line per check,
OK or its offenders with the first ids, then a summary table; ``--json`` prints the same as one
JSON object. Exits 1 when any check found something, 2 when it could not check (the database
or the storage folder cannot be read: the outage is not over). Reads only, except
``--fix-orphans``, which first deletes files no row names (never a row) and records it in the
Event Log.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone

from projects.models import Project
from submissions.reconcile import CheckReport, Scope, orphan_files_delete, reconcile_all


class Command(BaseCommand):
    help = "Check credits, verification runs, webhooks, files and rows for anything lost or half-written."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", metavar="PID", help="check one project (its 10-character pid)")
        parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
        parser.add_argument("--deep", action="store_true", help="also open every file and compare its sha256")
        parser.add_argument(
            "--fix-orphans", action="store_true", help="first delete stored files no row names (never a row)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._reconcile(options)
        except DatabaseError as error:
            raise CommandError(f"reconcile could not read the database: {error}".strip(), returncode=2) from None
        except OSError as error:
            raise CommandError(f"reconcile could not read the storage folder: {error}", returncode=2) from None

    def _reconcile(self, options: dict[str, Any]) -> None:
        project = None
        if options["project"]:
            project = Project.objects.filter(pid=options["project"]).first()
            if project is None:
                raise CommandError(f"No project with pid {options['project']!r}.")
        deleted = orphan_files_delete() if options["fix_orphans"] else None
        scope = Scope(project_id=project.pk if project else None, now=timezone.now())
        reports = reconcile_all(scope, deep=options["deep"])
        offenders = sum(report.offenders for report in reports)
        if options["json"]:
            self.stdout.write(json.dumps(_as_json(reports, scope, project, deleted), indent=2))
        else:
            self._write_text(reports, deleted)
        if not all(report.ok for report in reports):
            raise CommandError(f"reconcile: {offenders} offender(s) found", returncode=1)

    def _write_text(self, reports: list[CheckReport], deleted: int | None) -> None:
        if deleted is not None:
            self.stdout.write(f"deleted {deleted} orphan file(s)")
        for report in reports:
            goals = ", ".join(report.goals)
            if report.skipped:
                self.stdout.write(f"{report.name:<9} SKIPPED: {report.skipped} ({goals})")
            elif report.ok:
                self.stdout.write(f"{report.name:<9} OK: {report.proves} ({goals})")
            else:
                self.stdout.write(f"{report.name:<9} {report.offenders} offender(s) ({goals})")
            for finding in report.findings:
                self.stdout.write(f"    {finding.what}: {finding.count} ({', '.join(finding.ids)})")
            for note in report.notes:
                self.stdout.write(f"    note: {note}")
        self.stdout.write("")
        self.stdout.write(f"{'check':<10}{'result':<10}{'offenders':>9}")
        for report in reports:
            result = "skipped" if report.skipped else "ok" if report.ok else "FAIL"
            self.stdout.write(f"{report.name:<10}{result:<10}{report.offenders:>9}")
        self.stdout.write(f"{'total':<10}{'':<10}{sum(r.offenders for r in reports):>9}")


def _as_json(reports: list[CheckReport], scope: Scope, project: Project | None, deleted: int | None) -> dict:
    return {
        "ok": all(report.ok for report in reports),
        "checked_at": scope.now.isoformat(),
        "project": project.pid if project else None,
        "orphan_files_deleted": deleted,
        "offenders": sum(report.offenders for report in reports),
        "checks": [
            {
                "name": report.name,
                "goals": list(report.goals),
                "proves": report.proves,
                "ok": report.ok,
                "skipped": report.skipped or None,
                "offenders": report.offenders,
                "findings": [{"what": f.what, "count": f.count, "ids": list(f.ids)} for f in report.findings],
                "notes": list(report.notes),
            }
            for report in reports
        ],
    }
