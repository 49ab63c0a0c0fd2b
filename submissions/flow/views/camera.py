"""Where the Liveform's cameras report a camera error they met (``camera.js``; the page shows the
person the words itself): the selfie's go with its live capture, the document steps' are kept
with the flow, so a flow that fell back to a chosen photo says why."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_POST

from projects.models import Project
from submissions.flow.camera import camera_error_record
from submissions.flow.state import BACK, FRONT, SELFIE, FlowState, flow_save
from submissions.flow.views.common import flow_step


def _camera_error(step: str) -> Callable[..., HttpResponse]:
    @require_POST
    @flow_step(step)
    def view(request: HttpRequest, state: FlowState, project: Project) -> HttpResponse:
        name = camera_error_record(state, step, request.POST.get("error", ""))
        flow_save(request.session, state)
        return JsonResponse({"recorded": name})

    view.__name__ = f"{step}_camera_error"
    return view


selfie_camera_error = _camera_error(SELFIE)
front_camera_error = _camera_error(FRONT)
back_camera_error = _camera_error(BACK)
