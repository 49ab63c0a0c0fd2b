"""``submission_process``: claim, run the engines, store each step, decide, record it all at once.

The run, for one submission (G14):

1. **Claim** with one conditional UPDATE: ``queued`` → ``processing``, ``attempts + 1``. A
   second delivery of the same task matches no row and returns at once. A redelivery after the
   worker died (Celery's ``redelivered`` flag, ``task_reject_on_worker_lost``) may take over a
   ``processing`` row; the attempt number it claimed is its fence token.
2. **Run** outside any transaction: decrypt the images, then the steps of
   ``submissions.services.steps``: read the document (back first, then the front with
   ``other_side``), match the document portrait against the selfie (on the rectified document,
   else the whole photo), age, liveness, third-party data, and the proof of address when the
   project's policy requires it. Each step upserts its ``CheckResult`` at once, so a re-run
   overwrites and never duplicates.
3. **Decide** with ``policy.engine.decide`` and the project's policy.
4. **Record** in ONE transaction, only if the claim is still ours (same attempt): status, score,
   kyc comment/code, sealed evidence and trace, the Event Log entry and the webhook outbox row
   (``approved`` / ``rejected``, or ``submit`` when pending; spec §4.2).

**Retries** (§8.3, ``submissions.services.retry``): a Liveform run that failed in a way the end
user can fix (unreadable document, no face…) counts one more ``failed_attempts`` and goes back
to ``incomplete`` (run ``waiting``) with a ``retry`` Event Log entry and webhook carrying the
``retryCode``; the Liveform re-uploads with ``submission_images_replace``. The count is the
evidence's ``failed_attempts``: when it reaches the project's ``max_attempts`` the policy
engine rejects ``too_many_retry`` and the run is recorded as any decision.

A run that raises goes back to ``queued`` (and is enqueued again) until it has used
``MAX_ATTEMPTS``; a worker that dies leaves the row ``processing`` until its lease expires and
:func:`submissions_requeue_stuck` (Celery beat, every minute) re-queues it. Either way the third
failure ends the run: ``failed`` with a visible reason, and the submission goes to manual review
(``pending``, ``submit`` webhook) instead of waiting for ever.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from idcheck.celery import delay_or_leave_to_sweeper
from idcheck.timeformat import format_compact
from policy import selectors as policy_selectors
from policy.engine import Decision, decide
from policy.evidence import Evidence
from policy.rules import RuleSet
from policy.settings import PolicySettings, with_session_overrides
from projects.actors import Actor
from projects.models import Project
from projects.services import audit_record
from submissions import duplicates, vault
from submissions.evidence import build_evidence
from submissions.models import (
    ImageKind,
    RunState,
    Submission,
    SubmissionPipeline,
    SubmissionSource,
    SubmissionStatus,
)
from submissions.pipeline.intake import decode_image
from submissions.services import steps
from submissions.services.aml import submission_aml_schedule
from submissions.services.client import client_evidence
from submissions.services.create import POLICY_OVERRIDES_KEY, REVIEW_KEY
from submissions.services.retry import retry_code
from submissions.storage import image_file_read
from webhooks.services import webhook_event_emit

logger = logging.getLogger("idcheck.pipeline")

MAX_ATTEMPTS = 3
PIPELINE_ACTOR = Actor.system("pipeline")


def queued_stale() -> dt.timedelta:
    """How long a queued run waits before the sweeper assumes its message was lost (A7)."""
    return dt.timedelta(seconds=settings.IDCHECK_QUEUED_STALE_SECONDS)


def processing_lease() -> dt.timedelta:
    """How long a claim holds: past the hard time limit, a worker still running is impossible."""
    return dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def project_policy(project: Project) -> tuple[PolicySettings, RuleSet]:
    """The project's policy settings and current custom rules (the one place the run reads them
    from); the decision carries the rules version, stored as ``Submission.rules_version``."""
    settings_, rules = policy_selectors.project_policy(project)
    return settings_, rules or RuleSet()


# --- 1. claim ---------------------------------------------------------------------------------


def _claim(submission_id: str, *, takeover: bool) -> tuple[Submission, int] | None:
    now = timezone.now()
    claimable = Q(run_state=RunState.QUEUED) | Q(run_state=RunState.PROCESSING, claimed_at__lt=now - processing_lease())
    if takeover:
        claimable |= Q(run_state=RunState.PROCESSING)
    claimed = Submission.objects.filter(claimable, pk=submission_id, attempts__lt=MAX_ATTEMPTS).update(
        run_state=RunState.PROCESSING, claimed_at=now, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return None
    submission = Submission.objects.select_related("project").get(pk=submission_id)
    return submission, submission.attempts


def _still_ours(submission_id: str, attempt: int) -> Submission | None:
    """The row, locked, when this run's claim still stands."""
    return (
        Submission.objects.select_for_update()
        .select_related("project")
        .filter(pk=submission_id, run_state=RunState.PROCESSING, attempts=attempt)
        .first()
    )


# --- 2. run (the steps: ``submissions.services.steps``), 3. decide and 4. record ----------------- -----------------------------------------------------------------


@dataclass(frozen=True)
class SweepReport:
    requeued: int
    failed: int
    rekicked: int


def submission_process(*, submission_id: str, takeover: bool = False) -> Submission | None:
    """Run and decide one submission; None when there was nothing to do (see the module doc)."""
    claimed = _claim(submission_id, takeover=takeover)
    if claimed is None:
        return None
    submission, attempt = claimed
    try:
        evidence = _verify(submission)
        settings_, rules = project_policy(submission.project)
        settings_ = with_session_overrides(settings_, _session_overrides(submission))
        retry = retry_code(evidence) if submission.source == SubmissionSource.LIVEFORM else None
        evidence = replace(evidence, failed_attempts=submission.failed_attempts + (1 if retry else 0))
        decision = decide(evidence, settings_, rules)
    except Exception as exc:  # noqa: BLE001 (any failure of one run is recorded, bounded by MAX_ATTEMPTS)
        logger.exception("verification run %s of %s failed", attempt, submission_id)
        _release(submission_id, attempt, reason=f"run {attempt} raised {type(exc).__name__}")
        return None
    if retry is not None and decision.reject_code != "too_many_retry":
        return _record_retry(submission_id, attempt, retry, evidence.failed_attempts)
    return _record(submission_id, attempt, evidence, decision)


def _verify(submission: Submission) -> Evidence:
    images = {image.kind: image_file_read(image) for image in submission.images.select_related("submission")}
    # decoded once for the match and the age (the stored images passed intake: they decode)
    selfie = decode_image(images[ImageKind.SELFIE]).image if ImageKind.SELFIE in images else None
    if submission.pipeline == SubmissionPipeline.KNOWLEDGE_BASED:
        document_ev, face, age, liveness, address = steps.knowledge_steps(submission, selfie)
    else:
        document_ev, face, age, liveness, address = steps.document_steps(
            submission, images, selfie, edited=_edited_fields(submission), address=_requires_address(submission)
        )
    third_party = steps.run_third_party(submission, document_ev)
    client = client_evidence(submission)  # end-user IP and device (network app)
    return build_evidence(
        document=document_ev,
        duplicates=duplicates.duplicates_lookup(submission, document=document_ev),
        network=client.network,
        device=client.device,
        device_duplicates=client.device_duplicates,
        face=face,
        age_estimate=age,
        liveness=liveness,
        third_party=third_party,
        address=address,
        created_at=submission.created_at,
        submitted_at=submission.submitted_at or submission.created_at,
        evaluated_at=timezone.now(),
        pipeline=submission.pipeline,
    )


def _session_overrides(submission: Submission) -> dict[str, bool]:
    """The Liveform link's policy switches this submission was created with (spec §6.2)."""
    metadata = vault.open_json(submission, submission.sealed_metadata, context=vault.METADATA_CONTEXT) or {}
    return dict(metadata.get(POLICY_OVERRIDES_KEY, {}))


def _edited_fields(submission: Submission) -> tuple[str, ...]:
    """The fields the person changed on the Liveform's confirmation page (``FieldsReview``)."""
    metadata = vault.open_json(submission, submission.sealed_metadata, context=vault.METADATA_CONTEXT) or {}
    return tuple(metadata.get(REVIEW_KEY, {}).get("edited", ()))


def _requires_address(submission: Submission) -> bool:
    return policy_selectors.policy_settings_get(submission.project).proof_of_address


@transaction.atomic
def _record(submission_id: str, attempt: int, evidence: Evidence, decision: Decision) -> Submission | None:
    submission = _still_ours(submission_id, attempt)
    if submission is None:
        logger.info("run %s of %s lost its claim; its decision is dropped", attempt, submission_id)
        return None
    now = timezone.now()
    submission.status = decision.status
    submission.argos_score = decision.score
    kyc = decision.kyc()
    submission.kyc_comment, submission.kyc_comment_code = kyc["comment"], kyc["commentCode"]
    submission.reviewer = decision.reviewer
    submission.rules_version = decision.rules_version
    submission.decided_at = now
    duplicates.applicant_assign(submission, evidence.duplicates)
    submission.failed_attempts = evidence.failed_attempts
    submission.run_state = RunState.DECIDED
    submission.failure_reason = ""
    submission.nationality = (evidence.document.fields.nationality or "")[:3]
    submission.sealed_evidence = vault.seal_json(submission, evidence.to_json(), context=vault.EVIDENCE_CONTEXT)
    submission.sealed_decision = vault.seal_json(submission, decision.to_json(), context=vault.DECISION_CONTEXT)
    submission.save()
    audit_decided(submission, decision, argos_score=decision.score, attempt=attempt)
    outcome_emit(submission)
    return submission


def audit_decided(submission: Submission, decision: Decision, **details: Any) -> None:
    """The ``submission.decided`` Event Log entry: ids, codes and counts, never PII."""
    audit_record(
        actor=PIPELINE_ACTOR,
        action="submission.decided",
        project=submission.project,
        target_type="submission",
        target_id=submission.id,
        details={
            "status": decision.status,
            "comment_code": decision.reject_code,
            "deciding": decision.deciding.split(":")[0],
            "rules_version": decision.rules_version,
            **details,
        },
    )


@transaction.atomic
def _record_retry(submission_id: str, attempt: int, code: str, failed_attempts: int) -> Submission | None:
    """Back to the end user: ``incomplete``, waiting for new images, one more failed attempt."""
    submission = _still_ours(submission_id, attempt)
    if submission is None:
        logger.info("run %s of %s lost its claim; its retry is dropped", attempt, submission_id)
        return None
    submission.status = SubmissionStatus.INCOMPLETE
    submission.run_state = RunState.WAITING
    submission.submitted_at = None
    submission.failed_attempts = failed_attempts
    submission.retry_code = code
    submission.failure_reason = ""
    submission.save()
    audit_record(
        actor=PIPELINE_ACTOR,
        action="submission.retry",
        project=submission.project,
        target_type="submission",
        target_id=submission.id,
        details={"retry_code": code, "failed_attempts": failed_attempts, "attempt": attempt},
    )
    webhook_event_emit(
        project=submission.project,
        event="retry",
        resource_id=submission.id,
        payload={
            "webhook_trigger": "retry",
            "submission_id": submission.id,
            "kyc_result": {"status": "incomplete"},
            "retryCode": code,
            "attempts": failed_attempts,
        },
    )
    return submission


def outcome_emit(submission: Submission) -> None:
    """The §4.2 event of the new status, thin (no PII; see ``webhooks.models``)."""
    stamp = format_compact(submission.decided_at or timezone.now())
    if submission.status == SubmissionStatus.PENDING:
        event = "submit"
        payload: dict[str, Any] = {"created_at": submission.created_at.isoformat()}
    elif submission.status == SubmissionStatus.APPROVED:
        event = "approved"
        payload = {
            "kyc_result": {
                "status": "approved",
                "created_at": format_compact(submission.created_at),
                "updated_at": stamp,
                "kyc_result_at": stamp,
                "reviewer": submission.reviewer,
            }
        }
    else:
        event = "rejected"
        payload = {
            "kyc_result": {
                "status": "rejected",
                "comment": submission.kyc_comment[0] if submission.kyc_comment else "",
                "commentCode": submission.kyc_comment_code[0] if submission.kyc_comment_code else "",
                "updated_at": stamp,
            }
        }
    webhook_event_emit(
        project=submission.project,
        event=event,
        resource_id=submission.id,
        payload={"webhook_trigger": event, "submission_id": submission.id, **payload},
    )
    submission_aml_schedule(submission)  # screened after the commit when the project asks for it


@transaction.atomic
def _release(submission_id: str, attempt: int, *, reason: str) -> None:
    """A run that raised: queue it again, or give up after the last attempt."""
    submission = _still_ours(submission_id, attempt)
    if submission is None:
        return
    if attempt >= MAX_ATTEMPTS:
        _fail(submission, reason=f"{reason}; gave up after {attempt} attempts")
        return
    _requeue(submission, reason=reason)


def _requeue(submission: Submission, *, reason: str) -> None:
    submission.run_state, submission.queued_at, submission.failure_reason = RunState.QUEUED, timezone.now(), reason
    submission.save(update_fields=["run_state", "queued_at", "failure_reason", "updated_at"])
    submission_id = submission.id
    transaction.on_commit(lambda: _enqueue(submission_id))


def _enqueue(submission_id: str) -> None:
    from submissions.tasks import submission_process_task

    delay_or_leave_to_sweeper(submission_process_task, submission_id)


def _fail(submission: Submission, *, reason: str) -> None:
    """Stop trying: the run is ``failed`` with its reason, and a person reviews the submission."""
    submission.run_state = RunState.FAILED
    submission.failure_reason = reason[:200]
    submission.status = SubmissionStatus.PENDING
    submission.reviewer = project_policy(submission.project)[0].reviewer
    submission.save()
    audit_record(
        actor=PIPELINE_ACTOR,
        action="submission.processing_failed",
        project=submission.project,
        target_type="submission",
        target_id=submission.id,
        details={"reason": submission.failure_reason, "attempts": submission.attempts},
    )
    outcome_emit(submission)


@transaction.atomic
def submissions_requeue_stuck(*, now: dt.datetime | None = None) -> SweepReport:
    """The sweeper: runs whose worker died (lease expired) are re-queued, or failed after the
    last attempt; queued runs whose message may have been lost are enqueued again (claims make
    the duplicates harmless). Rows are locked with SKIP LOCKED, so sweepers may overlap."""
    now = now or timezone.now()
    requeued = failed = 0
    crashed = (
        Submission.objects.select_for_update(skip_locked=True)
        .select_related("project")
        .filter(run_state=RunState.PROCESSING, claimed_at__lt=now - processing_lease())
    )
    for submission in crashed:
        if submission.attempts >= MAX_ATTEMPTS:
            _fail(submission, reason=f"the worker was lost during each of {submission.attempts} attempts")
            failed += 1
        else:
            _requeue(submission, reason=f"the worker was lost during attempt {submission.attempts}")
            requeued += 1
    rekicked = queued_resend(Submission.objects.filter(run_state=RunState.QUEUED), now=now, enqueue=_enqueue)
    return SweepReport(requeued=requeued, failed=failed, rekicked=rekicked)


def queued_resend(queued: QuerySet[Any], *, now: dt.datetime, enqueue: Callable[[Any], None]) -> int:
    """Send again, after commit, the rows of ``queued`` (a model with ``queued_at``) that waited
    ``queued_stale()`` since they were last sent, and stamp them so that the next sweep waits as
    long again; rows another sweeper holds are skipped. Returns how many were sent."""
    stale = list(
        queued.select_for_update(skip_locked=True)
        .filter(queued_at__lt=now - queued_stale())
        .values_list("pk", flat=True)
    )
    if stale:
        queued.model.objects.filter(pk__in=stale).update(queued_at=now)
        for pk in stale:
            transaction.on_commit(lambda pk=pk: enqueue(pk))
    return len(stale)
