"""Writes of the submissions app."""

from __future__ import annotations

from django.db import transaction

from idcheck.errors import ApplicationError
from projects.actors import Actor
from projects.models import Project, ProjectStatus
from projects.services import audit_record, credits_debit_for_submission
from submissions.models import Submission, SubmissionSource


class ProjectNotAccepting(ApplicationError):
    code = "service_blocked"
    http_status = 403


def _ensure_project_accepts(project: Project) -> None:
    if project.status == ProjectStatus.CLOSED:
        raise ProjectNotAccepting("This project is closed and accepts no submissions.", code="project_closed")
    if project.emergency_stop:
        raise ProjectNotAccepting("Submissions are paused for this project (emergency stop).")


@transaction.atomic
def submission_create(*, project: Project, source: str, actor: Actor) -> Submission:
    """Open a submission and pay for it with one credit, atomically (G1)."""
    if source not in SubmissionSource.values:
        raise ApplicationError(f"Unknown submission source {source!r}.", code="invalid_source")
    fresh = Project.objects.get(pk=project.pk)
    _ensure_project_accepts(fresh)
    submission = Submission.objects.create(project=fresh, source=source)
    credits_debit_for_submission(project=fresh, submission=submission)
    audit_record(
        actor=actor,
        action="submission.created",
        project=fresh,
        target_type="submission",
        target_id=submission.id,
        details={"source": source},
    )
    return submission
