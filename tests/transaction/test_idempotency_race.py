"""Idempotent creates under concurrency and faults (G2): twenty callers with one key make one
submission, and a first attempt that dies after its debit leaves no key, so the retry runs once."""

from __future__ import annotations

from unittest import mock

import pytest
from django.conf import settings

from projects.actors import Actor
from projects.models import AuditEvent, CreditLedgerEntry
from submissions.models import IdempotencyKey, Submission
from submissions.services import IdempotencyConflict, SubmissionDetails, submission_create
from tests.factories import ProjectFactory
from tests.submissions.api.helpers import photo, stored_files
from webhooks.models import WebhookOutbox

pytestmark = pytest.mark.django_db(transaction=True)
IMAGES = {"id_front": photo(), "selfie": photo(fmt="PNG")}
DETAILS = SubmissionDetails(email="same@example.com")


def _create(project, key: str, index: int = 0) -> Submission:
    return submission_create(project=project, source="api", actor=Actor.system(f"twin-{index}"), images=IMAGES,
                             details=DETAILS, idempotency_key=key)  # fmt: skip


def _effects(project) -> tuple[int, int, int, int, int]:
    """(submissions, debits, created audit rows, outbox events, stored files) of the project."""
    return (
        Submission.objects.filter(project=project).count(),
        CreditLedgerEntry.objects.filter(project=project, delta__lt=0).count(),
        AuditEvent.objects.filter(project=project, action="submission.created").count(),
        WebhookOutbox.objects.filter(project=project).count(),
        len(stored_files(settings.MEDIA_ROOT)),
    )


def test_twenty_concurrent_requests_with_one_key_make_one_submission(run_in_threads):
    # given
    project = ProjectFactory(credits=50)

    # when
    results = run_in_threads(lambda index: _create(project, "order-1", index), 20)

    # then: one execution; every other caller got the in-flight 409 or the replay of that one
    made = [result for result in results if isinstance(result, Submission)]
    conflicts = [result for result in results if isinstance(result, IdempotencyConflict)]
    assert len(made) + len(conflicts) == 20, results
    assert len({submission.pk for submission in made}) == 1
    assert {(c.code, c.http_status) for c in conflicts} <= {("idempotency_key_in_use", 409)}
    assert _effects(project) == (1, 1, 1, 1, 2)
    project.refresh_from_db()
    assert project.credits == 49

    # and: five retries after it replay the same submission and do nothing more
    retries = [_create(project, "order-1") for _ in range(5)]
    assert {retry.pk for retry in retries} == {made[0].pk}
    assert _effects(project) == (1, 1, 1, 1, 2)


def test_a_first_attempt_failing_after_its_debit_leaves_no_key_and_the_retry_runs_once():
    # given: the attempt dies after the debit and the image writes, before commit
    project = ProjectFactory(credits=5)
    with (
        mock.patch("submissions.services.create.audit_record", side_effect=RuntimeError("crash before commit")),
        pytest.raises(RuntimeError, match="crash before commit"),
    ):
        _create(project, "order-2")
    assert _effects(project) == (0, 0, 0, 0, 0)
    assert not IdempotencyKey.objects.filter(project=project).exists()

    # when
    first, again = _create(project, "order-2"), _create(project, "order-2")

    # then
    assert first.pk == again.pk
    assert _effects(project) == (1, 1, 1, 1, 2)
    project.refresh_from_db()
    assert project.credits == 4
