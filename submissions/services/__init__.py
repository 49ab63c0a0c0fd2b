"""Writes of the submissions app: creating a submission, running its verification, and an admin's
review, change and deletion of it."""

from __future__ import annotations

from submissions.services.create import FieldsReview, ImageRefused, SubmissionDetails, submission_create
from submissions.services.delete import SubmissionNotFound, submission_delete, submission_delete_partial
from submissions.services.idempotency import IdempotencyConflict, IdempotencyMismatch
from submissions.services.images import (
    ImageFile,
    ImageNotFound,
    SubmissionBeingVerified,
    SubmissionNotWaiting,
    submission_image_read,
    submission_images_replace,
    submission_images_update,
)
from submissions.services.live_capture import LiveCapture
from submissions.services.liveform_tokens import TokenRefused, liveform_token_use, liveform_tokens_expire_due
from submissions.services.memo import MAX_MEMO_LENGTH, Memo, MemoTooLong, memo_open, submission_memo_set
from submissions.services.migration import MigrationFailed, MigrationRefused, submission_migrate
from submissions.services.process import (
    MAX_ATTEMPTS,
    SweepReport,
    submission_process,
    submissions_requeue_stuck,
)
from submissions.services.retry import RETRY_CODES
from submissions.services.review import (
    RejectCommentRequired,
    SubmissionAlreadyDecided,
    submission_review_approve,
    submission_review_reject,
)
from submissions.services.timeout import submissions_expire_incomplete
from submissions.services.update import SubmissionUpdate, SubmissionUpdateRefused, submission_update

__all__ = [
    "MAX_ATTEMPTS",
    "MAX_MEMO_LENGTH",
    "RETRY_CODES",
    "FieldsReview",
    "IdempotencyConflict",
    "IdempotencyMismatch",
    "ImageFile",
    "ImageNotFound",
    "ImageRefused",
    "LiveCapture",
    "Memo",
    "MemoTooLong",
    "MigrationFailed",
    "MigrationRefused",
    "RejectCommentRequired",
    "SubmissionAlreadyDecided",
    "SubmissionBeingVerified",
    "SubmissionDetails",
    "SubmissionNotFound",
    "SubmissionNotWaiting",
    "SubmissionUpdate",
    "SubmissionUpdateRefused",
    "SweepReport",
    "TokenRefused",
    "submission_create",
    "submission_delete",
    "submission_delete_partial",
    "liveform_token_use",
    "liveform_tokens_expire_due",
    "memo_open",
    "submission_image_read",
    "submission_images_replace",
    "submission_images_update",
    "submission_memo_set",
    "submission_migrate",
    "submission_process",
    "submission_review_approve",
    "submission_review_reject",
    "submission_update",
    "submissions_expire_incomplete",
    "submissions_requeue_stuck",
]
