"""Approve / reject a Pending submission from the dashboard: one conditional update, one Event
Log row, one webhook outbox row; a second decision, a missing comment or a viewer change nothing."""

from __future__ import annotations

import pytest

from idcheck.timeformat import format_compact
from projects.models import AuditEvent, Role
from submissions.models import Submission, SubmissionStatus
from submissions.services.delete import SubmissionNotFound
from submissions.services.review import SubmissionAlreadyDecided, submission_review_approve, submission_review_reject
from tests.submissions.dashboard.helpers import ACTOR, client_for, member, pending_policy, pending_submission
from webhooks.models import WebhookOutbox


def _outbox(submission) -> list[str]:
    rows = WebhookOutbox.objects.filter(resource_id=submission.pk).order_by("pk")
    return list(rows.values_list("event", flat=True))


def _reviews(project) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(project=project, action="submission.reviewed"))


def _row(submission) -> dict:
    return Submission.objects.values().get(pk=submission.pk)


@pytest.fixture
def pending(project):
    pending_policy(project)
    return pending_submission(project)


def test_an_owner_approves_a_pending_submission_with_one_event_and_one_webhook(project, owner, pending):
    # given
    client = client_for(owner)
    events_before = AuditEvent.objects.filter(project=project).count()

    # when
    response = client.post(f"/dashboard/p/{project.pid}/submissions/{pending.pk}/approve/")

    # then
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/p/{project.pid}/submissions/{pending.pk}/"
    pending.refresh_from_db()
    assert (pending.status, pending.reviewer, pending.kyc_comment, pending.kyc_comment_code) == (
        SubmissionStatus.APPROVED, owner.email, [], [],
    )  # fmt: skip
    assert len(pending.applicant_id) == 20
    assert AuditEvent.objects.filter(project=project).count() == events_before + 1
    (review,) = _reviews(project)
    assert (review.actor_user_id, review.target_id) == (owner.pk, pending.pk)
    assert review.details == {"status": "approved", "comment_code": None, "previous_status": "pending"}
    assert _outbox(pending) == ["created", "submit", "approved"]
    stamp = format_compact(pending.decided_at)
    assert WebhookOutbox.objects.get(resource_id=pending.pk, event="approved").payload == {
        "webhook_trigger": "approved",
        "submission_id": pending.pk,
        "kyc_result": {
            "status": "approved",
            "created_at": format_compact(pending.created_at),
            "updated_at": stamp,
            "kyc_result_at": stamp,
            "reviewer": owner.email,
        },
    }


def test_a_reviewer_rejects_with_a_comment_sent_as_code_other(project, pending):
    # given
    reviewer = member(project, Role.REVIEWER)
    client = client_for(reviewer)

    # when
    response = client.post(
        f"/dashboard/p/{project.pid}/submissions/{pending.pk}/reject/", {"comment": "  The selfie is a printed photo. "}
    )

    # then
    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.reviewer, pending.kyc_comment, pending.kyc_comment_code, pending.applicant_id) == (
        SubmissionStatus.REJECTED, reviewer.email, ["The selfie is a printed photo."], ["other"], "",
    )  # fmt: skip
    (review,) = _reviews(project)
    assert review.details == {"status": "rejected", "comment_code": "other", "previous_status": "pending"}
    assert _outbox(pending) == ["created", "submit", "rejected"]
    assert WebhookOutbox.objects.get(resource_id=pending.pk, event="rejected").payload == {
        "webhook_trigger": "rejected",
        "submission_id": pending.pk,
        "kyc_result": {
            "status": "rejected",
            "comment": "The selfie is a printed photo.",
            "commentCode": "other",
            "updated_at": format_compact(pending.decided_at),
        },
    }


def test_a_rejection_without_a_comment_is_refused_and_changes_nothing(project, owner, pending):
    # given
    client = client_for(owner)
    before = _row(pending)

    # when
    response = client.post(f"/dashboard/p/{project.pid}/submissions/{pending.pk}/reject/", {"comment": "   "})

    # then
    assert response.status_code == 400
    assert "Reject comment is required." in response.content.decode()
    assert _row(pending) == before
    assert _reviews(project) == []
    assert _outbox(pending) == ["created", "submit"]


def test_a_second_reviewers_decision_is_refused_and_changes_nothing(project, owner, pending):
    # given: two reviewers opened the same pending submission; the owner approves first
    second = client_for(member(project, Role.REVIEWER))
    client_for(owner).post(f"/dashboard/p/{project.pid}/submissions/{pending.pk}/approve/")
    after_first = _row(pending)

    # when: the second reviewer's reject arrives
    response = second.post(
        f"/dashboard/p/{project.pid}/submissions/{pending.pk}/reject/", {"comment": "Blurry."}, follow=True
    )

    # then
    assert response.status_code == 200
    assert "This submission was already decided (approved); nothing was changed." in response.content.decode()
    assert _row(pending) == after_first
    assert len(_reviews(project)) == 1
    assert _outbox(pending) == ["created", "submit", "approved"]


def test_the_service_refuses_a_submission_that_is_not_pending(project, pending):
    # given
    submission_review_reject(project=project, submission_id=pending.pk, comment="Expired.", actor=ACTOR)
    after_first = _row(pending)

    # when / then
    with pytest.raises(SubmissionAlreadyDecided):
        submission_review_reject(project=project, submission_id=pending.pk, comment="Again.", actor=ACTOR)
    assert _row(pending) == after_first
    assert len(_reviews(project)) == 1
    assert _outbox(pending) == ["created", "submit", "rejected"]


def test_a_viewer_sees_no_buttons_and_cannot_review(project, pending):
    # given
    client = client_for(member(project, Role.VIEWER))
    before = _row(pending)

    # when
    page = client.get(f"/dashboard/p/{project.pid}/submissions/{pending.pk}/")
    approve = client.post(f"/dashboard/p/{project.pid}/submissions/{pending.pk}/approve/")
    reject = client.post(f"/dashboard/p/{project.pid}/submissions/{pending.pk}/reject/", {"comment": "No."})

    # then
    assert page.status_code == 200
    assert 'id="approve-form"' not in page.content.decode()
    assert 'id="reject-form"' not in page.content.decode()
    assert (approve.status_code, reject.status_code) == (403, 403)
    assert _row(pending) == before
    assert _reviews(project) == []
    assert _outbox(pending) == ["created", "submit"]


def test_reviewing_a_submission_of_no_project_of_the_caller_is_not_found(project):
    # given: nothing with this id in the project
    before = AuditEvent.objects.filter(project=project).count()

    # when / then
    with pytest.raises(SubmissionNotFound):
        submission_review_approve(project=project, submission_id="nosuchsubmission00", actor=ACTOR)
    assert AuditEvent.objects.filter(project=project).count() == before
