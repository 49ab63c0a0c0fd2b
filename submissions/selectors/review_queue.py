"""The review queue: pending submissions, oldest first."""

from __future__ import annotations

from dataclasses import dataclass

from projects.models import Project
from submissions.models import Submission, SubmissionStatus
from submissions.selectors.lists import keyset_beyond


@dataclass(frozen=True)
class ReviewQueue:
    """Where a pending submission sits in the review queue (pending, oldest first)."""

    previous: str | None  # the submission id before it, None at the head
    next: str | None  # the one after it, None at the tail


def review_queue_oldest(*, project: Project) -> Submission | None:
    """The head of the review queue: the oldest pending submission."""
    pending = Submission.objects.filter(project=project, status=SubmissionStatus.PENDING)
    return pending.order_by("created_at", "id").first()


def review_queue_position(*, project: Project, submission: Submission) -> ReviewQueue:
    """The pending submissions on either side of ``submission`` in queue order."""
    pending = Submission.objects.filter(project=project, status=SubmissionStatus.PENDING)
    key = (submission.created_at, submission.pk)
    before = pending.filter(keyset_beyond(key, forward=False)).order_by("-created_at", "-id").values_list("pk", flat=True)
    after = pending.filter(keyset_beyond(key, forward=True)).order_by("created_at", "id").values_list("pk", flat=True)
    return ReviewQueue(previous=before.first(), next=after.first())
