"""Opening the flow in Safari or Chrome: for in-app browsers (``flow.inapp``), met when the link
is opened, and for a camera refused on iOS (the live selfie links here)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from projects.models import Project
from submissions.flow.handoff import handoff_issue
from submissions.flow.inapp import in_app_browser
from submissions.flow.state import PHONE, FlowState
from submissions.flow.views.common import flow_step, step_redirect


@require_GET
@flow_step(None)
def open_in_browser(request: HttpRequest, state: FlowState, project: Project) -> HttpResponse:
    """How to leave the app's browser, with a link that carries this very flow (a phone link:
    once, 10 minutes) to copy, and the way on here for a person who cannot leave it."""
    if state.handed_off:
        return step_redirect(PHONE)
    token = handoff_issue(request.session, state)
    context = {
        "project": project,
        "app": in_app_browser(request.headers.get("user-agent", "")),
        "link": request.build_absolute_uri(reverse("liveform:handoff", args=[token])),
        "continue_url": reverse(f"liveform:{state.next_step()}"),
    }
    return render(request, "liveform/in_app.html", context)
