"""``submission_create``: intake, one credit, sealed images, the ``created`` event, the run queued."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from django.db import transaction
from django.utils import timezone

from idcheck.celery import delay_or_leave_to_sweeper
from idcheck.errors import ApplicationError
from network.services import ClientInfo, submission_client_record
from policy.evidence import IdentityFields
from policy.selectors import policy_settings_get
from projects.actors import Actor
from projects.models import Project
from projects.services import audit_record, credits_debit_for_submission
from submissions import vault
from submissions.lookups import email_lookup, userid_lookup
from submissions.models import (
    ImageKind,
    RunState,
    SelfieCapture,
    Submission,
    SubmissionPipeline,
    SubmissionSource,
)
from submissions.pipeline.intake import ImageRejected, decode_image, encode_jpeg
from submissions.services.idempotency import (
    idempotency_key_check,
    idempotency_remember,
    idempotency_replay,
    request_fingerprint,
)
from submissions.services.knowledge import KNOWLEDGE_KEY, SSN_KEY, KnowledgeData
from submissions.services.live_capture import LiveCapture, live_capture_check, live_capture_store
from submissions.storage import image_file_write, image_files_delete
from webhooks.services import webhook_event_emit

REVIEW_KEY = "review"  # the sealed metadata's key for a ``FieldsReview``
ADDITIONAL_KEY = "additional_list"  # and for the answers to the project's additional-info questions
ANSWER_KEYS = frozenset({"id", "inputValue", "answer", "blockType"})
# The API's field name for each image kind: refusals name the field the client sent.
IMAGE_FIELDS = {
    ImageKind.ID_FRONT: "idImage",
    ImageKind.ID_BACK: "idBackImage",
    ImageKind.SELFIE: "selfieImage",
    ImageKind.ADDRESS: "addressImage",
}


class ImageRefused(ApplicationError):
    """An image failed the G16 intake; ``code`` is the intake's (unsupported_format, …)."""

    def __init__(self, kind: str, refusal: ImageRejected):
        field = IMAGE_FIELDS.get(kind, kind)
        super().__init__(f"{field}: {refusal.message}", code=refusal.code, extra={"field": field})


POLICY_OVERRIDES_KEY = "policy_overrides"  # in the sealed metadata
PROJECTION_KEY = "projection"  # in the sealed metadata: {"id", "fields"} of the link's projection
CAMERA_ERRORS_KEY = "camera_errors"  # in the sealed metadata
PHONE_NUMBER_KEY = "phoneNumber"  # in the sealed metadata: the §3.2 ``data`` field


@dataclass(frozen=True)
class SubmissionDetails:
    """What the submitter told us besides the images. The first five are sealed (PII)."""

    email: str = ""
    userid: str = ""
    cf1: str = ""
    cf2: str = ""
    cf3: str = ""
    issuing_country: str = ""  # ISO 3166-1 alpha-3, as claimed
    id_type: str = ""  # as claimed (spec §8.5)
    token_id: str = ""  # the Liveform link's private-mode token, the webhooks' tokenId (spec §6.5)
    # The Liveform link's policy switches (spec §6.2, ``policy.settings.with_session_overrides``)
    policy_overrides: tuple[tuple[str, bool], ...] = ()
    # Camera errors the Liveform met before the person chose photos instead ("front:NotAllowedError")
    camera_errors: tuple[str, ...] = ()
    # The Liveform link's projection (spec §2.13): its id and the fields it hid when chosen
    projection: tuple[str, tuple[str, ...]] | None = None
    # The Liveform's SMS-verified number (E.164, ``auxidField=phoneNumber``), the ``data`` field phoneNumber
    phone_number: str = ""

    def sealed_part(self) -> dict[str, object]:
        # Only Liveform links carry a token or switches: other submissions' metadata stays as it was.
        part: dict[str, object] = {key: value for key, value in asdict(self).items()
                                   if key not in ("issuing_country", "id_type", "policy_overrides", "token_id", "camera_errors",
                                                  "projection", "phone_number")}  # fmt: skip
        if self.token_id:
            part["token_id"] = self.token_id
        if self.policy_overrides:
            part[POLICY_OVERRIDES_KEY] = dict(self.policy_overrides)
        if self.camera_errors:
            part[CAMERA_ERRORS_KEY] = list(self.camera_errors)
        if self.projection:
            part[PROJECTION_KEY] = {"id": self.projection[0], "fields": list(self.projection[1])}
        if self.phone_number:
            part[PHONE_NUMBER_KEY] = self.phone_number
        return part


@dataclass(frozen=True)
class FieldsReview:
    """The Liveform's OCR confirmation page (spec §6.3): what the document engine read in the flow,
    what the person confirmed, and the fields where they differ. Both readings are kept (sealed,
    ``review`` in the metadata); the run reads the document again from the images and adds
    ``edited`` to its evidence (``DocumentEvidence.edited_fields``) for the policy's
    ``fields_edited`` condition and the score's ``data_entry`` line. Field names are
    ``policy.evidence.IdentityFields``'s; dates ISO; "" for a field not read or not given."""

    read: Mapping[str, str]
    confirmed: Mapping[str, str]
    edited: tuple[str, ...] = ()
    recognition_score: int = 0  # 0–100, submissions/flow/ocr.py
    skipped: bool = False  # the page was not shown: every field read with a score of at least 80

    def sealed_part(self) -> dict[str, object]:
        return {"read": dict(self.read), "confirmed": dict(self.confirmed), "edited": list(self.edited),
                "recognition_score": self.recognition_score, "skipped": self.skipped}  # fmt: skip


def submission_create(
    *,
    project: Project,
    source: str,
    actor: Actor,
    images: Mapping[str, bytes] | None = None,
    details: SubmissionDetails | None = None,
    live_capture: LiveCapture | None = None,
    idempotency_key: str = "",
    client: ClientInfo | None = None,
    review: FieldsReview | None = None,
    additional_list: Sequence[Mapping[str, str]] = (),
    knowledge: KnowledgeData | None = None,
) -> Submission:
    """Open a submission, pay for it with one credit and, when its images came along, queue its run.

    Every image passes the G16 intake first (magic bytes, size, pixel cap, re-encode, no
    metadata); a refusal raises ``ImageRefused`` before anything is written, so it costs no
    credit and leaves no row and no file. The debit refuses closed, emergency-stopped and
    empty projects in the same transaction (G1). Images are stored re-encoded and sealed under
    the submission's data key (``submissions.storage``). The ``created`` Event Log entry and
    webhook outbox row commit with the submission; the run is enqueued on the ``pipeline``
    queue only after commit.

    ``live_capture``: the active challenge the Liveform filmed with the selfie; stored sealed
    beside it, it makes the selfie ``live``, the only kind that can pass liveness (G25). Any
    other selfie is ``uploaded``, and an API submission's always is, whatever the caller sends.

    Proof of address (``addressImage``): a project whose policy requires it must send it with
    the other images (``missing_data``), and one that does not may not send it
    (``invalid_parameter``: an image nobody reads is not kept). Both refusals come before
    anything is written.

    ``idempotency_key`` (G2): the same key with the same request returns the first submission
    and does nothing else; with another request raises ``IdempotencyMismatch`` (422); while the
    first is still in flight raises ``IdempotencyConflict`` (409). Keys live 24 hours.

    ``client``: the end user's address, user agent and device signals, kept for the run's
    network and device checks (``network.services``); without it they are "not checked".

    ``review``: the Liveform's confirmation page (``FieldsReview``), kept sealed with the
    submitter's details; its ``edited`` field names reach the run's evidence.

    ``additional_list``: the answers to the project's additional-info questions (spec §3.1), each
    ``{"id", "inputValue" (the question), "answer", "blockType" (text, choice, checkbox)}``, all
    text; kept sealed (answers may be personal) and shown by ``GET /v3/submission``.

    ``knowledge``: the identity a Knowledge-Based Liveform flow typed (``services.knowledge``);
    the submission's pipeline is then ``knowledge_based`` and its only image the selfie
    (``invalid_parameter`` for any other, ``missing_data`` without it).
    """
    images = dict(images or {})
    details = details or SubmissionDetails()
    if source not in SubmissionSource.values:
        raise ApplicationError(f"Unknown submission source {source!r}.", code="invalid_source")
    unknown = set(images) - set(ImageKind.values)
    if unknown:
        raise ApplicationError(f"Unknown image kinds: {', '.join(sorted(unknown))}.", code="invalid_parameter")
    if knowledge is not None:
        _check_knowledge_images(images)
    elif images and ImageKind.ID_FRONT not in images:
        raise ApplicationError("Required input data is missing", code="missing_data", extra={"field": "idImage"})
    elif images:
        _check_proof_of_address(project, images)
    if review is not None and not set(review.edited) <= set(IdentityFields.__dataclass_fields__):
        raise ApplicationError("Unknown edited fields.", code="invalid_parameter", extra={"field": "review"})
    if any(set(item) != ANSWER_KEYS or not all(isinstance(v, str) for v in item.values()) for item in additional_list):
        raise ApplicationError("invalid format: additional_list", code="invalid_format",
                               extra={"field": "additional_list"})  # fmt: skip
    answers = [dict(item) for item in additional_list]
    idempotency_key_check(idempotency_key)
    prepared = {kind: image_intake(kind, data) for kind, data in images.items()}
    live = live_capture if source == SubmissionSource.LIVEFORM and ImageKind.SELFIE in prepared else None
    if live is not None:
        live_capture_check(live)
    fingerprint = _fingerprint(source, images, details, review, answers, knowledge) if idempotency_key else ""
    written: list[str] = []
    try:
        return _create(
            project=project,
            source=source,
            actor=actor,
            prepared=prepared,
            details=details,
            review=review,
            answers=answers,
            knowledge=knowledge,
            live_capture=live,
            idempotency_key=idempotency_key,
            client=client or ClientInfo(),
            fingerprint=fingerprint,
            written=written,
        )
    except BaseException:
        image_files_delete(written)  # the rows rolled back: no file may outlive them
        raise


def _check_knowledge_images(images: Mapping[str, bytes]) -> None:
    """A Knowledge-Based submission has a selfie and no document (spec §6.3)."""
    other = sorted(set(images) - {ImageKind.SELFIE})
    if other:
        field = IMAGE_FIELDS.get(other[0], other[0])
        raise ApplicationError(f"invalid parameter: {field}", code="invalid_parameter", extra={"field": field})
    if ImageKind.SELFIE not in images:
        raise ApplicationError("Required input data is missing", code="missing_data", extra={"field": "selfieImage"})


def _check_proof_of_address(project: Project, images: Mapping[str, bytes]) -> None:
    """A project that requires proof of address gets it with the other images (the run would
    reject the submission without it); one that does not is not sent one to keep unread."""
    required = policy_settings_get(project).proof_of_address
    if required and ImageKind.ADDRESS not in images:
        raise ApplicationError("Required input data is missing", code="missing_data", extra={"field": "addressImage"})
    if not required and ImageKind.ADDRESS in images:
        raise ApplicationError("invalid parameter: addressImage", code="invalid_parameter",
                               extra={"field": "addressImage"})  # fmt: skip


def selfie_capture_of(images: Mapping[str, bytes], live_capture: LiveCapture | None) -> str:
    if ImageKind.SELFIE not in images:
        return SelfieCapture.NONE
    return SelfieCapture.LIVE if live_capture is not None else SelfieCapture.UPLOADED


def image_intake(kind: str, data: bytes) -> bytes:
    """``data`` through the G16 intake as image ``kind``: the re-encoded JPEG to store, or
    ``ImageRefused`` naming the API field."""
    try:
        decoded = decode_image(data)
    except ImageRejected as refusal:
        raise ImageRefused(kind, refusal) from None
    return encode_jpeg(decoded.image)


def _fingerprint(
    source: str,
    images: Mapping[str, bytes],
    details: SubmissionDetails,
    review: FieldsReview | None,
    answers: list[dict[str, str]],
    knowledge: KnowledgeData | None,
) -> str:
    """What makes two requests "the same": every field and every image's bytes as uploaded."""
    content: dict[str, object] = {
        "source": source,
        "details": asdict(details),
        "images": {kind: hashlib.sha256(data).hexdigest() for kind, data in sorted(images.items())},
    }
    if review is not None:
        content["review"] = review.sealed_part()
    if answers:
        content["additional_list"] = answers
    if knowledge is not None:
        content["knowledge"] = [knowledge.sealed_part(), knowledge.ssn_number]
    return request_fingerprint(**content)


@transaction.atomic
def _create(
    *,
    project: Project,
    source: str,
    actor: Actor,
    prepared: dict[str, bytes],
    details: SubmissionDetails,
    review: FieldsReview | None,
    answers: list[dict[str, str]],
    knowledge: KnowledgeData | None,
    live_capture: LiveCapture | None,
    idempotency_key: str,
    client: ClientInfo,
    fingerprint: str,
    written: list[str],
) -> Submission:
    if (replayed := idempotency_replay(project, idempotency_key, fingerprint)) is not None:
        return replayed
    now = timezone.now()
    submission = Submission(project=project, source=source, selfie_capture=selfie_capture_of(prepared, live_capture))
    submission.wrapped_data_key = vault.new_wrapped_data_key(submission.id)
    metadata: dict[str, object] = dict(details.sealed_part())
    if review is not None:
        metadata[REVIEW_KEY] = review.sealed_part()
    if answers:
        metadata[ADDITIONAL_KEY] = answers
    if knowledge is not None:
        submission.pipeline = SubmissionPipeline.KNOWLEDGE_BASED
        metadata[KNOWLEDGE_KEY] = knowledge.sealed_part()
        if knowledge.ssn_number:
            metadata[SSN_KEY] = knowledge.ssn_number
    submission.sealed_metadata = vault.seal_json(submission, metadata, context=vault.METADATA_CONTEXT)
    submission.claimed_issuing_country = details.issuing_country
    submission.claimed_id_type = details.id_type
    submission.email_lookup = email_lookup(details.email)
    submission.userid_lookup = userid_lookup(details.userid)
    if prepared:
        submission.run_state, submission.queued_at, submission.submitted_at = RunState.QUEUED, now, now
    submission.save(force_insert=True)
    credits_debit_for_submission(project=project, submission=submission)
    submission_client_record(submission_id=submission.id, project_id=project.pk, client=client)
    for kind, jpeg in prepared.items():
        image = image_file_write(submission, kind=kind, jpeg=jpeg)
        written.append(image.storage_name)
        image.save()
    if live_capture is not None:
        live_capture_store(submission, live_capture, written=written)
    audit_record(
        actor=actor,
        action="submission.created",
        project=project,
        target_type="submission",
        target_id=submission.id,
        details={"source": source, "images": sorted(prepared)},
    )
    webhook_event_emit(
        project=project,
        event="created",
        resource_id=submission.id,
        payload={"webhook_trigger": "created", "submission_id": submission.id, "kyc_result": {"status": "incomplete"}},
    )
    idempotency_remember(project, idempotency_key, fingerprint, submission)
    if prepared:
        submission_id = submission.id
        transaction.on_commit(lambda: run_enqueue(submission_id))
    return submission


def run_enqueue(submission_id: str) -> None:
    """Queue the run after the commit; with the broker down the request still succeeds (the row
    is committed and ``queued``) and the sweeper queues it once the broker is back."""
    from submissions.tasks import submission_process_task

    delay_or_leave_to_sweeper(submission_process_task, submission_id)
