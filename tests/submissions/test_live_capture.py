"""A live Liveform selfie: its filmed challenge is stored sealed with the submission and checked
by the run's liveness step; every other selfie stays "not performed" (G25)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from projects.actors import Actor
from submissions.evaluation.liveness import load_session
from submissions.models import CheckResult, LivenessCapture, SelfieCapture, Submission
from submissions.pipeline.intake import decode_image
from submissions.pipeline.liveness.bundle import BundleError, pack_frames, unpack_frames
from submissions.pipeline.liveness.types import Frame
from submissions.services import LiveCapture, submission_create, submission_delete, submission_images_replace
from submissions.services.retry import LIVENESS_RETRY_CODE, retry_code
from submissions.services.steps import run_liveness
from submissions.storage import frames_file_read, image_file_read
from tests.factories import ProjectFactory
from tests.policy.builders import genuine
from tests.submissions.api.helpers import photo
from tests.submissions.live_sessions import make_sessions

ACTOR = Actor.system("test")


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sessions(tmp_path_factory.mktemp("live"), ("bona_fide", "print"))


def _capture(folder: Path) -> tuple[LiveCapture, bytes]:
    """The session's upload as the Liveform hands it over, and its rest-pose frame as the still."""
    plan, frames, nonce, received = load_session(folder)
    capture = LiveCapture(plan=plan, nonce_sent=nonce, received_at_ms=received, frames=tuple(frames),
                          camera_errors=("NotReadableError",))  # fmt: skip
    return capture, frames[2].jpeg


def _liveform(project, capture: LiveCapture | None, still: bytes) -> Submission:
    return submission_create(project=project, source="liveform", actor=ACTOR,
                             images={"id_front": photo(), "selfie": still}, live_capture=capture)  # fmt: skip


def _still_image(submission: Submission) -> Image.Image:
    return decode_image(image_file_read(submission.images.get(kind="selfie"))).image


def test_frames_round_trip_through_a_bundle_and_a_cut_bundle_is_refused():
    frames = [Frame(1_795_000_000_000 + 125 * k, bytes([k]) * (k + 1)) for k in range(5)]

    bundle = pack_frames(frames)

    assert unpack_frames(bundle) == frames
    with pytest.raises(BundleError):
        unpack_frames(bundle[:-1])
    with pytest.raises(BundleError):
        unpack_frames(b"JPEG" + bundle[4:])


def test_a_filmed_bona_fide_challenge_is_stored_sealed_and_passes_the_liveness_step(db, sessions):
    # given
    project = ProjectFactory(credits=1)
    capture, still = _capture(sessions / "bona_fide_0000")

    # when
    submission = _liveform(project, capture, still)
    evidence = run_liveness(submission, _still_image(submission))

    # then
    row = LivenessCapture.objects.get(submission=submission)
    assert submission.selfie_capture == SelfieCapture.LIVE
    assert (row.frame_count, row.nonce_sent, row.received_at_ms) == (len(capture.frames), capture.nonce_sent,
                                                                     capture.received_at_ms)  # fmt: skip
    assert row.plan == capture.plan.as_json()
    assert row.camera_errors == ["NotReadableError"]
    assert unpack_frames(frames_file_read(row)) == list(capture.frames)
    with default_storage.open(row.storage_name, "rb") as handle:
        assert capture.frames[0].jpeg[:64] not in handle.read()  # sealed at rest
    assert evidence.decision == "passed"
    assert 0.5 < evidence.score <= 1.0
    step = CheckResult.objects.get(submission=submission, step="liveness")
    assert (step.outcome, step.summary["performed"], step.summary["deciding"]) == ("passed", True, [])
    assert step.summary["frames"] == len(capture.frames)


def test_a_printed_photo_filmed_live_fails_and_asks_the_liveform_for_a_new_selfie(db, sessions):
    # given
    project = ProjectFactory(credits=1)
    capture, still = _capture(sessions / "print_0000")
    submission = _liveform(project, capture, still)

    # when
    evidence = run_liveness(submission, _still_image(submission))

    # then
    assert evidence.decision == "failed"
    step = CheckResult.objects.get(submission=submission, step="liveness")
    assert step.outcome == "failed"
    assert "step1_nod" in step.summary["deciding"]
    assert retry_code(replace(genuine(), liveness=evidence)) == LIVENESS_RETRY_CODE


def test_an_api_submission_ignores_a_live_capture_and_stays_not_performed(db, sessions):
    # given
    project = ProjectFactory(credits=1)
    capture, still = _capture(sessions / "bona_fide_0000")

    # when
    submission = submission_create(project=project, source="api", actor=ACTOR,
                                   images={"id_front": photo(), "selfie": still}, live_capture=capture)  # fmt: skip
    evidence = run_liveness(submission, _still_image(submission))

    # then
    assert submission.selfie_capture == SelfieCapture.UPLOADED
    assert not LivenessCapture.objects.exists()
    assert (evidence.decision, evidence.score) == ("not_performed", None)
    step = CheckResult.objects.get(submission=submission, step="liveness")
    assert step.summary == {"decision": "not_performed", "reason": "selfie uploaded, not captured live: "
                                                                    "liveness cannot be performed"}  # fmt: skip


def test_an_altered_frames_file_is_not_performed_never_passed(db, sessions):
    # given
    project = ProjectFactory(credits=1)
    capture, still = _capture(sessions / "bona_fide_0000")
    submission = _liveform(project, capture, still)
    row = LivenessCapture.objects.get(submission=submission)
    default_storage.delete(row.storage_name)
    default_storage.save(row.storage_name, ContentFile(b"\0" * 64))

    # when
    evidence = run_liveness(submission, _still_image(submission))

    # then
    assert evidence.decision == "not_performed"
    step = CheckResult.objects.get(submission=submission, step="liveness")
    assert step.summary == {"decision": "not_performed", "reason": "no challenge frames stored"}


def test_a_selfie_retaken_from_a_file_input_forgets_the_live_capture(db, sessions, django_capture_on_commit_callbacks):
    # given: a live submission sent back for a new selfie
    project = ProjectFactory(credits=1)
    capture, still = _capture(sessions / "bona_fide_0000")
    submission = _liveform(project, capture, still)
    old_file = LivenessCapture.objects.get(submission=submission).storage_name
    Submission.objects.filter(pk=submission.pk).update(run_state="waiting")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        replaced = submission_images_replace(submission, {"selfie": still})

    # then
    replaced.refresh_from_db()
    assert replaced.selfie_capture == SelfieCapture.UPLOADED
    assert not LivenessCapture.objects.exists()
    assert not default_storage.exists(old_file)


def test_frames_that_are_not_jpegs_are_refused_before_anything_is_written(db, sessions):
    project = ProjectFactory(credits=1)
    capture, still = _capture(sessions / "bona_fide_0000")
    bad = LiveCapture(plan=capture.plan, nonce_sent=capture.nonce_sent, received_at_ms=capture.received_at_ms,
                      frames=(Frame(1, b"GIF89a"),))  # fmt: skip

    with pytest.raises(Exception) as refused:  # noqa: PT011 (the code is asserted)
        _liveform(project, bad, still)

    assert refused.value.code == "invalid_frames"
    project.refresh_from_db()
    assert project.credits == 1
    assert not Submission.objects.exists()
    assert not LivenessCapture.objects.exists()


def test_deleting_the_submission_deletes_its_filmed_frames(db, sessions, django_capture_on_commit_callbacks):
    # given
    project = ProjectFactory(credits=1)
    capture, still = _capture(sessions / "bona_fide_0000")
    submission = _liveform(project, capture, still)
    frames_file = LivenessCapture.objects.get(submission=submission).storage_name

    # when
    with django_capture_on_commit_callbacks(execute=True):
        submission_delete(project=project, submission_id=submission.id, actor=ACTOR)

    # then
    assert not LivenessCapture.objects.exists()
    assert not default_storage.exists(frames_file)
