"""Integration Info: the pid, the API key (rotation needs a fresh TOTP code), the Return URL
(spec §7) and the IP allow-lists (the same form as the Security page's)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from idcheck.errors import ApplicationError
from projects.access import otp_required, project_membership
from projects.actors import Actor
from projects.forms import ConfirmWithCodeForm, SettingsForm
from projects.models import Membership
from projects.selectors import api_key_get_live
from projects.services import api_key_issue
from projects.settings_registry import get_setting
from projects.views.settings.common import SettingsArea, save_settings
from projects.views.settings.security import ALLOWLIST_KEYS

TEMPLATE = "dashboard/project/integration_info.html"
ALLOWLISTS = SettingsArea("integration_info", "Integration Info", TEMPLATE, ALLOWLIST_KEYS)
RETURN = SettingsArea(
    "integration_info",
    "Integration Info",
    TEMPLATE,
    ("liveform_return_url", "liveform_return_fields", "liveform_return_encrypted"),
    optional_keys=("liveform_result_page_skip",),
)
RETURN_SECTION = "return"  # the posted ``section`` of the Return URL form; the allow-lists post none


def _form(area: SettingsArea, membership: Membership, data: object = None) -> SettingsForm:
    settings_list = [get_setting(key) for key in area.present_keys()]
    return SettingsForm(data, settings_list=settings_list, project=membership.project)


@otp_required
def integration_info(request: HttpRequest, pid: str) -> HttpResponse:
    membership = project_membership(request, pid)
    allow_form, return_form = _form(ALLOWLISTS, membership), _form(RETURN, membership)
    if request.method == "POST":
        membership = project_membership(request, pid, need="manage")
        if request.POST.get("section") == RETURN_SECTION:
            return_form = _form(RETURN, membership, request.POST)
            saved = save_settings(request, membership, return_form)
        else:
            allow_form = _form(ALLOWLISTS, membership, request.POST)
            saved = save_settings(request, membership, allow_form)
        if saved:
            return redirect("dashboard:integration_info", pid=pid)
    return _render(request, membership, allow_form, return_form, rotate_form=ConfirmWithCodeForm(), new_key="")


def _render(request: HttpRequest, membership: Membership, form: SettingsForm, return_form: SettingsForm, *,
            rotate_form: ConfirmWithCodeForm, new_key: str) -> HttpResponse:  # fmt: skip
    context = {
        "membership": membership,
        "project": membership.project,
        "api_key": api_key_get_live(project=membership.project),
        "form": form,
        "return_form": return_form,
        "return_section": RETURN_SECTION,
        "rotate_form": rotate_form,
        "new_key": new_key,
        "api_base_url": f"{settings.IDCHECK_PUBLIC_URL}/v3",
    }
    return render(request, TEMPLATE, context)


@otp_required
@require_POST
def api_key_rotate(request: HttpRequest, pid: str) -> HttpResponse:
    """Issue a new key (the old one stops working at once); needs a fresh TOTP code."""
    membership = project_membership(request, pid, need="manage")
    rotate_form = ConfirmWithCodeForm(request.POST)
    forms = (_form(ALLOWLISTS, membership), _form(RETURN, membership))
    if not rotate_form.confirms(request.user):
        return _render(request, membership, *forms, rotate_form=rotate_form, new_key="")
    try:
        issued = api_key_issue(project=membership.project, actor=Actor.from_request(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("dashboard:integration_info", pid=pid)
    return _render(request, membership, *forms, rotate_form=ConfirmWithCodeForm(), new_key=issued.plaintext)
