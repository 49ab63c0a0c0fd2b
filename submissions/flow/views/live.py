"""The live selfie's two JSON endpoints, called by ``live-selfie.js`` on the selfie step.

``plan`` issues the active challenge (``pipeline.liveness.new_challenge``) and keeps the
server's copy in the flow; ``upload`` takes the filmed frames and the still, hands them to the
submission services with that copy (never the phone's) and answers where to go next;
camera errors are recorded by ``views.camera``.
"""

from __future__ import annotations

import time

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from idcheck.errors import ApplicationError
from projects.models import Project
from submissions.flow.captures import CaptureRefused, capture_keep
from submissions.flow.state import SELFIE, FlowState, flow_save
from submissions.flow.views.capture import hand_over
from submissions.flow.views.common import flow_step
from submissions.pipeline.liveness import ChallengePlan, Frame, new_challenge
from submissions.pipeline.liveness.bundle import BundleError, unpack_frames
from submissions.services import LiveCapture

MAX_BUNDLE_BYTES = 20 * 1024 * 1024  # 240 frames of 80 kB: far more than a 480-px film needs


def _refused(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@require_POST
@flow_step(SELFIE)
def plan(request: HttpRequest, state: FlowState, project: Project) -> HttpResponse:
    issued = new_challenge(now=_now_ms())
    state.live_plan = issued.as_json()
    flow_save(request.session, state)
    public = issued.as_json()
    public.pop("deadline")
    return JsonResponse(public)


@require_POST
@flow_step(SELFIE)
def upload(request: HttpRequest, state: FlowState, project: Project) -> HttpResponse:
    """The filmed challenge. Checked here only for shape; whether it shows a live person is the
    run's liveness step, whose failure comes back as a retry with the reason."""
    received = _now_ms()
    if not state.live_plan:
        return _refused(_("The challenge expired. Please start again."), status=409)
    issued = ChallengePlan.from_json(state.live_plan)
    frames = _frames(request)
    still = request.FILES.get("photo")
    if frames is None or still is None:
        return _refused(_("The recording did not arrive complete. Please try again."))
    try:
        capture_keep(state, "selfie", still.read())
    except CaptureRefused as refusal:
        return _refused(refusal.message)
    live = LiveCapture(plan=issued, nonce_sent=request.POST.get("nonce", "")[:64], received_at_ms=received,
                       frames=tuple(frames), camera_errors=tuple(state.camera_errors))  # fmt: skip
    state.live_plan = {}  # one upload per plan: a second needs a new challenge
    try:
        response = hand_over(request, state, project, live_capture=live)
    except ApplicationError as refusal:
        return _refused(refusal.message)
    return JsonResponse({"next": response["Location"]})


def _frames(request: HttpRequest) -> list[Frame] | None:
    """The frames of the uploaded bundle (``pipeline.liveness.bundle``), None when it is missing,
    too large or does not parse. One file, not a part per frame: Django caps the parts."""
    bundle = request.FILES.get("frames")
    if bundle is None or bundle.size > MAX_BUNDLE_BYTES:
        return None
    try:
        return unpack_frames(bundle.read())
    except BundleError:
        return None


def _now_ms() -> int:
    return int(time.time() * 1000)
