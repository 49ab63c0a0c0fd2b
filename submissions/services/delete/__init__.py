"""Deleting a submission's personal data: all of it (spec §2.5, ``full``) or the listed parts
(§2.6, ``partial``), G19; ``shared`` holds what both use.

Both services work in one transaction on the row locked with ``select_for_update``; image files
are removed only after commit, so a rollback loses nothing. Each deletion writes one
``submission.deleted`` / ``submission.partially_deleted`` Event Log entry (ids, field names and
counts, never a value).

Every name is importable from here; ``SubmissionNotFound`` (``services.submission_access``) too,
the answer both give for an unknown or deleted submission.
"""

from submissions.services.delete.full import DELETED_RUN, submission_delete
from submissions.services.delete.partial import (
    DATA_FIELDS,
    DOCUMENT_STEPS,
    PARTIAL_FIELDS,
    PartialDeletion,
    submission_delete_partial,
)
from submissions.services.submission_access import SubmissionNotFound

__all__ = [
    "DATA_FIELDS",
    "DELETED_RUN",
    "DOCUMENT_STEPS",
    "PARTIAL_FIELDS",
    "PartialDeletion",
    "SubmissionNotFound",
    "submission_delete",
    "submission_delete_partial",
]
