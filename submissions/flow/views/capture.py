"""The photo steps: document front, back (for two-sided types), proof of address (when the project
requires it) and selfie.

Each takes a photo from a file input (``capture="environment"`` for the document,
``capture="user"`` for the selfie) or, in a TEST project, a sample. The photo passes the
intake on its own step; the last one needed hands everything to the submission services and
the person goes on to the processing page. After a retry only the photos the failure concerns
are asked for again, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from idcheck.errors import ApplicationError
from projects.models import Project, ProjectStatus
from projects.services.credits import InsufficientCredits, SubmissionsPaused
from submissions.flow import samples
from submissions.flow.captures import CaptureRefused, capture_keep
from submissions.flow.document_camera import document_camera_context
from submissions.flow.forms import CaptureForm
from submissions.flow.funnel import funnel_count
from submissions.flow.live import live_context
from submissions.flow.state import ADDRESS, BACK, CAPTURE_KIND, FRONT, PROCESSING, SELFIE, FlowState, flow_save
from submissions.flow.submit import flow_submit, retry_reason
from submissions.flow.views.common import error_redirect, flow_step, render_step, step_redirect
from submissions.services import IdempotencyConflict, LiveCapture, SubmissionNotWaiting

TEMPLATES = {FRONT: "liveform/front.html", BACK: "liveform/back.html", ADDRESS: "liveform/address.html",
             SELFIE: "liveform/selfie.html"}  # fmt: skip


def _sample_offered(state: FlowState, project: Project, kind: str) -> bool:
    if project.status != ProjectStatus.TEST:
        return False
    return kind == "selfie" or samples.sample_available(state.id_type, state.country)


def _sample(state: FlowState, kind: str) -> bytes:
    if kind == "selfie":
        return samples.sample_face()
    if kind == "address":
        return samples.sample_bill(state.id_type, state.country)
    return samples.sample_document(state.id_type, state.country, kind)


def _capture(step: str) -> Callable[..., HttpResponse]:
    kind = CAPTURE_KIND[step]

    @require_http_methods(["GET", "POST"])
    @flow_step(step)
    def view(request: HttpRequest, state: FlowState, project: Project) -> HttpResponse:
        funnel_count(state, step)
        form = CaptureForm(request.POST or None, request.FILES or None)
        offered = _sample_offered(state, project, kind)
        error = ""
        if request.method == "POST":
            wants_sample = "sample" in request.POST
            if wants_sample and not offered:
                error = _("Samples are offered in test projects only.")
            elif wants_sample or form.is_valid():
                try:
                    data = _sample(state, kind) if wants_sample else form.cleaned_data["photo"].read()
                    capture_keep(state, kind, data)
                except CaptureRefused as refusal:
                    error = refusal.message
                else:
                    return _after_capture(request, state, project, step)
        context = {
            "form": form if form.is_bound and "sample" not in request.POST else CaptureForm(),
            "kind": kind,
            "error": error,
            "sample_offered": offered,
            "retry_reason": retry_reason(state.retry_code, knowledge_based=state.knowledge_based)
            if kind in state.retry_kinds
            else "",
            "status": 400 if request.method == "POST" else 200,
            **_camera_context(state, step),
        }
        return render_step(request, TEMPLATES[step], state, project, **context)

    view.__name__ = f"capture_{kind}"
    return view


def _after_capture(request: HttpRequest, state: FlowState, project: Project, step: str) -> HttpResponse:
    try:
        return hand_over(request, state, project)
    except ApplicationError as refusal:
        return render_step(request, TEMPLATES[step], state, project, form=CaptureForm(), kind=CAPTURE_KIND[step],
                           error=refusal.message, status=400, **_camera_context(state, step))  # fmt: skip


def hand_over(
    request: HttpRequest, state: FlowState, project: Project, *, live_capture: LiveCapture | None = None
) -> HttpResponse:
    """The next step once a photo is kept: the next photo, or (all taken) the submission created
    or its photos replaced and the processing page. A refusal the person can fix by taking the
    photo again raises ``ApplicationError``, for the caller to show in its own way."""
    if state.kinds_needed():
        flow_save(request.session, state)
        return step_redirect(state.next_step())
    try:
        flow_submit(request, state, project, live_capture=live_capture)
    except SubmissionsPaused as refusal:
        pages = {"project_closed": "project-closed", "out_of_period": "period"}
        return error_redirect(pages.get(refusal.code, "service-blocked"))
    except InsufficientCredits:
        return error_redirect("service-blocked")
    except (IdempotencyConflict, SubmissionNotWaiting):
        return step_redirect(PROCESSING)  # the same photos are already on their way
    flow_save(request.session, state)
    return step_redirect(PROCESSING)


def _camera_context(state: FlowState, step: str) -> dict[str, object]:
    """The live camera of the step: the selfie's challenge (``views.live``) or the document's
    automatic shutter (``flow.document_camera``); the file input stays the fallback of both."""
    return live_context(state) if step == SELFIE else document_camera_context(state, step)


front = _capture(FRONT)
back = _capture(BACK)
address = _capture(ADDRESS)
selfie = _capture(SELFIE)
