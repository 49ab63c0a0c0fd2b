"""Retries of a Liveform submission (spec §8.3, §4.3) through the service layer, to too_many_retry."""

from __future__ import annotations

import pytest

from idcheck.errors import ApplicationError
from projects.actors import Actor
from projects.models import AuditEvent
from submissions.models import RunState, Submission, SubmissionImage, SubmissionStatus
from submissions.services import (
    ImageRefused,
    SubmissionNotWaiting,
    submission_create,
    submission_images_replace,
    submission_process,
)
from tests.factories import ProjectFactory
from tests.submissions.api.helpers import photo
from webhooks.models import WebhookOutbox

ACTOR = Actor.system("test")


def _events(submission: Submission) -> list[str]:
    rows = WebhookOutbox.objects.filter(resource_id=submission.id).order_by("pk")
    return list(rows.values_list("event", flat=True))


def _state(submission: Submission) -> tuple:
    submission.refresh_from_db()
    return (
        submission.status,
        submission.run_state,
        submission.failed_attempts,
        submission.retry_code,
        submission.submitted_at is None,
    )


def _blank_liveform_submission(project) -> Submission:
    """A blank photo as the document: no outline in it, which the user can fix (a retry)."""
    return submission_create(
        project=project,
        source="liveform",
        actor=ACTOR,
        images={"id_front": photo(), "selfie": photo(color=(200, 180, 160))},
    )


def test_three_failed_liveform_attempts_retry_twice_then_reject_too_many_retry(db, django_capture_on_commit_callbacks):
    # given
    project = ProjectFactory(credits=1)
    submission = _blank_liveform_submission(project)

    # when: the first run fails on the document
    submission_process(submission_id=submission.id)

    # then: back to the user, incomplete, with a retry event and webhook
    assert _state(submission) == (SubmissionStatus.INCOMPLETE, RunState.WAITING, 1, "id_image_invalidImage", True)
    assert _events(submission) == ["created", "retry"]
    assert WebhookOutbox.objects.get(resource_id=submission.id, event="retry").payload == {
        "webhook_trigger": "retry",
        "submission_id": submission.id,
        "kyc_result": {"status": "incomplete"},
        "retryCode": "id_image_invalidImage",
        "attempts": 1,
    }
    retry_event = AuditEvent.objects.get(project=project, action="submission.retry")
    assert retry_event.details == {"retry_code": "id_image_invalidImage", "failed_attempts": 1, "attempt": 1}
    assert (submission.kyc_comment, submission.kyc_comment_code, submission.decided_at) == ([], [], None)

    # when: the Liveform sends a new document photo
    old_front = SubmissionImage.objects.get(submission=submission, kind="id_front")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission_images_replace(submission, {"id_front": photo(color=(10, 200, 10))})

    # then: queued again with a fresh run budget, the front replaced, the selfie kept
    submission.refresh_from_db()
    assert (submission.run_state, submission.attempts, submission.failed_attempts) == (RunState.QUEUED, 0, 1)
    assert submission.submitted_at is not None
    kinds = sorted(SubmissionImage.objects.filter(submission=submission).values_list("kind", flat=True))
    assert kinds == ["id_front", "selfie"]
    assert not SubmissionImage.objects.filter(pk=old_front.pk).exists()
    assert len(callbacks) == 2  # delete the old file, enqueue the run
    replaced = AuditEvent.objects.get(project=project, action="submission.images_replaced")
    assert replaced.details == {"images": ["id_front"], "failed_attempts": 1}

    # when: the second run fails too
    submission_process(submission_id=submission.id)

    # then: a second retry
    assert _state(submission) == (SubmissionStatus.INCOMPLETE, RunState.WAITING, 2, "id_image_invalidImage", True)
    assert (
        WebhookOutbox.objects.filter(resource_id=submission.id, event="retry").order_by("-pk")[0].payload["attempts"]
        == 2
    )

    # when: the third attempt fails
    submission_images_replace(submission, {"id_front": photo(color=(10, 10, 200))})
    submission_process(submission_id=submission.id)

    # then: rejected too_many_retry by the policy engine, with the rejected webhook
    submission.refresh_from_db()
    assert (submission.status, submission.run_state, submission.failed_attempts) == (
        SubmissionStatus.REJECTED,
        RunState.DECIDED,
        3,
    )
    assert (submission.kyc_comment_code, submission.kyc_comment, submission.reviewer) == (
        ["too_many_retry"],
        ["Multiple invalid KYC attempts detected."],
        "system",
    )
    assert _events(submission) == ["created", "retry", "retry", "rejected"]
    rejected = WebhookOutbox.objects.get(resource_id=submission.id, event="rejected").payload
    assert (rejected["kyc_result"]["status"], rejected["kyc_result"]["commentCode"]) == ("rejected", "too_many_retry")
    assert AuditEvent.objects.filter(project=project, action="submission.retry").count() == 2
    decided = AuditEvent.objects.get(project=project, action="submission.decided")
    assert decided.details["comment_code"] == "too_many_retry"


def test_an_api_submission_that_fails_the_same_way_is_decided_at_once(db):
    # given
    project = ProjectFactory(credits=1)
    submission = submission_create(
        project=project, source="api", actor=ACTOR, images={"id_front": photo(), "selfie": photo()}
    )

    # when
    submission_process(submission_id=submission.id)

    # then
    submission.refresh_from_db()
    assert (submission.status, submission.kyc_comment_code, submission.failed_attempts, submission.retry_code) == (
        SubmissionStatus.REJECTED,
        ["id_image_invalidImage"],
        0,
        "",
    )
    assert _events(submission) == ["created", "rejected"]


def _snapshot(submission: Submission) -> tuple:
    submission.refresh_from_db()
    images = sorted(SubmissionImage.objects.filter(submission=submission).values_list("kind", "storage_name"))
    audit = AuditEvent.objects.filter(target_id=submission.id).count()
    return (submission.status, submission.run_state, submission.attempts, submission.failed_attempts, images, audit)


def test_new_images_are_refused_unless_the_submission_waits_for_them_and_nothing_changes(db):
    # given: an API submission, and a Liveform submission being decided
    project = ProjectFactory(credits=2)
    api = submission_create(project=project, source="api", actor=ACTOR, images={"id_front": photo()})
    queued = _blank_liveform_submission(project)
    before = (_snapshot(api), _snapshot(queued))

    # when / then
    for submission in (api, queued):
        with pytest.raises(SubmissionNotWaiting):
            submission_images_replace(submission, {"id_front": photo()})
    assert (_snapshot(api), _snapshot(queued)) == before


def test_an_image_refused_at_intake_or_an_unknown_kind_changes_nothing(db):
    # given: a Liveform submission waiting for a retry
    project = ProjectFactory(credits=1)
    submission = _blank_liveform_submission(project)
    submission_process(submission_id=submission.id)
    before = _snapshot(submission)

    # when / then
    with pytest.raises(ImageRefused) as refused:
        submission_images_replace(submission, {"id_front": b"not an image"})
    assert refused.value.code == "unsupported_format"
    with pytest.raises(ApplicationError) as unknown:
        submission_images_replace(submission, {"passport": photo()})
    assert unknown.value.code == "invalid_parameter"
    assert _snapshot(submission) == before
