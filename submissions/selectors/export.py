"""The dashboard list's CSV export: which rows (bounded) and each row's decision and metadata."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from idcheck.lib.crypto import DecryptionError
from projects.models import Project
from submissions import vault
from submissions.models import Submission
from submissions.selectors.search import SubmissionFilters, filtered_submissions, holder_named, name_words

EXPORT_MAX_ROWS = 10_000  # rows a CSV export of the list may read (and so write)
EXPORT_CHUNK = 500


def submission_export_ids(*, project: Project, filters: SubmissionFilters, limit: int) -> list[str] | None:
    """The ids of every submission the list shows with ``filters``, in its order; None when more
    than ``limit`` rows would have to be read (a name search reads each candidate's evidence)."""
    candidates = filtered_submissions(project, filters).order_by(*filters.order)
    if not filters.name:
        ids = list(candidates.values_list("pk", flat=True)[: limit + 1])
        return ids if len(ids) <= limit else None
    words, matched = name_words(filters.name), []
    rows = candidates.only("pk", "wrapped_data_key", "sealed_evidence")[: limit + 1]
    for read, row in enumerate(rows.iterator(chunk_size=EXPORT_CHUNK), start=1):
        if read > limit:
            return None
        if holder_named(row, words):
            matched.append(row.pk)
    return matched


@dataclass(frozen=True)
class ExportRow:
    submission: Submission
    deciding: str  # what set the status (policy.engine.Decision.deciding); "" before a decision
    email: str  # "" unless asked for (``with_pii``)
    userid: str


def submission_export_rows(*, project: Project, ids: list[str], with_pii: bool) -> Iterator[ExportRow]:
    """The rows of ``ids`` in that order, read and opened ``EXPORT_CHUNK`` at a time; the sealed
    metadata is opened only ``with_pii``."""
    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk = ids[start : start + EXPORT_CHUNK]
        found = Submission.objects.filter(project=project, pk__in=chunk).defer("sealed_evidence", "sealed_memo")
        by_id = {row.pk: row for row in found}
        for pk in chunk:
            yield _export_row(by_id[pk], with_pii=with_pii)


def _export_row(submission: Submission, *, with_pii: bool) -> ExportRow:
    try:
        decision = vault.open_json(submission, submission.sealed_decision, context=vault.DECISION_CONTEXT) or {}
        metadata = (
            vault.open_json(submission, submission.sealed_metadata, context=vault.METADATA_CONTEXT) or {}
            if with_pii
            else {}
        )
    except DecryptionError:
        decision, metadata = {}, {}
    return ExportRow(submission, decision.get("deciding") or "", metadata.get("email") or "",
                     metadata.get("userid") or "")  # fmt: skip
