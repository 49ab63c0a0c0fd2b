"""``submission_images_replace``: the Liveform's new photos after a retry (spec §8.3)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from idcheck.errors import ApplicationError, ConflictError
from projects.actors import Actor
from projects.services import audit_record
from submissions.models import (
    CheckResult,
    ImageKind,
    RunState,
    Submission,
    SubmissionImage,
    SubmissionSource,
    SubmissionStatus,
)
from submissions.services.create import _enqueue, _intake, selfie_capture_of
from submissions.services.live_capture import LiveCapture, live_capture_check, live_capture_drop, live_capture_store
from submissions.storage import image_file_write, image_files_delete

LIVEFORM_ACTOR = Actor.system("liveform")


class SubmissionNotWaiting(ConflictError):
    code = "submission_not_waiting"

    def __init__(self) -> None:
        super().__init__("This submission is not waiting for images.")


def submission_images_replace(
    submission: Submission,
    images: Mapping[str, bytes],
    *,
    actor: Actor = LIVEFORM_ACTOR,
    live_capture: LiveCapture | None = None,
) -> Submission:
    """Store new images of a Liveform submission waiting for them and queue its run again.

    Every image passes the G16 intake first; a refusal raises ``ImageRefused`` before anything
    is written. The submission must come from the Liveform and be ``incomplete`` with its run
    ``waiting`` (just created, or sent back by a retry), else ``SubmissionNotWaiting`` (409)
    and nothing changes. Each given kind replaces the stored image of that kind (sealed under
    the submission's data key; the old file is deleted after commit); the images kept must
    include the document front. The earlier run's check results are dropped, the run is
    ``queued`` with a fresh attempt budget, and enqueued after commit. ``failed_attempts`` is
    kept: it is what ``too_many_retry`` counts. A new selfie comes with its ``live_capture`` (the
    selfie is ``live``) or without (``uploaded``, and an earlier capture is forgotten).
    """
    images = dict(images)
    unknown = set(images) - set(ImageKind.values)
    if not images or unknown:
        raise ApplicationError(f"Unknown image kinds: {', '.join(sorted(unknown)) or 'none given'}.",
                               code="invalid_parameter")  # fmt: skip
    prepared = {kind: _intake(kind, data) for kind, data in images.items()}
    live = live_capture if ImageKind.SELFIE in prepared else None
    if live is not None:
        live_capture_check(live)
    written: list[str] = []
    try:
        return _replace(submission.pk, prepared, live, actor=actor, written=written)
    except BaseException:
        image_files_delete(written)
        raise


@transaction.atomic
def _replace(
    submission_id: str, prepared: dict[str, bytes], live: LiveCapture | None, *, actor: Actor, written: list[str]
) -> Submission:
    submission = Submission.objects.select_for_update().select_related("project").get(pk=submission_id)
    waiting = (
        submission.source == SubmissionSource.LIVEFORM
        and submission.status == SubmissionStatus.INCOMPLETE
        and submission.run_state == RunState.WAITING
    )
    if not waiting:
        raise SubmissionNotWaiting()
    kept = set(submission.images.exclude(kind__in=list(prepared)).values_list("kind", flat=True))
    if ImageKind.ID_FRONT not in kept | set(prepared):
        raise ApplicationError("Required input data is missing", code="missing_data", extra={"field": "idImage"})
    replaced = list(submission.images.filter(kind__in=list(prepared)))
    old_files = [image.storage_name for image in replaced]
    SubmissionImage.objects.filter(pk__in=[image.pk for image in replaced]).delete()
    for kind, jpeg in prepared.items():
        image = image_file_write(submission, kind=kind, jpeg=jpeg)
        written.append(image.storage_name)
        image.save()
    if ImageKind.SELFIE in prepared:
        submission.selfie_capture = selfie_capture_of(prepared, live)
        if live is not None:
            live_capture_store(submission, live, written=written)
        else:
            live_capture_drop(submission)
    CheckResult.objects.filter(submission=submission).delete()
    now = timezone.now()
    submission.run_state, submission.queued_at, submission.submitted_at = RunState.QUEUED, now, now
    submission.attempts, submission.claimed_at, submission.failure_reason = 0, None, ""
    submission.save()
    audit_record(
        actor=actor,
        action="submission.images_replaced",
        project=submission.project,
        target_type="submission",
        target_id=submission.id,
        details={"images": sorted(prepared), "failed_attempts": submission.failed_attempts},
    )
    transaction.on_commit(lambda: image_files_delete(old_files))
    transaction.on_commit(lambda: _enqueue(submission_id))
    return submission
