"""``submission_create``: one credit per submission, refused without leaving a trace (G1); images
through the intake and sealed at rest (G16, G17); the ``created`` event; idempotency keys (G2)."""

from __future__ import annotations

import pytest

from idcheck.errors import ApplicationError
from projects.actors import Actor
from projects.models import AuditEvent, CreditLedgerEntry, ProjectStatus
from projects.services import InsufficientCredits, SubmissionsPaused
from submissions.models import Submission, SubmissionImage, SubmissionSource, SubmissionStatus
from submissions.services import submission_create
from tests.factories import ProjectFactory
from webhooks.models import WebhookOutbox

ACTOR = Actor.system("test")


def _assert_nothing_changed(project, credits: int) -> None:
    project.refresh_from_db()
    assert project.credits == credits
    assert not Submission.objects.filter(project=project).exists()
    assert not CreditLedgerEntry.objects.filter(project=project).exists()
    assert not AuditEvent.objects.filter(project=project).exists()
    assert not WebhookOutbox.objects.filter(project=project).exists()
    assert not SubmissionImage.objects.filter(submission__project=project).exists()


def test_it_opens_a_submission_and_takes_one_credit(db):
    # given
    project = ProjectFactory(credits=3)

    # when
    submission = submission_create(project=project, source=SubmissionSource.API, actor=ACTOR)

    # then
    project.refresh_from_db()
    assert project.credits == 2
    assert Submission.objects.get(project=project) == submission
    assert (submission.status, submission.source) == (SubmissionStatus.INCOMPLETE, SubmissionSource.API)
    assert submission.created_at.microsecond % 1000 == 0
    debit = CreditLedgerEntry.objects.get(project=project)
    assert (debit.delta, debit.balance_after, debit.submission, debit.reason) == (-1, 2, submission, "submission")
    event = AuditEvent.objects.get(project=project)
    assert (event.action, event.target_type, event.target_id) == ("submission.created", "submission", submission.id)
    assert event.details == {"source": "api", "images": []}
    outbox = WebhookOutbox.objects.get(project=project)
    assert (outbox.event, outbox.resource_id, outbox.delivered_at) == ("created", submission.id, None)
    assert outbox.payload == {
        "webhook_trigger": "created",
        "submission_id": submission.id,
        "kyc_result": {"status": "incomplete"},
    }


def test_ids_have_the_original_shape(db):
    project = ProjectFactory(credits=20)

    ids = {submission_create(project=project, source="liveform", actor=ACTOR).id for _ in range(20)}

    assert len(ids) == 20
    assert all(len(sid) == 18 and sid[15] == "_" and sid.replace("_", "").isalnum() for sid in ids)


def test_the_last_credit_can_be_spent(db):
    # given
    project = ProjectFactory(credits=1)

    # when
    submission_create(project=project, source="api", actor=ACTOR)

    # then
    project.refresh_from_db()
    assert project.credits == 0


def test_no_credit_means_no_submission(db):
    # given
    project = ProjectFactory(credits=0)

    # when
    with pytest.raises(InsufficientCredits) as refused:
        submission_create(project=project, source="api", actor=ACTOR)

    # then
    assert (refused.value.code, refused.value.http_status) == ("insufficient_credits", 402)
    _assert_nothing_changed(project, credits=0)


def test_a_stale_project_object_cannot_overspend(db):
    # given: the caller's copy still says 5 credits, the database says 0
    project = ProjectFactory(credits=5)
    type(project).objects.filter(pk=project.pk).update(credits=0)

    # when / then
    with pytest.raises(InsufficientCredits):
        submission_create(project=project, source="api", actor=ACTOR)
    _assert_nothing_changed(project, credits=0)


def test_a_closed_project_takes_no_submission(db):
    # given
    project = ProjectFactory(credits=10, status=ProjectStatus.CLOSED)

    # when
    with pytest.raises(SubmissionsPaused) as refused:
        submission_create(project=project, source="api", actor=ACTOR)

    # then
    assert (refused.value.code, refused.value.http_status) == ("project_closed", 403)
    _assert_nothing_changed(project, credits=10)


def test_an_emergency_stop_halts_intake(db):
    # given
    project = ProjectFactory(credits=10, emergency_stop=True)

    # when
    with pytest.raises(SubmissionsPaused) as refused:
        submission_create(project=project, source="liveform", actor=ACTOR)

    # then
    assert (refused.value.code, refused.value.http_status) == ("service_blocked", 403)
    _assert_nothing_changed(project, credits=10)


def test_a_stop_set_after_loading_the_project_still_applies(db):
    # given: the caller loaded the project before the stop was pressed
    project = ProjectFactory(credits=10)
    type(project).objects.filter(pk=project.pk).update(emergency_stop=True)

    # when / then
    with pytest.raises(SubmissionsPaused):
        submission_create(project=project, source="api", actor=ACTOR)
    _assert_nothing_changed(project, credits=10)


@pytest.mark.parametrize("status", [ProjectStatus.TEST, ProjectStatus.OPEN])
def test_test_and_open_projects_take_submissions(db, status):
    project = ProjectFactory(credits=1, status=status)

    submission_create(project=project, source="api", actor=ACTOR)

    assert Submission.objects.filter(project=project).count() == 1


def test_an_unknown_source_is_refused(db):
    # given
    project = ProjectFactory(credits=10)

    # when
    with pytest.raises(ApplicationError) as refused:
        submission_create(project=project, source="fax", actor=ACTOR)

    # then
    assert refused.value.code == "invalid_source"
    _assert_nothing_changed(project, credits=10)
