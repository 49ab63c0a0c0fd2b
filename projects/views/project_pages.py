"""Read-mostly project pages: overview and credits (the Event Log is in ``event_log``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from idcheck.errors import ApplicationError
from projects.access import otp_required, project_membership
from projects.actors import Actor
from projects.audit_words import event_rows
from projects.forms import TopUpForm
from projects.selectors import api_key_get_live, audit_event_list, credit_ledger_list, membership_list
from projects.services import credits_top_up

EVENTS_PER_PAGE = 50


@otp_required
def project_overview(request: HttpRequest, pid: str) -> HttpResponse:
    membership = project_membership(request, pid)
    project = membership.project
    context = {
        "membership": membership,
        "project": project,
        "admin_count": membership_list(project=project).count(),
        "has_api_key": api_key_get_live(project=project) is not None,
        "recent_events": event_rows(audit_event_list(project=project)[:10]),
    }
    return render(request, "dashboard/project/overview.html", context)


@otp_required
def credits_page(request: HttpRequest, pid: str) -> HttpResponse:
    """The ledger for every admin; staff also top up here."""
    membership = project_membership(request, pid)
    project = membership.project
    form = TopUpForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_staff:
            messages.error(request, "Only staff can change credits.")
            return redirect("dashboard:credits", pid=pid)
        if form.is_valid():
            try:
                entry = credits_top_up(
                    project=project,
                    amount=form.cleaned_data["amount"],
                    actor=Actor.from_request(request),
                    note=form.cleaned_data["note"],
                )
            except ApplicationError as exc:
                form.add_error("amount", exc.message)
            else:
                messages.success(request, f"Balance is now {entry.balance_after:,} credits.")
                return redirect("dashboard:credits", pid=pid)
    project.refresh_from_db(fields=["credits"])
    page = Paginator(credit_ledger_list(project=project), EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"membership": membership, "project": project, "page": page, "form": form}
    return render(request, "dashboard/project/credits.html", context)
