"""``manage.py import_watchlist FILE --source NAME [--format ftm|simple|csv] [--category SAN]``.

Replaces the source's entries with the file's in one transaction (``policy.aml.services``) and
records its new version, then queues the rescreen of every monitored record (ongoing
monitoring, ``policy.aml.monitoring``); prints a progress line every 50,000 entries and a summary table. The
format defaults from the file name: ``.json``/``.jsonl``/``.ftm`` → ftm, a CSV whose header
starts with ``id,schema`` → simple, any other CSV → csv (the plain
``name,aliases,birth_date,nationality,category,source``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from policy.aml.formats import CATEGORIES, FORMATS, WatchlistFormatError
from policy.aml.monitoring import aml_monitor_rescreen_queue
from policy.aml.services import watchlist_import
from projects.actors import Actor


def guess_format(path: Path) -> str:
    if path.suffix.lower() in {".json", ".jsonl", ".ftm", ".ijson"}:
        return "ftm"
    with path.open(encoding="utf-8-sig") as handle:
        first = handle.readline().strip().lower()
    return "simple" if first.startswith("id,schema") else "csv"


class Command(BaseCommand):
    help = "Import (or re-import, replacing it) an AML watch list."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--source", required=True, help="The list's name; a re-import replaces it.")
        parser.add_argument("--format", choices=FORMATS, dest="file_format", help="Default: from the file.")
        parser.add_argument("--category", choices=CATEGORIES, default="SAN",
                            help="Category of OpenSanctions entities without a known topic (default SAN).")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Cannot read {path}: no such file.")
        file_format = options["file_format"] or guess_format(path)
        self.stdout.write(f"Importing {path.name} as {file_format} into source {options['source']!r}…")
        try:
            report = watchlist_import(
                source=options["source"], path=path, file_format=file_format, actor=Actor.system("cli"),
                default_category=options["category"],
                progress=lambda count: self.stdout.write(f"  {count:,} entries read"),
            )  # fmt: skip
        except WatchlistFormatError as exc:
            raise CommandError(f"{path.name} was not imported, nothing changed: {exc}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path.name} was not imported, nothing changed: it is not UTF-8 text.") from None
        rows = [
            ("source", report.source),
            ("format", report.file_format),
            ("version", str(report.version)),
            ("entries", f"{report.entries:,} (before: {report.previous_entries:,})"),
            ("sha256", report.file_sha256),
            ("time", f"{report.seconds:.1f} s"),
        ]
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            self.stdout.write(f"  {label.ljust(width)}  {value}")
        self.stdout.write(self.style.SUCCESS(f"Source {report.source} is now version {report.version}."))
        # The import has committed: monitored records are rescreened against the list just stored.
        aml_monitor_rescreen_queue()
        self.stdout.write("Rescreening of the monitored records queued.")
