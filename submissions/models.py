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


class FaceTemplateKind(models.TextChoices):
    PORTRAIT = "portrait", "Document portrait"
    SELFIE = "selfie", "Selfie"


class FaceTemplate(models.Model):
    """One face embedding of a submission for the 1:N duplicate search, sealed (G17).

    ``id`` only grows: a worker's in-memory index (``submissions.duplicates.face_index``) catches
    up with the rows above the highest id it has seen. A re-run replaces the row (a new id).
    """

    id = models.BigAutoField(primary_key=True)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="face_templates")
    kind = models.CharField(max_length=8, choices=FaceTemplateKind.choices)
    sealed_embedding = models.BinaryField(editable=False)  # 128 float32, sealed with the data key
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["project", "id"], name="face_template_catch_up_idx")]
        constraints = [models.UniqueConstraint(fields=["submission", "kind"], name="face_template_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} face of {self.submission_id}"


class FaceTemplateRemoval(models.Model):
    """A face forgotten (deletion, G19): other workers drop ``key`` from their in-memory index.

    Ids only (the index key is ``<submission id>`` or ``<submission id>:selfie``), never a vector.
    """

    id = models.BigAutoField(primary_key=True)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["project", "id"], name="face_removal_catch_up_idx")]

    def __str__(self) -> str:
        return f"forget face {self.key}"


class ProjectDuplicateSettings(models.Model):
    """The project's Custom DI: which collected values make it (spec §8.6); empty: none."""

    project = models.OneToOneField("projects.Project", on_delete=models.CASCADE, related_name="duplicate_settings")
    custom_di_fields = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"duplicate settings of project {self.project_id}"


class LiveformHandoff(models.Model):
    """A Liveform flow offered to a phone by a desktop's QR code (``submissions.flow.handoff``).

    The QR link carries a random token; only its SHA-256 is kept. It is good once and for
    ``HANDOFF_LIFETIME``: claiming it copies the desktop session's flow into a new session on the
    phone. ``session_key`` is the desktop's session, whose flow is then marked as handed off.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    flow = models.CharField(max_length=64)
    session_key = models.CharField(max_length=40)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"handoff of flow {self.flow}"


class PhoneVerification(models.Model):
    """One Liveform flow's SMS check of a phone number (``submissions.services.phone``).

    Holds no number and no code: ``code_hash`` is a keyed hash (under the master key) of the
    flow, the number the code was sent to and the code, so only the same number with the same
    code matches, and a database dump cannot be brute-forced. The counters are the throttles:
    ``sends`` and ``last_sent_at`` (codes per flow, time between codes), ``wrong_attempts``
    (wrong entries of the current code), ``number_hash`` (flows that texted one number lately).
    """

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    flow = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=64, blank=True)
    # Keyed hash of the number the last code went to: the per-number limit across flows
    number_hash = models.CharField(max_length=64, blank=True, db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    wrong_attempts = models.PositiveSmallIntegerField(default=0)
    sends = models.PositiveSmallIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "flow"], name="phone_verification_one_per_flow")]

    def __str__(self) -> str:
        return f"phone verification of flow {self.flow}"


class AmlScreening(models.Model):
    """The submission's last AML screening (spec §8.12, ``submissions.services.aml``).

    ``current_status`` and ``risk_level_summary`` are the §4.10 values (no PII). Who was screened
    and what matched, with each match's explanation, is sealed under the submission's data key
    (``sealed_result``): a deletion that destroys the key makes it unreadable with the rest.
    """

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="aml_screening")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    current_status = models.CharField(max_length=20)  # Not Screened | Red Flag
    risk_level_summary = models.CharField(max_length=20)  # Not Screened | HIGH | MEDIUM | LOW
    threshold = models.PositiveSmallIntegerField()
    list_versions = models.JSONField(default=dict, blank=True)  # {source name: version} screened against
    screened_at = models.DateTimeField(default=timezone.now)
    sealed_result = models.BinaryField(null=True, editable=False)

    def __str__(self) -> str:
        return f"AML screening of {self.submission_id}: {self.current_status}"


class AmlMatch(models.Model):
    """One matched watch-list profile of a Red Flag screening; ``resource_id`` names its PDF report
    (``GET /v3/report/aml?resourceId=…``). Category and score only: the rest is sealed."""

    resource_id = models.CharField(max_length=32, unique=True)
    screening = models.ForeignKey(AmlScreening, on_delete=models.CASCADE, related_name="matches")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()  # 1 = the best score
    category = models.CharField(max_length=3)
    score = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["screening", "rank"]

    def __str__(self) -> str:
        return f"AML match {self.resource_id}"


class InjectionState(models.TextChoices):
    QUEUED = "queued", "Checks queued"
    COMPLETED = "completed", "Address replaced"
    FAILED = "failed", "Refused by a check"


class AddressInjection(models.Model):
    """One address injection (Liveform ``action=addveri``, spec §6.6) on an existing submission.

    While its checks are queued the row holds what the person declared, their IP and the link's
    options and echoes (``sealed_request``), and the proof of address as a sealed file written
    under the ``address`` image context, so it can become the submission's address image as it
    is. Once the checks are done (``submissions.services.injection``) the request and the file
    are dropped: a success copied them into the submission, a failure keeps nothing of them.
    ``sealed_echo`` keeps the link's cf1–cf3 and userid for the webhook, sealed like metadata.
    """

    id = models.BigAutoField(primary_key=True)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="injections")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=InjectionState.choices, default=InjectionState.QUEUED)
    created_at = models.DateTimeField(default=now_to_the_millisecond, editable=False)
    queued_at = models.DateTimeField(default=timezone.now)  # last sent to the worker (the sweeper re-sends)
    checked_at = models.DateTimeField(null=True, blank=True)
    # Set when the ipRisk check failed: later injections of the submission fail it until then
    # (``ipRiskDurationHours``, submissions.injection).
    ip_blocked_until = models.DateTimeField(null=True, blank=True)
    sealed_request = models.BinaryField(null=True, editable=False)
    sealed_echo = models.BinaryField(null=True, editable=False)
    storage_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["submission", "created_at"], name="injection_submission_idx")]

    def __str__(self) -> str:
        return f"address injection {self.pk} of {self.submission_id}: {self.state}"
