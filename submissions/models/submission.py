"""Submissions, their stored images, one CheckResult per pipeline step, idempotency keys.

PII never sits in a plain column (G17). What a person typed or what the document says lives in
``sealed_*`` blobs and image files sealed under the submission's own data key
(``submissions.vault``): destroying ``wrapped_data_key`` makes every copy unreadable. Plain
columns hold ids, states, scores, codes, hashes of sealed bytes and the engines' non-PII
summaries.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string

from django.db import models
from django.utils import timezone

_ID_ALPHABET = string.ascii_lowercase + string.digits


def generate_submission_id() -> str:
    """``evcka62mes3ugzb_mg``-shaped ids as in the original: 15 + 2 random characters (≈ 88 bits)."""
    body = "".join(secrets.choice(_ID_ALPHABET) for _ in range(15))
    suffix = "".join(secrets.choice(_ID_ALPHABET) for _ in range(2))
    return f"{body}_{suffix}"


def now_to_the_millisecond() -> dt.datetime:
    """Creation times as precise as the API shows them, so a page cursor is exact."""
    now = timezone.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class SubmissionStatus(models.TextChoices):
    INCOMPLETE = "incomplete", "Incomplete"
    PENDING = "pending", "Pending review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class SubmissionSource(models.TextChoices):
    LIVEFORM = "liveform", "Liveform"
    API = "api", "API"
    MIGRATION = "migration", "Migration"


class RunState(models.TextChoices):
    """Where the verification run is; ``status`` is the customer-facing KYC result."""

    WAITING = "waiting", "Waiting for images"  # a Liveform submission still being captured
    QUEUED = "queued", "Queued"
    PROCESSING = "processing", "Processing"
    DECIDED = "decided", "Decided"
    FAILED = "failed", "Failed"  # gave up (see failure_reason); the submission went to review


class SelfieCapture(models.TextChoices):
    """How the selfie arrived. Only a live Liveform capture can ever pass liveness (G25)."""

    NONE = "", "No selfie"
    UPLOADED = "uploaded", "Uploaded (liveness not performed)"
    LIVE = "live", "Live capture"


class SubmissionPipeline(models.TextChoices):
    """What the submission verifies (spec §6.3): an ID document and a selfie, or the identity the
    person typed and a selfie (Knowledge-Based, Liveform only; chosen by the project's setting
    ``policy_pipeline`` when the flow starts, kept for the submission's life)."""

    ID_DOCUMENT = "id_document", "ID document"
    KNOWLEDGE_BASED = "knowledge_based", "Knowledge-Based"


class Submission(models.Model):
    id = models.CharField(primary_key=True, max_length=18, default=generate_submission_id, editable=False)
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="submissions")
    status = models.CharField(max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.INCOMPLETE)
    source = models.CharField(max_length=10, choices=SubmissionSource.choices)
    created_at = models.DateTimeField(default=now_to_the_millisecond, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    # G17: the data key, wrapped by the master key; NULL once destroyed (crypto-shredded).
    wrapped_data_key = models.BinaryField(null=True, editable=False)

    # What the submitter sent. E-mail, userid and cf1–cf3 are sealed (JSON object); the
    # document's issuing country and type as claimed are codes, kept plain for filtering.
    sealed_metadata = models.BinaryField(null=True, editable=False)
    claimed_issuing_country = models.CharField(max_length=3, blank=True)
    claimed_id_type = models.CharField(max_length=40, blank=True)
    # The document's nationality (alpha-3) as the run read it, for the dashboard's filter; set
    # with the decision, "" before it and once a deletion removed the nationality.
    nationality = models.CharField(max_length=3, blank=True)
    selfie_capture = models.CharField(max_length=8, choices=SelfieCapture.choices, blank=True)
    pipeline = models.CharField(
        max_length=16, choices=SubmissionPipeline.choices, default=SubmissionPipeline.ID_DOCUMENT
    )

    # The verification run (claimed with a conditional UPDATE; see services.submission_process).
    run_state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.WAITING)
    queued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    failure_reason = models.CharField(max_length=200, blank=True)  # codes and counts, never PII

    # Retries of a Liveform submission (spec §8.3): document or face failures the end user can
    # fix send it back to ``incomplete``; ``policy.engine`` rejects ``too_many_retry`` at the
    # project's ``max_attempts``. ``retry_code`` is the last retry's ``retryCode`` (§4.3).
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    retry_code = models.CharField(max_length=40, blank=True)

    # The decision (policy.engine.decide). Evidence and trace may quote document data: sealed.
    submitted_at = models.DateTimeField(null=True, blank=True)
    argos_score = models.PositiveSmallIntegerField(null=True, blank=True)
    kyc_comment = models.JSONField(default=list, blank=True)
    kyc_comment_code = models.JSONField(default=list, blank=True)
    reviewer = models.CharField(max_length=254, blank=True)  # system, the reviewer setting, or the admin's e-mail
    rules_version = models.PositiveIntegerField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    sealed_evidence = models.BinaryField(null=True, editable=False)
    sealed_decision = models.BinaryField(null=True, editable=False)

    # Duplicate detection (``submissions.duplicates``): keyed hashes (HMAC under a key derived
    # from the master key), never the names or dates themselves; "" when not every input exists.
    duplicated_information = models.CharField(max_length=64, blank=True)
    custom_duplicated_information = models.CharField(max_length=64, blank=True)
    applicant_id = models.CharField(max_length=24, blank=True)  # set when approved (spec §3.1)
    # Components removed by a (partial) deletion: di, custom_di, portrait, selfie. An excluded
    # component is never stored again for this submission, so it stays out of duplicate checks.
    duplicate_exclusions = models.JSONField(default=list, blank=True)

    # The reviewers' memo, sealed with the data key like every other free text about the person.
    sealed_memo = models.BinaryField(null=True, editable=False)
    # The last Liveform address injection (spec §3 ``injection_action``: type, created_at, failCode
    # and which checks ran), sealed with the data key; NULL before the first one.
    sealed_injection_action = models.BinaryField(null=True, editable=False)
    # Blind indexes for the dashboard's keyword search and the API's ?email= / ?userid= lookups:
    # an HMAC of the normalised value under a key derived from the master key, "" when absent.
    email_lookup = models.CharField(max_length=64, blank=True)
    userid_lookup = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["project", "-created_at", "-id"]),
            models.Index(fields=["run_state", "claimed_at"], name="submission_run_state_idx"),
            # the dashboard's status filter and its review queue (pending, oldest first), keyset-paged
            models.Index(fields=["project", "status", "created_at", "id"], name="submission_status_idx"),
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="incomplete", submitted_at__isnull=True),
                name="submission_incomplete_idx",
            ),
            models.Index(
                fields=["project", "duplicated_information"],
                condition=~models.Q(duplicated_information=""),
                name="submission_di_idx",
            ),
            models.Index(
                fields=["project", "custom_duplicated_information"],
                condition=~models.Q(custom_duplicated_information=""),
                name="submission_custom_di_idx",
            ),
            models.Index(
                fields=["project", "email_lookup"],
                condition=~models.Q(email_lookup=""),
                name="submission_email_lookup_idx",
            ),
            models.Index(
                fields=["project", "userid_lookup"],
                condition=~models.Q(userid_lookup=""),
                name="submission_userid_lookup_idx",
            ),
            # the dashboard's nationality, issuing-country and ID-type filters, keyset-paged
            models.Index(
                fields=["project", "nationality", "created_at", "id"],
                condition=~models.Q(nationality=""),
                name="submission_nationality_idx",
            ),
            models.Index(
                fields=["project", "claimed_issuing_country", "created_at", "id"],
                condition=~models.Q(claimed_issuing_country=""),
                name="submission_country_idx",
            ),
            models.Index(
                fields=["project", "claimed_id_type", "created_at", "id"],
                condition=~models.Q(claimed_id_type=""),
                name="submission_id_type_idx",
            ),
            models.Index(
                fields=["project", "applicant_id"],
                condition=~models.Q(applicant_id=""),
                name="submission_applicant_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(argos_score__isnull=True) | models.Q(argos_score__lte=100),
                name="submission_argos_score_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"Submission {self.id}"


class ImageKind(models.TextChoices):
    ID_FRONT = "id_front", "ID front"  # API field idImage
    ID_BACK = "id_back", "ID back"  # idBackImage
    SELFIE = "selfie", "Selfie"  # selfieImage
    ADDRESS = "address", "Proof of address"  # addressImage


class SubmissionImage(models.Model):
    """One stored image: the re-encoded JPEG (G16), sealed under the submission's data key.

    ``storage_name`` is a random name in Django's default storage (files by default, any
    S3-compatible store when configured); ``sha256`` and ``size`` describe the plaintext, so a
    tampered or swapped file is detected when it is opened.
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="images")
    kind = models.CharField(max_length=10, choices=ImageKind.choices)
    storage_name = models.CharField(max_length=200, unique=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["submission", "kind"], name="submission_image_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.submission_id}"


class LivenessCapture(models.Model):
    """A live Liveform selfie's active challenge (G25): the plan the server issued, the nonce and
    arrival of the upload, and the filmed frames as one file (``pipeline.liveness.bundle``)
    sealed under the submission's data key. Only a selfie with this row can pass liveness; a
    new live selfie after a retry replaces it, a selfie from a file input deletes it."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="liveness_capture")
    plan = models.JSONField()  # ChallengePlan.as_json(): the server's copy, never the phone's
    nonce_sent = models.CharField(max_length=64)  # what the Liveform sent back with the frames
    received_at_ms = models.BigIntegerField()  # the upload's arrival, server clock, epoch ms
    frame_count = models.PositiveSmallIntegerField()
    storage_name = models.CharField(max_length=200, unique=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    camera_errors = models.JSONField(default=list, blank=True)  # camera error names met on the way
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"liveness capture of {self.submission_id}"


class CheckResult(models.Model):
    """What one pipeline step found. Unique per (submission, step): a re-run overwrites it.

    ``summary`` is the step's non-PII outline (kind, codes, similarity, timings) for dashboards
    and metrics; ``sealed_result`` is the engine's full JSON (names, MRZ lines…), sealed.
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="check_results")
    step = models.CharField(max_length=40)
    outcome = models.CharField(max_length=40)  # read, refused, matched, not_matched, not_performed…
    summary = models.JSONField(default=dict)
    sealed_result = models.BinaryField(null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["submission", "step"], name="check_result_one_per_step")]

    def __str__(self) -> str:
        return f"{self.step} of {self.submission_id}: {self.outcome}"


class IdempotencyKey(models.Model):
    """An ``Idempotency-Key`` of one project (G2), written in the same transaction as the work.

    A retry with the same key and the same request (``fingerprint``) gets the same submission;
    with another request it is refused. Keys older than ``IDEMPOTENCY_KEY_TTL`` count as new.
    """

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "key"], name="idempotency_key_per_project")]

    def __str__(self) -> str:
        return f"idempotency key of {self.submission_id}"
