"""``submission_process`` in-process: claim, steps, decision, the one transaction, failures, sweeper."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from projects.actors import Actor
from projects.models import AuditEvent
from submissions.models import CheckResult, RunState, Submission, SubmissionStatus
from submissions.selectors import submission_view
from submissions.services import (
    MAX_ATTEMPTS,
    SubmissionDetails,
    process,
    submission_create,
    submission_process,
    submissions_requeue_stuck,
)
from submissions.services.process import processing_lease
from tests.factories import ProjectFactory, SubmissionFactory
from tests.submissions.api.helpers import passport_case, photo
from webhooks.models import WebhookOutbox

ACTOR = Actor.system("test")
# The exact outcome for the passport specimen and its selfie (see test_a_genuine_passport…):
# every check at full marks except liveness (0 of 10: an uploaded selfie) and the OCR confidence
# of the printed fields (mean 0.993: 14.9 of 15), so 89.9, rounded to 90.
EXPECTED_SCORE = 90
EXPECTED_LINES = {
    "document_read": 14.9,
    "mrz_integrity": 15.0,
    "visual_consistency": 15.0,
    "capture_authenticity": 10.0,
    "image_quality": 5.0,
    "face_match": 25.0,
    "liveness": 0.0,
    "data_entry": 5.0,
}


def _events(submission) -> list[str]:
    return list(WebhookOutbox.objects.filter(resource_id=submission.id).order_by("pk").values_list("event", flat=True))


def _passport_submission(project, **details):
    case = passport_case()
    return submission_create(
        project=project,
        source="api",
        actor=ACTOR,
        images={"id_front": case.front, "selfie": case.selfie},
        details=SubmissionDetails(email="p@example.com", cf1="crm-7", **details),
    )


def test_a_genuine_passport_with_an_uploaded_selfie_is_approved_with_its_trace(db):
    # given
    project = ProjectFactory(credits=1)
    submission = _passport_submission(project)

    # when
    decided = submission_process(submission_id=submission.id)

    # then: approved by the threshold, liveness not performed and worth nothing
    assert decided is not None
    submission.refresh_from_db()
    assert (submission.status, submission.argos_score, submission.run_state) == (
        SubmissionStatus.APPROVED,
        EXPECTED_SCORE,
        RunState.DECIDED,
    )
    assert (submission.kyc_comment, submission.kyc_comment_code, submission.reviewer) == ([], [], "system")
    assert (submission.attempts, submission.rules_version) == (1, 0)
    view = submission_view(submission)
    lines = {step["name"]: step["contribution"] for step in view.decision["trace"] if step["kind"] == "score"}
    assert lines == EXPECTED_LINES
    assert view.decision["deciding"] == "threshold"
    assert view.evidence.liveness.decision == "not_performed"
    assert view.evidence.document.kind == "td3"
    assert view.evidence.document.id_type == "passport"
    assert view.evidence.face.match is True
    assert view.evidence.face.similarity > 70
    # one CheckResult per step, the engines' full output sealed
    results = {result.step: result for result in CheckResult.objects.filter(submission=submission)}
    assert {step: result.outcome for step, result in results.items()} == {
        "document_front": "read",
        "face": "matched",
        "age": "estimated",
        "liveness": "not_performed",
    }
    # the selfie's apparent age beside the birth date (package photo of a man in his late 40s)
    assert view.evidence.age_estimate.available is True
    assert 30 < view.evidence.age_estimate.years < 65
    assert results["face"].summary["portrait_from"] == "rectified"
    assert b"HORVATH" not in bytes(results["document_front"].sealed_result)
    assert b"HORVATH" not in bytes(submission.sealed_evidence) + bytes(submission.sealed_decision)
    # the Event Log and the outbox
    assert _events(submission) == ["created", "approved"]
    approved = WebhookOutbox.objects.get(resource_id=submission.id, event="approved").payload
    assert approved["kyc_result"]["status"] == "approved"
    assert "email" not in approved
    assert "full_name" not in approved
    decided_event = AuditEvent.objects.get(project=project, action="submission.decided")
    assert decided_event.details["status"] == "approved"
    assert decided_event.details["argos_score"] == EXPECTED_SCORE


def test_a_second_run_of_a_decided_submission_changes_nothing(db):
    # given
    project = ProjectFactory(credits=1)
    submission = _passport_submission(project)
    submission_process(submission_id=submission.id)
    before = Submission.objects.get(pk=submission.pk)
    results_before = list(CheckResult.objects.values_list("step", "created_at"))

    # when: a duplicate delivery
    again = submission_process(submission_id=submission.id)

    # then
    assert again is None
    after = Submission.objects.get(pk=submission.pk)
    assert (after.updated_at, after.attempts, after.decided_at) == (before.updated_at, 1, before.decided_at)
    assert list(CheckResult.objects.values_list("step", "created_at")) == results_before
    assert _events(submission) == ["created", "approved"]
    assert AuditEvent.objects.filter(project=project, action="submission.decided").count() == 1


def test_a_claimed_country_that_contradicts_the_mrz_is_rejected(db):
    project = ProjectFactory(credits=1)
    submission = _passport_submission(project, issuing_country="FIN")

    submission_process(submission_id=submission.id)

    submission.refresh_from_db()
    assert (submission.status, submission.kyc_comment_code) == ("rejected", ["id_info_dataMismatch"])
    assert submission.kyc_comment == ["Entered information does not match the ID document."]
    assert _events(submission) == ["created", "rejected"]
    rejected = WebhookOutbox.objects.get(resource_id=submission.id, event="rejected").payload
    assert rejected["kyc_result"]["commentCode"] == "id_info_dataMismatch"


def test_a_photo_with_no_document_is_rejected(db):
    project = ProjectFactory(credits=1)
    submission = submission_create(project=project, source="api", actor=ACTOR, images={"id_front": photo()})

    submission_process(submission_id=submission.id)

    submission.refresh_from_db()
    assert submission.status == "rejected"
    assert submission.kyc_comment_code in (["id_image_invalidImage"], ["id_image_invalidId"])
    assert CheckResult.objects.get(submission=submission, step="liveness").summary["reason"] == "no selfie"


def test_a_submission_without_images_is_not_claimed(db):
    submission = SubmissionFactory()

    assert submission_process(submission_id=submission.id) is None
    submission.refresh_from_db()
    assert (submission.run_state, submission.attempts) == (RunState.WAITING, 0)


def test_a_run_that_raises_is_queued_again_then_failed_with_a_visible_reason(db, django_capture_on_commit_callbacks):
    # given
    project = ProjectFactory(credits=1)
    submission = submission_create(project=project, source="api", actor=ACTOR, images={"id_front": photo()})

    # when: every run raises
    with mock.patch("submissions.services.process._verify", side_effect=MemoryError("engine blew up")):
        for attempt in range(1, MAX_ATTEMPTS + 1):
            with django_capture_on_commit_callbacks(execute=False) as requeued:
                submission_process(submission_id=submission.id)
            submission.refresh_from_db()
            if attempt < MAX_ATTEMPTS:
                assert (submission.run_state, submission.attempts, len(requeued)) == (RunState.QUEUED, attempt, 1)

    # then: the third failure ends it, visibly, and a person reviews it
    assert (submission.run_state, submission.attempts, submission.status) == (RunState.FAILED, 3, "pending")
    assert submission.failure_reason == "run 3 raised MemoryError; gave up after 3 attempts"
    assert _events(submission) == ["created", "submit"]
    assert AuditEvent.objects.filter(project=project, action="submission.processing_failed").count() == 1
    assert submission_process(submission_id=submission.id) is None


def test_a_decision_of_a_run_that_lost_its_claim_is_dropped(db):
    # given: run 1 is slow; the sweeper gave the submission to run 2 meanwhile
    project = ProjectFactory(credits=1)
    submission = submission_create(project=project, source="api", actor=ACTOR, images={"id_front": photo()})

    real_verify = process._verify

    def overtaken(claimed):
        evidence = real_verify(claimed)
        Submission.objects.filter(pk=claimed.pk).update(attempts=2)
        return evidence

    # when
    with mock.patch("submissions.services.process._verify", side_effect=overtaken):
        result = submission_process(submission_id=submission.id)

    # then: run 1 records nothing
    assert result is None
    submission.refresh_from_db()
    assert (submission.status, submission.run_state, submission.decided_at) == ("incomplete", RunState.PROCESSING, None)
    assert _events(submission) == ["created"]


# --- the sweeper --------------------------------------------------------------------------------


def _processing(attempts: int, claimed_ago: dt.timedelta) -> Submission:
    submission = submission_create(
        project=ProjectFactory(credits=1), source="api", actor=ACTOR, images={"id_front": photo()}
    )
    Submission.objects.filter(pk=submission.pk).update(
        run_state=RunState.PROCESSING, attempts=attempts, claimed_at=timezone.now() - claimed_ago
    )
    return submission


def test_the_sweeper_requeues_a_run_whose_worker_died(db, django_capture_on_commit_callbacks):
    crashed = _processing(1, processing_lease() + dt.timedelta(seconds=1))
    running = _processing(1, processing_lease() - dt.timedelta(seconds=30))

    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        report = submissions_requeue_stuck()

    assert (report.requeued, report.failed, len(enqueued)) == (1, 0, 1)
    crashed.refresh_from_db()
    running.refresh_from_db()
    assert (crashed.run_state, crashed.failure_reason) == (RunState.QUEUED, "the worker was lost during attempt 1")
    assert running.run_state == RunState.PROCESSING


def test_the_sweeper_fails_a_submission_that_killed_its_worker_three_times(db):
    poison = _processing(MAX_ATTEMPTS, processing_lease() + dt.timedelta(minutes=1))

    report = submissions_requeue_stuck()

    assert (report.requeued, report.failed) == (0, 1)
    poison.refresh_from_db()
    assert (poison.run_state, poison.status) == (RunState.FAILED, "pending")
    assert poison.failure_reason == "the worker was lost during each of 3 attempts"
    assert _events(poison) == ["created", "submit"]


def test_the_sweeper_re_sends_a_queued_run_whose_message_may_be_lost(db, django_capture_on_commit_callbacks):
    project = ProjectFactory(credits=2)
    stale = submission_create(project=project, source="api", actor=ACTOR, images={"id_front": photo()})
    fresh = submission_create(project=project, source="api", actor=ACTOR, images={"id_front": photo()})
    Submission.objects.filter(pk=stale.pk).update(queued_at=timezone.now() - dt.timedelta(minutes=11))

    with mock.patch("submissions.tasks.submission_process_task.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            report = submissions_requeue_stuck()

    assert report.rekicked == 1
    delay.assert_called_once_with(stale.id)
    assert fresh.pk != stale.pk


@pytest.mark.parametrize("state", [RunState.DECIDED, RunState.FAILED, RunState.WAITING])
def test_the_sweeper_leaves_finished_and_waiting_submissions_alone(db, state):
    submission = _processing(1, dt.timedelta(days=2))
    Submission.objects.filter(pk=submission.pk).update(run_state=state)

    report = submissions_requeue_stuck()

    assert (report.requeued, report.failed, report.rekicked) == (0, 0, 0)
