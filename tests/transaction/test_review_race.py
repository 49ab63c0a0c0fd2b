"""Reviewers deciding the same Pending submission at the same moment: exactly one decision counts."""

from __future__ import annotations

from unittest import mock

import pytest

from projects.actors import Actor
from projects.models import AuditEvent
from submissions.models import Submission
from submissions.services import SubmissionAlreadyDecided, submission_review_approve, submission_review_reject
from tests.factories import ProjectFactory
from tests.submissions.dashboard.helpers import pending_policy, pending_submission
from webhooks.models import WebhookOutbox

pytestmark = pytest.mark.django_db(transaction=True)


def test_of_eight_simultaneous_reviews_exactly_one_decides(run_in_threads):
    # given: a Pending submission from a real run, and eight reviewers, half approving, half rejecting
    project = ProjectFactory(credits=10)
    pending_policy(project)
    with mock.patch("submissions.services.create.run_enqueue"):
        submission = pending_submission(project)

    def review(index: int) -> Submission:
        actor = Actor.system(f"reviewer-{index}")
        if index % 2:
            return submission_review_reject(project=project, submission_id=submission.pk, comment="No.", actor=actor)
        return submission_review_approve(project=project, submission_id=submission.pk, actor=actor)

    # when
    results = run_in_threads(review, 8)

    # then: one winner, seven told it was already decided, one Event Log row and one webhook
    winners = [r for r in results if isinstance(r, Submission)]
    refused = [r for r in results if isinstance(r, SubmissionAlreadyDecided)]
    assert (len(winners), len(refused)) == (1, 7)
    decided = Submission.objects.get(pk=submission.pk)
    assert (decided.status, decided.reviewer) == (winners[0].status, winners[0].reviewer)
    assert AuditEvent.objects.filter(project=project, action="submission.reviewed").count() == 1
    events = WebhookOutbox.objects.filter(resource_id=submission.pk).order_by("pk").values_list("event", flat=True)
    assert list(events) == ["created", "submit", decided.status]
