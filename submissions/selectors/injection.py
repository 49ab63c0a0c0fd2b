"""The Liveform's address injection (``submissions.services.injection``): which submissions take
one, and the state and sealed parts of one."""

from __future__ import annotations

from typing import Any

from idcheck.lib.crypto import DecryptionError
from idcheck.timeformat import format_compact
from projects.models import Project
from submissions import vault
from submissions.models import (
    AddressInjection,
    InjectionState,
    RunState,
    Submission,
    SubmissionSource,
    SubmissionStatus,
)

# [UNKNOWN in the spec] which submissions take an injection: decided as approved or pending
# (docs/liveform.md, "Address injection").
INJECTABLE = (SubmissionStatus.APPROVED, SubmissionStatus.PENDING)


def injectable_submission(*, project: Project, submission_id: str) -> Submission | None:
    """The project's Liveform submission ``submission_id`` when it can take an injection."""
    return (
        Submission.objects.filter(
            project=project, pk=submission_id, source=SubmissionSource.LIVEFORM, status__in=INJECTABLE,
            run_state=RunState.DECIDED, wrapped_data_key__isnull=False,
        ).first()
    )  # fmt: skip


def _injection_action_open(submission: Submission) -> dict[str, Any] | None:
    """The sealed ``injection_action`` (type, created_at, failCode, checks); None when none was
    made or the data key is gone."""
    try:
        return vault.open_json(submission, submission.sealed_injection_action, context=vault.INJECTION_ACTION_CONTEXT)
    except DecryptionError:
        return None


def injection_echo_open(injection: AddressInjection) -> dict[str, str]:
    """The injection link's cf1–cf3 and userid, for its webhook; {} when gone."""
    try:
        return vault.open_json(injection.submission, injection.sealed_echo,
                               context=f"{vault.INJECTION_ECHO_CONTEXT}:{injection.pk}") or {}  # fmt: skip
    except DecryptionError:
        return {}


def injection_status(*, project: Project, injection_id: int) -> tuple[str, str | None]:
    """(state, failCode) of one of the project's injections, for the Liveform's waiting page."""
    injection = AddressInjection.objects.select_related("submission").filter(project=project, pk=injection_id).first()
    if injection is None:
        return InjectionState.FAILED, None
    if injection.state == InjectionState.QUEUED:
        return InjectionState.QUEUED, None
    action = _injection_action_open(injection.submission) or {}
    same = action.get("created_at") == format_compact(injection.created_at)
    return injection.state, (action.get("failCode") if same else None)
