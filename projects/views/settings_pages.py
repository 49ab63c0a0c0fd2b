"""Integration Info (pid, API key, IP allow-lists) and Project Settings."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from idcheck.errors import ApplicationError
from idcheck.lib.netaddr import address_allowed, client_address
from projects.access import otp_required, project_membership
from projects.actors import Actor
from projects.forms import ConfirmWithCodeForm, SettingsForm
from projects.models import Membership
from projects.selectors import api_key_get_live
from projects.services import InvalidSettings, api_key_issue, project_settings_update
from projects.settings_registry import get_setting

ALLOWLIST_KEYS = ["api_ip_allowlist", "dashboard_ip_allowlist"]
GENERAL_KEYS = ["name", "status", "emergency_stop", "rate_limit_per_second", "rate_limit_per_day"]


def _settings_form(request: HttpRequest, membership: Membership, keys: list[str]) -> SettingsForm:
    data = request.POST if request.method == "POST" else None
    return SettingsForm(data, settings_list=[get_setting(key) for key in keys], project=membership.project)


def _save_settings(request: HttpRequest, membership: Membership, form: SettingsForm) -> bool:
    """Validate through the service (the same rules as the CLI); errors land on the form."""
    if not form.is_valid():
        return False
    changes = form.parsed_changes()
    if form.errors:
        return False
    try:
        changed = project_settings_update(project=membership.project, changes=changes,
                                          actor=Actor.from_request(request))
    except InvalidSettings as exc:
        for key, message in exc.errors.items():
            form.add_error(key, message)
        return False
    messages.success(request, "Saved." if changed else "Nothing changed.")
    return True


def _would_lock_out(request: HttpRequest, form: SettingsForm) -> bool:
    """Refuse a dashboard allow-list that excludes the admin who is saving it."""
    if not form.is_valid():
        return False
    try:
        networks = get_setting("dashboard_ip_allowlist").clean(
            get_setting("dashboard_ip_allowlist").parse(form.cleaned_data.get("dashboard_ip_allowlist", ""))
        )
    except ValidationError:
        return False  # the service reports the invalid entry itself
    address = client_address(request.META, trusted_proxy_depth=settings.IDCHECK_TRUSTED_PROXY_DEPTH)
    if address_allowed(address, networks):
        return False
    form.add_error("dashboard_ip_allowlist", f"Your address {address} is not in this list: you would lock yourself out.")
    return True


@otp_required
def integration_info(request: HttpRequest, pid: str) -> HttpResponse:
    membership = project_membership(request, pid)
    form = _settings_form(request, membership, ALLOWLIST_KEYS)
    if request.method == "POST":
        project_membership(request, pid, need="manage")
        if not _would_lock_out(request, form) and _save_settings(request, membership, form):
            return redirect("dashboard:integration_info", pid=pid)
    return _render_integration(request, membership, form, rotate_form=ConfirmWithCodeForm(), new_key="")


def _render_integration(request: HttpRequest, membership: Membership, form: SettingsForm, *, rotate_form: ConfirmWithCodeForm,
                        new_key: str) -> HttpResponse:
    context = {
        "membership": membership,
        "project": membership.project,
        "api_key": api_key_get_live(project=membership.project),
        "form": form,
        "rotate_form": rotate_form,
        "new_key": new_key,
        "api_base_url": f"{settings.IDCHECK_PUBLIC_URL}/v3",
    }
    return render(request, "dashboard/project/integration_info.html", context)


@otp_required
@require_POST
def api_key_rotate(request: HttpRequest, pid: str) -> HttpResponse:
    """Issue a new key (the old one stops working at once); needs a fresh TOTP code."""
    membership = project_membership(request, pid, need="manage")
    rotate_form = ConfirmWithCodeForm(request.POST)
    if not rotate_form.confirms(request.user):
        return _render_integration(request, membership, _unbound_allowlist_form(membership), rotate_form=rotate_form,
                                   new_key="")
    try:
        issued = api_key_issue(project=membership.project, actor=Actor.from_request(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("dashboard:integration_info", pid=pid)
    return _render_integration(request, membership, _unbound_allowlist_form(membership), rotate_form=ConfirmWithCodeForm(),
                               new_key=issued.plaintext)


def _unbound_allowlist_form(membership: Membership) -> SettingsForm:
    return SettingsForm(settings_list=[get_setting(key) for key in ALLOWLIST_KEYS], project=membership.project)


@otp_required
def project_settings(request: HttpRequest, pid: str) -> HttpResponse:
    membership = project_membership(request, pid)
    form = _settings_form(request, membership, GENERAL_KEYS)
    if request.method == "POST":
        project_membership(request, pid, need="manage")
        if _save_settings(request, membership, form):
            return redirect("dashboard:project_settings", pid=pid)
    context = {"membership": membership, "project": membership.project, "form": form}
    return render(request, "dashboard/project/settings.html", context)
