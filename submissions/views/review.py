"""Approve or reject a pending submission (owners and reviewers; viewers get 403). In the review
queue (``queue=1``) the reviewer goes on to the next pending submission."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from projects.access import otp_required
from projects.actors import Actor
from submissions.forms import RejectForm
from submissions.models import Submission
from submissions.selectors import review_queue_position
from submissions.services.review import (
    SubmissionAlreadyDecided,
    submission_review_approve,
    submission_review_reject,
)
from submissions.views.common import member_submission
from submissions.views.detail import render_detail


@otp_required
@require_POST
def submission_approve(request: HttpRequest, pid: str, sid: str) -> HttpResponse:
    membership, submission = member_submission(request, pid, sid, need="review")
    try:
        submission_review_approve(project=membership.project, submission_id=sid, actor=Actor.from_request(request))
    except SubmissionAlreadyDecided as exc:
        messages.error(request, exc.message)
        return _back(request, submission)
    messages.success(request, f"Approved {sid}.")
    return _onwards(request, submission)


@otp_required
@require_POST
def submission_reject(request: HttpRequest, pid: str, sid: str) -> HttpResponse:
    membership, submission = member_submission(request, pid, sid, need="review")
    form = RejectForm(request.POST)
    if not form.is_valid():
        return render_detail(request, membership, submission, reject_form=form, status=400)
    try:
        submission_review_reject(
            project=membership.project,
            submission_id=sid,
            comment=form.cleaned_data["comment"],
            actor=Actor.from_request(request),
        )
    except SubmissionAlreadyDecided as exc:
        messages.error(request, exc.message)
        return _back(request, submission)
    messages.success(request, f"Rejected {sid}.")
    return _onwards(request, submission)


def _detail_url(submission: Submission, *, queue: bool) -> str:
    url = reverse("dashboard:submission_detail", args=[submission.project.pid, submission.pk])
    return f"{url}?queue=1" if queue else url


def _back(request: HttpRequest, submission: Submission) -> HttpResponse:
    return redirect(_detail_url(submission, queue=request.POST.get("queue") == "1"))


def _onwards(request: HttpRequest, submission: Submission) -> HttpResponse:
    """In the queue: the next pending submission (or the queue once it is empty); else back."""
    if request.POST.get("queue") != "1":
        return _back(request, submission)
    following = review_queue_position(project=submission.project, submission=submission).next
    if following is None:
        return redirect("dashboard:review_queue", pid=submission.project.pid)
    next_url = reverse("dashboard:submission_detail", args=[submission.project.pid, following])
    return redirect(f"{next_url}?queue=1")
