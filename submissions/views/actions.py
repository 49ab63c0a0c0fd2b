"""What an admin does to a submission from its page, each through the same service as the API:
edit its data and change a decided status (``submission_update``), the memo
(``submission_memo_set``), delete it all or in part after a confirmation page (the deletion
services), and send one of its webhook events again (``webhook_event_resend``).

Owners and reviewers edit, change the status and write the memo; only owners delete and resend
(as they alone replay deliveries on the Webhooks page); viewers get 403. Every form is a
CSRF-protected POST; a refusal shows its reason and leaves everything as it was.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from idcheck.errors import ApplicationError
from projects.access import otp_required
from projects.actors import Actor
from projects.models import Membership
from submissions.models import Submission
from submissions.services import (
    submission_delete,
    submission_delete_partial,
    submission_memo_set,
    submission_update,
)
from submissions.services.delete import PARTIAL_FIELDS
from submissions.views.common import member_submission
from submissions.views.detail import DeleteForm, EditForm, MemoForm, StatusForm, current_properties, render_detail
from webhooks.services import WebhookError, webhook_event_resend


def _back(submission: Submission) -> HttpResponse:
    return redirect("dashboard:submission_detail", pid=submission.project.pid, sid=submission.pk)


def _form_action(
    request: HttpRequest, pid: str, sid: str, form: Form, name: str, act: Callable[[Membership, Submission, dict], str]
) -> HttpResponse:
    """A reviewer's form POST: ``act`` calls the service and returns what to tell; an invalid form
    or a refusal shows the page again with the form (``name`` in its context) and the reason."""
    membership, submission = member_submission(request, pid, sid, need="review")
    if not form.is_valid():
        return render_detail(request, membership, submission, status=400, **{name: form})
    try:
        done = act(membership, submission, form.cleaned_data)
    except ApplicationError as exc:
        return render_detail(request, membership, submission, error=exc.message, status=400, **{name: form})
    messages.success(request, done)
    return _back(submission)


@otp_required
@require_POST
def submission_edit(request: HttpRequest, pid: str, sid: str) -> HttpResponse:
    form = EditForm(request.POST)

    def act(membership: Membership, submission: Submission, data: dict) -> str:
        changes = form.changes(current_properties(submission))
        if not changes:
            return "Nothing was changed."
        result = submission_update(project=membership.project, submission_id=sid, changes=changes,
                                   admin=request.user.email, actor=Actor.from_request(request))  # fmt: skip
        return f"Changed: {', '.join(result.changed)}." if result.changed else "Nothing was changed."

    return _form_action(request, pid, sid, form, "edit_form", act)


@otp_required
@require_POST
def submission_status_change(request: HttpRequest, pid: str, sid: str) -> HttpResponse:
    def act(membership: Membership, submission: Submission, data: dict) -> str:
        result = submission_update(project=membership.project, submission_id=sid, changes={"kycStatus": data["status"]},
                                   comment=data["comment"], admin=request.user.email,
                                   actor=Actor.from_request(request))  # fmt: skip
        return f"The status is now {data['status']}." if result.changed else f"It was {data['status']} already."

    return _form_action(request, pid, sid, StatusForm(request.POST), "status_form", act)


@otp_required
@require_POST
def submission_memo(request: HttpRequest, pid: str, sid: str) -> HttpResponse:
    def act(membership: Membership, submission: Submission, data: dict) -> str:
        memo = submission_memo_set(project=membership.project, submission_id=sid, text=data["text"],
                                   actor=Actor.from_request(request))  # fmt: skip
        return "Memo saved." if memo else "Memo removed."

    return _form_action(request, pid, sid, MemoForm(request.POST), "memo_form", act)


@otp_required
def submission_delete_page(request: HttpRequest, pid: str, sid: str) -> HttpResponse:
    """GET: the confirmation page (whole or ``?partial=1``); POST: the deletion it confirms."""
    membership, submission = member_submission(request, pid, sid, need="manage")
    partial = (request.POST if request.method == "POST" else request.GET).get("partial") == "1"
    form = DeleteForm(request.POST if request.method == "POST" else None)
    context = {"project": membership.project, "membership": membership, "submission": submission,
               "form": form, "partial": partial, "partial_fields": PARTIAL_FIELDS,
               "sealed_lost": submission.wrapped_data_key is None}  # fmt: skip
    if request.method != "POST":
        return render(request, "dashboard/submissions/delete.html", context)
    if not form.is_valid() or (partial and not form.cleaned_data["parts"]):
        if form.is_valid():
            context["error"] = "Choose at least one part to delete."
        return render(request, "dashboard/submissions/delete.html", context, status=400)
    actor, admin = Actor.from_request(request), request.user.email
    try:
        if partial:
            submission_delete_partial(project=membership.project, submission_id=sid, actor=actor, admin_name=admin,
                                      fields=form.cleaned_data["parts"], data_fields=None)  # fmt: skip
        else:
            submission_delete(project=membership.project, submission_id=sid, actor=actor, admin_name=admin)
    except ApplicationError as exc:
        context["error"] = exc.message
        return render(request, "dashboard/submissions/delete.html", context, status=400)
    messages.success(request, "Deleted the chosen parts." if partial else "Deleted its personal data and images.")
    return _back(submission)


@otp_required
@require_POST
def submission_webhook_resend(request: HttpRequest, pid: str, sid: str, event_id: int) -> HttpResponse:
    membership, submission = member_submission(request, pid, sid, need="manage")
    try:
        webhook_event_resend(project=membership.project, event_id=event_id, resource_id=sid,
                             actor=Actor.from_request(request))  # fmt: skip
    except WebhookError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The event goes out again, with the same webhook-id.")
    return _back(submission)
