"""Handing the flow's photos to the submission services, and following the run they queue.

The first complete set of photos creates the submission (``submission_create``, source
Liveform, one credit, idempotent on the flow's id so a form posted twice creates one); after a
retry the new photos replace the failed ones (``submission_images_replace``). The run's state
is read back for the processing page, and a run sent back for new photos (spec §8.3) turns
into the steps to take again, with the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from idcheck.lib.netaddr import client_address
from network.device import DeviceSignals
from network.models import IpOrigin
from network.services import ClientInfo
from projects.actors import Actor
from projects.models import Project
from submissions.flow.captures import captures_open
from submissions.flow.ocr import FieldsRead
from submissions.flow.state import FlowState
from submissions.models import RunState, Submission, SubmissionSource, SubmissionStatus
from submissions.selectors import submission_get
from submissions.services import (
    FieldsReview,
    LiveCapture,
    SubmissionDetails,
    submission_create,
    submission_images_replace,
)
from submissions.services.knowledge import KnowledgeData
from submissions.services.retry import FACE_RETRY_CODE, LIVENESS_RETRY_CODE, SELFIE_RETRY_CODES

LIVEFORM_ACTOR = Actor.system("liveform")
USER_AGENT_MAX = 512


def flow_submit(
    request: HttpRequest, state: FlowState, project: Project, *, live_capture: LiveCapture | None = None
) -> Submission:
    """Create the submission, or replace its images after a retry; the captures are then dropped.

    Raises what the services raise (``ImageRefused``, ``IdempotencyConflict``, the credit
    refusals, ``SubmissionNotWaiting``) with the state unchanged."""
    images = captures_open(state)
    if state.submission_id:
        current = submission_get(project=project, submission_id=state.submission_id)
        assert current is not None  # the flow only holds ids of its own project's submissions
        submission = submission_images_replace(current, images, actor=LIVEFORM_ACTOR, live_capture=live_capture)
    else:
        submission = submission_create(
            project=project,
            source=SubmissionSource.LIVEFORM,
            actor=LIVEFORM_ACTOR,
            images=images,
            details=_details(state, live_capture),
            # Without a live capture (a photo from the file input) the selfie is "uploaded" and
            # its liveness reads "not performed" (G25).
            live_capture=live_capture,
            idempotency_key=f"liveform:{state.flow}",
            client=_client(request),
            review=_review(state),
            additional_list=state.answers or (),
            knowledge=_knowledge(state),
        )
    state.submission_id = submission.id
    state.captures, state.retry_kinds = {}, []
    return submission


def _knowledge(state: FlowState) -> KnowledgeData | None:
    """Knowledge-Based: the identity typed on the details page (or prefilled by the link)."""
    if not state.knowledge_based:
        return None
    typed = state.knowledge
    return KnowledgeData(first_name=typed["first_name"], last_name=typed["last_name"],
                         date_of_birth=dt.date.fromisoformat(typed["date_of_birth"]), gender=typed["gender"],
                         nationality=typed["nationality"], ssn_number=typed.get("ssnNumber", ""))  # fmt: skip


def _details(state: FlowState, live_capture: LiveCapture | None) -> SubmissionDetails:
    """What the link and the flow gathered. The selfie camera's errors go with its live capture
    when there is one; without it they are kept here, beside the document cameras'."""
    params = state.params
    selfie_errors = () if live_capture is not None else tuple(f"selfie:{name}" for name in state.camera_errors)
    return SubmissionDetails(
        email=state.email,
        userid=params.userid,
        cf1=params.cf1,
        cf2=params.cf2,
        cf3=params.cf3,
        issuing_country=state.country,
        id_type=state.id_type,
        token_id=params.token,
        policy_overrides=params.policy_overrides,
        camera_errors=(*state.document_camera_errors, *selfie_errors),
        projection=(params.projection_id, params.projection_fields) if params.projection_id else None,
        phone_number=state.phone_number,
    )


def _review(state: FlowState) -> FieldsReview | None:
    """The confirmation page's outcome (``views.review``), with what the engine read."""
    if not state.review:
        return None
    read = FieldsRead.from_session(state.ocr)
    return FieldsReview(read=read.values, confirmed=state.review["values"], edited=tuple(state.review["edited"]),
                        recognition_score=read.score, skipped=state.review["skipped"])  # fmt: skip


def _client(request: HttpRequest) -> ClientInfo:
    address = client_address(request.META, trusted_proxy_depth=settings.IDCHECK_TRUSTED_PROXY_DEPTH)
    agent = request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX]
    return ClientInfo(
        ip=str(address) if address else "",
        ip_origin=IpOrigin.REQUEST if address else IpOrigin.NONE,
        signals=DeviceSignals(user_agent=agent),
    )


@dataclass(frozen=True)
class Progress:
    state: str  # queued, processing, retry, done
    percent: int
    label: str


def flow_progress(state: FlowState, project: Project) -> tuple[Progress, Submission | None]:
    """Where the run is. A run sent back for new photos sets the steps to take again in ``state``."""
    submission = submission_get(project=project, submission_id=state.submission_id)
    if submission is None:
        return Progress("done", 100, str(_("Finished"))), None
    if submission.status != SubmissionStatus.INCOMPLETE:
        return Progress("done", 100, str(_("Finished"))), submission
    if submission.run_state == RunState.WAITING and submission.failed_attempts > state.failures_seen:
        state.failures_seen = submission.failed_attempts
        state.retry_code = submission.retry_code
        if submission.retry_code in SELFIE_RETRY_CODES or state.knowledge_based:
            state.retry_kinds = ["selfie"]
        else:
            state.retry_kinds = ["id_front", *(["id_back"] if state.needs_back else [])]
        return Progress("retry", 0, str(_("Please take the photos again"))), submission
    if submission.run_state == RunState.PROCESSING:
        steps = submission.check_results.count()
        label = _("Checking your details and face") if state.knowledge_based else _("Checking your document and face")
        return Progress("processing", min(90, 40 + 10 * steps), str(label)), submission
    return Progress("queued", 20, str(_("Waiting for a free checker"))), submission


# Why the photos must be taken again, per ``retryCode`` (the §8.4 texts of the same failures).
RETRY_REASONS = {
    "id_image_error": _("Failed to upload the ID image. Please retry the KYC process."),
    "id_image_invalidImage": _("ID document not detected. Please take a clear picture of your ID document."),
    "id_image_badImage": _("Unable to read the ID image. Please ensure the image is clear and resubmit."),
    "id_image_invalidId": _("Invalid ID document. Please resubmit with a valid ID document."),
    FACE_RETRY_CODE: _("Your selfie could not be matched with the photo on your document. Take a clear selfie, "
                       "facing the camera, in good light."),
    LIVENESS_RETRY_CODE: _("We could not confirm that the selfie was taken live. Take it again and follow the "
                           "instructions on the screen."),
}  # fmt: skip


def retry_reason(code: str, *, knowledge_based: bool = False) -> str:
    """Knowledge-Based: no document photo to compare with, so the face failure gets the general words."""
    known = RETRY_REASONS.get(code) if not (knowledge_based and code == FACE_RETRY_CODE) else None
    return str(known or _("We could not check your photos. Please take them again."))
