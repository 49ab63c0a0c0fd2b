"""After the photos: the processing page and its status endpoint, the result page, the Return URL."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from projects.liveform import liveform_settings_get
from projects.models import Project, ResultPageText
from projects.services import result_page_text_get
from submissions.flow.funnel import RESULT, funnel_count
from submissions.flow.returnurl import return_url
from submissions.flow.state import PROCESSING, FlowState, flow_save
from submissions.flow.submit import Progress, flow_progress
from submissions.flow.views.common import error_redirect, flow_step, render_step, step_redirect
from submissions.models import Submission, SubmissionStatus
from submissions.selectors import submission_get

RETURN_DELAY_SECONDS = 5  # spec §7: "after the user presses Ok or after 5 seconds"


def _follow(request: HttpRequest, state: FlowState, project: Project) -> tuple[Progress, Submission | None, str]:
    """The run's progress and where the person goes next ("" to stay on the processing page)."""
    progress, submission = flow_progress(state, project)
    if progress.state == "retry":
        flow_save(request.session, state)
        return progress, submission, reverse(f"liveform:{state.next_step()}")
    if progress.state == "done":
        return progress, submission, reverse("liveform:result")
    return progress, submission, ""


@require_GET
@flow_step(None)
def processing(request: HttpRequest, state: FlowState, project: Project) -> HttpResponse:
    if state.next_step() != PROCESSING:
        return step_redirect(state.next_step())
    funnel_count(state, PROCESSING)
    progress, _, target = _follow(request, state, project)
    if target:
        return HttpResponseRedirect(target)
    return render_step(request, "liveform/processing.html", state, project, progress=progress)


@require_GET
@flow_step(None)
def status(request: HttpRequest, state: FlowState, project: Project) -> JsonResponse:
    """What the processing page polls: ``{"state", "percent", "label", "next"}``."""
    if not state.submission_id:
        return JsonResponse(
            {"state": "capture", "percent": 0, "label": "", "next": reverse(f"liveform:{state.next_step()}")}
        )
    progress, _, target = _follow(request, state, project)
    return JsonResponse({"state": progress.state, "percent": progress.percent, "label": progress.label, "next": target})


@require_GET
@flow_step(None)
def result(request: HttpRequest, state: FlowState, project: Project) -> HttpResponse:
    if not state.submission_id:
        return step_redirect(state.next_step())
    progress, submission, target = _follow(request, state, project)
    if submission is None:  # deleted meanwhile: nothing left to show
        return error_redirect("refresh")
    if progress.state != "done":
        return HttpResponseRedirect(target or reverse("liveform:processing"))
    funnel_count(state, RESULT)
    back_url = return_url(project, state=state, submission=submission)
    if back_url and liveform_settings_get(project).result_page_skip:
        return HttpResponseRedirect(back_url)
    has_return = bool(back_url)
    custom = _custom_page(project, submission)
    return render_step(request, "liveform/result.html", state, project, submission=submission,
                       has_return=has_return, delay=RETURN_DELAY_SECONDS, custom=custom)  # fmt: skip


def _custom_page(project: Project, submission: Submission) -> ResultPageText | None:
    """The project's own texts and picture for this outcome (Liveform Customization), if any."""
    return result_page_text_get(project=project, status=submission.status, language=get_language() or "")


@require_GET
@flow_step(None)
def result_picture(request: HttpRequest, state: FlowState, project: Project) -> HttpResponse:
    """The customised result page's picture, to the person whose flow ended with that outcome."""
    submission = submission_get(project=project, submission_id=state.submission_id) if state.submission_id else None
    if submission is None or submission.status == SubmissionStatus.INCOMPLETE:
        raise Http404("No result yet")
    custom = _custom_page(project, submission)
    if custom is None or not custom.image:
        raise Http404("No picture")
    response = HttpResponse(bytes(custom.image), content_type=custom.image_content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@flow_step(None)
def return_to(request: HttpRequest, state: FlowState, project: Project) -> HttpResponse:
    """The Return URL of a finished flow (the result page's "OK" and its 5-second redirect)."""
    submission = submission_get(project=project, submission_id=state.submission_id) if state.submission_id else None
    if submission is None or submission.status == SubmissionStatus.INCOMPLETE:
        return step_redirect(state.next_step())
    target = return_url(project, state=state, submission=submission)
    return HttpResponseRedirect(target) if target else HttpResponseRedirect(reverse("liveform:result"))
