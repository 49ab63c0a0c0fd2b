"""The API's lists of submissions: one by id, the newest-first keyset pages of ``GET /v3/submission``,
one applicant's history, and the keyset and blind-index filters the other lists share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from projects.models import Project
from submissions.lookups import email_lookups, userid_lookups
from submissions.models import Submission

MAX_PAGE_SIZE = 2000
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True)
class SubmissionPage:
    items: list[Submission]
    next_key: Submission | None  # the last item (or row searched), when more follow
    scan_stopped: bool = False  # a name search reached NAME_SCAN_ROWS before the end
    scanned: int = 0  # the rows a name search opened


def submission_get(*, project: Project, submission_id: str) -> Submission | None:
    return Submission.objects.filter(project=project, pk=submission_id).first()


def submission_list(
    *,
    project: Project,
    count: int = DEFAULT_PAGE_SIZE,
    after: tuple[dt.datetime, str] | None = None,
    created_from: dt.datetime | None = None,
    created_before: dt.datetime | None = None,
    email: str = "",
    userid: str = "",
) -> SubmissionPage:
    """Newest first, keyset-paginated by (created_at, id) as the original's last-evaluated key.
    ``email`` / ``userid`` match exactly through their blind indexes (``submissions.lookups``)."""
    submissions: QuerySet[Submission] = Submission.objects.filter(project=project)
    submissions = by_lookups(submissions, email=email, userid=userid)
    if created_from is not None:
        submissions = submissions.filter(created_at__gte=created_from)
    if created_before is not None:
        submissions = submissions.filter(created_at__lt=created_before)
    if after is not None:
        submissions = submissions.filter(keyset_beyond(after, forward=False))
    rows = list(submissions.order_by("-created_at", "-id")[: count + 1])
    has_more = len(rows) > count
    items = rows[:count]
    return SubmissionPage(items=items, next_key=items[-1] if has_more else None)


def submissions_of_applicant(*, project: Project, applicant_id: str, limit: int = MAX_PAGE_SIZE) -> list[Submission]:
    """The project's submissions sharing ``applicant_id``, oldest first (the person's history in
    the order it happened), at most ``limit``; served by the partial applicant index."""
    if not applicant_id:
        return []
    found = Submission.objects.filter(project=project, applicant_id=applicant_id)
    return list(found.order_by("created_at", "id")[:limit])


def by_lookups(submissions: QuerySet[Submission], *, email: str, userid: str) -> QuerySet[Submission]:
    """Served by the partial (project, email_lookup) / (project, userid_lookup) indexes: one
    person's submissions are few, so ordering them for the page costs nothing."""
    for text, lookups, column in ((email, email_lookups, "email_lookup"), (userid, userid_lookups, "userid_lookup")):
        if text:
            # a blank text has no lookups: it matches nothing (never the rows stored without one)
            submissions = submissions.filter(**{f"{column}__in": lookups(text) or ["-"]})
    return submissions


def keyset_beyond(key: tuple[dt.datetime, str], *, forward: bool) -> Q:
    created_at, submission_id = key
    if forward:
        return Q(created_at__gt=created_at) | Q(created_at=created_at, id__gt=submission_id)
    return Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=submission_id)
