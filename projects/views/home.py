"""The dashboard's front door: straight to the admin's project, or the list of them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from projects.access import otp_required
from projects.selectors import project_list_for_user


@otp_required
def home(request: HttpRequest) -> HttpResponse:
    projects = list(project_list_for_user(user=request.user))
    if len(projects) == 1 and not request.user.is_staff:
        return redirect("dashboard:project_overview", pid=projects[0].pid)
    return render(request, "dashboard/home.html", {"projects": projects})
