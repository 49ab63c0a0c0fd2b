"""Writes and screenings of the AML watch lists (spec §8.12).

* :func:`watchlist_import` replaces one source's entries with a file's, in ONE transaction: the
  source row is locked, its entries deleted and the new ones inserted in batches, and its
  version, file hash, count and time recorded, so screenings see the old list or the new one,
  never a mix; a file that fails to parse changes nothing. Event Log: ``aml.watchlist_imported``.
* :func:`aml_screen` screens one person against every imported list and returns the result;
  the caller (``submissions.services.aml``) stores it with the submission, because the result
  is about that person and is sealed under the submission's data key.

The matcher's index is built in process per set of list versions and cached
(``policy.aml.index``); a list import anywhere makes the next screening rebuild it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from policy.aml.formats import FORMATS, ParsedEntry, WatchlistFormatError, parse
from policy.aml.index import watchlist_index
from policy.aml.matching import Match, Person
from policy.aml.models import ProjectAmlSettings, WatchlistEntry, WatchlistSource
from policy.aml.monitoring import aml_worklist_default
from projects.actors import Actor
from projects.models import Project
from projects.services import audit_record

BATCH = 5_000
PROGRESS_EVERY = 50_000
RED_FLAG, NOT_SCREENED = "Red Flag", "Not Screened"
_RISK_ORDER = ("HIGH", "MEDIUM", "LOW")


@dataclass(frozen=True)
class ImportReport:
    source: str
    file_format: str
    version: int
    entries: int
    previous_entries: int
    file_sha256: str
    seconds: float


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@transaction.atomic
def watchlist_import(
    *,
    source: str,
    path: Path,
    file_format: str,
    actor: Actor,
    default_category: str = "SAN",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Replace source ``source`` with the entries of ``path`` (see the module doc).
    ``WatchlistFormatError`` (with the line) when the file is not the format; nothing changes."""
    source = source.strip()
    if not source or len(source) > 80:
        raise WatchlistFormatError(0, "the source name must have 1 to 80 characters")
    if file_format not in FORMATS:
        raise WatchlistFormatError(0, f"unknown format {file_format!r} (one of {', '.join(FORMATS)})")
    started = timezone.now()
    digest = file_sha256(path)
    row, created = WatchlistSource.objects.get_or_create(
        name=source, defaults={"file_format": file_format, "file_sha256": digest, "version": 0}
    )
    row = WatchlistSource.objects.select_for_update().get(pk=row.pk)
    previous = row.entry_count
    row.entries.all().delete()
    with path.open(encoding="utf-8-sig", newline="") as stream:
        count = _insert(row, parse(stream, file_format, default_category=default_category), progress)
    row.file_format, row.file_sha256, row.entry_count = file_format, digest, count
    row.version += 1
    row.imported_at = timezone.now()
    row.save()
    audit_record(actor=actor, action="aml.watchlist_imported", target_type="watchlist", target_id=source,
                 details={"version": row.version, "format": file_format, "entries": count, "previous_entries": previous,
                          "sha256": digest})  # fmt: skip
    seconds = (row.imported_at - started).total_seconds()
    return ImportReport(source, file_format, row.version, count, previous, digest, seconds)


def _insert(source: WatchlistSource, entries: Iterable[ParsedEntry], progress: Callable[[int], None] | None) -> int:
    batch: list[WatchlistEntry] = []
    count = 0
    for entry in entries:
        batch.append(WatchlistEntry(source=source, external_id=entry.external_id, name=entry.name,
                                    aliases=list(entry.aliases), birth_dates=list(entry.birth_dates),
                                    nationalities=list(entry.nationalities), category=entry.category,
                                    risk_level=entry.risk_level))  # fmt: skip
        count += 1
        if len(batch) >= BATCH:
            WatchlistEntry.objects.bulk_create(batch)
            batch = []
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    WatchlistEntry.objects.bulk_create(batch)
    return count


@dataclass(frozen=True)
class AmlResult:
    """One screening: ``Red Flag`` with its matches (best first), or ``Not Screened`` (none)."""

    threshold: int
    matches: tuple[Match, ...] = ()
    list_versions: dict[str, int] = field(default_factory=dict)

    @property
    def current_status(self) -> str:
        return RED_FLAG if self.matches else NOT_SCREENED

    @property
    def risk_level_summary(self) -> str:
        levels = {match.profile.risk_level for match in self.matches}
        return next((level for level in _RISK_ORDER if level in levels), NOT_SCREENED)


def aml_screen(*, person: Person, threshold: int) -> AmlResult:
    """Screen ``person`` against every imported list at ``threshold`` (0–100)."""
    index, versions = watchlist_index()
    return AmlResult(threshold, tuple(index.screen(person, threshold)), versions)


@transaction.atomic
def aml_settings_store(
    *, project: Project, screening: bool | None = None, threshold: int | None = None, monitoring: bool | None = None
) -> None:
    """The project settings registry's writer for ``aml_screening`` / ``aml_threshold`` /
    ``aml_monitoring`` (it validates and writes the Event Log entry)."""
    row, _ = ProjectAmlSettings.objects.select_for_update().get_or_create(project=project)
    if screening is not None:
        row.screening = screening
    if monitoring is not None:
        row.monitoring = monitoring
    if monitoring:
        aml_worklist_default(project)  # its id is shown at once, for POST /v3/submission/aml/monitor/{worklistId}
    if threshold is not None:
        row.threshold = threshold
    row.save()
