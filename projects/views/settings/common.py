"""What every Settings page shares: its area (title and registry keys), the form, saving it
through ``project_settings_update`` and rendering it for owners (editable) or others (read-only)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from idcheck.lib.netaddr import address_allowed, client_address
from projects.access import project_membership
from projects.actors import Actor
from projects.forms import SettingsForm
from projects.models import Membership
from projects.services import InvalidSettings, project_settings_update
from projects.settings_registry import get_setting


def registered(key: str) -> bool:
    """Whether another app has registered ``key`` (a page may show a setting still being built)."""
    try:
        get_setting(key)
    except ValidationError:
        return False
    return True


@dataclass(frozen=True)
class SettingsArea:
    url_name: str
    title: str
    template: str
    keys: tuple[str, ...]
    optional_keys: tuple[str, ...] = ()  # shown only when registered

    def present_keys(self) -> list[str]:
        return [*self.keys, *(key for key in self.optional_keys if registered(key))]


def settings_form(request: HttpRequest, membership: Membership, keys: Sequence[str]) -> SettingsForm:
    """The form of ``keys``, bound to the posted data on a POST."""
    data = request.POST if request.method == "POST" else None
    return SettingsForm(data, settings_list=[get_setting(key) for key in keys], project=membership.project)


def would_lock_out(request: HttpRequest, form: SettingsForm) -> bool:
    """Refuse a dashboard allow-list that excludes the admin who is saving it."""
    if "dashboard_ip_allowlist" not in form.fields or not form.is_valid():
        return False
    setting = get_setting("dashboard_ip_allowlist")
    try:
        networks = setting.clean(setting.parse(form.cleaned_data.get("dashboard_ip_allowlist", "")))
    except ValidationError:
        return False  # the service reports the invalid entry itself
    address = client_address(request.META, trusted_proxy_depth=settings.IDCHECK_TRUSTED_PROXY_DEPTH)
    if address_allowed(address, networks):
        return False
    form.add_error(
        "dashboard_ip_allowlist", f"Your address {address} is not in this list: you would lock yourself out."
    )
    return True


def save_settings(request: HttpRequest, membership: Membership, form: SettingsForm) -> bool:
    """Validate through the service (the same rules as the CLI); errors land on the form."""
    if not form.is_valid() or would_lock_out(request, form):
        return False
    changes = form.parsed_changes()
    if form.errors:
        return False
    try:
        changed = project_settings_update(
            project=membership.project, changes=changes, actor=Actor.from_request(request)
        )
    except InvalidSettings as exc:
        for key, message in exc.errors.items():
            form.add_error(key if key in form.fields else None, message)
        return False
    messages.success(request, "Saved." if changed else "Nothing changed.")
    return True


def area_page(
    request: HttpRequest,
    pid: str,
    area: SettingsArea,
    *,
    prepare: Callable[[SettingsForm], None] | None = None,
    **context: Any,
) -> HttpResponse:
    """GET shows the area's settings; POST (owners only) saves them all or none."""
    membership = project_membership(request, pid)
    form = settings_form(request, membership, area.present_keys())
    if prepare is not None:
        prepare(form)
    if request.method == "POST":
        membership = project_membership(request, pid, need="manage")
        if save_settings(request, membership, form):
            return redirect(f"dashboard:{area.url_name}", pid=pid)
    return render_area(request, membership, area, form, **context)


def render_area(
    request: HttpRequest, membership: Membership, area: SettingsArea, form: SettingsForm, **context: Any
) -> HttpResponse:
    context = {"membership": membership, "project": membership.project, "area": area, "form": form, **context}
    return render(request, area.template, context)
