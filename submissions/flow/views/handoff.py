"""Desktop → phone (``flow.handoff``): the QR code on a desktop's step pages, the link the phone
opens, and the desktop's page once the phone has taken over."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from projects.models import Project
from submissions.flow.errors import FlowRefused
from submissions.flow.handoff import handoff_claim, handoff_finished, is_desktop
from submissions.flow.inapp import in_app_browser
from submissions.flow.state import PHONE, FlowState
from submissions.flow.views.common import error_redirect, flow_step, render_step, step_redirect


@never_cache
@require_GET
def claim(request: HttpRequest, token: str) -> HttpResponse:
    try:
        state = handoff_claim(request.session, token)
    except FlowRefused as refusal:
        return error_redirect(refusal.page)
    if in_app_browser(request.headers.get("user-agent", "")):  # a QR code scanned inside WeChat, LINE…
        return HttpResponseRedirect(reverse("liveform:open-in-browser"))
    return step_redirect(state.next_step())


@require_GET
@flow_step(PHONE)
def phone(request: HttpRequest, state: FlowState, project: Project) -> HttpResponse:
    desktop = is_desktop(request.headers.get("user-agent", ""))  # else an app's browser left for Safari or Chrome
    return render_step(request, "liveform/phone.html", state, project, finished=handoff_finished(state),
                       desktop=desktop)  # fmt: skip


@require_GET
@flow_step(PHONE)
def phone_status(request: HttpRequest, state: FlowState, project: Project) -> HttpResponse:
    return JsonResponse({"finished": handoff_finished(state)})
