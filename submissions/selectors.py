"""Reads of the submissions app, always scoped by project."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from idcheck.lib.crypto import DecryptionError
from network.selectors import submission_clients
from policy.evidence import Evidence
from projects.models import Project
from submissions import vault
from submissions.models import Submission

MAX_PAGE_SIZE = 2000
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True)
class SubmissionPage:
    items: list[Submission]
    next_key: Submission | None  # the last item, when more follow


def submission_get(*, project: Project, submission_id: str) -> Submission | None:
    return Submission.objects.filter(project=project, pk=submission_id).first()


def submission_list(
    *,
    project: Project,
    count: int = DEFAULT_PAGE_SIZE,
    after: tuple[dt.datetime, str] | None = None,
    created_from: dt.datetime | None = None,
    created_before: dt.datetime | None = None,
) -> SubmissionPage:
    """Newest first, keyset-paginated by (created_at, id) as the original's last-evaluated key."""
    submissions: QuerySet[Submission] = Submission.objects.filter(project=project)
    if created_from is not None:
        submissions = submissions.filter(created_at__gte=created_from)
    if created_before is not None:
        submissions = submissions.filter(created_at__lt=created_before)
    if after is not None:
        created_at, submission_id = after
        submissions = submissions.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=submission_id))
    rows = list(submissions.order_by("-created_at", "-id")[: count + 1])
    has_more = len(rows) > count
    items = rows[:count]
    return SubmissionPage(items=items, next_key=items[-1] if has_more else None)


@dataclass(frozen=True)
class SubmissionView:
    """A submission with its sealed parts opened (empty once its data key was destroyed)."""

    submission: Submission
    metadata: dict[str, str]  # email, userid, cf1–cf3
    evidence: Evidence | None  # None until decided
    decision: dict[str, Any] | None  # policy.engine.Decision.to_json(), trace included
    client: ClientView | None = None  # what the network app stored; None: no client captured


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
    except DecryptionError:
        return SubmissionView(submission, {}, None, None, client)
    evidence = Evidence.from_json(evidence_json) if evidence_json is not None else None
    return SubmissionView(submission, metadata, evidence, decision, client)


def submission_views(submissions: list[Submission]) -> list[SubmissionView]:
    """``submission_view`` of each, their clients read in one query (a page of the list)."""
    clients = _clients([submission.pk for submission in submissions])
    return [submission_view(s, client=clients.get(s.pk), load_client=False) for s in submissions]
