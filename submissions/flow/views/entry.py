"""Opening a Liveform link (``/form/?pid=…``) and the consent step."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from policy.selectors import policy_settings_get
from projects.actors import Actor
from projects.liveform import liveform_settings_get
from projects.models import Project
from submissions.flow.errors import TOKEN_PAGES, FlowRefused
from submissions.flow.forms import ConsentForm
from submissions.flow.funnel import START, funnel_count
from submissions.flow.inapp import in_app_browser
from submissions.flow.injection import injection_asked, injection_encrypted, injection_plain
from submissions.flow.params import liveform_params, liveform_project
from submissions.flow.state import CONSENT, FlowState, flow_start
from submissions.flow.views.common import (
    ERROR_PROJECT_KEY,
    error_redirect,
    flow_step,
    form_step,
    step_redirect,
)
from submissions.flow.views.injection import injection_begin
from submissions.selectors import token_submission_status
from submissions.services import TokenRefused, liveform_token_use


@never_cache
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """Check the link and start a new flow; a refused link writes nothing but the error page's
    way back (the project, for its Return URL). In private mode the link's token is used here,
    once per flow started, after every other check of the link (spec §6.2: ``startValidUntil``
    comes first)."""
    if injection_asked(request.GET):
        return _start_injection(request, None)
    try:
        project = liveform_project(request.GET)
    except FlowRefused as refusal:
        return error_redirect(refusal.page)
    if request.GET.get("encrypted"):
        response = _start_injection(request, project)
        if response is not None:
            return response
    try:
        params = liveform_params(project, request.GET, now=timezone.now())
        _use_token(request, project, params.token)
    except FlowRefused as refusal:
        request.session[ERROR_PROJECT_KEY] = project.pk
        return error_redirect(refusal.page)
    address_required = policy_settings_get(project).proof_of_address
    questions = liveform_settings_get(project).additional_questions if params.knowledge_based else None
    state = flow_start(request.session, project_id=project.pk, params=params, address_required=address_required,
                       questions=questions)  # fmt: skip
    funnel_count(state, START)
    if in_app_browser(request.headers.get("user-agent", "")):  # its web view blocks the camera
        return HttpResponseRedirect(reverse("liveform:open-in-browser"))
    return step_redirect(state.next_step())


def _start_injection(request: HttpRequest, project: Project | None) -> HttpResponse | None:
    """An address injection link (``flow.injection``): plain when ``project`` is None, else the
    encrypted one of ``project`` (None when its ``encrypted`` holds no injection)."""
    try:
        link = injection_plain(request.GET) if project is None else injection_encrypted(project, request.GET)
    except FlowRefused as refusal:
        if project is not None:
            request.session[ERROR_PROJECT_KEY] = project.pk
        return error_redirect(refusal.page)
    return None if link is None else injection_begin(request, link)


def _use_token(request: HttpRequest, project: Project, token_id: str) -> None:
    try:
        liveform_token_use(project=project, token_id=token_id, decided_status=partial(token_submission_status, project=project, token_id=token_id),
                           actor=Actor.from_request(request))  # fmt: skip
    except TokenRefused as refusal:
        raise FlowRefused(TOKEN_PAGES[refusal.reason]) from None


@require_http_methods(["GET", "POST"])
@flow_step(CONSENT)
def consent(request: HttpRequest, state: FlowState, project: Project) -> HttpResponse:
    funnel_count(state, CONSENT)
    form = ConsentForm(request.POST if request.method == "POST" else None, knowledge_based=state.knowledge_based)

    def apply(data: dict[str, Any]) -> None:
        state.consented = True

    return form_step(request, state, project, form, "liveform/consent.html", apply)
