"""Dashboard: the project's policy settings, its custom rules and their versions."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from idcheck.errors import ApplicationError
from policy.forms import RulesPublishForm
from policy.project_settings import KEYS
from policy.selectors import policy_rule_set_current, policy_rule_set_list
from policy.services import policy_rules_publish, policy_settings_update
from projects.access import otp_required, project_membership
from projects.actors import Actor
from projects.forms import SettingsForm
from projects.models import Membership
from projects.services import InvalidSettings
from projects.settings_registry import get_setting


def _settings_form(request: HttpRequest, membership: Membership) -> SettingsForm:
    data = request.POST if request.method == "POST" else None
    return SettingsForm(data, settings_list=[get_setting(key) for key in KEYS], project=membership.project)


def _publish_form(membership: Membership) -> RulesPublishForm:
    current = policy_rule_set_current(membership.project)
    rules = current.rules["rules"] if current is not None else []
    return RulesPublishForm(
        initial={"rules": json.dumps(rules, indent=2), "based_on_version": current.version if current else 0}
    )


def _render(request: HttpRequest, membership: Membership, form: SettingsForm, publish_form: RulesPublishForm):
    context = {
        "membership": membership,
        "project": membership.project,
        "form": form,
        "publish_form": publish_form,
        "current": policy_rule_set_current(membership.project),
        "history": policy_rule_set_list(membership.project),
    }
    return render(request, "dashboard/policy.html", context)


@otp_required
def policy_page(request: HttpRequest, pid: str) -> HttpResponse:
    membership = project_membership(request, pid)
    form = _settings_form(request, membership)
    if request.method == "POST":
        membership = project_membership(request, pid, need="manage")
        if form.is_valid():
            changes = form.parsed_changes()
            if not form.errors:
                try:
                    changed = policy_settings_update(
                        project=membership.project, changes=changes, actor=Actor.from_request(request)
                    )
                except InvalidSettings as exc:
                    for key, message in exc.errors.items():
                        form.add_error(key, message)
                else:
                    messages.success(request, "Saved." if changed else "Nothing changed.")
                    return redirect("dashboard:policy", pid=pid)
    return _render(request, membership, form, _publish_form(membership))


@otp_required
@require_POST
def policy_rules_publish_page(request: HttpRequest, pid: str) -> HttpResponse:
    membership = project_membership(request, pid, need="manage")
    publish_form = RulesPublishForm(request.POST)
    if publish_form.is_valid():
        try:
            published = policy_rules_publish(
                project=membership.project,
                document=publish_form.cleaned_data["rules"],
                actor=Actor.from_request(request),
                based_on_version=publish_form.cleaned_data["based_on_version"],
            )
        except ApplicationError as exc:
            problems = exc.extra.get("errors") or [{"path": "", "reason": exc.message}]
            for problem in problems:
                publish_form.add_error("rules", f"{problem['path']}: {problem['reason']}".lstrip(": "))
        else:
            messages.success(request, f"Published rules version {published.version}.")
            return redirect("dashboard:policy", pid=pid)
    form = SettingsForm(settings_list=[get_setting(key) for key in KEYS], project=membership.project)
    return _render(request, membership, form, publish_form)
