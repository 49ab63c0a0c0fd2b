"""What both deletions share, and the steps other admin actions on one submission reuse
(update, memo, AML review, client review, migration, images): the locked row or
:class:`SubmissionNotFound`, the admin ``admin_name`` names, the Idempotency-Key's fingerprint;
and, for the deletions alone, their Event Log entry and the removal of image rows and files.

The helpers keep their leading underscore because those services import them by these names
from ``submissions.services.delete``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from idcheck.errors import ApplicationError
from projects.actors import Actor
from projects.models import Membership, Project, User
from projects.services import audit_record
from submissions.models import ImageKind, Submission, SubmissionImage
from submissions.services.create import MAX_IDEMPOTENCY_KEY_LENGTH
from submissions.services.live_capture import live_capture_drop
from submissions.storage import image_files_delete


class SubmissionNotFound(ApplicationError):
    """No such submission in the project, or it was deleted already (§2.5's answer)."""

    code = "not_found"
    http_status = 400

    def __init__(self) -> None:
        super().__init__("not Exist Submission Data")


def _fingerprint(**request: Any) -> str:
    return hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()


def _check_key(idempotency_key: str) -> None:
    if len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise ApplicationError("invalid format: Idempotency-Key", code="invalid_format")


def _locked(project: Project, submission_id: str) -> Submission:
    submission = (
        Submission.objects.select_for_update(of=("self",))  # the row, not the joined project
        .select_related("project")
        .filter(project=project, pk=submission_id)
        .first()
    )
    if submission is None or not submission.wrapped_data_key:
        raise SubmissionNotFound()
    return submission


def _admin(project: Project, admin_name: str) -> User | None:
    """The project member ``admin_name`` names (an e-mail, any case), else None."""
    if not admin_name:
        return None
    membership = (
        Membership.objects.filter(project=project, user__email__iexact=admin_name.strip(), user__is_active=True)
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


def _audit(actor: Actor, submission: Submission, action: str, admin: User | None, **details: Any) -> None:
    """The deletion's Event Log entry: ids, names and counts, never a value (G19)."""
    audit_record(actor=actor, action=action, project=submission.project, target_type="submission",
                 target_id=submission.pk, details={**details, "admin_user_id": admin.pk if admin else None})  # fmt: skip


def _images_delete(submission: Submission, kinds: Iterable[str]) -> list[str]:
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
