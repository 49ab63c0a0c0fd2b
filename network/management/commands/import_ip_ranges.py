"""``manage.py import_ip_ranges FILE --kind vpn|proxy|tor|hosting [--source NAME] [--replace]``.

Imports an IP-range list for proxy/VPN/TOR/hosting detection (spec §8.10); formats and rules in
``network.importer``. FILE ``-`` reads standard input. Prints progress every batch on big files,
each invalid line with its number (the first 50), and a summary table per kind.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from network.importer import BATCH_SIZE, ImportReport, import_ranges
from network.models import IpRange, RangeKind


class Command(BaseCommand):
    help = "Import IP ranges (CIDR per line, or CSV with the CIDR first) for proxy/VPN/TOR/hosting detection."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the list: a text or CSV file, or - for standard input")
        parser.add_argument("--kind", required=True, choices=RangeKind.values)
        parser.add_argument("--source", default="", help="the list's name (default: the file name without suffix)")
        parser.add_argument(
            "--replace", action="store_true", help="replace this source's ranges of this kind atomically"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name: str = options["file"]
        source = options["source"] or (Path(name).stem if name != "-" else "")
        if not source:
            raise CommandError("--source is required when reading standard input")
        if len(source) > 100:
            raise CommandError("--source: at most 100 characters")
        if name == "-":
            report = self._import(sys.stdin, options["kind"], source, options["replace"])
        else:
            try:
                handle = open(name, encoding="utf-8", errors="replace", newline="")  # noqa: SIM115
            except OSError as exc:
                raise CommandError(f"cannot read {name}: {exc.strerror}") from None
            with handle:
                report = self._import(handle, options["kind"], source, options["replace"])
        self._summary(report)

    def _import(self, lines: Any, kind: str, source: str, replace: bool) -> ImportReport:
        def progress(report: ImportReport) -> None:
            if report.added >= BATCH_SIZE:
                self.stderr.write(f"  … line {report.lines:,}: {report.added:,} added")

        return import_ranges(lines, kind=kind, source=source, replace=replace, progress=progress)

    def _summary(self, report: ImportReport) -> None:
        for number, message in report.errors:
            self.stderr.write(f"line {number}: {message}")
        if report.invalid > len(report.errors):
            self.stderr.write(f"… and {report.invalid - len(report.errors)} more invalid lines")
        replaced = f", {report.replaced} old ranges replaced" if report.replaced else ""
        self.stdout.write(f"{report.source} ({report.kind}): {report.lines} lines read{replaced}")
        totals = dict(IpRange.objects.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
        rows = [("kind", "added", "duplicates", "invalid", "total")]
        for kind in RangeKind.values:
            mine = kind == report.kind
            counts = (report.added, report.duplicates, report.invalid) if mine else ("", "", "")
            rows.append((kind, *(str(c) for c in counts), str(totals.get(kind, 0))))
        widths = [max(len(row[i]) for row in rows) for i in range(5)]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in
                                        enumerate(zip(row, widths, strict=True))))  # fmt: skip
