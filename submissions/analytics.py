"""Reads for the Analytics page: aggregates over one project's submissions and Liveform funnel.

Every figure but the review queue's covers the submissions *created* in the window (the last 30
UTC days, today included), so that each query is a range on the (project, created_at, id) or
(project, status, created_at, id) index and the figures on the page describe the same set.
Medians are read by sorting in the database and taking the middle row (OFFSET), which works
the same on PostgreSQL and SQLite and sends two rows, not the whole column, to Python.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, DurationField, ExpressionWrapper, F, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from projects.models import Project
from submissions.flow.funnel import FUNNEL_STEPS, funnel_reached
from submissions.models import Submission, SubmissionStatus

WINDOW_DAYS = 30
TOP_REJECT_CODES = 8
STATUSES = [SubmissionStatus.APPROVED, SubmissionStatus.REJECTED, SubmissionStatus.PENDING, SubmissionStatus.INCOMPLETE]


@dataclass(frozen=True)
class DayCounts:
    day: dt.date
    counts: dict[str, int]  # status -> submissions created that day

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class QueueAge:
    pending: int
    oldest: dt.timedelta | None
    median: dt.timedelta | None


@dataclass(frozen=True)
class FunnelRow:
    step: str
    label: str
    always: bool
    reached: int
    dropped: int | None  # since the previous step every flow passes; None for a step some skip
    share: float | None  # of the flows that opened the link, as a fraction


@dataclass(frozen=True)
class Analytics:
    first_day: dt.date
    last_day: dt.date
    days: list[DayCounts]
    approved: int
    rejected: int
    reject_codes: list[tuple[str, int]]
    decision_median: dt.timedelta | None
    decided: int
    queue: QueueAge
    funnel: list[FunnelRow] | None  # None without Redis

    @property
    def approval_rate(self) -> float | None:
        """Approved of the decided (approved or rejected); ``None`` before any decision."""
        decided = self.approved + self.rejected
        return self.approved / decided if decided else None


def _window(now: dt.datetime) -> tuple[dt.date, dt.date, dt.datetime]:
    last = now.astimezone(dt.UTC).date()
    first = last - dt.timedelta(days=WINDOW_DAYS - 1)
    return first, last, dt.datetime.combine(first, dt.time.min, tzinfo=dt.UTC)


def _per_day(created: QuerySet[Submission], first: dt.date) -> list[DayCounts]:
    rows = created.annotate(day=TruncDate("created_at", tzinfo=dt.UTC)).values("day", "status").annotate(n=Count("id"))
    table: dict[dt.date, dict[str, int]] = {}
    for row in rows.order_by():
        table.setdefault(row["day"], {})[row["status"]] = row["n"]
    days = [first + dt.timedelta(days=i) for i in range(WINDOW_DAYS)]
    return [DayCounts(day, {status: table.get(day, {}).get(status, 0) for status in STATUSES}) for day in days]


def _reject_codes(created: QuerySet[Submission]) -> list[tuple[str, int]]:
    """The codes of the rejections, most frequent first (ties by code). A rejection may carry
    several codes; each counts. Grouped by the whole list in the database (a few distinct
    lists), then split here: no JSON function that differs between PostgreSQL and SQLite."""
    codes: Counter[str] = Counter()
    rejected = created.filter(status=SubmissionStatus.REJECTED).values("kyc_comment_code")
    for row in rejected.annotate(n=Count("id")).order_by():
        for code in row["kyc_comment_code"] or []:
            if isinstance(code, str):
                codes[code] += row["n"]
    return sorted(codes.items(), key=lambda item: (-item[1], item[0]))[:TOP_REJECT_CODES]


def _middle(ordered: QuerySet, count: int) -> list:
    """The middle value of an ordered one-column queryset, or the two middle ones for an even
    count: their mean is the median."""
    return list(ordered[(count - 1) // 2 : count // 2 + 1])


def _decision_median(created: QuerySet[Submission]) -> tuple[dt.timedelta | None, int]:
    decided = created.filter(decided_at__isnull=False, submitted_at__isnull=False).annotate(
        took=ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())
    )
    count = decided.count()
    if count == 0:
        return None, 0
    middle = _middle(decided.order_by("took").values_list("took", flat=True), count)
    return sum(middle, dt.timedelta()) / len(middle), count


def _queue_age(project: Project, now: dt.datetime) -> QueueAge:
    """The whole review queue (pending, whenever created), by time since creation: the queue's
    own order, read on its index."""
    pending = Submission.objects.filter(project=project, status=SubmissionStatus.PENDING)
    count = pending.count()
    if count == 0:
        return QueueAge(0, None, None)
    created = pending.order_by("created_at", "id").values_list("created_at", flat=True)
    oldest = created.first()
    middle = _middle(created, count)
    median_age = sum((now - at for at in middle), dt.timedelta()) / len(middle)
    return QueueAge(count, now - oldest, median_age)


def _funnel(project: Project, first: dt.date) -> list[FunnelRow] | None:
    reached = funnel_reached(project.pk, [first + dt.timedelta(days=i) for i in range(WINDOW_DAYS)])
    if reached is None:
        return None
    started = reached[FUNNEL_STEPS[0].step]
    rows, previous = [], None
    for step in FUNNEL_STEPS:
        count = reached[step.step]
        dropped = None
        if step.always:
            dropped = max(previous - count, 0) if previous is not None else None
            previous = count
        share = count / started if started else None
        rows.append(FunnelRow(step.step, step.label, step.always, count, dropped, share))
    return rows


def analytics_get(*, project: Project, now: dt.datetime | None = None) -> Analytics:
    now = now or timezone.now()
    first, last, since = _window(now)
    created = Submission.objects.filter(project=project, created_at__gte=since)
    days = _per_day(created, first)
    median, decided = _decision_median(created)
    return Analytics(
        first_day=first,
        last_day=last,
        days=days,
        approved=sum(d.counts[SubmissionStatus.APPROVED] for d in days),
        rejected=sum(d.counts[SubmissionStatus.REJECTED] for d in days),
        reject_codes=_reject_codes(created),
        decision_median=median,
        decided=decided,
        queue=_queue_age(project, now),
        funnel=_funnel(project, first),
    )
