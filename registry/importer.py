"""Reading an identity registry file and storing it as hashes (``manage.py import_identity_registry``).

The file is CSV (UTF-8, a BOM is ignored, quoted fields allowed) whose first line is exactly the
header ``surname,given_names,birth_date,document_number,nationality`` (case and spaces around
names ignored). Each further line is one person:

=================  ========  ==================================================================
column             required  value
=================  ========  ==================================================================
surname            yes       as printed; normalised like the document's (``registry.providers``)
given_names        no        idem; empty: not compared
birth_date         yes       ``YYYY-MM-DD``
document_number    yes       letters and digits; spaces, dashes and ``<`` are dropped
nationality        no        ISO 3166-1 alpha-3 (``UTO``); empty: not compared
=================  ========  ==================================================================

Blank lines and lines starting with ``#`` are skipped. Any other line that does not fit is
reported with its line number; by default one bad line stops the import and nothing is written
(``skip_invalid`` imports the good lines anyway). A line equal to one already in the registry,
or repeated in the file, is counted as a duplicate and stored once.

Only keyed hashes of the normalised fields are stored (``registry.records``); the file itself
is never kept. The import is one transaction: with ``replace`` the registry's old records are
deleted in it, so a look-up sees the old registry or the new one, never a mix or nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from registry.models import IdentityRecord, IdentityRegistry
from registry.providers import normalise_country, normalise_document_number, normalise_name
from registry.records import field_hash

HEADER = ("surname", "given_names", "birth_date", "document_number", "nationality")
BATCH_SIZE = 5000
MAX_REPORTED = 50


class ImportRefused(Exception):
    def __init__(self, report: ImportReport):
        super().__init__(f"{report.invalid} invalid lines; nothing imported")
        self.report = report


@dataclass
class ImportReport:
    name: str
    lines: int = 0
    valid: int = 0
    added: int = 0
    duplicates: int = 0
    invalid: int = 0
    replaced: int = 0  # records deleted by replace
    total: int = 0  # records in the registry afterwards
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message), the first MAX_REPORTED

    def error(self, number: int, message: str) -> None:
        self.invalid += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append((number, message))


def _normalised(row: list[str]) -> tuple[str, str, str, str, str]:
    """The row's normalised values, or ValueError naming the first problem (never the value:
    the report may be logged)."""
    if len(row) != len(HEADER):
        raise ValueError(f"expected {len(HEADER)} columns, found {len(row)}")
    surname, given, birth, number, nationality = (cell.strip() for cell in row)
    values = (normalise_name(surname), normalise_name(given))
    if not values[0]:
        raise ValueError("surname is empty")
    try:
        birth_date = dt.date.fromisoformat(birth) if len(birth) == 10 else None
    except ValueError:
        birth_date = None
    if birth_date is None:
        raise ValueError("birth_date is not a date YYYY-MM-DD")
    document = normalise_document_number(number)
    if not document:
        raise ValueError("document_number is empty")
    country = normalise_country(nationality)
    if nationality and not country:
        raise ValueError("nationality is not an ISO 3166-1 alpha-3 code")
    return values[0], values[1], birth_date.isoformat(), document, country


def read_records(lines: Iterable[str], report: ImportReport) -> list[tuple[str, str, str, str, str]]:
    """The file's distinct normalised records, errors in ``report``."""
    records: dict[tuple[str, str, str, str, str], None] = {}
    header_seen = False
    for number, row in enumerate(csv.reader(lines), start=1):
        report.lines = number
        if not row or all(not cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if not header_seen:
            header_seen = True
            names = tuple(cell.strip().lstrip("\ufeff").lower() for cell in row)
            if names != HEADER:
                report.error(number, f"the header must be {','.join(HEADER)}")
                return []
            continue
        try:
            values = _normalised(row)
        except ValueError as exc:
            report.error(number, str(exc))
            continue
        report.valid += 1
        if values in records:
            report.duplicates += 1
        records[values] = None
    if not header_seen:
        report.error(max(report.lines, 1), f"no header: the file must start with {','.join(HEADER)}")
    return list(records)


def _hashed(registry: IdentityRegistry, values: tuple[str, str, str, str, str]) -> IdentityRecord:
    surname, given, birth, document, nationality = values
    return IdentityRecord(
        registry=registry,
        surname_hash=field_hash("surname", surname),
        given_names_hash=field_hash("given_names", given),
        birth_date_hash=field_hash("birth_date", birth),
        document_number_hash=field_hash("document_number", document),
        nationality_hash=field_hash("nationality", nationality),
    )


def import_registry(lines: Iterable[str], *, name: str, replace: bool = False,
                    skip_invalid: bool = False) -> ImportReport:  # fmt: skip
    """Import ``lines`` into the registry ``name`` (created when new); :class:`ImportRefused`
    when a line is invalid and ``skip_invalid`` is off."""
    report = ImportReport(name=name)
    records = read_records(lines, report)
    if report.invalid and not (skip_invalid and report.valid):
        raise ImportRefused(report)
    with transaction.atomic():
        registry, _ = IdentityRegistry.objects.select_for_update().get_or_create(name=name)
        if replace:
            report.replaced, _ = registry.records.all().delete()
        before = 0 if replace else registry.records.count()
        for start in range(0, len(records), BATCH_SIZE):
            batch = [_hashed(registry, values) for values in records[start : start + BATCH_SIZE]]
            IdentityRecord.objects.bulk_create(batch, ignore_conflicts=True)
        report.total = registry.records.count()
        report.added = report.total - before
        report.duplicates += len(records) - report.added
        registry.record_count, registry.imported_at = report.total, timezone.now()
        registry.save(update_fields=["record_count", "imported_at"])
    return report
