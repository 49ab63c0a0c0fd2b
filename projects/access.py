"""Who may open which dashboard page: OTP-verified session, membership, role, IP allow-list."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device

from idcheck.lib.netaddr import address_allowed, client_address
from idcheck.middleware import audit_path
from projects.actors import Actor
from projects.models import Membership, Project
from projects.selectors import membership_get
from projects.services import audit_record

View = Callable[..., HttpResponse]


def _redirect_with_next(name: str, request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")


def otp_required(view: View) -> View:
    """Password and a TOTP code in this session, before any dashboard page (G20)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return _redirect_with_next("dashboard:login", request)
        if not user.is_verified():
            has_device = user_has_device(user, confirmed=True)
            return _redirect_with_next("dashboard:otp" if has_device else "dashboard:otp_setup", request)
        return view(request, *args, **kwargs)

    return wrapped


def staff_required(view: View) -> View:
    @otp_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            _record_denial(request, project=None, need="staff")
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def project_membership(request: HttpRequest, pid: str, *, need: str = "view") -> Membership:
    """The caller's membership of ``pid``; 404 for outsiders, 403 for a too-weak role or IP."""
    membership = membership_get(user=request.user, pid=pid)
    if membership is None:
        raise Http404("No such project")
    address = client_address(request.META, trusted_proxy_depth=settings.IDCHECK_TRUSTED_PROXY_DEPTH)
    if not address_allowed(address, membership.project.dashboard_ip_allowlist):
        audit_record(actor=Actor.from_request(request), action="dashboard.ip_denied", project=membership.project,
                     target_type="path", target_id=audit_path(request.path))  # fmt: skip
        raise PermissionDenied("Your network is not on this project's dashboard allow-list.")
    if need == "manage" and not membership.can_manage:
        _record_denial(request, project=membership.project, need=need)
        raise PermissionDenied("Only project owners can do this.")
    if need == "review" and not membership.can_review:
        _record_denial(request, project=membership.project, need=need)
        raise PermissionDenied("Only owners and reviewers can do this.")
    return membership


def _record_denial(request: HttpRequest, *, project: Project | None, need: str) -> None:
    """An authorisation failure goes to the Event Log (G23): who, which page, which right was missing."""
    audit_record(actor=Actor.from_request(request), action="dashboard.role_denied", project=project,
                 target_type="path", target_id=audit_path(request.path), details={"need": need})  # fmt: skip
