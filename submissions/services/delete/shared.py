"""What both deletions share: their Event Log entry and the removal of image rows and files.
The locked row, the named admin and the Idempotency-Key steps they share with the other admin
services live in ``services.submission_access`` and ``services.idempotency``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from projects.actors import Actor
from projects.models import User
from projects.services import audit_record
from submissions.models import ImageKind, Submission, SubmissionImage
from submissions.services.live_capture import live_capture_drop
from submissions.storage import image_files_delete


def deletion_audit(actor: Actor, submission: Submission, action: str, admin: User | None, **details: Any) -> None:
    """The deletion's Event Log entry: ids, names and counts, never a value (G19)."""
    audit_record(actor=actor, action=action, project=submission.project, target_type="submission",
                 target_id=submission.pk, details={**details, "admin_user_id": admin.pk if admin else None})  # fmt: skip


def submission_images_delete(submission: Submission, kinds: Iterable[str]) -> list[str]:
    """Delete the image rows of ``kinds`` (the selfie's with its filmed liveness frames); the
    files go after commit. Returns the kinds removed."""
    kinds = list(kinds)
    images = list(SubmissionImage.objects.filter(submission=submission, kind__in=kinds))
    files = [image.storage_name for image in images]
    SubmissionImage.objects.filter(pk__in=[image.pk for image in images]).delete()
    if ImageKind.SELFIE in kinds:
        live_capture_drop(submission)
    transaction.on_commit(lambda: image_files_delete(files))
    return sorted(image.kind for image in images)
