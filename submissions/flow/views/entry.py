"""Opening a Liveform link (``/form/?pid=…``) and the consent step."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from policy.selectors import policy_settings_get
from projects.models import Project
from submissions.flow.errors import FlowRefused
from submissions.flow.forms import ConsentForm
from submissions.flow.inapp import in_app_browser
from submissions.flow.params import liveform_params, liveform_project
from submissions.flow.state import CONSENT, FlowState, flow_start
from submissions.flow.views.common import (
    ERROR_PROJECT_KEY,
    error_redirect,
    flow_step,
    form_step,
    step_redirect,
)


@never_cache
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """Check the link and start a new flow; a refused link writes nothing but the error page's
    way back (the project, for its Return URL)."""
    try:
        project = liveform_project(request.GET)
    except FlowRefused as refusal:
        return error_redirect(refusal.page)
    try:
        params = liveform_params(project, request.GET, now=timezone.now())
    except FlowRefused as refusal:
        request.session[ERROR_PROJECT_KEY] = project.pk
        return error_redirect(refusal.page)
    address_required = policy_settings_get(project).proof_of_address
    state = flow_start(request.session, project_id=project.pk, params=params, address_required=address_required)
    if in_app_browser(request.headers.get("user-agent", "")):  # its web view blocks the camera
        return HttpResponseRedirect(reverse("liveform:open-in-browser"))
    return step_redirect(state.next_step())


@require_http_methods(["GET", "POST"])
@flow_step(CONSENT)
def consent(request: HttpRequest, state: FlowState, project: Project) -> HttpResponse:
    form = ConsentForm(request.POST if request.method == "POST" else None)

    def apply(data: dict[str, Any]) -> None:
        state.consented = True

    return form_step(request, state, project, form, "liveform/consent.html", apply)
