"""Writes of the submissions app: creating a submission and running its verification."""

from __future__ import annotations

from submissions.services.create import (
    IdempotencyConflict,
    IdempotencyMismatch,
    ImageRefused,
    SubmissionDetails,
    submission_create,
)
from submissions.services.process import (
    MAX_ATTEMPTS,
    SweepReport,
    submission_process,
    submissions_requeue_stuck,
)

__all__ = [
    "MAX_ATTEMPTS",
    "IdempotencyConflict",
    "IdempotencyMismatch",
    "ImageRefused",
    "SubmissionDetails",
    "SweepReport",
    "submission_create",
    "submission_process",
    "submissions_requeue_stuck",
]
