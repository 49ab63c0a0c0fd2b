"""Admin Settings: the project's admins, their roles, and pending invitations."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from idcheck.errors import ApplicationError
from projects.access import otp_required, project_membership
from projects.actors import Actor
from projects.forms import InviteForm, RoleForm
from projects.selectors import invitation_list_pending, membership_list
from projects.services import invitation_revoke, membership_invite, membership_remove, membership_set_role
from projects.services.members import invitation_link


@otp_required
def admin_settings(request: HttpRequest, pid: str) -> HttpResponse:
    membership = project_membership(request, pid)
    project = membership.project
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        project_membership(request, pid, need="manage")
        if form.is_valid():
            try:
                outcome = membership_invite(project=project, actor=Actor.from_request(request), **form.cleaned_data)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                if outcome.membership is not None:
                    messages.success(request, f"{outcome.membership.user.email} was added to the project.")
                else:
                    messages.success(
                        request,
                        f"Invitation e-mailed to {outcome.invitation.email}. If e-mail is not set up, send them "
                        f"this link (shown once, valid 7 days): {invitation_link(outcome.token)}",
                    )
                return redirect("dashboard:admin_settings", pid=pid)
    context = {
        "membership": membership,
        "project": project,
        "members": membership_list(project=project),
        "invitations": invitation_list_pending(project=project),
        "form": form,
        "role_form": RoleForm(),
    }
    return render(request, "dashboard/project/admin_settings.html", context)


def _posted_id(request: HttpRequest, name: str) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise ApplicationError("That request was not valid.") from None


def _report(request: HttpRequest, pid: str, action: Callable[[], object], success: str) -> HttpResponse:
    """Run one owner action; its refusal or success becomes a message on the admins page."""
    try:
        action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("dashboard:admin_settings", pid=pid)


@otp_required
@require_POST
def member_remove(request: HttpRequest, pid: str) -> HttpResponse:
    project = project_membership(request, pid, need="manage").project
    return _report(request, pid, lambda: membership_remove(
        project=project, user_id=_posted_id(request, "user_id"), actor=Actor.from_request(request)
    ), "The admin was removed.")


@otp_required
@require_POST
def member_role(request: HttpRequest, pid: str) -> HttpResponse:
    project = project_membership(request, pid, need="manage").project
    return _report(request, pid, lambda: membership_set_role(
        project=project, user_id=_posted_id(request, "user_id"), role=request.POST.get("role", ""),
        actor=Actor.from_request(request),
    ), "The role was changed.")


@otp_required
@require_POST
def invitation_cancel(request: HttpRequest, pid: str) -> HttpResponse:
    project = project_membership(request, pid, need="manage").project
    return _report(request, pid, lambda: invitation_revoke(
        project=project, invitation_id=_posted_id(request, "invitation_id"), actor=Actor.from_request(request)
    ), "The invitation was withdrawn.")
