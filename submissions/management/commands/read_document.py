"""``manage.py read_document IMAGE [IMAGE…] [--json] [--today YYYY-MM-DD] [--back IMAGE] [--no-visual]``.

Reads each photo with the document engine and prints one JSON object per image (``--json``)
or a short human summary. With ``--back``, the images are fronts of the document whose back
(MRZ or barcode side) is given: their printed fields are checked against it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from submissions.pipeline.document import DocumentReading, read_document
from submissions.pipeline.intake import ImageRejected


class Command(BaseCommand):
    help = "Read identity documents (MRZ, AAMVA PDF417) from photos."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("images", nargs="+", type=Path)
        parser.add_argument("--json", action="store_true", help="One JSON object per image on stdout.")
        parser.add_argument("--today", type=dt.date.fromisoformat, help="Date for expiry checks (default: today, UTC).")
        parser.add_argument("--back", type=Path, help="The back of the card whose fronts are given: cross-check them.")
        parser.add_argument("--no-visual", action="store_true", help="Skip the visual zone (OCR): MRZ/PDF417 only.")

    def handle(self, *args: Any, **options: Any) -> None:
        failures = 0
        read = functools.partial(read_document, today=options["today"], visual=not options["no_visual"])
        back = None
        if options["back"] is not None:
            try:
                back = read(options["back"].read_bytes())
            except OSError as exc:
                raise CommandError(f"{options['back']}: {exc.strerror}") from None
            except ImageRejected as exc:
                raise CommandError(f"{options['back']}: refused ({exc.code}): {exc.message}") from None
            if not back.machine_readable:
                raise CommandError(f"{options['back']}: no MRZ or PDF417 found on the back.")
        for path in options["images"]:
            try:
                reading = read(path.read_bytes(), other_side=back)
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror}") from None
            except ImageRejected as exc:
                failures += 1
                self._refused(path, exc, as_json=options["json"])
                continue
            if options["json"]:
                self.stdout.write(json.dumps(reading.as_json(file=str(path))))
            else:
                self.stdout.write(_summary(path, reading))
        if failures == len(options["images"]):
            raise CommandError("No image could be read.")

    def _refused(self, path: Path, exc: ImageRejected, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps({"file": str(path), "error": {"code": exc.code, "message": exc.message}}))
        else:
            self.stderr.write(f"{path}: refused ({exc.code}): {exc.message}")


def _summary(path: Path, reading: DocumentReading) -> str:
    lines = [f"{path}: {reading.kind}  ({reading.timing_ms['total']:.0f} ms)"]
    if reading.mrz is not None:
        lines += [f"  {line}" for line in reading.mrz.lines]
        lines.append(f"  check digits: {'all pass' if reading.mrz.valid else 'FAILED'}")
    fields = reading.fields
    if fields is not None:
        for key, value in fields.as_json().items():
            if value is not None:
                lines.append(f"  {key:16} {value}")
    if reading.visual is not None:
        for check in reading.visual.checks:
            lines.append(f"  printed {check.field:16} {check.status}: {check.printed or '-'}")
    for warning in reading.warnings:
        lines.append(f"  ! {warning.code} ({warning.confidence:.0%}) {warning.detail}".rstrip())
    return "\n".join(lines)
