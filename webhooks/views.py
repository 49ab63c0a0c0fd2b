"""Dashboard: the project's webhook endpoint, its signing secret, the delivery log and replays."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from projects.access import otp_required, project_membership
from projects.actors import Actor
from projects.forms import ConfirmWithCodeForm, SettingsForm
from projects.models import Membership, Project
from projects.settings_registry import get_setting
from projects.views.settings.common import save_settings, settings_form
from webhooks.forms import RecipientForm, ReplayRangeForm
from webhooks.models import DeliveryStatus, WebhookRecipient
from webhooks.notifications import webhook_recipient_add, webhook_recipient_remove
from webhooks.selectors import webhook_delivery_log
from webhooks.services import (
    WebhookError,
    webhook_deliveries_replay_range,
    webhook_delivery_replay,
    webhook_endpoint_get,
    webhook_secret_rotate,
    webhook_secrets_live,
    webhook_test_send,
)

SETTING_KEYS = ["webhook_url"]
DELIVERIES_PER_PAGE = 50


@otp_required
def webhooks_page(request: HttpRequest, pid: str) -> HttpResponse:
    membership = project_membership(request, pid)
    form = settings_form(request, membership, SETTING_KEYS)
    if request.method == "POST":
        project_membership(request, pid, need="manage")
        if save_settings(request, membership, form):
            return redirect("dashboard:webhooks", pid=pid)
    return _render(request, membership, form=form, secret_form=ConfirmWithCodeForm(), shown_secrets=[])


def _render(
    request: HttpRequest, membership: Membership, *, form, secret_form, shown_secrets: list[str]
) -> HttpResponse:
    status = request.GET.get("status", "")
    deliveries = webhook_delivery_log(project=membership.project, status=status)
    context = {
        "membership": membership,
        "project": membership.project,
        "endpoint": webhook_endpoint_get(project=membership.project),
        "form": form,
        "secret_form": secret_form,
        "shown_secrets": shown_secrets,
        "page": Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page")),
        "status": status if status in DeliveryStatus.values else "",
        "statuses": DeliveryStatus.choices,
        "replay_form": ReplayRangeForm(),
        "recipients": WebhookRecipient.objects.filter(project=membership.project),
        "recipient_form": RecipientForm(),
    }
    return render(request, "dashboard/webhooks/webhooks.html", context)


@otp_required
@require_POST
def webhook_secret_page(request: HttpRequest, pid: str) -> HttpResponse:
    """Show (or rotate, then show) the signing secrets; needs a fresh TOTP code (sudo mode)."""
    membership = project_membership(request, pid, need="manage")
    secret_form = ConfirmWithCodeForm(request.POST)
    unbound = SettingsForm(settings_list=[get_setting(key) for key in SETTING_KEYS], project=membership.project)
    if not secret_form.confirms(request.user):
        return _render(request, membership, form=unbound, secret_form=secret_form, shown_secrets=[])
    try:
        if request.POST.get("rotate"):
            webhook_secret_rotate(project=membership.project, actor=Actor.from_request(request))
        endpoint = webhook_endpoint_get(project=membership.project)
        if endpoint is None:
            raise WebhookError("Set a webhook URL first.")
    except WebhookError as exc:
        messages.error(request, exc.message)
        return redirect("dashboard:webhooks", pid=pid)
    shown = webhook_secrets_live(endpoint)
    return _render(request, membership, form=unbound, secret_form=ConfirmWithCodeForm(), shown_secrets=shown)


def _act(request: HttpRequest, pid: str, action: Callable[[Project, Actor], str]) -> HttpResponse:
    """An owner's POST: run ``action`` (a service call returning the success message), report a
    refusal as an error message, back to the Webhooks page either way."""
    membership = project_membership(request, pid, need="manage")
    try:
        done = action(membership.project, Actor.from_request(request))
    except WebhookError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("dashboard:webhooks", pid=pid)


def _form_data(form: forms.Form, invalid: str) -> dict:
    if not form.is_valid():
        raise WebhookError(invalid)
    return form.cleaned_data


@otp_required
@require_POST
def webhook_test_page(request: HttpRequest, pid: str) -> HttpResponse:
    def action(project: Project, actor: Actor) -> str:
        webhook_test_send(project=project, actor=actor)
        return "A test event is on its way; its attempt appears in the log below."

    return _act(request, pid, action)


@otp_required
@require_POST
def webhook_replay_page(request: HttpRequest, pid: str, webhook_id: str) -> HttpResponse:
    def action(project: Project, actor: Actor) -> str:
        webhook_delivery_replay(project=project, webhook_id=webhook_id, actor=actor)
        return f"Delivery {webhook_id} goes out again, with the same id and body."

    return _act(request, pid, action)


@otp_required
@require_POST
def webhook_replay_range_page(request: HttpRequest, pid: str) -> HttpResponse:
    def action(project: Project, actor: Actor) -> str:
        data = _form_data(ReplayRangeForm(request.POST), "Enter both ends of the range as dates and times.")
        replayed = webhook_deliveries_replay_range(
            project=project, since=data["since"], until=data["until"], actor=actor
        )
        return f"Replaying {len(replayed)} dead-lettered deliveries."

    return _act(request, pid, action)


@otp_required
@require_POST
def webhook_recipient_add_page(request: HttpRequest, pid: str) -> HttpResponse:
    def action(project: Project, actor: Actor) -> str:
        data = _form_data(RecipientForm(request.POST), "Enter a name and a valid e-mail address.")
        recipient = webhook_recipient_add(project=project, name=data["name"], email=data["email"], actor=actor)
        return f"{recipient.email} will be told about this project's webhooks."

    return _act(request, pid, action)


@otp_required
@require_POST
def webhook_recipient_remove_page(request: HttpRequest, pid: str, recipient_id: int) -> HttpResponse:
    def action(project: Project, actor: Actor) -> str:
        webhook_recipient_remove(project=project, recipient_id=recipient_id, actor=actor)
        return "Removed."

    return _act(request, pid, action)
