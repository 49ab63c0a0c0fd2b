"""The integrator reviews a ``pending`` submission through the API (spec §2.7
``POST /v3/submission/review``), when the project's reviewer setting is Client API (§8.13).

The checks run in the spec's spirit and this order, each refusal with the spec's sentence and
nothing written: what the request itself says (``admin``, ``submissionId``, ``status``,
``updateFields`` and, for a rejection, ``rejectComment``), then who is asking (``admin`` must be
an active member of the project), then the submission (``Invalid Submission Id.`` also for a
deleted one or another project's), then the project's reviewer setting, then the status.

``updateFields`` (``fullName``, ``gender``, ``issueDate``, ``expireDate``, ``birthDate``,
``idType``) are corrections made while reviewing: they go through ``submission_update``, so
they are checked the same way, recorded by name in the Event Log and announced with the
``updated`` webhook, and then the review decides, with the ``approved`` / ``rejected`` webhook.
Both happen in one transaction on the locked row: a refused correction, or another reviewer
deciding first, leaves everything as it was. The ``reviewer`` is the admin's e-mail.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from idcheck.errors import ApplicationError
from policy import selectors as policy_selectors
from projects.actors import Actor
from projects.models import Project
from submissions.models import Submission, SubmissionStatus
from submissions.services.idempotency import (
    idempotency_key_check,
    idempotency_remember,
    idempotency_replay,
    request_fingerprint,
)
from submissions.services.review import MAX_COMMENT_LENGTH, submission_review_decide
from submissions.services.submission_access import admin_named
from submissions.services.update import submission_update

UPDATE_FIELDS = ("fullName", "gender", "issueDate", "expireDate", "birthDate", "idType")
STATUSES = (SubmissionStatus.APPROVED, SubmissionStatus.REJECTED)
CLIENT_REVIEWER = "client_api"


class ClientReviewRefused(ApplicationError):
    code = "client_review_refused"


def submission_review_by_client(
    *,
    project: Project,
    submission_id: str,
    admin: str,
    status: str,
    reject_comment: str = "",
    update_fields: Any = None,
    actor: Actor,
    idempotency_key: str = "",
) -> Submission:
    """Approve or reject one pending submission of ``project`` for ``admin`` (module doc)."""
    _check_request(submission_id, admin, status, reject_comment, update_fields)
    idempotency_key_check(idempotency_key)
    comment = reject_comment.strip() if status == SubmissionStatus.REJECTED else ""
    fingerprint = request_fingerprint(operation="client_review", submission_id=submission_id,
                                      admin=admin.strip().lower(), status=status, comment=comment,
                                      update_fields=update_fields or {})  # fmt: skip
    return _client_review(project, submission_id, admin, status, comment, update_fields or {}, actor,
                          idempotency_key, fingerprint)  # fmt: skip


def _check_request(submission_id: str, admin: str, status: str, reject_comment: str, update_fields: Any) -> None:
    if not admin.strip():
        raise ClientReviewRefused("admin is required.")
    if not submission_id.strip():
        raise ClientReviewRefused("Submission Id is required.")
    if status not in STATUSES:
        raise ClientReviewRefused("Invalid status")
    if update_fields is not None and (
        not isinstance(update_fields, Mapping) or set(update_fields) - set(UPDATE_FIELDS)
    ):
        raise ClientReviewRefused("Invalid data format.")
    if status == SubmissionStatus.REJECTED:
        if not reject_comment.strip():
            raise ClientReviewRefused("Reject comment is required")
        if len(reject_comment.strip()) > MAX_COMMENT_LENGTH:
            raise ClientReviewRefused(f"The reject comment is longer than {MAX_COMMENT_LENGTH} characters.")


@transaction.atomic
def _client_review(
    project: Project,
    submission_id: str,
    admin: str,
    status: str,
    comment: str,
    update_fields: Mapping[str, Any],
    actor: Actor,
    idempotency_key: str,
    fingerprint: str,
) -> Submission:
    if (replayed := idempotency_replay(project, idempotency_key, fingerprint)) is not None:
        return replayed
    member = admin_named(project, admin)
    if member is None:
        raise ClientReviewRefused("Access denied. The admin is not registered in the project.")
    submission = Submission.objects.select_for_update(of=("self",)).filter(project=project, pk=submission_id).first()
    if submission is None or not submission.wrapped_data_key:
        raise ClientReviewRefused("Invalid Submission Id.")
    settings_, _ = policy_selectors.project_policy(project)
    if settings_.reviewer != CLIENT_REVIEWER:
        raise ClientReviewRefused("This submission cannot be reviewed by client")
    if submission.status != SubmissionStatus.PENDING:
        raise ClientReviewRefused("Only submissions in pending status can be reviewed")
    if update_fields:
        submission_update(project=project, submission_id=submission_id, changes=update_fields, admin=admin,
                          actor=actor)  # fmt: skip
    reviewed = submission_review_decide(
        project, submission_id, actor, status=status, comment=comment, reviewer=member.email
    )
    idempotency_remember(project, idempotency_key, fingerprint, reviewed)
    return reviewed
