"""Writes of the submissions app."""

from __future__ import annotations

from django.db import transaction

from idcheck.errors import ApplicationError
from projects.actors import Actor
from projects.models import Project
from projects.services import audit_record, credits_debit_for_submission
from submissions.models import Submission, SubmissionSource


@transaction.atomic
def submission_create(*, project: Project, source: str, actor: Actor) -> Submission:
    """Open a submission and pay for it with one credit, atomically (G1).

    The debit refuses closed and emergency-stopped projects in the same statement; the
    refusal rolls the new row back with it.
    """
    if source not in SubmissionSource.values:
        raise ApplicationError(f"Unknown submission source {source!r}.", code="invalid_source")
    submission = Submission.objects.create(project=project, source=source)
    credits_debit_for_submission(project=project, submission=submission)
    audit_record(
        actor=actor,
        action="submission.created",
        project=project,
        target_type="submission",
        target_id=submission.id,
        details={"source": source},
    )
    return submission
