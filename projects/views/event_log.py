"""The Event Log page: filters by actor, action and UTC days, keyset pages, and (a POST of the same
filters) the CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from projects.access import otp_required, project_membership
from projects.actors import Actor
from projects.audit_words import action_choices, event_rows
from projects.models import AuditEvent, Project
from projects.selectors import ACTOR_API_KEY, ACTOR_SYSTEM, AuditFilters, audit_actor_list, audit_event_page
from projects.services.audit import ExportTooLarge, audit_log_export
from projects.templatetags.dashboard import event_details

EVENTS_PER_PAGE = 50
EXPORT_CHUNK = 2000
_CURSOR = re.compile(r"(?P<at>\d{4}-\d\d-\d\dT[\d:.]+\+00:00)~(?P<id>\d{1,19})")
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = ["time_utc", "action", "what", "by", "target_type", "target_id", "ip_address", "details"]


def cursor_encode(event: AuditEvent) -> str:
    return f"{event.created_at.astimezone(dt.UTC).isoformat()}~{event.pk}"


def cursor_decode(value: str) -> tuple[dt.datetime, int] | None:
    match = _CURSOR.fullmatch(value or "")
    if match is None:
        return None
    try:
        return dt.datetime.fromisoformat(match["at"]), int(match["id"])
    except ValueError:
        return None


class EventLogFilterForm(forms.Form):
    actor = forms.ChoiceField(required=False, label="By")
    action = forms.ChoiceField(required=False, label="Action")
    prefix = forms.RegexField(
        required=False, max_length=64, regex=r"^[a-z_.]+$", label="Action starts with",
        error_messages={"invalid": "Lower-case letters, dots and underscores only, e.g. submission."},
    )  # fmt: skip
    day_from = forms.DateField(required=False, label="From (UTC)", widget=forms.DateInput(attrs={"type": "date"}))
    day_to = forms.DateField(
        required=False, label="To (UTC, inclusive)", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, label_suffix="", **kwargs)
        actors = [(actor.value, actor.label) for actor in audit_actor_list(project=project)]
        self.fields["actor"].choices = [
            ("", "Anyone"),
            *actors,
            (ACTOR_API_KEY, "Any API key"),
            (ACTOR_SYSTEM, "System, Liveform or anonymous"),
        ]
        self.fields["action"].choices = [("", "Any action"), *action_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("day_from") and data.get("day_to") and data["day_to"] < data["day_from"]:
            self.add_error("day_to", "The last day comes before the first.")
        return data

    def filters(self) -> AuditFilters:
        """The valid filters (an invalid form filters nothing and shows its errors)."""
        if not self.is_valid():
            return AuditFilters()
        data = self.cleaned_data
        return AuditFilters(actor=data["actor"], action=data["action"], action_prefix=data["prefix"],
                            day_from=data["day_from"], day_to=data["day_to"])  # fmt: skip


@require_http_methods(["GET", "POST"])
@otp_required
def event_log(request: HttpRequest, pid: str) -> HttpResponse:
    membership = project_membership(request, pid)
    project = membership.project
    if request.method == "POST":
        return _export(request, project)
    form = EventLogFilterForm(request.GET, project=project)
    after = cursor_decode(request.GET.get("after", "")) if form.is_valid() else None
    page = audit_event_page(project=project, filters=form.filters(), count=EVENTS_PER_PAGE, after=after)
    params = request.GET.copy()
    params.pop("after", None)
    next_query = None
    if page.next_key is not None:
        params["after"] = cursor_encode(page.next_key)
        next_query = params.urlencode()
        params.pop("after")
    context = {
        "membership": membership,
        "project": project,
        "form": form,
        "rows": event_rows(page.items),
        "first_query": params.urlencode(),
        "next_query": next_query,
        "paged": bool(request.GET.get("after")),
    }
    return render(request, "dashboard/project/event_log.html", context)


def csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class _Echo:
    """A file-like object whose ``write`` hands the line back, for ``csv.writer`` to stream."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(events: Any) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for row in event_rows(events.iterator(chunk_size=EXPORT_CHUNK)):
        event = row.event
        cells = [event.created_at.astimezone(dt.UTC).isoformat(), event.action, row.words, row.by,
                 event.target_type, event.target_id, event.ip_address, event_details(event.details)]  # fmt: skip
        yield writer.writerow([csv_cell(cell) for cell in cells])


def _export(request: HttpRequest, project: Project) -> HttpResponse:
    """The filtered log as CSV, streamed; the export itself is recorded with its filters."""
    form = EventLogFilterForm(request.POST, project=project)
    kept = request.POST.copy()
    kept.pop("csrfmiddlewaretoken", None)
    back = f"{reverse('dashboard:event_log', args=[project.pid])}?{kept.urlencode()}"
    if not form.is_valid():
        messages.error(request, "Fix the filters before exporting.")
        return redirect(back)
    try:
        export = audit_log_export(project=project, filters=form.filters(), actor=Actor.from_request(request))
    except ExportTooLarge as refusal:
        messages.error(request, refusal.message)
        return redirect(back)
    response = StreamingHttpResponse(_csv_lines(export.events), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="event-log-{project.pid}-{stamp}.csv"'
    return response
