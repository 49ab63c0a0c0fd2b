"""``submissions_expire_incomplete``: Liveform submissions never finished are rejected ``timeout``.

Spec §3.3 / §8.3: ``incomplete`` becomes ``rejected`` (code ``timeout``, comment "KYC rejected
due to timeout.") about 24 hours after creation, with a late ``rejected`` webhook. Whether one
has timed out is the policy engine's first step (``policy.engine.decide`` with no
``submitted_at``: ``NotReady`` before the project's ``incomplete_timeout_hours``, else the
``timeout`` decision), so the project's setting and the comment text live in one place.

A submission is a candidate while it is ``incomplete`` and not submitted (its run ``waiting``:
never uploaded, or sent back by a retry). A queued or running submission is never expired.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from policy.engine import Decision, NotReady, decide
from policy.evidence import Evidence, Timestamps
from projects.models import Project
from submissions import vault
from submissions.models import RunState, Submission, SubmissionStatus
from submissions.services.process import audit_decided, outcome_emit, project_policy

BATCH_SIZE = 500
# The smallest incomplete_timeout_hours a project may set (policy.settings: 1–720).
SHORTEST_TIMEOUT = dt.timedelta(hours=1)


def submissions_expire_incomplete(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Reject every timed-out incomplete submission; returns how many. Idempotent: each row is
    changed by a conditional UPDATE, so overlapping runs (beat and an operator) expire it once."""
    now = now or timezone.now()
    waiting = Submission.objects.filter(
        status=SubmissionStatus.INCOMPLETE, submitted_at__isnull=True, created_at__lt=now - SHORTEST_TIMEOUT
    )
    expired = 0
    for project_id in waiting.values_list("project_id", flat=True).distinct().order_by("project_id"):
        after: tuple[dt.datetime, str] | None = None
        while True:
            expired_now, after = _expire_batch(project_id, now, after, batch_size)
            expired += expired_now
            if after is None:
                break
    return expired


@transaction.atomic
def _expire_batch(
    project_id: int, now: dt.datetime, after: tuple[dt.datetime, str] | None, batch_size: int
) -> tuple[int, tuple[dt.datetime, str] | None]:
    """One batch of one project, oldest first; returns (expired, where the next batch starts)."""
    rows = Submission.objects.select_for_update(skip_locked=True).select_related("project")
    rows = rows.filter(project_id=project_id, status=SubmissionStatus.INCOMPLETE, submitted_at__isnull=True)
    if after is not None:
        rows = rows.filter(Q(created_at__gt=after[0]) | Q(created_at=after[0], pk__gt=after[1]))
    settings_ = project_policy(Project.objects.get(pk=project_id))[0]
    cutoff = now - dt.timedelta(hours=settings_.incomplete_timeout_hours)
    candidates = list(rows.filter(created_at__lt=cutoff).order_by("created_at", "pk")[:batch_size])
    expired = 0
    for submission in candidates:
        evidence = Evidence(
            timestamps=Timestamps(created_at=submission.created_at, submitted_at=None, evaluated_at=now)
        )
        try:
            decision = decide(evidence, settings_)
        except NotReady:
            continue
        expired += _expire(submission, decision, now)
    if len(candidates) < batch_size:
        return expired, None
    return expired, (candidates[-1].created_at, candidates[-1].pk)


def _expire(submission: Submission, decision: Decision, now: dt.datetime) -> int:
    kyc = decision.kyc()
    sealed = None
    if submission.wrapped_data_key:
        sealed = vault.seal_json(submission, decision.to_json(), context=vault.DECISION_CONTEXT)
    changed = Submission.objects.filter(
        pk=submission.pk, status=SubmissionStatus.INCOMPLETE, submitted_at__isnull=True
    ).update(
        status=SubmissionStatus.REJECTED,
        run_state=RunState.DECIDED,
        kyc_comment=kyc["comment"],
        kyc_comment_code=kyc["commentCode"],
        reviewer=decision.reviewer,
        rules_version=decision.rules_version,
        decided_at=now,
        updated_at=now,
        sealed_decision=sealed,
    )
    if changed != 1:
        return 0
    submission.refresh_from_db()
    audit_decided(submission, decision, failed_attempts=submission.failed_attempts)
    outcome_emit(submission)
    return 1
