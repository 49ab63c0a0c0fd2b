"""Services that tell people about a project's webhooks by e-mail: the recipients, the notice
when the endpoint is disabled, and the daily summary (issue 7). Messages carry counts and
trigger names, never payloads or personal data."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from projects.actors import Actor
from projects.models import Project
from projects.services import audit_record
from webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDailySummary,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookRecipient,
)
from webhooks.services import WebhookError

MAX_RECIPIENTS = 20


@transaction.atomic
def webhook_recipient_add(*, project: Project, name: str, email: str, actor: Actor) -> WebhookRecipient:
    name, email = name.strip(), email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise WebhookError("Enter a valid e-mail address.") from None
    if not 1 <= len(name) <= 120:
        raise WebhookError("Enter a name of 1 to 120 characters.")
    if WebhookRecipient.objects.filter(project=project).count() >= MAX_RECIPIENTS:
        raise WebhookError(f"At most {MAX_RECIPIENTS} recipients.")
    try:
        with transaction.atomic():
            recipient = WebhookRecipient.objects.create(project=project, name=name, email=email)
    except IntegrityError:
        raise WebhookError("This address is already a recipient.") from None
    audit_record(actor=actor, action="webhook.recipient_added", project=project, target_type="webhook_recipient",
                 target_id=str(recipient.pk))  # fmt: skip
    return recipient


@transaction.atomic
def webhook_recipient_remove(*, project: Project, recipient_id: int, actor: Actor) -> None:
    deleted, _ = WebhookRecipient.objects.filter(project=project, pk=recipient_id).delete()
    if not deleted:
        raise WebhookError("No such recipient.")
    audit_record(actor=actor, action="webhook.recipient_removed", project=project, target_type="webhook_recipient",
                 target_id=str(recipient_id))  # fmt: skip


def _addresses(project_id: int) -> list[str]:
    return list(WebhookRecipient.objects.filter(project_id=project_id).values_list("email", flat=True))


def webhook_endpoint_disabled_notify(*, endpoint_id: int) -> int:
    """E-mail the recipients that the endpoint was disabled; returns how many were told."""
    endpoint = WebhookEndpoint.objects.select_related("project").filter(pk=endpoint_id, is_active=False).first()
    if endpoint is None:
        return 0
    recipients = _addresses(endpoint.project_id)
    if recipients:
        send_mail(
            subject=f"Webhooks of {endpoint.project.name} are disabled",
            message=render_to_string("emails/webhook_disabled.txt", {"endpoint": endpoint}),
            from_email=None,
            recipient_list=recipients,
            fail_silently=False,
        )
    return len(recipients)


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=1)


def webhook_daily_summary_counts(*, project: Project, day: dt.date) -> dict[str, dict[str, int]]:
    """Per trigger, for 00:00–23:59 UTC of ``day``: deliveries accepted (``sent``), attempts that
    failed (``failed``) and deliveries dead-lettered (``dead_lettered``)."""
    start, end = _day_bounds(day)
    deliveries = WebhookDelivery.objects.filter(project=project, is_test=False)
    sent = Counter(
        deliveries.filter(delivered_at__gte=start, delivered_at__lt=end).values_list("event__event", flat=True)
    )
    dead = Counter(
        deliveries.filter(status=DeliveryStatus.DEAD, dead_at__gte=start, dead_at__lt=end).values_list(
            "event__event", flat=True
        )
    )
    failures = WebhookAttempt.objects.filter(delivery__project=project, delivery__is_test=False,
                                             started_at__gte=start, started_at__lt=end).exclude(
        status_code__gte=200, status_code__lt=300
    )  # fmt: skip
    failed = Counter(failures.values_list("delivery__event__event", flat=True))
    triggers = sorted(set(sent) | set(dead) | set(failed))
    return {t: {"sent": sent[t], "failed": failed[t], "dead_lettered": dead[t]} for t in triggers}


def webhook_daily_summaries_send(*, day: dt.date | None = None) -> int:
    """Send yesterday's (or ``day``'s) summary to every project with recipients and activity,
    once per project and day; returns how many e-mails went out."""
    day = day or (timezone.now() - dt.timedelta(days=1)).date()
    sent = 0
    for project in Project.objects.filter(pk__in=WebhookRecipient.objects.values("project_id")).distinct():
        counts = webhook_daily_summary_counts(project=project, day=day)
        if not counts:
            continue
        with transaction.atomic():
            _, created = WebhookDailySummary.objects.get_or_create(project=project, day=day)
            if not created:
                continue
            context = {"project": project, "day": day, "counts": counts}
            message = render_to_string("emails/webhook_summary.txt", context)
            recipients = _addresses(project.pk)
            transaction.on_commit(lambda m=message, r=recipients, p=project: _send_summary(p, day, m, r))
        sent += 1
    return sent


def _send_summary(project: Project, day: dt.date, message: str, recipients: list[str]) -> None:
    send_mail(subject=f"Webhooks of {project.name} on {day.isoformat()}", message=message, from_email=None,
              recipient_list=recipients, fail_silently=False)  # fmt: skip
