"""Staff-only pages: creating projects."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from idcheck.errors import ApplicationError
from projects.access import staff_required
from projects.actors import Actor
from projects.forms import ProjectCreateForm, TopUpForm
from projects.models import Project
from projects.selectors import project_list_all, user_get_by_email
from projects.services import credits_top_up, project_create


@staff_required
def project_new(request: HttpRequest) -> HttpResponse:
    form = ProjectCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        owner = request.user
        if form.cleaned_data["owner_email"]:
            owner = user_get_by_email(email=form.cleaned_data["owner_email"])
            if owner is None:
                form.add_error("owner_email", "No account with this e-mail. Create the project, then invite them.")
        if not form.errors:
            try:
                project = project_create(name=form.cleaned_data["name"], owner=owner,
                                         actor=Actor.from_request(request), credits=form.cleaned_data["credits"])
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Project {project.name} created. Issue its API key under Integration Info.")
                if owner == request.user:
                    return redirect("dashboard:project_overview", pid=project.pid)
                return redirect("dashboard:staff_projects")
    return render(request, "dashboard/staff/project_new.html", {"form": form})


@staff_required
def staff_projects(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/staff/projects.html", {"projects": project_list_all()})


@staff_required
@require_POST
def staff_credits_top_up(request: HttpRequest, pid: str) -> HttpResponse:
    """Staff top up any project, member or not (customers buy credits from the operator)."""
    project = get_object_or_404(Project, pid=pid)
    form = TopUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a whole number of credits.")
        return redirect("dashboard:staff_projects")
    try:
        entry = credits_top_up(project=project, amount=form.cleaned_data["amount"], actor=Actor.from_request(request),
                               note=form.cleaned_data["note"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{project.name}: balance is now {entry.balance_after:,} credits.")
    return redirect("dashboard:staff_projects")
