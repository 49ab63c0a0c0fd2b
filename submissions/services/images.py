"""``submission_images_replace``: the Liveform's new photos after a retry (spec §8.3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from idcheck.errors import ApplicationError, ConflictError, NotFound
from idcheck.lib.crypto import DecryptionError
from policy.id_types import ID_TYPES
from policy.selectors import policy_settings_get
from projects.actors import Actor
from projects.models import Project, ProjectStatus
from projects.services import audit_record
from submissions.duplicates import face_index_forget
from submissions.models import (
    CheckResult,
    FaceTemplate,
    FaceTemplateKind,
    ImageKind,
    RunState,
    SelfieCapture,
    Submission,
    SubmissionImage,
    SubmissionSource,
    SubmissionStatus,
)
from submissions.services.create import image_intake, run_enqueue, selfie_capture_of
from submissions.services.live_capture import LiveCapture, live_capture_check, live_capture_drop, live_capture_store
from submissions.services.submission_access import admin_named
from submissions.storage import image_file_read, image_file_write, image_files_delete

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
    prepared = {kind: image_intake(kind, data) for kind, data in images.items()}
    live = live_capture if ImageKind.SELFIE in prepared else None
    if live is not None:
        live_capture_check(live)
    written: list[str] = []
    try:
        return _replace(submission.pk, prepared, live, actor=actor, written=written)
    except BaseException:
        image_files_delete(written)
        raise


def _images_store(submission: Submission, prepared: dict[str, bytes], written: list[str]) -> list[SubmissionImage]:
    """Store the sealed ``prepared`` images in place of those of the same kinds, inside the
    caller's transaction; the replaced files are deleted after commit. The rows replaced."""
    replaced = list(submission.images.filter(kind__in=list(prepared)))
    old_files = [image.storage_name for image in replaced]
    SubmissionImage.objects.filter(pk__in=[image.pk for image in replaced]).delete()
    for kind, jpeg in prepared.items():
        image = image_file_write(submission, kind=kind, jpeg=jpeg)
        written.append(image.storage_name)
        image.save()
    transaction.on_commit(lambda: image_files_delete(old_files))
    return replaced


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
    _images_store(submission, prepared, written)
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
    transaction.on_commit(lambda: run_enqueue(submission_id))
    return submission


# --- the v3 image endpoints (spec §2.8, §2.9): an integrator reads and sets images ------------


class ImageNotFound(NotFound):
    """The one answer for an image that cannot be given: unknown or another project's
    submission, deleted submission, image kind never stored or deleted, unreadable file."""

    code = "image_not_found"

    def __init__(self) -> None:
        super().__init__("Image not found.")


class SubmissionBeingVerified(ConflictError):
    code = "submission_in_progress"

    def __init__(self) -> None:
        super().__init__("This submission is being verified; send its images once its verification is done.")


@dataclass(frozen=True)
class ImageFile:
    data: bytes
    content_type: str


def submission_image_read(*, project: Project, submission_id: str, kind: str, actor: Actor) -> ImageFile:
    """One stored image of a submission of ``project``, opened from the sealed store; every read
    is a ``submission.image_viewed`` Event Log entry (the kind, never the image). The dashboard's
    image view and ``GET /v3/image`` both read through it. Whatever the reason it cannot be given, ``ImageNotFound``."""
    image = (
        SubmissionImage.objects.select_related("submission")
        .filter(submission__project=project, submission_id=submission_id, kind=kind)
        .first()
    )
    if image is None or not image.submission.wrapped_data_key:
        raise ImageNotFound()
    try:
        data = image_file_read(image)
    except (DecryptionError, FileNotFoundError):
        raise ImageNotFound() from None
    audit_record(actor=actor, action="submission.image_viewed", project=project, target_type="submission",
                 target_id=submission_id, details={"kind": kind})  # fmt: skip
    return ImageFile(data, image.content_type)


def submission_images_update(
    *, project: Project, submission_id: str, images: Mapping[str, bytes], admin: str, actor: Actor, id_type: str = ""
) -> Submission:
    """Add or replace images of any submission of ``project`` that is not deleted (spec §2.9).

    ``admin`` must be an active member of the project, ``id_type`` (one of ``ID_TYPES``) must
    come with a document image and becomes the submission's claimed ID type, and a proof of
    address is taken only where the project's policy reads one (as for ``submission_create``).
    Every image passes the G16 intake before anything is written, so one refused image leaves
    the submission as it was. Refused while a verification run is queued or running
    (``SubmissionBeingVerified``): the run would read half old, half new images. Each given
    kind replaces the stored one (the old file is deleted after commit); a new selfie is
    ``uploaded`` and forgets a live capture; the faces of a replaced selfie or document front
    leave the duplicate index (they are no longer the stored ones). Nothing is re-verified, the
    decision stays, no webhook is sent; one ``submission.images_replaced`` Event Log entry
    names the kinds."""
    images = dict(images)
    if not submission_id or not (admin or "").strip():
        raise ApplicationError("Required input data is missing.", code="missing_data")
    unknown = set(images) - set(ImageKind.values)
    if unknown:
        raise ApplicationError(f"invalid parameter: {', '.join(sorted(unknown))}", code="invalid_parameter")
    if not images:
        raise ApplicationError("At least one image parameter is required.", code="invalid_data")
    if {ImageKind.ID_FRONT, ImageKind.ID_BACK} & set(images) and not id_type:
        raise ApplicationError("The idType is required when submit idImage or idBackImage.", code="missing_data")
    if id_type and id_type not in ID_TYPES:
        raise ApplicationError("invalid format: idType", code="invalid_format", extra={"field": "idType"})
    if ImageKind.ADDRESS in images and not policy_settings_get(project).proof_of_address:
        raise ApplicationError("invalid parameter: addressImage", code="invalid_parameter",
                               extra={"field": "addressImage"})  # fmt: skip
    prepared = {kind: image_intake(kind, data) for kind, data in images.items()}
    written: list[str] = []
    try:
        return _images_update(project, submission_id, prepared, admin, id_type, actor=actor, written=written)
    except BaseException:
        image_files_delete(written)  # the rows rolled back: no file may outlive them
        raise


_FACES_OF = {ImageKind.ID_FRONT: FaceTemplateKind.PORTRAIT, ImageKind.SELFIE: FaceTemplateKind.SELFIE}


@transaction.atomic
def _images_update(
    project: Project,
    submission_id: str,
    prepared: dict[str, bytes],
    admin_name: str,
    id_type: str,
    *,
    actor: Actor,
    written: list[str],
) -> Submission:
    if Project.objects.filter(pk=project.pk, status=ProjectStatus.CLOSED).exists():
        raise ApplicationError("Invalid project.", code="invalid_project")
    admin = admin_named(project, admin_name)
    if admin is None:
        raise ApplicationError("Invalid admin.", code="invalid_admin")
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("project")
        .filter(project=project, pk=submission_id)
        .first()
    )
    if submission is None or not submission.wrapped_data_key:
        raise ApplicationError("Invalid submission.", code="invalid_submission")
    if submission.run_state in (RunState.QUEUED, RunState.PROCESSING):
        raise SubmissionBeingVerified()
    replaced = _images_store(submission, prepared, written)
    if ImageKind.SELFIE in prepared:
        submission.selfie_capture = SelfieCapture.UPLOADED
        live_capture_drop(submission)
    faces = [_FACES_OF[kind] for kind in prepared if kind in _FACES_OF]
    if FaceTemplate.objects.filter(submission=submission, kind__in=faces).exists():
        face_index_forget(submission, faces)
    if id_type:
        submission.claimed_id_type = id_type
    submission.save(update_fields=["selfie_capture", "claimed_id_type", "updated_at"])
    audit_record(actor=actor, action="submission.images_replaced", project=project, target_type="submission",
                 target_id=submission.pk, details={"images": sorted(prepared), "admin_user_id": admin.pk,
                                                   "replaced": sorted(image.kind for image in replaced)})  # fmt: skip
    return submission
