"""The AML monitoring page: the matches ongoing monitoring raised (oldest first, by status), and
their resolution as true positive, false positive or discarded (owners and reviewers; each one
an Event Log entry). Reviewers and owners see the person, the profile and the explanation;
viewers see the category and the score."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from idcheck.errors import ApplicationError
from policy.aml.models import AmlWorklist, MonitorMatchStatus
from policy.aml.selectors import aml_settings_get
from projects.access import otp_required, project_membership
from projects.actors import Actor
from submissions.services.aml_monitoring import aml_monitor_match_resolve, aml_monitor_match_rows


@otp_required
def aml_monitoring_page(request: HttpRequest, pid: str) -> HttpResponse:
    membership = project_membership(request, pid)
    project = membership.project
    status = request.GET.get("status", MonitorMatchStatus.OPEN)
    if status not in MonitorMatchStatus.values:
        status = MonitorMatchStatus.OPEN
    context = {
        "membership": membership,
        "project": project,
        "status": status,
        "statuses": MonitorMatchStatus.choices,
        "rows": aml_monitor_match_rows(project=project, status=status, reveal=membership.can_review),
        "monitoring": aml_settings_get(project).monitoring,
        "worklists": list(AmlWorklist.objects.filter(project=project).order_by("created_at")),
    }
    return render(request, "dashboard/submissions/aml_monitoring.html", context)


@otp_required
@require_POST
def aml_monitoring_resolve(request: HttpRequest, pid: str, match_id: int) -> HttpResponse:
    membership = project_membership(request, pid, need="review")
    try:
        match = aml_monitor_match_resolve(
            project=membership.project,
            match_id=match_id,
            resolution=request.POST.get("resolution", ""),
            actor=Actor.from_request(request),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Match {match.pk} is now {match.get_status_display().lower()}.")
    return redirect(reverse("dashboard:aml_monitoring", args=[pid]))
