"""Reading an IP-range list and storing it (used by ``manage.py import_ip_ranges``).

Formats, detected line by line: one entry per line (``CIDR``, a bare address, or
``first-last``; text after ``#`` or whitespace is a comment), or CSV whose **first column** is
the entry (quoted fields allowed). Blank lines and lines starting with ``#`` or ``;`` are
skipped. A first line whose first column is not an address but a word (``network``, ``cidr``,
``ip_range``…) is a header and skipped. Every other line that does not parse is reported with
its line number and counted, and the import goes on.

An entry already stored for the same list (source and kind), or repeated in the file, counts as a
duplicate and is not inserted again. The whole import is one transaction: with ``replace`` the
list's old rows are deleted in it, so a look-up sees the old list or the new one, never a mix
or nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from network.addresses import InvalidNetwork, IPNetwork, network_keys, parse_entry
from network.models import IpRange

BATCH_SIZE = 5000
MAX_REPORTED = 50  # invalid lines shown one by one; the rest are only counted


@dataclass
class ImportReport:
    kind: str
    source: str
    lines: int = 0
    added: int = 0
    duplicates: int = 0
    invalid: int = 0
    replaced: int = 0  # rows of the list deleted by --replace
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message), the first MAX_REPORTED


def _entries(lines: Iterable[str], report: ImportReport) -> Iterator[IPNetwork]:
    header_possible = True
    for number, raw in enumerate(lines, start=1):
        report.lines = number
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith(("#", ";")):
            continue
        if "," in line:
            first = next(csv.reader([line]), [""])
            text = first[0].strip() if first else ""
        else:
            text = line.split("#", 1)[0].split()[0] if line.split("#", 1)[0].strip() else ""
        try:
            networks = parse_entry(text)
        except InvalidNetwork as exc:
            if header_possible and text and text.replace("_", "").replace(" ", "").isalpha():
                header_possible = False
                continue
            report.invalid += 1
            if len(report.errors) < MAX_REPORTED:
                report.errors.append((number, str(exc)))
            continue
        header_possible = False
        yield from networks


def import_ranges(
    lines: Iterable[str],
    *,
    kind: str,
    source: str,
    replace: bool = False,
    progress: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    report = ImportReport(kind=kind, source=source)
    now = timezone.now()
    with transaction.atomic():
        existing = IpRange.objects.filter(kind=kind, source=source)
        if replace:
            report.replaced, _ = existing.delete()
            seen: set[tuple[str, str]] = set()
        else:
            seen = set(existing.values_list("start", "end"))
        batch: list[IpRange] = []
        for network in _entries(lines, report):
            start, end = network_keys(network)
            if (start, end) in seen:
                report.duplicates += 1
                continue
            seen.add((start, end))
            batch.append(IpRange(kind=kind, source=source, cidr=str(network), version=network.version,
                                 start=start, end=end, imported_at=now))  # fmt: skip
            if len(batch) >= BATCH_SIZE:
                _flush(batch, report, progress)
        _flush(batch, report, progress)
    return report


def _flush(batch: list[IpRange], report: ImportReport, progress: Callable[[ImportReport], None] | None) -> None:
    if not batch:
        return
    IpRange.objects.bulk_create(batch, batch_size=BATCH_SIZE)
    report.added += len(batch)
    batch.clear()
    if progress is not None:
        progress(report)
