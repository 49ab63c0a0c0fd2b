"""Dashboard: the project's policy settings, its custom rules and their versions."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from idcheck.errors import ApplicationError
from policy.forms import IdTypesUploadForm, RulesPublishForm
from policy.id_types import ID_TYPES, MAX_UPLOAD_BYTES, AllowedIdTypes, AllowListError, CsvProblem, parse_upload
from policy.project_settings import KEYS
from policy.selectors import policy_rule_set_current, policy_rule_set_list, policy_settings_get
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


ID_TYPES_KEY = "policy_allowed_id_types"


def _id_types_page(request: HttpRequest, membership: Membership, form: IdTypesUploadForm,
                   report: list[CsvProblem]) -> HttpResponse:  # fmt: skip
    table = policy_settings_get(membership.project).allowed_id_types
    by_country = [(country, table.types_for(country)) for country in table.countries()]
    context = {"membership": membership, "project": membership.project, "form": form, "report": report,
               "by_country": by_country, "id_types": ID_TYPES, "area": {"title": "Supported ID Types"}}  # fmt: skip
    return render(request, "dashboard/settings/id_types.html", context, status=400 if report else 200)


@otp_required
def id_types_page(request: HttpRequest, pid: str) -> HttpResponse:
    """The per-country allow-list of ID types (spec §8.5): a CSV upload, all lines valid or nothing saved."""
    membership = project_membership(request, pid)
    if request.method != "POST":
        return _id_types_page(request, membership, IdTypesUploadForm(), [])
    membership = project_membership(request, pid, need="manage")
    form = IdTypesUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _id_types_page(request, membership, form, [])
    try:
        uploaded = parse_upload(
            form.cleaned_data["csv_file"].read(MAX_UPLOAD_BYTES + 1)
        )  # enough to tell it is too large
    except AllowListError as exc:
        return _id_types_page(request, membership, form, exc.report)
    current = policy_settings_get(membership.project).allowed_id_types
    table = uploaded if form.cleaned_data["mode"] == IdTypesUploadForm.REPLACE_ALL else current.replacing(uploaded)
    changed = policy_settings_update(project=membership.project, changes={ID_TYPES_KEY: _lines(table)},
                                     actor=Actor.from_request(request))  # fmt: skip
    messages.success(request, "Saved." if changed else "Nothing changed.")
    return redirect("dashboard:id_types", pid=pid)


def _lines(table: AllowedIdTypes) -> list[str]:
    return [f"{country},{id_type}" for country, id_type in table.entries]


@otp_required
@require_GET
def id_types_download(request: HttpRequest, pid: str) -> HttpResponse:
    """The current table as the CSV the upload takes, so it can be edited and sent back."""
    membership = project_membership(request, pid)
    table = policy_settings_get(membership.project).allowed_id_types
    response = HttpResponse(table.to_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="supported-id-types-{membership.project.pid}.csv"'
    return response
