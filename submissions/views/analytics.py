"""The Analytics page: the last 30 days of submissions and the Liveform funnel, as SVG charts with
the same numbers in tables beneath them."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from idcheck.lib.svgchart import Series, horizontal_bars, stacked_columns
from policy.reject_codes import REJECT_COMMENTS
from projects.access import otp_required, project_membership
from submissions.analytics import STATUSES, Analytics, analytics_get
from submissions.models import SubmissionStatus

STATUS_COLOURS = {
    SubmissionStatus.APPROVED: "#1b7f3b",
    SubmissionStatus.REJECTED: "#c62828",
    SubmissionStatus.PENDING: "#9a6700",
    SubmissionStatus.INCOMPLETE: "#8a94a3",
}


def duration_words(span: dt.timedelta | None) -> str:
    """``2 d 4 h``, ``3 h 5 min``, ``4 min 10 s``, ``12 s``: two units, the larger first."""
    if span is None:
        return "—"
    seconds = int(span.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {seconds} s"
    return f"{seconds} s"


def percent(fraction: float | None) -> str:
    return "—" if fraction is None else f"{fraction * 100:.1f} %"


def _charts(data: Analytics) -> dict[str, str]:
    labels = [day.day.strftime("%b %d") for day in data.days]
    series = [
        Series(status.label, [day.counts[status] for day in data.days], STATUS_COLOURS[status]) for status in STATUSES
    ]
    charts = {
        "per_day": stacked_columns(labels, series, title="Submissions created per day, by status"),
        "reject_codes": horizontal_bars(data.reject_codes, title="Most frequent reject codes"),
    }
    if data.funnel is not None:
        funnel = [(row.label, row.reached) for row in data.funnel]
        charts["funnel"] = horizontal_bars(funnel, title="Liveform flows that reached each step")
    # svgchart escapes every text it writes.
    return {name: mark_safe(svg) for name, svg in charts.items()}  # noqa: S308


@otp_required
def analytics_page(request: HttpRequest, pid: str) -> HttpResponse:
    membership = project_membership(request, pid)
    data = analytics_get(project=membership.project)
    funnel = [{"row": row, "share": percent(row.share)} for row in (data.funnel or [])]
    day_rows = [(day.day, [day.counts[status] for status in STATUSES], day.total) for day in data.days]
    context = {
        "membership": membership,
        "project": membership.project,
        "data": data,
        "status_labels": [status.label for status in STATUSES],
        "day_rows": day_rows,
        "created": sum(total for _, _, total in day_rows),
        "reject_codes": [(code, count, REJECT_COMMENTS.get(code, "")) for code, count in data.reject_codes],
        "charts": _charts(data),
        "approval_rate": percent(data.approval_rate),
        "decision_median": duration_words(data.decision_median),
        "queue_oldest": duration_words(data.queue.oldest),
        "queue_median": duration_words(data.queue.median),
        "funnel": funnel,
    }
    return render(request, "dashboard/submissions/analytics.html", context)
