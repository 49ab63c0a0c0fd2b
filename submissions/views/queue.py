"""The review queue: pending submissions, oldest first, with the age of the oldest one."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from projects.access import otp_required, project_membership
from submissions.forms import cursor_decode
from submissions.models import SubmissionStatus
from submissions.selectors import SubmissionFilters, review_queue_oldest, submission_search
from submissions.views.list import PAGE_SIZE, page_links

QUEUE = SubmissionFilters(status=SubmissionStatus.PENDING, oldest_first=True)


@otp_required
def review_queue_page(request: HttpRequest, pid: str) -> HttpResponse:
    membership = project_membership(request, pid)
    project = membership.project
    page = submission_search(
        project=project, filters=QUEUE, count=PAGE_SIZE, after=cursor_decode(request.GET.get("after", ""))
    )
    oldest = review_queue_oldest(project=project)
    context = {
        "membership": membership,
        "project": project,
        "page": page,
        **page_links(request, page),
        "oldest": oldest,
    }
    return render(request, "dashboard/submissions/queue.html", context)
