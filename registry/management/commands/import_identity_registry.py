"""``manage.py import_identity_registry FILE --name NAME [--replace] [--skip-invalid]``.

Imports a CSV of identity records for third-party data verification; the format, the checks
and what is stored (keyed hashes only) are in ``registry.importer``, the match rule in
``registry.records``. FILE ``-`` reads standard input. Invalid lines are printed with their
numbers (the first 50); with any of them nothing is imported unless ``--skip-invalid``.
A project uses the registry once ``third_party_providers`` names it::

    manage.py configure_project PID third_party_providers=registry:NAME
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry.importer import ImportRefused, ImportReport, import_registry
from registry.providers import parse_provider_id


class Command(BaseCommand):
    help = "Import a CSV of identity records (surname,given_names,birth_date,document_number,nationality)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file, or - for standard input")
        parser.add_argument("--name", required=True, help="the registry's name (a-z, 0-9, '.', '_', '-')")
        parser.add_argument("--replace", action="store_true", help="replace the registry's records atomically")
        parser.add_argument("--skip-invalid", action="store_true", help="import the valid lines despite bad ones")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"]
        try:
            parse_provider_id(f"registry:{name}")
        except ValueError:
            raise CommandError("--name: 1–64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit") from None
        path: str = options["file"]
        flags = {"name": name, "replace": options["replace"], "skip_invalid": options["skip_invalid"]}
        try:
            if path == "-":
                report = import_registry(sys.stdin, **flags)
            else:
                try:
                    handle = open(path, encoding="utf-8", errors="replace", newline="")  # noqa: SIM115
                except OSError as exc:
                    raise CommandError(f"cannot read {path}: {exc.strerror}") from None
                with handle:
                    report = import_registry(handle, **flags)
        except ImportRefused as refused:
            self._errors(refused.report)
            raise CommandError(
                f"{refused.report.invalid} invalid line(s): nothing imported (fix them, or --skip-invalid)"
            ) from None
        self._errors(report)
        replaced = f", {report.replaced} old records replaced" if options["replace"] else ""
        self.stdout.write(
            f"{name}: {report.lines} lines read, {report.added} added, {report.duplicates} duplicates, "
            f"{report.invalid} invalid{replaced}; {report.total} records"
        )

    def _errors(self, report: ImportReport) -> None:
        for number, message in report.errors:
            self.stderr.write(f"line {number}: {message}")
        if report.invalid > len(report.errors):
            self.stderr.write(f"… and {report.invalid - len(report.errors)} more invalid lines")
