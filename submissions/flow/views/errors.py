"""``/form/error-page/<type>``: the spec's error pages, each with its code (spec §6.7).

When the flow's project is known and has a Return URL, the page offers to go back to it with
the ``errorCode`` (spec §7, since 2026-04).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from projects.models import Project
from submissions.flow.errors import ERROR_PAGES, NOT_FOUND, FlowRefused
from submissions.flow.returnurl import return_url
from submissions.flow.state import FlowState, flow_load
from submissions.flow.views.common import ERROR_PROJECT_KEY


def _known(request: HttpRequest) -> tuple[Project | None, FlowState | None]:
    try:
        state = flow_load(request.session)
    except FlowRefused:
        state = None
    project_id = state.project_id if state is not None else request.session.get(ERROR_PROJECT_KEY)
    project = Project.objects.filter(pk=project_id).first() if project_id else None
    return project, state


@never_cache
@require_GET
def error_page(request: HttpRequest, page: str) -> HttpResponse:
    if page not in ERROR_PAGES:
        page = NOT_FOUND
    error = ERROR_PAGES[page]
    project, state = _known(request)
    target = return_url(project, state=state, submission=None, error_code=error.code) if project else ""
    context = {"page": page, "error": error, "project": project, "has_return": bool(target)}
    return render(request, "liveform/error.html", context, status=error.status)


def unknown_path(request: HttpRequest, path: str) -> HttpResponse:
    return error_page(request, NOT_FOUND)


@never_cache
@require_GET
def error_return(request: HttpRequest, page: str) -> HttpResponse:
    """The error page's Return-URL button: the project's URL with this page's ``errorCode``."""
    error = ERROR_PAGES.get(page)
    project, state = _known(request)
    target = return_url(project, state=state, submission=None, error_code=error.code) if error and project else ""
    if not target:
        raise Http404
    return HttpResponseRedirect(target)
