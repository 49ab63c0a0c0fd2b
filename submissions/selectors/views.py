"""A submission with its sealed parts opened, as the API, the dashboard and the webhooks show it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from idcheck.lib.crypto import DecryptionError
from network.selectors import submission_clients
from policy.evidence import Evidence
from projects.models import Project
from submissions import vault
from submissions.models import Submission, SubmissionSource, SubmissionStatus


@dataclass(frozen=True)
class SubmissionView:
    """A submission with its sealed parts opened (empty once its data key was destroyed)."""

    submission: Submission
    metadata: dict[str, str]  # email, userid, cf1–cf3
    evidence: Evidence | None  # None until decided
    decision: dict[str, Any] | None  # policy.engine.Decision.to_json(), trace included
    client: ClientView | None = None  # what the network app stored; None: no client captured
    memo: dict[str, str] | None = None  # the reviewers' memo: {"text", "updated_at" (ISO)}; None: none
    # the last address injection: {"type", "created_at", "failCode"?, "checks"}; None: none
    injection_action: dict[str, Any] | None = None


@dataclass(frozen=True)
class ClientView:
    """The end user's client as the network app stored it (``network.selectors.submission_clients``):
    the address, and the last run's IP and device verdicts (None until a run checked them)."""

    ip_address: str | None
    network_verdict: dict[str, Any] | None  # network.verdicts.NetworkVerdict.to_json()
    device_verdict: dict[str, Any] | None  # network.device.DeviceAssessment.to_json()


def _clients(submission_ids: list[str]) -> dict[str, ClientView]:
    return {sid: ClientView(*client) for sid, client in submission_clients(submission_ids).items()}


def submission_view(
    submission: Submission, *, client: ClientView | None = None, load_client: bool = True
) -> SubmissionView:
    if client is None and load_client:
        client = _clients([submission.pk]).get(submission.pk)
    try:
        metadata = vault.open_json(submission, submission.sealed_metadata, context=vault.METADATA_CONTEXT) or {}
        evidence_json = vault.open_json(submission, submission.sealed_evidence, context=vault.EVIDENCE_CONTEXT)
        decision = vault.open_json(submission, submission.sealed_decision, context=vault.DECISION_CONTEXT)
        memo = vault.open_json(submission, submission.sealed_memo, context=vault.MEMO_CONTEXT)
        injection = vault.open_json(
            submission, submission.sealed_injection_action, context=vault.INJECTION_ACTION_CONTEXT
        )
    except DecryptionError:
        return SubmissionView(submission, {}, None, None, client)
    evidence = Evidence.from_json(evidence_json) if evidence_json is not None else None
    return SubmissionView(submission, metadata, evidence, decision, client, memo or None, injection)


def submission_views(submissions: list[Submission]) -> list[SubmissionView]:
    """``submission_view`` of each, their clients read in one query (a page of the list)."""
    clients = _clients([submission.pk for submission in submissions])
    return [submission_view(s, client=clients.get(s.pk), load_client=False) for s in submissions]


_DECIDED = (SubmissionStatus.APPROVED, SubmissionStatus.PENDING, SubmissionStatus.REJECTED)


def token_submission_status(first_used_at: dt.datetime, *, project: Project, token_id: str) -> str:
    """For private mode ``usage``: the status of a decided Liveform submission of the project made
    with the token since its first use, or "". The token is sealed inside each submission, so the
    few decided since then (at most 3 minutes' worth: the window) are opened and compared."""
    candidates = Submission.objects.filter(
        project=project, source=SubmissionSource.LIVEFORM, created_at__gte=first_used_at, status__in=_DECIDED
    ).only("pk", "status", "wrapped_data_key", "sealed_metadata").order_by("created_at")
    for submission in candidates:
        if _metadata(submission).get("token_id") == token_id:
            return submission.status
    return ""


def _metadata(submission: Submission) -> dict[str, Any]:
    """The sealed metadata alone ({} once the data key is gone): the rest need not be opened."""
    try:
        return vault.open_json(submission, submission.sealed_metadata, context=vault.METADATA_CONTEXT) or {}
    except DecryptionError:
        return {}
