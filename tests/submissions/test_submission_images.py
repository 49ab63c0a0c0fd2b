"""``submission_create`` with images: intake refusals change nothing, images and metadata are sealed
under the submission's data key (G16, G17), the run is queued after commit, idempotency keys (G2)."""

from __future__ import annotations

import datetime as dt
import hashlib
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from idcheck.lib.crypto import DecryptionError
from projects.actors import Actor
from projects.models import AuditEvent, CreditLedgerEntry
from projects.services import InsufficientCredits, SubmissionsPaused
from submissions import vault
from submissions.models import IdempotencyKey, RunState, SelfieCapture, Submission, SubmissionImage
from submissions.selectors import submission_view
from submissions.services import (
    IdempotencyMismatch,
    ImageRefused,
    SubmissionDetails,
    submission_create,
)
from submissions.storage import image_file_read
from tests.factories import ProjectFactory
from tests.submissions.api.helpers import photo, stored_files
from webhooks.models import WebhookOutbox

ACTOR = Actor.system("test")
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG"
DETAILS = SubmissionDetails(
    email="canary.person@example.com", userid="user-canary-42", cf1="a", issuing_country="EST", id_type="passport"
)


def _create(project, **overrides):
    arguments = {
        "project": project,
        "source": "api",
        "actor": ACTOR,
        "images": {"id_front": photo(), "selfie": photo(fmt="PNG")},
        "details": DETAILS,
    }
    return submission_create(**{**arguments, **overrides})


def _assert_nothing_written(project, credits: int) -> None:
    project.refresh_from_db()
    assert project.credits == credits
    assert not Submission.objects.filter(project=project).exists()
    assert not SubmissionImage.objects.exists()
    assert not CreditLedgerEntry.objects.filter(project=project).exists()
    assert not AuditEvent.objects.filter(project=project).exists()
    assert not WebhookOutbox.objects.filter(project=project).exists()
    assert stored_files(settings.MEDIA_ROOT) == []


def test_images_are_stored_re_encoded_and_sealed(db, django_capture_on_commit_callbacks):
    # given
    project = ProjectFactory(credits=2)

    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission = _create(project)

    # then: two rows, two files, neither file readable as an image
    images = {image.kind: image for image in SubmissionImage.objects.filter(submission=submission)}
    assert set(images) == {"id_front", "selfie"}
    files = stored_files(settings.MEDIA_ROOT)
    assert len(files) == 2
    for path in files:
        at_rest = path.read_bytes()
        assert JPEG_MAGIC not in at_rest
        assert PNG_MAGIC not in at_rest
    # and each opens to our own JPEG re-encoding, whatever was uploaded (the selfie was a PNG)
    for image in images.values():
        plaintext = image_file_read(image)
        assert plaintext.startswith(JPEG_MAGIC)
        assert (image.sha256, image.size, image.content_type) == (
            hashlib.sha256(plaintext).hexdigest(),
            len(plaintext),
            "image/jpeg",
        )
    assert (submission.run_state, submission.selfie_capture) == (RunState.QUEUED, SelfieCapture.UPLOADED)
    assert submission.submitted_at is not None
    assert len(callbacks) == 1  # the run is enqueued after commit, not before


def test_the_run_is_enqueued_on_the_pipeline_queue_after_commit(db, django_capture_on_commit_callbacks):
    project = ProjectFactory(credits=1)

    with mock.patch("submissions.tasks.submission_process_task.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            submission = _create(project)

    delay.assert_called_once_with(submission.id)


def test_the_submitted_metadata_is_sealed_and_reads_back(db):
    # given
    project = ProjectFactory(credits=1)

    # when
    submission = _create(project)

    # then
    submission.refresh_from_db()
    sealed = bytes(submission.sealed_metadata)
    assert b"canary" not in sealed
    assert b"example.com" not in sealed
    assert submission_view(submission).metadata == {
        "email": "canary.person@example.com",
        "userid": "user-canary-42",
        "cf1": "a",
        "cf2": "",
        "cf3": "",
    }
    assert (submission.claimed_issuing_country, submission.claimed_id_type) == ("EST", "passport")


@pytest.mark.parametrize(
    ("front", "code"),
    [
        (b"GIF89a not one of ours", "unsupported_format"),
        (b"", "unsupported_format"),
        (photo(size=(120, 120)), "image_too_small"),
        (photo()[:200], "corrupt_image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "corrupt_image"),
    ],
)
def test_a_refused_image_costs_nothing_and_leaves_nothing(db, front, code):
    # given
    project = ProjectFactory(credits=5)

    # when
    with pytest.raises(ImageRefused) as refused:
        _create(project, images={"id_front": front, "selfie": photo()})

    # then
    assert (refused.value.code, refused.value.extra, refused.value.http_status) == (code, {"field": "idImage"}, 400)
    _assert_nothing_written(project, credits=5)


def test_a_refused_selfie_after_a_good_front_leaves_nothing(db):
    project = ProjectFactory(credits=5)

    with pytest.raises(ImageRefused) as refused:
        _create(project, images={"id_front": photo(), "selfie": b"not an image"})

    assert (refused.value.code, refused.value.extra) == ("unsupported_format", {"field": "selfieImage"})
    _assert_nothing_written(project, credits=5)


@pytest.mark.parametrize(
    ("project_kwargs", "error"),
    [({"credits": 0}, InsufficientCredits), ({"credits": 5, "emergency_stop": True}, SubmissionsPaused)],
)
def test_a_refused_debit_leaves_no_file(db, project_kwargs, error):
    project = ProjectFactory(**project_kwargs)

    with pytest.raises(error):
        _create(project)

    _assert_nothing_written(project, credits=project_kwargs["credits"])


def test_a_failure_after_the_files_were_written_removes_them(db):
    project = ProjectFactory(credits=5)

    with mock.patch("submissions.services.create.webhook_event_emit", side_effect=RuntimeError("boom")):
        with pytest.raises(RuntimeError):
            _create(project)

    _assert_nothing_written(project, credits=5)


def test_images_without_a_front_are_refused(db):
    project = ProjectFactory(credits=5)

    with pytest.raises(Exception) as refused:  # noqa: PT011 (the code is asserted)
        _create(project, images={"selfie": photo()})

    assert refused.value.code == "missing_data"
    _assert_nothing_written(project, credits=5)


def test_a_selfie_without_a_live_capture_is_uploaded(db):
    project = ProjectFactory(credits=1)

    submission = _create(project, source="liveform")

    assert submission.selfie_capture == SelfieCapture.UPLOADED


def test_destroying_the_data_key_makes_every_copy_unreadable(db):
    # given
    project = ProjectFactory(credits=1)
    submission = _create(project)
    image = SubmissionImage.objects.get(submission=submission, kind="id_front")

    # when: crypto-shredding
    Submission.objects.filter(pk=submission.pk).update(wrapped_data_key=None)
    submission.refresh_from_db()
    image.refresh_from_db()

    # then
    with pytest.raises(vault.DataKeyDestroyed):
        image_file_read(image)
    assert submission_view(submission).metadata == {}


def test_a_sealed_file_does_not_open_as_another_kind_or_submission(db):
    # given two submissions
    project = ProjectFactory(credits=2)
    first, second = _create(project), _create(project)
    front = SubmissionImage.objects.get(submission=first, kind="id_front")
    selfie = SubmissionImage.objects.get(submission=first, kind="selfie")

    # when: rows pointed at each other's files
    swapped_kind = SubmissionImage(
        submission=first, kind="selfie", storage_name=front.storage_name, sha256=front.sha256
    )
    moved = SubmissionImage(submission=second, kind="selfie", storage_name=selfie.storage_name, sha256=selfie.sha256)

    # then
    for row in (swapped_kind, moved):
        with pytest.raises(DecryptionError):
            image_file_read(row)


# --- Idempotency-Key (G2) ----------------------------------------------------------------------


def test_the_same_key_and_request_returns_the_first_submission_and_does_nothing_else(db):
    # given
    project = ProjectFactory(credits=5)
    first = _create(project, idempotency_key="key-1")

    # when
    again = _create(project, idempotency_key="key-1")

    # then
    assert again.pk == first.pk
    project.refresh_from_db()
    assert project.credits == 4
    assert Submission.objects.filter(project=project).count() == 1
    assert WebhookOutbox.objects.filter(project=project).count() == 1
    assert len(stored_files(settings.MEDIA_ROOT)) == 2


def test_the_same_key_with_another_request_is_refused(db):
    project = ProjectFactory(credits=5)
    _create(project, idempotency_key="key-1")

    with pytest.raises(IdempotencyMismatch) as refused:
        _create(project, idempotency_key="key-1", details=SubmissionDetails(email="other@example.com"))

    assert (refused.value.code, refused.value.http_status) == ("idempotency_key_reused", 422)
    project.refresh_from_db()
    assert project.credits == 4


def test_a_key_is_scoped_to_its_project(db):
    first_project, second_project = ProjectFactory(credits=1), ProjectFactory(credits=1)

    first = _create(first_project, idempotency_key="shared")
    second = _create(second_project, idempotency_key="shared")

    assert first.pk != second.pk
    assert second.project == second_project


def test_a_key_older_than_a_day_counts_as_new(db):
    project = ProjectFactory(credits=5)
    first = _create(project, idempotency_key="old")
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))

    again = _create(project, idempotency_key="old")

    assert again.pk != first.pk
    assert IdempotencyKey.objects.get(key="old").submission == again


def test_a_refused_first_attempt_leaves_no_key(db):
    project = ProjectFactory(credits=5)
    with pytest.raises(ImageRefused):
        _create(project, images={"id_front": b"junk"}, idempotency_key="retry-me")

    submission = _create(project, idempotency_key="retry-me")

    assert IdempotencyKey.objects.get(key="retry-me").submission == submission
