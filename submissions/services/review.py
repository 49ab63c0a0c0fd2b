"""Manual review of a ``pending`` submission: approve it, or reject it with the reviewer's comment.

Spec §2.7 (``POST /v3/submission/review``) and §8.4: only ``pending`` submissions can be
reviewed; a rejection needs a comment and carries the code ``other`` with that comment as its
text. The dashboard calls these services (the review API will too).

Each review is ONE conditional UPDATE from ``pending`` (healthchecks' claim): two reviewers who
click at the same moment both send it, exactly one row changes, and the other is told the
submission was already decided, with nothing written. In the same transaction: the Event Log
entry (``submission.reviewed``: ids and codes, never the comment, which may quote personal data)
and the webhook outbox row, the ``approved`` / ``rejected`` event the worker emits for an
automatic decision (``process.outcome_emit``, spec §4.2 "final approval (auto, reviewer,
client review, dashboard)").

``reviewer`` becomes the admin's e-mail (§3.1 "who decided: … otherwise reviewer/admin
identity"); it is what the ``approved`` webhook's ``kyc_result.reviewer`` carries. An approval
assigns the ``applicant_id`` as an automatic approval does (``duplicates.applicant_assign``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from idcheck.errors import ApplicationError, ConflictError
from idcheck.lib.crypto import DecryptionError
from policy.evidence import DuplicateEvidence, Evidence
from policy.reject_codes import OTHER
from projects.actors import Actor
from projects.models import Project
from projects.services import audit_record
from submissions import duplicates, vault
from submissions.models import Submission, SubmissionStatus
from submissions.services.process import outcome_emit
from submissions.services.submission_access import SubmissionNotFound

MAX_COMMENT_LENGTH = 1000


class SubmissionAlreadyDecided(ConflictError):
    """The submission is no longer pending: someone (or the timeout) decided it first."""

    code = "already_decided"


class RejectCommentRequired(ApplicationError):
    code = "reject_comment_required"


def submission_review_approve(*, project: Project, submission_id: str, actor: Actor) -> Submission:
    """``pending`` → ``approved`` by ``actor`` (see the module doc)."""
    return submission_review_decide(project, submission_id, actor, status=SubmissionStatus.APPROVED, comment="")


def submission_review_reject(*, project: Project, submission_id: str, comment: str, actor: Actor) -> Submission:
    """``pending`` → ``rejected`` with code ``other`` and ``comment`` as its text (see the module doc)."""
    comment = comment.strip()
    if not comment:
        raise RejectCommentRequired("Reject comment is required")
    if len(comment) > MAX_COMMENT_LENGTH:
        raise RejectCommentRequired(f"The reject comment is longer than {MAX_COMMENT_LENGTH} characters.")
    return submission_review_decide(project, submission_id, actor, status=SubmissionStatus.REJECTED, comment=comment)


def _reviewer(actor: Actor) -> str:
    return actor.user.email if actor.user is not None else actor.label


@transaction.atomic
def submission_review_decide(
    project: Project, submission_id: str, actor: Actor, *, status: str, comment: str, reviewer: str = ""
) -> Submission:
    """``pending`` → ``status`` with ``comment`` (already checked), decided by ``reviewer`` or else
    ``actor`` (module doc); the review API's client review calls it with the admin's e-mail."""
    now = timezone.now()
    changed = Submission.objects.filter(project=project, pk=submission_id, status=SubmissionStatus.PENDING).update(
        status=status,
        reviewer=reviewer or _reviewer(actor),
        decided_at=now,
        updated_at=now,
        kyc_comment=[comment] if comment else [],
        kyc_comment_code=[OTHER] if status == SubmissionStatus.REJECTED else [],
    )
    if changed != 1:
        current = Submission.objects.filter(project=project, pk=submission_id).values_list("status", flat=True).first()
        if current is None:
            raise SubmissionNotFound()
        raise SubmissionAlreadyDecided(
            f"This submission was already decided ({current}); nothing was changed.", extra={"status": current}
        )
    submission = Submission.objects.select_related("project").get(pk=submission_id)
    if status == SubmissionStatus.APPROVED:
        duplicates.applicant_assign(submission, _duplicates(submission))
        submission.save(update_fields=["applicant_id"])
    audit_record(
        actor=actor,
        action="submission.reviewed",
        project=project,
        target_type="submission",
        target_id=submission.id,
        details={
            "status": status,
            "comment_code": OTHER if status == SubmissionStatus.REJECTED else None,
            "previous_status": SubmissionStatus.PENDING,
        },
    )
    outcome_emit(submission)
    return submission


def _duplicates(submission: Submission) -> DuplicateEvidence:
    """The run's duplicate findings; none when the evidence is unreadable (data key destroyed)."""
    try:
        stored = vault.open_json(submission, submission.sealed_evidence, context=vault.EVIDENCE_CONTEXT)
    except DecryptionError:
        return DuplicateEvidence()
    return Evidence.from_json(stored).duplicates if stored is not None else DuplicateEvidence()
