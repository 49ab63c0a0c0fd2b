"""Incomplete submissions become ``rejected`` / ``timeout`` after 24 hours (spec §3.3, §8.3)."""

from __future__ import annotations

import datetime as dt
import io

import time_machine
from django.core.management import call_command

from idcheck.celery import app
from projects.actors import Actor
from projects.models import AuditEvent
from submissions.models import RunState, Submission, SubmissionStatus
from submissions.selectors import submission_view
from submissions.services import submission_create, submissions_expire_incomplete
from tests.factories import ProjectFactory
from tests.submissions.api.helpers import photo
from webhooks.models import WebhookOutbox

ACTOR = Actor.system("test")
START = dt.datetime(2026, 3, 2, 8, 0, 0, tzinfo=dt.UTC)


def _events(submission: Submission) -> list[str]:
    rows = WebhookOutbox.objects.filter(resource_id=submission.id).order_by("pk")
    return list(rows.values_list("event", flat=True))


def test_an_incomplete_liveform_submission_is_rejected_timeout_after_24_hours_once(db):
    # given: a Liveform submission never finished, and one whose images were sent (queued)
    project = ProjectFactory(credits=2)
    with time_machine.travel(START, tick=False):
        waiting = submission_create(project=project, source="liveform", actor=ACTOR)
        queued = submission_create(project=project, source="liveform", actor=ACTOR, images={"id_front": photo()})

    # when: one millisecond before the 24 hours
    with time_machine.travel(START + dt.timedelta(hours=24) - dt.timedelta(milliseconds=1), tick=False):
        early = submissions_expire_incomplete()

    # then: nothing yet
    waiting.refresh_from_db()
    assert (early, waiting.status, _events(waiting)) == (0, SubmissionStatus.INCOMPLETE, ["created"])

    # when: past the 24 hours, twice
    later = START + dt.timedelta(hours=24, seconds=1)
    with time_machine.travel(later, tick=False):
        first = submissions_expire_incomplete()
        second = submissions_expire_incomplete()

    # then: rejected once, with its Event Log entry and rejected webhook
    assert (first, second) == (1, 0)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.run_state, waiting.reviewer, waiting.decided_at) == (
        SubmissionStatus.REJECTED,
        RunState.DECIDED,
        "system",
        later,
    )
    assert (waiting.kyc_comment, waiting.kyc_comment_code) == (["KYC rejected due to timeout."], ["timeout"])
    assert _events(waiting) == ["created", "rejected"]
    assert WebhookOutbox.objects.get(resource_id=waiting.id, event="rejected").payload == {
        "webhook_trigger": "rejected",
        "submission_id": waiting.id,
        "kyc_result": {
            "status": "rejected",
            "comment": "KYC rejected due to timeout.",
            "commentCode": "timeout",
            "updated_at": "2026-03-03-08-00-01-000",
        },
    }
    decided = AuditEvent.objects.get(target_id=waiting.id, action="submission.decided")
    assert decided.details == {
        "status": "rejected",
        "comment_code": "timeout",
        "deciding": "reject",
        "rules_version": 0,
        "failed_attempts": 0,
    }
    assert submission_view(waiting).decision["deciding"] == "reject:timeout"
    # a submitted one is the run's business, never expired
    queued.refresh_from_db()
    assert (queued.status, queued.run_state, _events(queued)) == (
        SubmissionStatus.INCOMPLETE,
        RunState.QUEUED,
        ["created"],
    )


def test_the_operator_command_expires_and_reports(db):
    # given
    project = ProjectFactory(credits=1)
    with time_machine.travel(START, tick=False):
        submission = submission_create(project=project, source="liveform", actor=ACTOR)

    # when
    out = io.StringIO()
    with time_machine.travel(START + dt.timedelta(days=2), tick=False):
        call_command("expire_incomplete", stdout=out)
        call_command("expire_incomplete", stdout=out)

    # then
    submission.refresh_from_db()
    assert submission.kyc_comment_code == ["timeout"]
    assert out.getvalue() == (
        "1 incomplete submission(s) rejected with timeout\n0 incomplete submission(s) rejected with timeout\n"
    )


def test_celery_beat_runs_the_expiry_every_five_minutes():
    entry = app.conf.beat_schedule["submissions-expire-incomplete"]
    assert (entry["task"], entry["schedule"], entry["options"]) == (
        "submissions.tasks.submissions_expire_incomplete_task",
        300.0,
        {"queue": "default"},
    )
